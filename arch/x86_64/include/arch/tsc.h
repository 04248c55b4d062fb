/* SPDX-License-Identifier: MIT */
/* arch_read_tsc() inline: every VM exit and entry reads the TSC for the accounting. */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include <tally/types.h>

/* Time-stamp counter (RDTSC); an inline call, not a call, on the exit path. */
static inline uint64_t arch_read_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
