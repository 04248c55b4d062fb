/* SPDX-License-Identifier: MIT */
/* The x86-64 part of each CPU's private data. */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <arch/desc.h>

struct arch_percpu {
	uint64_t gdt[GDT_ENTRIES];
	struct tss64 tss;
	uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
	uint64_t vmxon_region;		/* host-physical, allocated by the boot CPU */
};

#endif
