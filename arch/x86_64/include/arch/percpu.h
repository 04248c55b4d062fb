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

struct percpu;

/* The calling CPU's struct percpu: its first field points to itself, at GS:0. */
static inline struct percpu *arch_this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

#endif
