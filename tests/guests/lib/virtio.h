/* SPDX-License-Identifier: MIT */
/*
 * Test-guest virtio-mmio 1.x driver (virtio 1.2 sections 2, 3.1, 4.2):
 * Tally's slots at VPLATFORM_VIRTIO_BASE + slot * 0x1000, split rings in
 * the guest's static memory (paging off: guest-physical = linear).
 *
 * Usage (a NIC in slot 0, a disk in slot 1):
 *
 *	static struct vio_net net;		// big: keep it static
 *	if (vio_net_open(&net, VPLATFORM_VIRTIO_NET_SLOT, 0) < 0) ...  // VIO_E*
 *	vio_net_post_rx(&net);			// fill the receive queue
 *	vio_net_send(&net, frame, len);		// frame = Ethernet header + payload
 *	if (vio_net_recv_wait(&net, buf, &len, 100000)) ...  // within 100 ms
 *
 *	static struct vio_blk blk;
 *	vio_blk_open(&blk, VPLATFORM_VIRTIO_BLK_SLOT, 0);
 *	int st = vio_blk_read(&blk, sector, count, buf);  // VIRTIO_BLK_S_*, or VIO_ETIMEDOUT
 *
 * Lower level (any device, and the hostile guest): vio_probe(), vio_init()
 * (reset, ACKNOWLEDGE|DRIVER, features, FEATURES_OK), vio_queue_setup(),
 * vio_driver_ok(), then vio_add() a chain (readable buffers then writable,
 * optionally through an indirect table), vio_notify(), vio_poll_used().
 * Raw access: vio_reg_read/write(), and struct vio_queue's desc/avail/used
 * pointers and avail_idx (write ring entries yourself, then vio_publish()).
 * Interrupts: vio_irq_route() points the slot's I/O APIC line (GSI 16 +
 * slot, level, active high) at a vector of APIC ID 0; the handler calls
 * vio_irq_ack() (reads and acknowledges InterruptStatus) then xapic_eoi().
 *
 * Every call polls with a bounded wait; nothing here sleeps.  One CPU per
 * device: no locking.
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Tally's spec header without Tally's types.h, whose PAGE_SIZE and
 * helpers clash with the guest library's: the spec structures need only
 * <stdint.h> and <stdbool.h>.
 */
#ifndef TALLY_TYPES_H
#define TALLY_TYPES_H
#define GUEST_VIRTIO_DEFINED_TYPES
#endif
#include <tally/virtio.h>
#include <tally/vplatform.h>

#define VIO_QUEUE_MAX		256	/* entries per queue this driver sets up at most */
#define VIO_INDIRECT_MAX	8	/* descriptors in one indirect table */
#define VIO_NET_MAX_FRAME	1514	/* Ethernet header + 1500 bytes MTU, no FCS */
#define VIO_NET_BUF_BYTES	(sizeof(struct virtio_net_hdr) + VIO_NET_MAX_FRAME)
#define VIO_NET_QUEUE		64	/* entries per NIC queue */
#define VIO_BLK_QUEUE		16
#define VIO_WAIT_US		1000000u	/* default bound of the polls: 1 s */

/* Errors (negative returns). */
#define VIO_ENODEV	-1	/* bad magic, version or device id */
#define VIO_EFEATURES	-2	/* FEATURES_OK did not stick, or VERSION_1 not offered */
#define VIO_EQUEUE	-3	/* queue absent (QueueNumMax 0) or already live */
#define VIO_ENOSPC	-4	/* not enough free descriptors */
#define VIO_ETIMEDOUT	-5	/* the device did not answer within the bound */
#define VIO_EINVAL	-6	/* a bad argument (too many buffers, frame too long) */

struct vio_dev {
	uint32_t base;			/* the slot's register page */
	unsigned int slot;
	uint32_t device_id;
	uint64_t offered;		/* device features */
	uint64_t features;		/* accepted */
};

/* One buffer of a chain. */
struct vio_buf {
	void *addr;
	uint32_t len;
	bool write;			/* device-writable (they come after the readable ones) */
};

