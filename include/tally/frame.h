/* SPDX-License-Identifier: MIT */
/* Physical frame allocator: a bitmap of 4 KiB frames (pure logic).
 *
 * Design: one bit per frame from physical 0 to the top of usable memory,
 * set when the frame is in use or not RAM, and a second bitmap of the frames
 * handed out by frame_alloc_range(), so only those can be freed.  Allocation is first fit for a
 * run of frames at a given alignment, scanning whole 64-bit words where it
 * can; it is meant for few, large, long-lived blocks (a VM's memory) and
 * page-table pages.  Freeing checks that every frame was allocated, so a
 * double or wild free (of a reserved frame, say) is refused rather than
 * corrupting the map.
 *
 * Locking: the caller serialises (kernel/mem.c holds a spinlock). */
#ifndef TALLY_FRAME_H
#define TALLY_FRAME_H

#include <tally/types.h>

struct frame_alloc {
	uint64_t *bitmap;	/* 1 = in use (allocated, reserved or not RAM) */
	uint64_t *allocated;	/* 1 = handed out by frame_alloc_range() */
	uint64_t nframes;	/* frames covered: [0, nframes * 4 KiB) */
	uint64_t free_frames;
	uint64_t usable_frames;	/* frames ever added as free */
};

/* Bytes of bitmaps needed to cover physical memory up to @limit. */
uint64_t frame_bitmap_bytes(uint64_t limit);

/* Start with every frame below @limit in use; @bitmap holds frame_bitmap_bytes(limit). */
void frame_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t limit);

/* Mark the whole frames inside [@base, @base + @len) free (page-aligned inward). */
void frame_add_free(struct frame_alloc *fa, uint64_t base, uint64_t len);

/* Mark every frame touching [@base, @base + @len) in use (page-aligned outward). */
void frame_reserve(struct frame_alloc *fa, uint64_t base, uint64_t len);

/*
 * Allocate @count contiguous frames whose base is a multiple of @align bytes
 * (a power of two, at least 4 KiB) and whose end is at most @limit.
 * Returns 0 with *@pa set, -EINVAL for bad arguments, -ENOMEM.
 */
int frame_alloc_range(struct frame_alloc *fa, uint64_t count, uint64_t align,
		      uint64_t limit, uint64_t *pa);

/*
 * Free @count frames at @pa.  Returns -EINVAL, changing nothing, unless
 * every one of them is inside the map and currently allocated.
 */
int frame_free_range(struct frame_alloc *fa, uint64_t pa, uint64_t count);

#endif
