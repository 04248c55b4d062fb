/* SPDX-License-Identifier: MIT */
/* A domain's disk: its space, and the virtio-blk device over it (virtio 1.2 section 5.2).
 *
 * Design: the space is one block from mem_alloc(), never mapped into the
 * guest; requests move bytes between it and the guest's buffers with the
 * checked copies of tally/virtq.h.  What a request does is decided first
 * (drivers/vdev/vblk_req.c), so a refused one moves nothing.
 * Locking: the disk's own lock (vblk.lock) guards the device, its queue and
 * its counters; the transport holds it around every callback here. */
#include <tally/arch.h>
#include <tally/audit.h>
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/string.h>
#include <tally/vblk.h>
#include <tally/vblk_req.h>
#include <tally/vplatform.h>

#define VBLK_ALIGN	(2 * MIB)	/* like domain RAM: large pages, few allocator ranges */
#define VBLK_QUEUE	0		/* 5.2.2: requestq */

static struct vblk *vblk_of(struct virtio_dev *dev)
{
	return dev->priv;
}

/* 4.2.2: the configuration space is read at any width within its bytes. */
static int config_read(struct virtio_dev *dev, unsigned int off, unsigned int size,
		       uint64_t *val)
{
	const struct virtio_blk_config *cfg = &vblk_of(dev)->config;

	if (size > sizeof(*val) || off > sizeof(*cfg) || size > sizeof(*cfg) - off)
		return -EINVAL;
	*val = 0;
	memcpy(val, (const uint8_t *)cfg + off, size);
	return 0;
}

/* Every field Tally offers is read-only (no VIRTIO_BLK_F_CONFIG_WCE): writes are ignored. */
static int config_write(struct virtio_dev *dev, unsigned int off, unsigned int size,
			uint64_t val)
{
	(void)val;
	return off + size <= sizeof(vblk_of(dev)->config) ? 0 : -EINVAL;
}

/* Move @r's data between the disk and the chain: false if the guest's memory failed us. */
static bool move_data(struct vblk *b, const struct guest_mem *m, unsigned int domain_id,
		      const struct vblk_req *r)
{
	uint8_t id[VIRTIO_BLK_ID_BYTES];

	switch (r->op) {
	case VBLK_OP_READ:
		return !virtq_write(m, &b->chain, r->chain_off, b->data + r->disk_off, r->data_len);
	case VBLK_OP_WRITE:
		return !virtq_read(m, &b->chain, r->chain_off, b->data + r->disk_off, r->data_len);
	case VBLK_OP_GET_ID:
		vblk_req_id(domain_id, id);
		return !virtq_write(m, &b->chain, r->chain_off, id, sizeof(id));
	default:
		return true;
	}
}

/* Serve the chain in b->chain and return it: its data bytes, or -EFAULT (used ring gone). */
static int64_t serve(struct vblk *b, struct domain *d)
{
	const struct guest_mem *m = &d->mem;
	struct virtio_blk_req_hdr h;
	struct vblk_req r;
	bool have_hdr;

	/* The header is copied once, then decided on: the guest cannot change it under us. */
	have_hdr = b->chain.read_bytes >= sizeof(h) && !virtq_read(m, &b->chain, 0, &h, sizeof(h));
	vblk_req_decode(have_hdr ? &h : NULL, b->chain.read_bytes, b->chain.write_bytes,
			b->bytes, b->ro, &r);
	if (!move_data(b, m, d->id, &r)) {
		r.op = VBLK_OP_REFUSED;
		r.status = VIRTIO_BLK_S_IOERR;
		r.data_len = 0;
		r.used_len = 1;
	}
	if (r.op != VBLK_OP_NO_STATUS &&
	    virtq_write(m, &b->chain, r.status_off, &r.status, sizeof(r.status)) < 0)
		r.used_len = 0;
	vblk_req_count(&b->c, &r);
	if (virtq_push(&b->dev.vq[VBLK_QUEUE], m, b->chain.head, r.used_len) < 0)
		return -EFAULT;
	return (int64_t)r.data_len;
}

/*
 * Serve chains until VBLK_BYTE_BUDGET bytes have moved: then the notifying
 * store runs again, on the guest's time, if chains remain.
 */
static int notify(struct virtio_dev *dev, struct vcpu *v, unsigned int q)
{
	struct vblk *b = vblk_of(dev);
	struct domain *d = dev->domain;
	struct virtq *vq = &dev->vq[VBLK_QUEUE];
	uint64_t moved = 0;
	unsigned int served = 0;
	int rc = 0;

	(void)v;
	if (q != VBLK_QUEUE)
		return -VIRTQ_ERR_INDEX;
	while (moved < VBLK_BYTE_BUDGET) {
		int64_t n;

		rc = virtq_pop(vq, &d->mem, &b->chain);
		if (rc <= 0)
			break;
		n = serve(b, d);
		if (n < 0) {
			rc = -VIRTQ_ERR_RING;
			break;
		}
		moved += (uint64_t)n;
		served++;
		rc = 0;
	}
	if (served)
		virtio_dev_used(dev, VBLK_QUEUE);
	if (rc < 0)
		return rc;
	return moved >= VBLK_BYTE_BUDGET && virtq_pending(vq, &d->mem) ? VIRTIO_NOTIFY_MORE : 0;
}

/* The driver reset the device: no request is in flight between notifications. */
static void reset(struct virtio_dev *dev)
{
	(void)dev;
}

static const struct virtio_dev_ops vblk_ops = {
	.name = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	.queues = 1,
	.config_read = config_read,
	.config_write = config_write,
	.notify = notify,
	.reset = reset,
};

