/* SPDX-License-Identifier: MIT */
/* Test-guest sleep: one timer expiry per sleep_us(), counted by its handler, awaited with HLT. */
#include <stdbool.h>
#include <stdint.h>
#include "irq.h"
#include "sleep.h"
#include "x2apic.h"
#include "x86.h"

/* Divide 1: the finest ticks; 2^32 of them still last over a second below 4 GHz. */
#define SLEEP_DIVIDE		1u

/* Written by the handler, read by the waiting loop. */
static volatile uint32_t wakeups;

static void sleep_irq(uint32_t vector)
{
	(void)vector;
	wakeups++;
	x2apic_eoi();
}

bool sleep_init(uint8_t vector)
{
	if (!x2apic_timer_ready())
		return false;
	irq_register(vector, sleep_irq);
	x2apic_sw_enable();
	x2apic_timer_setup(X2APIC_TIMER_ONESHOT, vector, SLEEP_DIVIDE);
	return true;
}

/* Interrupts go off before the timer is armed, so its expiry cannot slip in before the HLT. */
uint64_t sleep_us(uint32_t us)
{
	uint32_t seen = wakeups;
	uint64_t start = rdtsc();

	irq_disable();
	x2apic_timer_count(x2apic_timer_ticks(us, SLEEP_DIVIDE));
	while (wakeups == seen) {
		sti_hlt();
		irq_disable();
	}
	return rdtsc() - start;
}
