/* SPDX-License-Identifier: MIT */
/* Test-guest time base: the TSC rate (Tally's CPUID leaf, else the PIT) and conversions. */
#ifndef GUEST_TSC_H
#define GUEST_TSC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Tally's timing leaf (the hypervisor-timing convention of VMware and KVM):
 * EAX = TSC kHz, EBX = APIC timer kHz (before the divide configuration).
 */
#define TALLY_CPUID_TIMING	0x40000010u

/* Where tsc_khz() got its answer. */
enum tsc_source {
	TSC_SOURCE_NONE,	/* not measured yet, or the PIT never counted */
	TSC_SOURCE_TALLY,	/* CPUID leaf TALLY_CPUID_TIMING */
	TSC_SOURCE_PIT,		/* calibrated against PIT channel 2 (not under Tally) */
};

/* Whether CPUID carries Tally's signature (leaf 0x40000000). */
bool tsc_under_tally(void);

/* Tally's timing leaf into *@tsc_khz and *@apic_khz; false if absent or zero. */
bool tsc_tally_timing(uint32_t *tsc_khz, uint32_t *apic_khz);

/*
 * The TSC rate in kHz, measured once: from Tally's timing leaf when the
 * Tally signature is present, else by counting TSC ticks over 10 ms of
 * PIT channel 2 (ports 0x42, 0x43, 0x61; never touched under Tally).
 * 0 if neither worked.
 */
uint32_t tsc_khz(void);

/* How tsc_khz() measured (TSC_SOURCE_NONE before the first call). */
enum tsc_source tsc_khz_source(void);

/* The name of @s: "none", "tally" or "pit". */
const char *tsc_source_name(enum tsc_source s);

/* TSC ticks in @us microseconds (tsc_khz() must be non-zero). */
uint64_t tsc_from_us(uint32_t us);

/* Microseconds in @ticks TSC ticks, rounded down. */
uint64_t tsc_to_us(uint64_t ticks);

/* Busy-wait @us microseconds by the TSC, with interrupts as they are. */
void tsc_delay_us(uint32_t us);

#endif
