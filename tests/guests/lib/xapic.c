/* SPDX-License-Identifier: MIT */
/* Test-guest xAPIC: the MMIO page at its default base (paging is off: physical = linear). */
#include "irq.h"
#include "x86.h"
#include "xapic.h"

#define SPURIOUS_VECTOR		0xFF
#define SVR_ENABLE		(1u << 8)
#define APIC_BASE_ADDR		0xFFFFF000u

static volatile uint32_t *reg(uint32_t offset)
{
	return (volatile uint32_t *)(uintptr_t)(XAPIC_DEFAULT_BASE + offset);
}

bool xapic_mode(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	return (base & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EN &&
	       ((uint32_t)base & APIC_BASE_ADDR) == XAPIC_DEFAULT_BASE;
}

uint32_t xapic_read(uint32_t offset)
{
	return *reg(offset);
}

void xapic_write(uint32_t offset, uint32_t val)
{
	*reg(offset) = val;
}

uint32_t xapic_id(void)
{
	return xapic_read(XAPIC_ID) >> XAPIC_ID_SHIFT;
}

/* A spurious interrupt is not in service: no EOI (SDM 11.9). */
static void spurious_irq(uint32_t vector)
{
	(void)vector;
}

void xapic_sw_enable(void)
{
	irq_register(SPURIOUS_VECTOR, spurious_irq);
	xapic_write(XAPIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
}

void xapic_eoi(void)
{
	xapic_write(XAPIC_EOI, 0);
}

/* The high word first: the store to the low word sends (11.6.1). */
void xapic_send(uint8_t dest, uint32_t low)
{
	xapic_write(XAPIC_ICR_HIGH, (uint32_t)dest << XAPIC_ID_SHIFT);
	xapic_write(XAPIC_ICR_LOW, low);
}

void xapic_timer_oneshot(uint8_t vector, uint32_t count)
{
	xapic_write(XAPIC_TIMER_DIVIDE, XAPIC_TIMER_DIVIDE_BY_1);
	xapic_write(XAPIC_LVT_TIMER, vector);
	xapic_write(XAPIC_TIMER_INITIAL, count);
}
