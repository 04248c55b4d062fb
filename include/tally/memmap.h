/* SPDX-License-Identifier: MIT */
/* Cleaning up firmware memory maps and finding holes in them (pure logic). */
#ifndef TALLY_MEMMAP_H
#define TALLY_MEMMAP_H

#include <tally/boot_info.h>

/*
 * Turn @n raw entries into a sorted list of disjoint ranges in @out (room
 * for @max).  Where entries overlap the more restrictive type wins (usable
 * loses to everything; unknown types count as reserved); adjacent ranges of
 * one type merge; empty and wrapping entries are dropped.  Returns the
 * number written, or -ENOSPC when @max is too small.
 */
int memmap_sanitize(const struct mem_range *in, unsigned int n,
		    struct mem_range *out, unsigned int max);

/*
 * Find @size bytes aligned to @align, inside a MEM_USABLE range of the
 * sanitized @map, below @limit, and overlapping none of the @nres ranges in
 * @reserved.  Returns 0 with *@base set (lowest such address) or -ENOMEM.
 */
int memmap_find_free(const struct mem_range *map, unsigned int n,
		     const struct mem_range *reserved, unsigned int nres,
		     uint64_t size, uint64_t align, uint64_t limit, uint64_t *base);

/*
 * Whether [@base, @base + @len) (clamped at 2^64) touches a MEM_USABLE range
 * of the sanitized @map: a device window the firmware names must not.
 */
bool memmap_overlaps_usable(const struct mem_range *map, unsigned int n, uint64_t base,
			    uint64_t len);

#endif
