/* SPDX-License-Identifier: MIT */
/* cpuid: an STI shadow ends after the one instruction after STI, even one that exits. */
#include "guest.h"
#include "shadow.h"

#define SHADOW_VECTOR		0x50

static volatile uint32_t after_cpuid;	/* set by the store after CPUID */
static volatile uint32_t seen;		/* after_cpuid when the interrupt came */
static volatile uint32_t taken;

static void shadow_irq(uint32_t vector)
{
	(void)vector;
	seen = after_cpuid;
	taken++;
	x2apic_eoi();
}

void check_sti_shadow(void)
{
	uint32_t eax = 0, ecx = 0;

	if (!x2apic_enable()) {
		guest_skip("no x2APIC: the STI-shadow check needs a self-IPI");
		return;
	}
	irq_register(SHADOW_VECTOR, shadow_irq);
	x2apic_sw_enable();
	irq_disable();
	after_cpuid = 0;
	x2apic_send_fixed(x2apic_id(), SHADOW_VECTOR);	/* pending: interrupts are off */
	asm volatile("sti\n\t"
		     "cpuid\n\t"
		     "movl $1, %[after]\n\t"
		     "cli"
		     : "+a"(eax), "+c"(ecx), [after] "=m"(after_cpuid)
		     : : "ebx", "edx", "memory");
	guest_check(taken == 1 && seen == 0,
		    "an interrupt pending at STI; CPUID came right after CPUID (taken %u, after it: %u)",
		    taken, seen);
}
