/* SPDX-License-Identifier: MIT */
/*
 * Test-guest application processors: install the real-mode trampoline and
 * start one AP at a time with INIT-SIPI-SIPI.
 *
 * Design: the BSP publishes the AP's stack and function in two globals,
 * then sends the IPIs; the AP counts itself in @started once it runs C.
 * The AP's APIC follows the BSP's mode: a BSP in xAPIC mode starts it
 * through the xAPIC ICR and leaves it in xAPIC mode, else both use x2APIC.
 * Locking: none; smp_start_ap() starts one AP at a time and waits for it.
 */
#include "desc.h"
#include "mem.h"
#include "smp.h"
#include "tsc.h"
#include "x2apic.h"
#include "x86.h"
#include "xapic.h"

#define PAGE_SIZE		0x1000u
#define PAGE_SHIFT		12
#define REAL_MODE_LIMIT		0x100000u	/* a SIPI vector addresses pages below 1 MiB */
/* SDM Vol. 3A 9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI, 200 us. */
#define INIT_DELAY_US		10000u
#define SIPI_DELAY_US		200u

volatile uint32_t smp_ap_stack;
static volatile smp_ap_fn ap_fn;
static volatile bool ap_xapic;	/* the BSP was in xAPIC mode: so is the AP */
static volatile uint32_t started;

/* C entry of an AP: the library's tables, x2APIC mode, then the guest's function. */
void smp_ap_entry(void)
{
	smp_ap_fn fn = ap_fn;

	desc_load();
	if (!ap_xapic)
		x2apic_enable();
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	fn(ap_xapic ? xapic_id() : x2apic_id());
	halt_forever();
}

/* Copy the trampoline to @page and point its GDTR slot at our GDT. */
static void tramp_install(uint32_t page)
{
	uint8_t *dst = (uint8_t *)(uintptr_t)page;
	struct desc_ptr gdtr;

	memcpy(dst, smp_tramp_start, (size_t)(smp_tramp_end - smp_tramp_start));
	sgdt(&gdtr);
	memcpy(dst + (smp_tramp_gdtr - smp_tramp_start), &gdtr, sizeof(gdtr));
}

/* INIT (assert, edge) to @apic_id through the ICR of the BSP's mode. */
static void send_init(uint32_t apic_id)
{
	if (ap_xapic)
		xapic_send((uint8_t)apic_id, XAPIC_ICR_DM_INIT | XAPIC_ICR_LEVEL_ASSERT);
	else
		x2apic_send_init(apic_id);
}

/* A start-up IPI for real-mode page @vector to @apic_id. */
static void send_sipi(uint32_t apic_id, uint8_t vector)
{
	if (ap_xapic)
		xapic_send((uint8_t)apic_id, XAPIC_ICR_DM_STARTUP | XAPIC_ICR_LEVEL_ASSERT | vector);
	else
		x2apic_send_sipi(apic_id, vector);
}

/* Start the AP @apic_id through @page on @fn and @stack_top; true once it runs C. */
bool smp_start_ap(uint32_t apic_id, uint32_t page, smp_ap_fn fn, void *stack_top,
		  uint32_t timeout_us)
{
	uint32_t before = started;
	uint64_t start, ticks;

	if (page % PAGE_SIZE || page >= REAL_MODE_LIMIT || !tsc_khz())
		return false;
	tramp_install(page);
	smp_ap_stack = (uint32_t)(uintptr_t)stack_top;
	ap_fn = fn;
	ap_xapic = xapic_mode();
	send_init(apic_id);
	tsc_delay_us(INIT_DELAY_US);
	send_sipi(apic_id, (uint8_t)(page >> PAGE_SHIFT));
	tsc_delay_us(SIPI_DELAY_US);
	/* An AP already running ignores the second one (it is not waiting for SIPI). */
	send_sipi(apic_id, (uint8_t)(page >> PAGE_SHIFT));
	tsc_delay_us(SIPI_DELAY_US);
	start = rdtsc();
	ticks = tsc_from_us(timeout_us);
	while (started == before && rdtsc() - start < ticks)
		cpu_relax();
	return started != before;
}