/* A split virtqueue: its memory is part of it (declare it static). */
struct vio_queue {
	struct virtq_desc desc[VIO_QUEUE_MAX] __attribute__((aligned(VIRTQ_DESC_ALIGN)));
	/* Driver area (2.7.6): flags, idx, ring[size], used_event. */
	volatile uint16_t avail[3 + VIO_QUEUE_MAX] __attribute__((aligned(VIRTQ_AVAIL_ALIGN)));
	/* Device area (2.7.8): flags, idx, then {id, len}[size], avail_event. */
	volatile uint32_t used[2 + 2 * VIO_QUEUE_MAX] __attribute__((aligned(VIRTQ_USED_ALIGN)));
	struct virtq_desc indirect[VIO_QUEUE_MAX][VIO_INDIRECT_MAX]
		__attribute__((aligned(VIRTQ_DESC_ALIGN)));
	struct vio_dev *dev;
	unsigned int index;		/* QueueSel */
	uint16_t size;
	uint16_t free_head;		/* free descriptors, linked by .next */
	uint16_t num_free;
	uint16_t avail_idx;		/* our avail.idx, published by vio_publish() */
	uint16_t last_used;		/* next used entry we consume */
	uint16_t chain_len[VIO_QUEUE_MAX];	/* descriptors a head took from the table */
};

/* Register @off of @d's slot. */
uint32_t vio_reg_read(const struct vio_dev *d, uint32_t off);
void vio_reg_write(const struct vio_dev *d, uint32_t off, uint32_t val);

/* Check slot @slot holds a version-2 device of type @device_id (0: any); 0 or VIO_ENODEV. */
int vio_probe(struct vio_dev *d, unsigned int slot, uint32_t device_id);

/* Reset: Status 0, then wait until it reads 0 (4.2.3.1.1). */
void vio_reset(const struct vio_dev *d);

/*
 * Reset, ACKNOWLEDGE|DRIVER, accept VERSION_1 plus @wanted (bit masks,
 * 1ull << VIRTIO_F_*) of what the device offers, FEATURES_OK, and check it
 * stuck (3.1.1).  0, VIO_EFEATURES (the device is then marked FAILED).
 */
int vio_init(struct vio_dev *d, uint64_t wanted);

/* Status |= DRIVER_OK. */
void vio_driver_ok(const struct vio_dev *d);

/* The Status register. */
uint32_t vio_status(const struct vio_dev *d);

/* Was feature bit @bit accepted? */
bool vio_has(const struct vio_dev *d, unsigned int bit);

/*
 * Set up queue @index of @d in @q with min(@size, QueueNumMax) entries
 * (@size a power of two <= VIO_QUEUE_MAX) and make it ready.  The entry
 * count, or VIO_EQUEUE / VIO_EINVAL.
 */
int vio_queue_setup(struct vio_dev *d, struct vio_queue *q, unsigned int index, unsigned int size);

/*
 * Put the chain @bufs[0..@n) (readable ones first) in the descriptor table,
 * in @q's own descriptors or, with @indirect, through one indirect table
 * (n <= VIO_INDIRECT_MAX), and on the available ring, published.  Its head,
 * or VIO_ENOSPC / VIO_EINVAL.  No notification: vio_notify().
 */
int vio_add(struct vio_queue *q, const struct vio_buf *bufs, unsigned int n, bool indirect);

/* Publish the available entries written so far (avail.idx = q->avail_idx). */
void vio_publish(struct vio_queue *q);

/* QueueNotify with @q's index. */
void vio_notify(const struct vio_queue *q);

/* The device's used.idx. */
uint16_t vio_used_idx(const struct vio_queue *q);

/*
 * Take the next used entry: its head in *@head and written length in *@len,
 * and free its descriptors.  False if the device has returned none.
 */
bool vio_poll_used(struct vio_queue *q, uint32_t *head, uint32_t *len);

/* Wait up to @us microseconds for vio_poll_used(); false on timeout. */
bool vio_wait_used(struct vio_queue *q, uint32_t *head, uint32_t *len, uint32_t us);

/* Read InterruptStatus and acknowledge those bits; returns them. */
uint32_t vio_irq_ack(const struct vio_dev *d);

/* Route @d's line (GSI VPLATFORM_VIRTIO_GSI + slot) to @vector on APIC ID 0, level, unmasked. */
void vio_irq_route(const struct vio_dev *d, uint8_t vector);

/* Mask @d's I/O APIC line again. */
void vio_irq_mask(const struct vio_dev *d);

