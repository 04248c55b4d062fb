/* SPDX-License-Identifier: MIT */
/* A vCPU's registers at its first instruction, as a boot protocol fixes them. */
#ifndef TALLY_VCPU_BOOT_H
#define TALLY_VCPU_BOOT_H

#include <tally/types.h>

/*
 * Filled by the loader (kernel/guest_loader.c, which knows multiboot),
 * handed to arch_vcpu_init(): the VMCS code sets them without knowing
 * what they mean.  The machine state around them is fixed: 32-bit
 * protected mode, paging off, flat segments.
 */
struct vcpu_boot_regs {
	uint32_t eip;
	uint32_t eax;
	uint32_t ebx;
};

#endif
