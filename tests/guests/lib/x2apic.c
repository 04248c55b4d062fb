/* SPDX-License-Identifier: MIT */
/* Test-guest x2APIC: mode switch, EOI, LVT timer in its three modes, and IPIs through the ICR. */
#include <stddef.h>
#include "div64.h"
#include "guest.h"
#include "irq.h"
#include "tsc.h"
#include "x2apic.h"
#include "x86.h"

#define US_PER_MS		1000u
/* Divide configuration register value for divide-by-1 (SDM Vol. 3A figure 11-10). */
#define TIMER_DIVIDE_BY_1	0xBu
#define TIMER_DIVIDE_MAX_SHIFT	7	/* divide by 128 */
#define TIMER_DIVIDE_HIGH_BIT	(1u << 2)	/* of the shift - 1, goes to register bit 3 */
/* Off Tally the timer rate is measured against the TSC over this long. */
#define TIMER_CAL_US		5000u
#define TIMER_COUNT_MAX		0xFFFFFFFFu
/* The 8259 PICs' interrupt mask registers (OCW1). */
#define PIC_MASTER_IMR		0x21
#define PIC_SLAVE_IMR		0xA1
#define PIC_MASK_ALL		0xFFu

static uint32_t timer_khz;

/*
 * Off Tally the BIOS leaves the 8259 PICs running with the PIT's IRQ 0 on
 * vector 8 (as virtual wire): the first STI would take it as #DF.  Tally
 * gives domains no PIC, so leave those ports alone there.
 */
static void legacy_pic_mask(void)
{
	if (tsc_under_tally())
		return;
	outb(PIC_MASTER_IMR, PIC_MASK_ALL);
	outb(PIC_SLAVE_IMR, PIC_MASK_ALL);
}

/* Put this CPU's APIC in x2APIC mode if it is not; false if CPUID lacks x2APIC. */
bool x2apic_enable(void)
{
	struct cpuid_regs r;
	uint64_t base;

	cpuid(CPUID_LEAF_FEATURES, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_X2APIC))
		return false;
	legacy_pic_mask();
	base = rdmsr(MSR_IA32_APIC_BASE);
	if ((base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD))
		return true;
	/* Disabled -> x2APIC is #GP: through xAPIC first (SDM 11.12.5, figure 11-26). */
	if (!(base & APIC_BASE_EN)) {
		base |= APIC_BASE_EN;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	return true;
}

/* A spurious interrupt is not in service: no EOI (SDM 11.9). */
static void spurious_irq(uint32_t vector)
{
	(void)vector;
}

/* Software-enable the APIC with the spurious vector. */
void x2apic_sw_enable(void)
{
	irq_register(X2APIC_SPURIOUS_VECTOR, spurious_irq);
	wrmsr(MSR_X2APIC_SVR, X2APIC_SVR_ENABLE | X2APIC_SPURIOUS_VECTOR);
}

/* This CPU's x2APIC ID. */
uint32_t x2apic_id(void)
{
	return (uint32_t)rdmsr(MSR_X2APIC_ID);
}

/* End of interrupt: the write must be 0 in x2APIC mode (11.12.1.2). */
void x2apic_eoi(void)
{
	wrmsr(MSR_X2APIC_EOI, 0);
}

/* Set the task priority. */
void x2apic_set_tpr(uint32_t tpr)
{
	wrmsr(MSR_X2APIC_TPR, tpr);
}

/* Divide configuration register value for @divisor (1-128, a power of two). */
static uint32_t divide_config(uint32_t divisor)
{
	uint32_t shift, n;

	for (shift = 1; shift <= TIMER_DIVIDE_MAX_SHIFT; shift++) {
		if (divisor == 1u << shift) {
			n = shift - 1;	/* bits 1:0 and, shifted to bit 3, bit 2 */
			return (n & ~TIMER_DIVIDE_HIGH_BIT) | ((n & TIMER_DIVIDE_HIGH_BIT) << 1);
		}
	}
	return TIMER_DIVIDE_BY_1;
}

/* Program the LVT timer (@mode, @vector, unmasked) and its divide; the timer stays stopped. */
void x2apic_timer_setup(enum x2apic_timer_mode mode, uint8_t vector, uint32_t divisor)
{
	wrmsr(MSR_X2APIC_TIMER_INITIAL, 0);
	wrmsr(MSR_X2APIC_TIMER_DIVIDE, divide_config(divisor));
	wrmsr(MSR_X2APIC_LVT_TIMER, ((uint32_t)mode << X2APIC_LVT_TIMER_MODE_SHIFT) | vector);
	/* The mode change must land before a TSC_DEADLINE write (11.5.4.1). */
	mfence();
}