/* ---- virtio-net (5.1) ---- */

struct vio_net {
	struct vio_dev dev;
	struct vio_queue rx, tx;
	uint8_t mac[6];			/* from the config space (VIRTIO_NET_F_MAC) */
	uint16_t link_status;		/* VIRTIO_NET_S_* (VIRTIO_NET_F_STATUS), else 0 */
	uint8_t rxbuf[VIO_NET_QUEUE][VIO_NET_BUF_BYTES];
	uint8_t txbuf[VIO_NET_QUEUE][VIO_NET_BUF_BYTES];
	uint32_t tx_pending;		/* frames on the tx ring not yet returned */
	bool tx_indirect;		/* send header and frame as two descriptors of an indirect table */
};

/* Probe, init (MAC, STATUS plus @wanted), both queues, DRIVER_OK. 0 or VIO_E*. */
int vio_net_open(struct vio_net *n, unsigned int slot, uint64_t wanted);

/* Give every free rx descriptor a buffer, then notify; the number posted. */
unsigned int vio_net_post_rx(struct vio_net *n);

/*
 * Send the @len-byte Ethernet frame @frame (no FCS) with a zeroed
 * virtio_net_hdr in front, one descriptor (or, with tx_indirect and
 * VIRTIO_F_INDIRECT_DESC, an indirect table of two: header, frame), and notify.  Reclaims sent
 * frames first; waits up to VIO_WAIT_US for a free entry.  0, VIO_EINVAL
 * (len 0 or > VIO_NET_MAX_FRAME) or VIO_ETIMEDOUT.
 */
int vio_net_send(struct vio_net *n, const void *frame, uint32_t len);

/* Reclaim the tx entries the device returned; how many are still pending. */
uint32_t vio_net_tx_reap(struct vio_net *n);

/*
 * A received frame, without its header, into @buf (VIO_NET_MAX_FRAME
 * bytes) and its length into *@len; its buffer is posted again.  False if
 * none is waiting (vio_net_recv) or none came within @us (..._wait).
 */
bool vio_net_recv(struct vio_net *n, void *buf, uint32_t *len);
bool vio_net_recv_wait(struct vio_net *n, void *buf, uint32_t *len, uint32_t us);

/* ---- virtio-blk (5.2) ---- */

struct vio_blk {
	struct vio_dev dev;
	struct vio_queue q;
	uint64_t capacity;		/* 512-byte sectors */
	struct virtio_blk_req_hdr hdr[VIO_BLK_QUEUE];
	uint8_t status[VIO_BLK_QUEUE];
	bool indirect;			/* send requests through indirect tables */
};

/* Probe, init (FLUSH, RO, BLK_SIZE... as offered, plus @wanted), the queue, DRIVER_OK. */
int vio_blk_open(struct vio_blk *b, unsigned int slot, uint64_t wanted);

/*
 * One request: @type (VIRTIO_BLK_T_*) at @sector with @len data bytes in
 * @buf (device-writable for IN and GET_ID), waited for.  The status byte
 * the device wrote (VIRTIO_BLK_S_*), or VIO_E*.  *@written (may be NULL)
 * gets the used length.
 */
int vio_blk_request(struct vio_blk *b, uint32_t type, uint64_t sector, void *buf,
		    uint32_t len, uint32_t *written);

static inline int vio_blk_read(struct vio_blk *b, uint64_t sector, uint32_t count, void *buf)
{
	return vio_blk_request(b, VIRTIO_BLK_T_IN, sector, buf, count * VIRTIO_BLK_SECTOR_SIZE, 0);
}

static inline int vio_blk_write(struct vio_blk *b, uint64_t sector, uint32_t count,
				const void *buf)
{
	return vio_blk_request(b, VIRTIO_BLK_T_OUT, sector, (void *)buf,
			       count * VIRTIO_BLK_SECTOR_SIZE, 0);
}

static inline int vio_blk_flush(struct vio_blk *b)
{
	return vio_blk_request(b, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
}

/* The device ID string (VIRTIO_BLK_ID_BYTES, not necessarily NUL-terminated). */
static inline int vio_blk_get_id(struct vio_blk *b, void *buf)
{
	return vio_blk_request(b, VIRTIO_BLK_T_GET_ID, 0, buf, VIRTIO_BLK_ID_BYTES, 0);
}

#endif
