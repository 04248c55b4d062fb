/* SPDX-License-Identifier: MIT */
/* mmio: the test device's layout (Tally's include/tally/vmmio.h) and the paged part's entry. */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include "mb.h"

#define DEV_BASE	0xFEF00000u	/* VPLATFORM_MMIO_TEST_BASE */
#define DEV_STR		"0xfef00000"
#define DEV_COUNT_STR	"0xfef00100"	/* VMMIO_TEST_COUNT: accesses to the scratch bytes */

/* EFLAGS arithmetic flags (SDM Vol. 1, 3.4.3.1). */
#define X86_FLAGS_CF	(1u << 0)
#define X86_FLAGS_ZF	(1u << 6)
#define X86_FLAGS_SF	(1u << 7)

/* The checks with 32-bit paging on: the device at a second linear address, instructions across pages. */
void mmio_paged(const struct mb_info *mbi);

/* The checks in 64-bit mode with 4-level paging (after mmio_paged(), which starts the page pool). */
void mmio_long(void);

#endif
