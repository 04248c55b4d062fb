/* SPDX-License-Identifier: MIT */
/* halter: a mostly idle guest: short bursts of work, then long sleeps on the one-shot x2APIC timer. */
#include "guest.h"

#define DEFAULT_ROUNDS		50u
#define DEFAULT_WORK_US		500u
#define DEFAULT_SLEEP_US	9500u
#define TIMER_VECTOR		0x40
#define TIMER_DIVIDE		1u

const char guest_name[] = "halter";

static volatile uint32_t wakeups;

static void timer_irq(uint32_t vector)
{
	(void)vector;
	wakeups++;
	x2apic_eoi();
}

/* Count loop iterations for @ticks of TSC time. */
static uint64_t work(uint64_t ticks)
{
	uint64_t start = rdtsc(), n = 0;

	do
		n++;
	while (rdtsc() - start < ticks);
	return n;
}

/* Sleep @count timer ticks with STI;HLT; returns the TSC time it took. */
static uint64_t sleep_ticks(uint32_t count)
{
	uint32_t seen = wakeups;
	uint64_t start = rdtsc();

	irq_disable();
	x2apic_timer_count(count);
	while (wakeups == seen) {
		sti_hlt();
		irq_disable();
	}
	return rdtsc() - start;
}

/* rounds=N times: work_us=N of busy work, then sleep_us=N on the one-shot timer. */
void guest_main(const struct mb_info *mbi)
{
	uint32_t rounds = cmdline_u32(mbi, "rounds", DEFAULT_ROUNDS);
	uint32_t work_us = cmdline_u32(mbi, "work_us", DEFAULT_WORK_US);
	uint32_t sleep_us = cmdline_u32(mbi, "sleep_us", DEFAULT_SLEEP_US);
	uint64_t iterations = 0, slept = 0, work_ticks;
	uint32_t i, sleep_count;

	if (!x2apic_timer_ready())
		return;
	work_ticks = tsc_from_us(work_us);
	sleep_count = x2apic_timer_ticks(sleep_us, TIMER_DIVIDE);
	irq_register(TIMER_VECTOR, timer_irq);
	x2apic_sw_enable();
	x2apic_timer_setup(X2APIC_TIMER_ONESHOT, TIMER_VECTOR, TIMER_DIVIDE);
	for (i = 0; i < rounds; i++) {
		iterations += work(work_ticks);
		slept += sleep_ticks(sleep_count);
	}
	x2apic_timer_stop();
	printk("halter: rounds=%u work_iterations=%llu slept_us=%llu\n", rounds,
	       (unsigned long long)iterations, (unsigned long long)tsc_to_us(slept));
}
