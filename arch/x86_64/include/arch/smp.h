/* SPDX-License-Identifier: MIT */
/* Application-processor start-up through the real-mode trampoline. */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <tally/types.h>

/* Page the trampoline is copied to; matches boot/defs.inc. */
#define TRAMPOLINE_BASE		0x8000

/* Filled by the BSP for one AP at a time; read by boot/trampoline.asm. */
struct trampoline_params {
	uint64_t cr3;		/* page tables (below 4 GiB: loaded in 32-bit mode) */
	uint64_t efer;		/* EFER bits to set */
	uint64_t stack;		/* initial RSP */
	uint64_t arg;		/* RDI: the AP's struct percpu */
	uint64_t entry;		/* C entry point */
};

#endif
