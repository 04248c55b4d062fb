/* SPDX-License-Identifier: MIT */
/* Storage for the per-CPU data (see tally/percpu.h). */
#include <tally/percpu.h>

struct percpu percpu_area[MAX_CPUS] __attribute__((aligned(PAGE_SIZE)));
unsigned int percpu_count = 1;
