/* SPDX-License-Identifier: MIT */
/* A domain's disk: a virtio-blk device (virtio 1.2 section 5.2) over space
 * handed out once from Tally's memory.
 *
 * Design: `disk=MiB` sets its size; a module whose command line says
 * `disk_of=NAME` fills it at creation (the disk is then at least the
 * image's size, rounded up to a sector); `disk_ro` makes it read-only.  The
 * space is scrubbed and freed when the domain is destroyed, and kept as it
 * is across `on_reboot=restart`.  Tally sees requests and counts them; it
 * never reads the filesystem.  A notification serves requests until
 * VBLK_BYTE_BUDGET bytes have moved, then the notifying store runs again.
 * Locking: each disk's own lock (vblk.lock) guards it. */
#ifndef TALLY_VBLK_H
#define TALLY_VBLK_H

#include <tally/spinlock.h>
#include <tally/types.h>
#include <tally/virtio_mmio.h>

struct audit;
struct boot_module;
struct domain;
struct domain_config;

#define VBLK_BYTE_BUDGET	(256 * KIB)	/* per notification */
#define VBLK_SEG_MAX		(VIRTQ_MAX_SEGS - 2)	/* data segments: header and status aside */
#define VBLK_SIZE_MAX		(64 * KIB)	/* bytes per segment */

/* Exact counts of what the guest asked. */
struct vblk_counters {
	uint64_t read_requests, read_bytes;
	uint64_t write_requests, write_bytes;
	uint64_t flush_requests;
	uint64_t other_requests;	/* get-id */
	uint64_t ioerr;			/* answered VIRTIO_BLK_S_IOERR (past the end, malformed,
					 * a write to disk_ro: 5.2.6.2), or unanswerable (no status byte) */
	uint64_t unsupported;		/* answered VIRTIO_BLK_S_UNSUPP (an unknown type) */
};

struct vblk {
	struct virtio_dev dev;		/* slot VPLATFORM_VIRTIO_BLK_SLOT */
	hpa_t self;			/* where this structure lives (mem_alloc) */
	struct spinlock lock;
	hpa_t store;			/* the disk's bytes, one block */
	uint8_t *data;			/* ... as Tally sees them */
	uint64_t bytes;			/* size, a multiple of VIRTIO_BLK_SECTOR_SIZE */
	uint64_t alloc_bytes;		/* what was allocated (2 MiB multiple) */
	bool ro;
	struct virtio_blk_config config;
	struct vblk_counters c;
	struct virtq_chain chain;	/* scratch: the request being served */
};

/* What the counters calls report of a disk, read as one moment. */
struct vblk_snapshot {
	uint64_t bytes;
	bool ro;
	struct vblk_counters c;
	struct virtio_errors errors;
};

/*
 * Give @d the disk @cfg asks for (`disk=`, `disk_ro`), filled from @image
 * (its `disk_of=` module) if not NULL.  0 (also when none is asked), or a
 * negative errno after one log line naming @label (no memory, image larger
 * than `disk=`...).
 */
int vblk_create(struct domain *d, const struct domain_config *cfg,
		const struct boot_module *image, const char *label);

/* Scrub and free @d's disk (domain destroyed for good). */
void vblk_destroy(struct domain *d);

/*
 * @d's disk counters into @out: 0, or -ENOENT (no disk).  The caller keeps
 * the disk from being destroyed meanwhile (domain_table_lock() with @d not
 * DOMAIN_DEAD, or @d's own teardown before vblk_destroy()).
 */
int vblk_snapshot(const struct domain *d, struct vblk_snapshot *out);

/* Tell the memory audit that @d owns its disk's space (domain table locked, @d live). */
void vblk_audit(const struct domain *d, struct audit *a);

#endif
