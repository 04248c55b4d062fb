/* SPDX-License-Identifier: MIT */
/* Overflow-safe range checks the loaders share (pure). */
#ifndef TALLY_RANGE_H
#define TALLY_RANGE_H

#include <tally/types.h>

/* True if [base, base + len) lies within [0, limit), without overflowing. */
static inline bool range_within(uint64_t base, uint64_t len, uint64_t limit)
{
	return base <= limit && len <= limit - base;
}

/* True if the host buffers [a, a + alen) and [b, b + blen) share a byte. */
static inline bool host_overlap(const void *a, uint64_t alen, const void *b, uint64_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y + blen && y < x + alen;
}

#endif
