/* SPDX-License-Identifier: MIT */
/* spin: CPU-bound for duration_ms of TSC time, counting uniform loop iterations. */
#include "guest.h"

#define DEFAULT_DURATION_MS	200u
#define US_PER_MS		1000u

const char guest_name[] = "spin";

/*
 * Count iterations of one RDTSC and a compare until @ticks have passed;
 * returns the count and stores the TSC time taken in *@took.  Every
 * iteration is the same few instructions, so iterations measure CPU time.
 */
static uint64_t spin(uint64_t ticks, uint64_t *took)
{
	uint64_t start = rdtsc(), now, n = 0;

	do {
		n++;
		now = rdtsc();
	} while (now - start < ticks);
	*took = now - start;
	return n;
}

/* Spin for duration_ms=N of TSC time; print the iterations done. */
void guest_main(const struct mb_info *mbi)
{
	uint32_t duration_ms = cmdline_u32(mbi, "duration_ms", DEFAULT_DURATION_MS);
	uint64_t n, took;

	if (!tsc_khz()) {
		guest_error("TSC rate unknown (source %s)", tsc_source_name(tsc_khz_source()));
		return;
	}
	n = spin(tsc_from_us(duration_ms * US_PER_MS), &took);
	printk("spin: iterations=%llu duration_ms=%llu\n", (unsigned long long)n,
	       (unsigned long long)div_u64_u32(tsc_to_us(took), US_PER_MS, NULL));
}
