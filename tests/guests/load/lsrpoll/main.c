/* SPDX-License-Identifier: MIT */
/*
 * lsrpoll: busy-polls the UART's line status register for duration_ms of
 * TSC time without ever halting, as a driver waiting for input with
 * interrupts off does: every poll is a port exit, so Tally ends this
 * domain's slices at exits, never at its timer's.  Prints the polls done.
 */
#include "guest.h"

#define DEFAULT_DURATION_MS	2000u
#define US_PER_MS		1000u
#define UART_LSR		5u	/* PC16550D: line status register offset */
#define LSR_DR			0x01u	/* data ready */

const char guest_name[] = "lsrpoll";

/* Read LSR until @ticks of TSC time have passed; returns the reads, *@ready those with DR. */
static uint64_t poll_lsr(uint64_t ticks, uint64_t *ready)
{
	uint64_t start = rdtsc(), n = 0;

	*ready = 0;
	do {
		n++;
		if (inb((uint16_t)(TALLY_PORT_UART + UART_LSR)) & LSR_DR)
			(*ready)++;
	} while (rdtsc() - start < ticks);
	return n;
}

/* Poll LSR for duration_ms=N of TSC time; print how many reads that took. */
void guest_main(const struct mb_info *mbi)
{
	uint32_t duration_ms = cmdline_u32(mbi, "duration_ms", DEFAULT_DURATION_MS);
	uint64_t n, ready;

	if (!tsc_khz()) {
		guest_error("TSC rate unknown (source %s)", tsc_source_name(tsc_khz_source()));
		return;
	}
	printk("lsrpoll: polling LSR for %u ms\n", duration_ms);
	n = poll_lsr(tsc_from_us(duration_ms * US_PER_MS), &ready);
	printk("lsrpoll: polls=%llu data_ready=%llu\n", (unsigned long long)n,
	       (unsigned long long)ready);
}
