/* SPDX-License-Identifier: MIT */
/* Test-guest local APIC in x2APIC mode (SDM Vol. 3A ch. 11): enable, EOI, timer, IPIs. */
#ifndef GUEST_X2APIC_H
#define GUEST_X2APIC_H

#include <stdbool.h>
#include <stdint.h>

/* x2APIC MSRs (SDM Vol. 3A, table 11-6). */
#define MSR_X2APIC_ID		0x802
#define MSR_X2APIC_TPR		0x808
#define MSR_X2APIC_EOI		0x80B
#define MSR_X2APIC_SVR		0x80F
#define MSR_X2APIC_ESR		0x828
#define MSR_X2APIC_ICR		0x830
#define MSR_X2APIC_LVT_TIMER	0x832
#define MSR_X2APIC_TIMER_INITIAL 0x838
#define MSR_X2APIC_TIMER_CURRENT 0x839
#define MSR_X2APIC_TIMER_DIVIDE	0x83E

/* Spurious-interrupt vector register (11.9). */
#define X2APIC_SVR_ENABLE	(1u << 8)
#define X2APIC_SPURIOUS_VECTOR	0xFF	/* low 4 bits 1111: valid on every APIC */

/* LVT entries (11.5.1). */
#define X2APIC_LVT_MASKED	(1u << 16)
#define X2APIC_LVT_TIMER_MODE_SHIFT 17

/* Interrupt command register (11.6.1, 11.12.9): destination in bits 63:32. */
#define X2APIC_ICR_DM_FIXED	(0u << 8)
#define X2APIC_ICR_DM_NMI	(4u << 8)
#define X2APIC_ICR_DM_INIT	(5u << 8)
#define X2APIC_ICR_DM_STARTUP	(6u << 8)
#define X2APIC_ICR_LEVEL_ASSERT	(1u << 14)	/* must be 1 except for INIT de-assert */
#define X2APIC_ICR_DEST_SHIFT	32

/* LVT timer modes, bits 18:17 (11.5.4). */
enum x2apic_timer_mode {
	X2APIC_TIMER_ONESHOT = 0,
	X2APIC_TIMER_PERIODIC = 1,
	X2APIC_TIMER_TSC_DEADLINE = 2,
};

/*
 * Put this CPU's APIC in x2APIC mode if it is not (IA32_APIC_BASE EN and
 * EXTD, SDM 11.12.1): it starts in xAPIC mode, under Tally as on hardware.
 * Off Tally, also mask the 8259 PICs the BIOS left on.  False if
 * CPUID.1:ECX says there is no x2APIC.
 */
bool x2apic_enable(void);

/*
 * Enable the x2APIC and learn the TSC and APIC timer rates, as every timer
 * test needs; when that is impossible, report SKIP (no x2APIC) or ERROR
 * (rate unknown) and return false.
 */
bool x2apic_timer_ready(void);

/* Software-enable the APIC (SVR bit 8) with the spurious vector, whose handler ignores it. */
void x2apic_sw_enable(void);

/* This CPU's x2APIC ID. */
uint32_t x2apic_id(void);

/* Signal end of interrupt for the highest in-service vector. */
void x2apic_eoi(void);

/* Set the task priority (bits 7:4 class; interrupts at or below it are held back). */
void x2apic_set_tpr(uint32_t tpr);

/*
 * Program the LVT timer: @mode, @vector, unmasked, with the divide
 * configuration for @divisor (1, 2, 4, ... 128; others mean 1).  The timer
 * is stopped until x2apic_timer_count() or x2apic_timer_deadline().
 */
void x2apic_timer_setup(enum x2apic_timer_mode mode, uint8_t vector, uint32_t divisor);

/* (Re)start a one-shot or periodic timer with @count ticks; 0 stops it. */
void x2apic_timer_count(uint32_t count);

/* Arm a TSC-deadline timer to fire at TSC @tsc; 0 disarms it. */
void x2apic_timer_deadline(uint64_t tsc);

/* Mask the LVT timer and clear its count and deadline. */
void x2apic_timer_stop(void);

/*
 * The APIC timer's input rate in kHz (before the divide): Tally's timing
 * leaf, else measured against the TSC.  0 if the TSC rate is unknown.
 */
uint32_t x2apic_timer_khz(void);

/* Timer ticks in @us microseconds at @divisor, saturated to 32 bits. */
uint32_t x2apic_timer_ticks(uint32_t us, uint32_t divisor);

/* Send a fixed interrupt @vector to x2APIC ID @dest. */
void x2apic_send_fixed(uint32_t dest, uint8_t vector);

/* Send an NMI (delivery mode 100b; the vector is ignored) to x2APIC ID @dest. */
void x2apic_send_nmi(uint32_t dest);

/* Send INIT (assert, edge) to x2APIC ID @dest. */
void x2apic_send_init(uint32_t dest);

/* Send a start-up IPI to @dest: it starts in real mode at CS = @vector << 8, IP = 0. */
void x2apic_send_sipi(uint32_t dest, uint8_t vector);

#endif