/* (Re)start a one-shot or periodic timer with @count ticks; 0 stops it. */
void x2apic_timer_count(uint32_t count)
{
	wrmsr(MSR_X2APIC_TIMER_INITIAL, count);
}

/* Arm a TSC-deadline timer for TSC @tsc; 0 disarms it. */
void x2apic_timer_deadline(uint64_t tsc)
{
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
}

/* Mask the LVT timer and clear its count (and deadline, where the CPU has one). */
void x2apic_timer_stop(void)
{
	struct cpuid_regs r;

	wrmsr(MSR_X2APIC_LVT_TIMER, X2APIC_LVT_MASKED);
	wrmsr(MSR_X2APIC_TIMER_INITIAL, 0);
	cpuid(CPUID_LEAF_FEATURES, 0, &r);
	if (r.ecx & CPUID_1_ECX_TSC_DEADLINE)
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
}

/* Count the masked one-shot timer at divide 1 against the TSC for TIMER_CAL_US. */
static uint32_t timer_calibrate(void)
{
	uint32_t c0, c1;
	uint64_t t0, t1;

	wrmsr(MSR_X2APIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
	wrmsr(MSR_X2APIC_LVT_TIMER, X2APIC_LVT_MASKED);
	wrmsr(MSR_X2APIC_TIMER_INITIAL, TIMER_COUNT_MAX);
	t0 = rdtsc();
	c0 = (uint32_t)rdmsr(MSR_X2APIC_TIMER_CURRENT);
	tsc_delay_us(TIMER_CAL_US);
	c1 = (uint32_t)rdmsr(MSR_X2APIC_TIMER_CURRENT);
	t1 = rdtsc();
	wrmsr(MSR_X2APIC_TIMER_INITIAL, 0);
	/* kHz = ticks * tsc_khz / tsc; tsc fits 32 bits for a 5 ms interval. */
	return (uint32_t)div_u64_u32((uint64_t)(c0 - c1) * tsc_khz() + (uint32_t)(t1 - t0) / 2,
				     (uint32_t)(t1 - t0), NULL);
}

/* The APIC timer's input rate in kHz: Tally's timing leaf, else measured; 0 if unknown. */
uint32_t x2apic_timer_khz(void)
{
	uint32_t tsc;

	if (timer_khz)
		return timer_khz;
	if (tsc_tally_timing(&tsc, &timer_khz) && timer_khz)
		return timer_khz;
	timer_khz = tsc_khz() ? timer_calibrate() : 0;
	return timer_khz;
}

/* Timer ticks in @us at @divisor, at least 1, saturated to 32 bits. */
uint32_t x2apic_timer_ticks(uint32_t us, uint32_t divisor)
{
	uint64_t ticks = div_u64_u32((uint64_t)us * x2apic_timer_khz(),
				     US_PER_MS * (divisor ? divisor : 1), NULL);

	if (ticks > TIMER_COUNT_MAX)
		return TIMER_COUNT_MAX;
	return ticks ? (uint32_t)ticks : 1;
}

/* Write the ICR: one WRMSR sends in x2APIC mode, no delivery-status polling (11.12.9). */
static void icr_write(uint32_t dest, uint32_t low)
{
	wrmsr(MSR_X2APIC_ICR, ((uint64_t)dest << X2APIC_ICR_DEST_SHIFT) | low);
}

/* Send a fixed interrupt @vector to x2APIC ID @dest (physical destination). */
void x2apic_send_fixed(uint32_t dest, uint8_t vector)
{
	icr_write(dest, X2APIC_ICR_LEVEL_ASSERT | X2APIC_ICR_DM_FIXED | vector);
}

void x2apic_send_nmi(uint32_t dest)
{
	icr_write(dest, X2APIC_ICR_LEVEL_ASSERT | X2APIC_ICR_DM_NMI);
}

/* Send INIT (assert, edge-triggered, as in the SDM's example 9.4.4.1) to @dest. */
void x2apic_send_init(uint32_t dest)
{
	icr_write(dest, X2APIC_ICR_LEVEL_ASSERT | X2APIC_ICR_DM_INIT);
}

/* Send a start-up IPI with @vector (the start page number) to @dest. */
void x2apic_send_sipi(uint32_t dest, uint8_t vector)
{
	icr_write(dest, X2APIC_ICR_LEVEL_ASSERT | X2APIC_ICR_DM_STARTUP | vector);
}

bool x2apic_timer_ready(void)
{
	if (!x2apic_enable()) {
		guest_skip("no x2APIC (CPUID.1:ECX[21] clear)");
		return false;
	}
	if (!tsc_khz() || !x2apic_timer_khz()) {
		guest_error("TSC rate unknown (source %s)", tsc_source_name(tsc_khz_source()));
		return false;
	}
	return true;
}
