/* SPDX-License-Identifier: MIT */
/* cpuidloop: times count=N CPUID exits with the TSC, for the exit-cost benchmark. */
#include "guest.h"

#define DEFAULT_COUNT		10000u
#define CPUID_LEAF_VENDOR	0

const char guest_name[] = "cpuidloop";

/* Run CPUID leaf 0 count=N times; print "cpuidloop: count=N tsc_per_cpuid=X". */
void guest_main(const struct mb_info *mbi)
{
	uint32_t count = cmdline_u32(mbi, "count", DEFAULT_COUNT);
	struct cpuid_regs r;
	uint64_t start, cycles;
	uint32_t i;

	if (!count) {
		guest_skip("count=0: nothing to measure");
		return;
	}
	start = rdtsc();
	for (i = 0; i < count; i++)
		cpuid(CPUID_LEAF_VENDOR, 0, &r);
	cycles = rdtsc() - start;
	printk("cpuidloop: count=%u tsc_per_cpuid=%llu\n", count,
	       (unsigned long long)div_u64_u32(cycles, count, NULL));
}
