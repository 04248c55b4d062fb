/* SPDX-License-Identifier: MIT */
/* Everything generic code asks of the architecture: the arch_* interface. */
#ifndef TALLY_ARCH_H
#define TALLY_ARCH_H

#include <tally/types.h>

struct percpu;
struct acpi_info;

/* One-time setup on the boot CPU, before arch_cpu_init() (fills the IDT). */
void arch_init(void);
/* Load this CPU's GDT, TSS, IDT and per-CPU pointer; first thing on every CPU. */
void arch_cpu_init(struct percpu *cpu);

/* Current interrupt state, then interrupts off. */
unsigned long arch_irq_save(void);
/* Restore a state returned by arch_irq_save(). */
void arch_irq_restore(unsigned long flags);
/* Spin-wait hint. */
void arch_cpu_relax(void);
/* Sleep until the next interrupt, with interrupts enabled. */
void arch_wait_for_interrupt(void);
/* Stop this CPU for good. */
__noreturn void arch_halt_forever(void);
/* Stop every other CPU (NMI), for panics. */
void arch_stop_other_cpus(void);

/* Time-stamp counter, and its rate measured by arch_timer_init(). */
uint64_t arch_read_tsc(void);
uint64_t arch_tsc_khz(void);
/* Busy-wait @us microseconds (needs arch_timer_init()). */
void arch_udelay(uint64_t us);

/* Enable the boot CPU's local APIC and calibrate the TSC and APIC timer. */
int arch_timer_init(void);
/* Interrupt this CPU every @ms milliseconds with the local APIC timer. */
int arch_timer_set_periodic(unsigned int ms);
/* Start the application processors @acpi lists; returns how many came up. */
unsigned int arch_smp_boot(const struct acpi_info *acpi);

/* Print this CPU's registers and a backtrace from the caller, for panic(). */
void arch_dump_current(void);

/* Replace the boot page tables with an identity map of [4 KiB, max(@top, 4 GiB)). */
void arch_paging_init(uint64_t top);
/* Phys-to-virtual through the identity map: NULL if [@pa, @pa + @len) is not mapped. */
void *arch_phys_to_virt(uint64_t pa, uint64_t len);
/* End of the identity map. */
uint64_t arch_mapped_limit(void);

#endif
