/* SPDX-License-Identifier: MIT */
/* Test-guest sleep: halt on the one-shot x2APIC timer, so other domains get the CPU meanwhile. */
#ifndef GUEST_SLEEP_H
#define GUEST_SLEEP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Get the one-shot x2APIC timer (divide 1) ready for sleep_us(), its
 * handler on @vector; false, with SKIP or ERROR reported as
 * x2apic_timer_ready() does, where there is no usable timer.
 */
bool sleep_init(uint8_t vector);

/*
 * Halt with STI;HLT until the timer fires @us from now (at most 2^32 timer
 * ticks: x2apic_timer_ticks() saturates); returns the TSC ticks it took,
 * with interrupts off.
 */
uint64_t sleep_us(uint32_t us);

#endif
