/* SPDX-License-Identifier: MIT */
/* Small arch_* services for generic code: interrupts, halting, the TSC, platform bring-up. */
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/pic.h>
#include <arch/trap.h>
#include <tally/percpu.h>
#include <tally/arch.h>

void arch_cpu_relax(void)
{
	cpu_relax();
}

void arch_wait_for_interrupt(void)
{
	irq_enable_and_halt();
}

void arch_kick_cpu(unsigned int pcpu)
{
	lapic_send_ipi(percpu_area[pcpu].apic_id, LAPIC_ICR_FIXED | LAPIC_ICR_ASSERT | VEC_KICK);
}

void arch_zero_memory(hpa_t pa, uint64_t bytes)
{
	zero_qwords(arch_phys_to_virt(pa.raw, bytes), bytes);
}

void arch_halt_forever(void)
{
	for (;;) {
		irq_disable();
		halt();
	}
}

void arch_stop_other_cpus(void)
{
	lapic_send_ipi(0, LAPIC_ICR_NMI | LAPIC_ICR_ASSERT | LAPIC_ICR_ALL_BUT_SELF);
}

void arch_platform_init(const struct acpi_info *acpi)
{
	pic_disable();
	if (acpi)
		ioapic_init(acpi);
}
