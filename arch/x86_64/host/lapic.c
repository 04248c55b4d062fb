/* SPDX-License-Identifier: MIT */
/* Local APIC driver (xAPIC MMIO through the identity map). */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/trap.h>
#include <tally/log.h>
#include <tally/percpu.h>
#include <tally/sched.h>

static volatile uint8_t *lapic_base;
static uint64_t timer_ticks[MAX_CPUS];

static inline uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(lapic_base + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(lapic_base + reg) = v;
}

void lapic_init_cpu(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic_base = (volatile uint8_t *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);

	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_LAPIC_SPURIOUS);
	lapic_write(LAPIC_ESR, 0);
	lapic_eoi();
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void lapic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low)
{
	lapic_write(LAPIC_ICR_HIGH, dest_apic_id << LAPIC_ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LOW, icr_low);
	while (lapic_read(LAPIC_ICR_LOW) & LAPIC_ICR_PENDING)
		cpu_relax();
}

void lapic_timer_start_free_running(uint32_t count)
{
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, count);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CURRENT);
}

void lapic_timer_periodic(uint32_t ticks)
{
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, ticks);
}

void lapic_timer_oneshot(uint32_t ticks)
{
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, ticks);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
}

void lapic_timer_interrupt(void)
{
	timer_ticks[this_cpu()->id]++;
	sched_tick();
}

uint64_t lapic_timer_ticks(void)
{
	return timer_ticks[this_cpu()->id];
}
