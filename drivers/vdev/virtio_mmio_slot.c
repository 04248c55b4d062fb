/* SPDX-License-Identifier: MIT */
/* The virtio-mmio window: every domain's slots as one MMIO region (see tally/virtio_mmio.h).
 *
 * Design: the region is global (vmmio regions are); an access reaches the
 * device the accessing vCPU's domain has in the slot, under that device's
 * lock.  A slot the domain has no device in is refused, as unclaimed MMIO.
 * Locking: *dev->lock around each register access and device callback. */
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/spinlock.h>
#include <tally/virtio_mmio.h>
#include <tally/vmmio.h>
#include <tally/vplatform.h>

#define WINDOW_SIZE	(VPLATFORM_VIRTIO_SLOTS * VPLATFORM_VIRTIO_SLOT_SIZE)

/* The device @v's domain has at @gpa, and the offset in its page. */
static struct virtio_dev *device_at(struct vcpu *v, uint64_t gpa, unsigned int *off)
{
	uint64_t rel = gpa - VPLATFORM_VIRTIO_BASE;

	*off = (unsigned int)(rel % VPLATFORM_VIRTIO_SLOT_SIZE);
	return virtio_mmio_slot_dev(v->domain, (unsigned int)(rel / VPLATFORM_VIRTIO_SLOT_SIZE));
}

/* @v's access of @size bytes at @gpa, a load into *@val or a store of *@val: to its device. */
static int window_access(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *val,
			 bool write)
{
	unsigned int off;
	struct virtio_dev *dev = device_at(v, gpa, &off);
	unsigned long flags;
	int err;

	if (!dev || off + size > VPLATFORM_VIRTIO_SLOT_SIZE)
		return -ENOENT;
	flags = spin_lock_irqsave(dev->lock);
	err = write ? virtio_mmio_write(dev, v, off, size, *val)
		    : virtio_mmio_read(dev, v, off, size, val);
	spin_unlock_irqrestore(dev->lock, flags);
	return err;
}

static int window_read(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *val)
{
	return window_access(v, gpa, size, val, false);
}

static int window_write(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t val)
{
	return window_access(v, gpa, size, &val, true);
}

static const struct vmmio_ops window_ops = { "virtio-mmio", window_read, window_write };

int virtio_mmio_register(void)
{
	return vmmio_register(VPLATFORM_VIRTIO_BASE, WINDOW_SIZE, &window_ops);
}
