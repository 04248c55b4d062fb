/* SPDX-License-Identifier: MIT */
/* busy: a CPU-bound counting loop with periodic progress lines, for scheduler tests. */
#include "guest.h"

#define DEFAULT_REPORT		1000000u
#define DEFAULT_LOOPS		0u	/* run forever */

const char guest_name[] = "busy";

/*
 * Count iterations, printing "busy: progress N" every report=N of them;
 * stop with PASS after loops=N (0: never).
 */
void guest_main(const struct mb_info *mbi)
{
	uint32_t report = cmdline_u32(mbi, "report", DEFAULT_REPORT);
	uint32_t loops = cmdline_u32(mbi, "loops", DEFAULT_LOOPS);
	uint32_t since_report = 0;
	uint64_t n = 0;

	if (!report)
		report = DEFAULT_REPORT;
	printk("busy: loops=%u report=%u\n", loops, report);
	while (!loops || n < loops) {
		n++;
		/* Keep every iteration a real one: no folding into arithmetic. */
		asm volatile("" : "+r"(since_report));
		if (++since_report == report) {
			since_report = 0;
			printk("busy: progress %llu\n", (unsigned long long)n);
		}
	}
	printk("busy: done %llu\n", (unsigned long long)n);
}
