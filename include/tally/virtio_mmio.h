/* SPDX-License-Identifier: MIT */
/* virtio-mmio transport (virtio 1.2 section 4.2): a domain's virtio devices
 * as register pages in its device window, one slot each.
 *
 * Design: one MMIO region covers every slot of every domain (vmmio is
 * global); an access goes to the device the accessing vCPU's domain has in
 * that slot, and a slot the domain does not have ends the domain as any
 * unclaimed MMIO does.  The transport keeps the common registers (status,
 * features, queue setup, interrupt status) and hands the device its
 * configuration space, its queue notifications and its resets.  The
 * interrupt is a level-triggered I/O APIC line, asserted while
 * InterruptStatus is not zero.  A malformed ring puts the device in
 * DEVICE_NEEDS_RESET (with a configuration-change interrupt) until the
 * driver resets it; the device does no more work meanwhile.
 * Locking: each device's *lock guards its registers and queues (a NIC's is
 * the switch's, which also guards every port's queues); it is taken by
 * the MMIO handler around every register access and device callback. */
#ifndef TALLY_VIRTIO_MMIO_H
#define TALLY_VIRTIO_MMIO_H

#include <tally/spinlock.h>
#include <tally/types.h>
#include <tally/virtio.h>
#include <tally/virtq.h>

struct domain;
struct vcpu;
struct virtio_dev;
struct vacpi_device;

#define VIRTIO_MAX_QUEUES	2
#define VIRTIO_MMIO_VENDOR	0x594C4154u	/* "TALY", little-endian */

/* A device model's part. */
struct virtio_dev_ops {
	const char *name;		/* "net", "blk": log lines */
	uint32_t device_id;		/* VIRTIO_ID_* */
	unsigned int queues;		/* <= VIRTIO_MAX_QUEUES */
	/*
	 * Read @size bytes at @off of the configuration space into *@val;
	 * 0 or -EINVAL (past its end: the access is refused).
	 */
	int (*config_read)(struct virtio_dev *dev, unsigned int off, unsigned int size,
			   uint64_t *val);
	/* A write to the configuration space: 0 (ignored or done) or -EINVAL. */
	int (*config_write)(struct virtio_dev *dev, unsigned int off, unsigned int size,
			    uint64_t val);
	/*
	 * The driver notified queue @q (ready, DRIVER_OK set, not NEEDS_RESET),
	 * on vCPU @v of the device's domain, lock held.  Do a bounded amount
	 * of work; return 0 when the queue is drained, VIRTIO_NOTIFY_MORE
	 * when chains remain (the notifying store is then executed again:
	 * the rest is done on the guest's time), or -(enum virtq_error) for
	 * a malformed ring (the transport sets DEVICE_NEEDS_RESET).
	 */
	int (*notify)(struct virtio_dev *dev, struct vcpu *v, unsigned int q);
	/* The driver reset the device (Status 0): forget in-flight state. Lock held. */
	void (*reset)(struct virtio_dev *dev);
};

#define VIRTIO_NOTIFY_MORE	1

/* Ring errors a device met, by cause (enum virtq_error), and resets. */
struct virtio_errors {
	uint64_t by_cause[VIRTQ_ERR_COUNT];	/* [0] unused */
	uint64_t needs_reset;		/* times DEVICE_NEEDS_RESET was set */
	uint64_t bad_register;		/* refused accesses: unknown offset, size, bad write */
	uint64_t resets;		/* driver resets (Status written 0) */
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	struct domain *domain;
	struct spinlock *lock;		/* guards all of this (see Locking above) */
	unsigned int slot;		/* VPLATFORM_VIRTIO_BASE + slot * VPLATFORM_VIRTIO_SLOT_SIZE */
	unsigned int gsi;		/* its level-triggered I/O APIC input */
	uint64_t device_features;	/* offered: the device's plus the transport's */
	uint64_t driver_features;	/* accepted by the driver */
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint32_t status;		/* VIRTIO_STATUS_* */
	uint32_t interrupt_status;	/* VIRTIO_MMIO_INT_* */
	uint32_t config_generation;
	struct virtq vq[VIRTIO_MAX_QUEUES];
	/*
	 * The queue being worked on, for virtio_dev_fail()'s line: set by the
	 * transport around ops->notify and QueueReady; a device serving
	 * another queue (a NIC receiving) sets it before failing.
	 */
	unsigned int work_queue;
	struct virtio_errors errors;
	void *priv;			/* the device model's state */
};

/*
 * Set up @dev in slot @slot of @d for @ops offering @features (VERSION_1,
 * INDIRECT_DESC and EVENT_IDX are added), guarded by @lock; not yet
 * visible to the guest.  0, or -EINVAL (slot taken or out of range).
 */
int virtio_dev_attach(struct domain *d, struct virtio_dev *dev, unsigned int slot,
		      const struct virtio_dev_ops *ops, uint64_t features,
		      struct spinlock *lock, void *priv);

/* Raise @bits (VIRTIO_MMIO_INT_*) of @dev's interrupt status, asserting its line. Lock held. */
void virtio_dev_interrupt(struct virtio_dev *dev, uint32_t bits);

/* Notify the driver of used buffers on queue @q if the ring's rules ask for it. Lock held. */
void virtio_dev_used(struct virtio_dev *dev, unsigned int q);

/*
 * The device found @err in a ring of @dev: counted, logged once per
 * device, and the device waits in DEVICE_NEEDS_RESET.  Lock held.
 */
void virtio_dev_fail(struct virtio_dev *dev, enum virtq_error err);

/* Does @dev accept work now (DRIVER_OK, not NEEDS_RESET or FAILED)? */
bool virtio_dev_live(const struct virtio_dev *dev);

/* Register access to @dev's slot at offset @off (unit tests and the MMIO handler). Lock held. */
int virtio_mmio_read(struct virtio_dev *dev, struct vcpu *v, unsigned int off,
		     unsigned int size, uint64_t *val);
int virtio_mmio_write(struct virtio_dev *dev, struct vcpu *v, unsigned int off,
		      unsigned int size, uint64_t val);

/* The device @d has in slot @slot (its NIC's or its disk's), or NULL. */
struct virtio_dev *virtio_mmio_slot_dev(struct domain *d, unsigned int slot);

/*
 * @d's devices as its DSDT describes them (\_SB.VRT<slot>, _HID LNRO0005,
 * the slot's page, its level-triggered active-high GSI) into @out, at
 * most @max of them: how many.
 */
unsigned int virtio_mmio_acpi_devices(struct domain *d, struct vacpi_device *out,
				      unsigned int max);

/* Claim the virtio-mmio window for every domain (vmmio_register), at boot. */
int virtio_mmio_register(void);

#endif
