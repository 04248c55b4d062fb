/* SPDX-License-Identifier: MIT */
/* Test-guest time base: TSC rate from Tally's CPUID timing leaf, or PIT channel 2 off Tally. */
#include <stddef.h>
#include <public/tally.h>
#include "div64.h"
#include "tsc.h"
#include "x86.h"

#define HZ_PER_KHZ		1000u
#define US_PER_MS		1000u

/* The 8254 PIT and the port-0x61 gate/output bits (ISA PC; Linux pit_calibrate_tsc()). */
#define PIT_HZ			1193182u
#define PIT_PORT_CH2		0x42
#define PIT_PORT_CMD		0x43
#define PIT_CMD_CH2_LOHI_MODE0	0xB0u	/* channel 2, low then high byte, mode 0, binary */
#define PORT_SYS_CTRL_B		0x61
#define SYS_CTRL_B_GATE2	(1u << 0)	/* channel 2 counts while set */
#define SYS_CTRL_B_SPEAKER	(1u << 1)	/* channel 2 output to the speaker */
#define SYS_CTRL_B_OUT2		(1u << 5)	/* channel 2 output, read-only */
#define PIT_CAL_MS		10u
#define PIT_CAL_LATCH		(PIT_HZ * PIT_CAL_MS / US_PER_MS)	/* < 65536 */
/* Give up on a PIT that never counts down: far more polls than 10 ms take. */
#define PIT_CAL_MAX_POLLS	50000000u

static uint32_t khz;
static enum tsc_source source = TSC_SOURCE_NONE;

/* Whether CPUID carries Tally's signature (leaf 0x40000000). */
bool tsc_under_tally(void)
{
	struct cpuid_regs r;

	cpuid(CPUID_LEAF_FEATURES, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_HYPERVISOR))
		return false;
	cpuid(TALLY_CPUID_BASE, 0, &r);
	return r.ebx == TALLY_CPUID_SIGNATURE_EBX && r.ecx == TALLY_CPUID_SIGNATURE_ECX &&
	       r.edx == TALLY_CPUID_SIGNATURE_EDX;
}

/* Tally's timing leaf into *@tsc_khz and *@apic_khz; false if absent or zero. */
bool tsc_tally_timing(uint32_t *tsc, uint32_t *apic)
{
	struct cpuid_regs r;

	if (!tsc_under_tally())
		return false;
	cpuid(TALLY_CPUID_BASE, 0, &r);
	if (r.eax < TALLY_CPUID_TIMING)
		return false;
	cpuid(TALLY_CPUID_TIMING, 0, &r);
	*tsc = r.eax;
	*apic = r.ebx;
	return r.eax != 0;
}

/*
 * TSC ticks while PIT channel 2 counts PIT_CAL_LATCH ticks in mode 0 (its
 * output rises at terminal count), in kHz; 0 if the output never rises.
 */
static uint32_t pit_calibrate(void)
{
	uint8_t ctrl = inb(PORT_SYS_CTRL_B);
	uint64_t start, ticks;
	uint32_t polls = 0;

	outb(PORT_SYS_CTRL_B, (uint8_t)((ctrl & ~SYS_CTRL_B_SPEAKER) | SYS_CTRL_B_GATE2));
	outb(PIT_PORT_CMD, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_PORT_CH2, PIT_CAL_LATCH & 0xFF);
	outb(PIT_PORT_CH2, PIT_CAL_LATCH >> 8);
	start = rdtsc();
	while (!(inb(PORT_SYS_CTRL_B) & SYS_CTRL_B_OUT2))
		if (++polls == PIT_CAL_MAX_POLLS)
			return 0;
	ticks = rdtsc() - start;
	outb(PORT_SYS_CTRL_B, ctrl);
	/* kHz = ticks / (latch / PIT_HZ s) / 1000; ticks * PIT_HZ fits 64 bits. */
	return (uint32_t)div_u64_u32(ticks * PIT_HZ, PIT_CAL_LATCH * HZ_PER_KHZ, NULL);
}

/* The TSC rate in kHz, from Tally's timing leaf or the PIT; 0 if neither worked. */
uint32_t tsc_khz(void)
{
	uint32_t apic;

	if (source != TSC_SOURCE_NONE)
		return khz;
	if (tsc_tally_timing(&khz, &apic)) {
		source = TSC_SOURCE_TALLY;
	} else if (!tsc_under_tally()) {
		khz = pit_calibrate();
		source = khz ? TSC_SOURCE_PIT : TSC_SOURCE_NONE;
	}
	return khz;
}

/* How tsc_khz() measured. */
enum tsc_source tsc_khz_source(void)
{
	return source;
}

/* The name of @s. */
const char *tsc_source_name(enum tsc_source s)
{
	switch (s) {
	case TSC_SOURCE_TALLY:
		return "tally";
	case TSC_SOURCE_PIT:
		return "pit";
	default:
		return "none";
	}
}

/* TSC ticks in @us microseconds. */
uint64_t tsc_from_us(uint32_t us)
{
	return div_u64_u32((uint64_t)us * tsc_khz(), US_PER_MS, NULL);
}

/* Microseconds in @ticks TSC ticks, rounded down. */
uint64_t tsc_to_us(uint64_t ticks)
{
	return div_u64_u32(ticks * US_PER_MS, tsc_khz(), NULL);
}

/* Busy-wait @us microseconds by the TSC. */
void tsc_delay_us(uint32_t us)
{
	uint64_t start = rdtsc(), ticks = tsc_from_us(us);

	while (rdtsc() - start < ticks)
		cpu_relax();
}
