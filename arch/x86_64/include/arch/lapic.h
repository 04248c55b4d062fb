/* SPDX-License-Identifier: MIT */
/* Local APIC in xAPIC (MMIO) mode: registers (SDM Vol. 3A, 11.4.1) and driver. */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <tally/types.h>

#define LAPIC_ID		0x020
#define LAPIC_VERSION		0x030
#define LAPIC_TPR		0x080
#define LAPIC_EOI		0x0B0
#define LAPIC_SVR		0x0F0
#define LAPIC_ESR		0x280
#define LAPIC_ICR_LOW		0x300
#define LAPIC_ICR_HIGH		0x310
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_LVT_LINT0		0x350
#define LAPIC_LVT_LINT1		0x360
#define LAPIC_LVT_ERROR		0x370
#define LAPIC_TIMER_INITIAL	0x380
#define LAPIC_TIMER_CURRENT	0x390
#define LAPIC_TIMER_DIVIDE	0x3E0

#define LAPIC_SVR_ENABLE	(1u << 8)
#define LAPIC_LVT_MASKED	(1u << 16)
#define LAPIC_LVT_PERIODIC	(1u << 17)
#define LAPIC_TIMER_DIVIDE_1	0xB

/* ICR fields (SDM Vol. 3A, 11.6.1). */
#define LAPIC_ICR_FIXED		(0u << 8)
#define LAPIC_ICR_NMI		(4u << 8)
#define LAPIC_ICR_INIT		(5u << 8)
#define LAPIC_ICR_STARTUP	(6u << 8)
#define LAPIC_ICR_PENDING	(1u << 12)
#define LAPIC_ICR_ASSERT	(1u << 14)
#define LAPIC_ICR_ALL_BUT_SELF	(3u << 18)
#define LAPIC_ICR_DEST_SHIFT	24

/* Map and enable this CPU's local APIC (spurious vector, LVTs masked). */
void lapic_init_cpu(void);
/* This CPU's APIC ID. */
uint32_t lapic_id(void);
/* Signal end of interrupt. */
void lapic_eoi(void);
/* Send an IPI: @icr_low holds delivery mode, shorthand and vector. */
void lapic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low);
/* Start the timer counting down from @count (divide 1), masked, for calibration. */
void lapic_timer_start_free_running(uint32_t count);
/* Read the timer's current count. */
uint32_t lapic_timer_current(void);
/* Interrupt every @ticks timer ticks on VEC_LAPIC_TIMER. */
void lapic_timer_periodic(uint32_t ticks);
/* Interrupt once after @ticks timer ticks on VEC_LAPIC_TIMER. */
void lapic_timer_oneshot(uint32_t ticks);
/* Stop the timer. */
void lapic_timer_stop(void);
/* Called from trap_dispatch() on VEC_LAPIC_TIMER. */
void lapic_timer_interrupt(void);
/* Timer interrupts this CPU has taken. */
uint64_t lapic_timer_ticks(void);

#endif
