/* SPDX-License-Identifier: MIT */
/* 64-by-32-bit unsigned division without libgcc's __udivdi3 (the guests link no libgcc). */
#ifndef GUEST_DIV64_H
#define GUEST_DIV64_H

#include <stdint.h>

/*
 * Return @n / @d and store @n % @d in *@rem (if not NULL); @d must not be 0.
 * Two DIVLs, long-division style: the high word first, then the remainder
 * and the low word, whose quotient fits 32 bits because remainder < @d.
 */
static inline uint64_t div_u64_u32(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint32_t hi = (uint32_t)(n >> 32);
	uint32_t q_hi = hi / d;
	uint32_t r = hi % d;
	uint32_t q_lo;

	asm("divl %[d]" : "=a"(q_lo), "+d"(r) : "a"((uint32_t)n), [d] "rm"(d));
	if (rem)
		*rem = r;
	return ((uint64_t)q_hi << 32) | q_lo;
}

#endif
