/* SPDX-License-Identifier: MIT */
/* A vCPU's registers at its first instruction, as a boot protocol fixes them. */
#ifndef TALLY_VCPU_BOOT_H
#define TALLY_VCPU_BOOT_H

#include <tally/types.h>

/*
 * Filled by a loader (kernel/guest_loader.c for multiboot, EAX and EBX;
 * kernel/linux_loader.c for Linux, ESI), handed to arch_vcpu_init(): the VMCS code sets them without knowing
 * what they mean.  The machine state around them is fixed: 32-bit
 * protected mode, paging off, flat segments.
 */
struct vcpu_boot_regs {
	uint32_t eip;
	uint32_t eax;
	uint32_t ebx;
	uint32_t esi;		/* Linux: the zero page (boot.rst, 32-bit boot protocol) */
};

#endif