/* A fresh device over @b's bytes: 5.2.3 features, 5.2.4 configuration, counters from zero. */
static int attach(struct domain *d, struct vblk *b, const char *label)
{
	uint64_t features = 1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX |
			    1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH;
	int rc;

	if (b->ro)
		features |= 1ull << VIRTIO_BLK_F_RO;
	b->dev = (struct virtio_dev){ 0 };
	b->c = (struct vblk_counters){ 0 };
	b->lock = (struct spinlock)SPINLOCK_INIT;
	b->config = (struct virtio_blk_config){
		.capacity = b->bytes / VIRTIO_BLK_SECTOR_SIZE,
		.size_max = VBLK_SIZE_MAX,
		.seg_max = VBLK_SEG_MAX,
		.blk_size = VIRTIO_BLK_SECTOR_SIZE,
	};
	d->blk = NULL;		/* the slot is free until the device is whole */
	rc = virtio_dev_attach(d, &b->dev, VPLATFORM_VIRTIO_BLK_SLOT, &vblk_ops, features,
			       &b->lock, b);
	if (rc < 0) {
		log_err("%s: its disk's virtio slot %u is taken (%d); not created", label,
			VPLATFORM_VIRTIO_BLK_SLOT, rc);
		return rc;
	}
	d->blk = b;
	return 0;
}

/*
 * The disk's size for @cfg and @image: max(disk=, the image rounded up to a
 * sector); 0 for no disk; -EINVAL (logged) for an image larger than an
 * explicit disk=, or an empty image with no disk= beside it.
 */
static int64_t disk_bytes(const struct domain_config *cfg, const struct boot_module *image,
			  const char *label)
{
	uint64_t asked = cfg->disk_mib * MIB;
	uint64_t filled = image ? ALIGN_UP(image->size, VIRTIO_BLK_SECTOR_SIZE) : 0;

	if (!cfg->disk_mib && !image)
		return 0;
	if (cfg->disk_mib && filled > asked) {
		log_err("%s: disk image of %lu bytes is larger than disk=%lu MiB; not created",
			label, image->size, cfg->disk_mib);
		return -EINVAL;
	}
	if (!asked && !filled) {
		log_err("%s: disk image is empty and no disk= gives a size; not created", label);
		return -EINVAL;
	}
	return (int64_t)(asked > filled ? asked : filled);
}

/* The structure and the space, the space filled with @image then zeros. */
static int alloc_disk(struct domain *d, uint64_t bytes, const struct boot_module *image,
		      const char *label)
{
	uint64_t alloc = ALIGN_UP(bytes, VBLK_ALIGN);
	uint64_t copied = image ? image->size : 0;
	hpa_t self, store;

	if (mem_alloc(alloc, VBLK_ALIGN, 0, &store) < 0) {
		log_err("%s: its disk needs %lu MiB but only %lu MiB are free; not created",
			label, alloc / MIB, mem_free_bytes() / MIB);
		return -ENOMEM;
	}
	if (mem_alloc(sizeof(struct vblk), PAGE_SIZE, 0, &self) < 0) {
		log_err("%s: no memory for its disk's device; not created", label);
		mem_free(store, alloc);
		return -ENOMEM;
	}
	d->blk = arch_phys_to_virt(self.raw, sizeof(struct vblk));
	*d->blk = (struct vblk){ .self = self, .store = store, .bytes = bytes,
				 .alloc_bytes = alloc };
	d->blk->data = arch_phys_to_virt(store.raw, alloc);
	if (copied)
		memcpy(d->blk->data, arch_phys_to_virt(image->start.raw, copied), copied);
	memset(d->blk->data + copied, 0, alloc - copied);
	return 0;
}

/* Scrub and give back @b's space and @b itself. */
static void free_disk(struct vblk *b)
{
	hpa_t self = b->self;

	arch_zero_memory(b->store, b->alloc_bytes);
	mem_free(b->store, b->alloc_bytes);
	mem_free(self, sizeof(struct vblk));
}

int vblk_create(struct domain *d, const struct domain_config *cfg,
		const struct boot_module *image, const char *label)
{
	struct vblk *b = d->blk;
	bool kept = b;
	int64_t bytes;
	int rc;

	if (!kept) {	/* else a restart: the same bytes, a fresh device */
		bytes = disk_bytes(cfg, image, label);
		if (bytes <= 0)
			return (int)bytes;
		rc = alloc_disk(d, (uint64_t)bytes, image, label);
		if (rc < 0)
			return rc;
		b = d->blk;
		b->ro = cfg->disk_ro;
	}
	rc = attach(d, b, label);
	if (rc < 0) {
		free_disk(b);
		return rc;
	}
	log_info("vdev: d%u %s virtio-blk of %lu bytes%s%s", d->id, d->name, b->bytes,
		 b->ro ? ", read-only" : "", kept ? ", kept from its last life" :
		 image ? ", filled from its disk_of= image" : "");
	return 0;
}

void vblk_destroy(struct domain *d)
{
	struct vblk *b = d->blk;

	if (!b || d->restarting)	/* kept as it is for the next life */
		return;
	d->blk = NULL;
	free_disk(b);
}

int vblk_snapshot(const struct domain *d, struct vblk_snapshot *out)
{
	struct vblk *b = d->blk;
	unsigned long flags;

	if (!b)
		return -ENOENT;
	flags = spin_lock_irqsave(&b->lock);
	*out = (struct vblk_snapshot){ .bytes = b->bytes, .ro = b->ro, .c = b->c,
				       .errors = b->dev.errors };
	spin_unlock_irqrestore(&b->lock, flags);
	return 0;
}

void vblk_audit(const struct domain *d, struct audit *a)
{
	if (d->blk)
		audit_add(a, d->blk->store.raw, d->blk->alloc_bytes, d->id);
}
