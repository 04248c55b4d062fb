/* SPDX-License-Identifier: MIT */
/* Per-CPU data: one struct per physical CPU, reached through this_cpu().
 *
 * Design: a static array indexed by Tally's CPU number (0 = boot CPU, then
 * the order in which processors were started).  Each CPU writes only its
 * own entry, except `online`, which the boot CPU polls while starting it. */
#ifndef TALLY_PERCPU_H
#define TALLY_PERCPU_H

#include <tally/types.h>
#include <tally/sched.h>
#include <arch/percpu.h>

#define MAX_CPUS		64
#define CPU_STACK_SIZE		(16 * KIB)

struct percpu {
	struct percpu *self;		/* first: this_cpu() loads it from GS:0 */
	unsigned int id;		/* Tally's CPU number */
	uint32_t apic_id;
	volatile bool online;
	uint64_t stack_base, stack_top;	/* the CPU's main stack */
	struct sched_percpu sched;
	struct arch_percpu arch;
};

extern struct percpu percpu_area[MAX_CPUS];
/* CPUs started so far (the boot CPU included). */
extern unsigned int percpu_count;

/* The calling CPU's data; valid once arch_cpu_init() ran on it. */
static inline struct percpu *this_cpu(void)
{
	return arch_this_cpu();
}

#endif
