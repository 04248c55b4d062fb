/* SPDX-License-Identifier: MIT */
/* Everything generic code asks of the architecture: the arch_* interface. */
#ifndef TALLY_ARCH_H
#define TALLY_ARCH_H

#include <tally/types.h>
#include <tally/vcpu_boot.h>
#include <arch/tsc.h>	/* arch_read_tsc(), inline */
#include <arch/irqflags.h>	/* arch_irq_save(), arch_irq_restore(), inline */

struct percpu;
struct acpi_info;
struct audit;

/* One-time setup on the boot CPU, before arch_cpu_init() (fills the IDT). */
void arch_init(void);
/* Load this CPU's GDT, TSS, IDT and per-CPU pointer; first thing on every CPU. */
void arch_cpu_init(struct percpu *cpu);

/* Spin-wait hint. */
void arch_cpu_relax(void);
/* Sleep until the next interrupt, with interrupts enabled. */
void arch_wait_for_interrupt(void);
/* Stop this CPU for good. */
__noreturn void arch_halt_forever(void);
/* Stop every other CPU (NMI), for panics. */
void arch_stop_other_cpus(void);

/* The TSC rate measured by arch_timer_init() (arch_read_tsc() is in <arch/tsc.h>). */
uint64_t arch_tsc_khz(void);
/* Busy-wait @us microseconds (needs arch_timer_init()). */
void arch_udelay(uint64_t us);

/*
 * Bring up the platform's interrupt controllers on the boot CPU, with the
 * memory map in place: the legacy PICs moved off the exception vectors and
 * masked, then, if @acpi (NULL without firmware tables) lists any, the
 * I/O APICs found with every input masked.
 */
void arch_platform_init(const struct acpi_info *acpi);
/* Enable the boot CPU's local APIC and calibrate the TSC and APIC timer. */
int arch_timer_init(void);
/* Interrupt this CPU every @ms milliseconds with the local APIC timer. */
int arch_timer_set_periodic(unsigned int ms);
/*
 * Interrupt this CPU once, at TSC @deadline or just after (at once if it
 * has passed), with the local APIC timer; the periodic tick stops.
 */
void arch_timer_oneshot_at(uint64_t deadline);
/* Start the application processors @acpi lists; returns how many came up. */
unsigned int arch_smp_boot(const struct acpi_info *acpi);

/*
 * Have @fn(@ctx) called for each interrupt on a device vector of its own,
 * with interrupts off (the EOI is the architecture's): returns the vector,
 * to program into the interrupt controller, or -ENOSPC.
 */
int arch_irq_register(void (*fn)(void *ctx), void *ctx);
/* Give back a vector from arch_irq_register() that nothing raises any more. */
void arch_irq_unregister(int vector);

/* Print this CPU's registers and a backtrace from the caller, for panic(). */
void arch_dump_current(void);

/* Replace the boot page tables with an identity map of [4 KiB, max(@top, 4 GiB)). */
void arch_paging_init(uint64_t top);
/* Phys-to-virtual through the identity map: NULL if [@pa, @pa + @len) is not mapped. */
void *arch_phys_to_virt(uint64_t pa, uint64_t len);
/* End of the identity map. */
uint64_t arch_mapped_limit(void);

/* ---- virtualization ---- */
struct domain;
struct vcpu;

/* Check the CPU can run guests and set VMX up on the boot CPU: 0 or -ENODEV (logged). */
int arch_virt_init(void);
/* Enter VMX operation on a secondary CPU: 0 or -ENODEV. */
int arch_virt_cpu_init(void);
/* Build @d's second-level page tables over its RAM block: 0 or -ENOMEM. */
int arch_domain_create(struct domain *d);
/* Release @d's page tables (its vCPUs are gone already). */
void arch_domain_destroy(struct domain *d);
/* What the architecture allocates for one domain, in bytes (the `overhead_bytes=` line). */
struct arch_domain_overhead {
	uint64_t vmcs;		/* its vCPUs' VMCS pages */
	uint64_t ept;		/* its EPT paging structures */
	uint64_t bitmaps;	/* its own MSR/I/O bitmaps */
};
/* Fill @out for @d, whose EPT is built. */
void arch_domain_overhead(const struct domain *d, struct arch_domain_overhead *out);
/* Prepare @v to start with @boot's registers (32-bit protected mode, paging off). */
void arch_vcpu_init(struct vcpu *v, const struct vcpu_boot_regs *boot);
/* Release @v's VMCS; on @v's own CPU. */
void arch_vcpu_destroy(struct vcpu *v);
/* Enter the first vCPU on this CPU: never returns (VM exits continue in arch code). */
__noreturn void arch_vcpu_run_first(struct vcpu *v);
/* Has halted @v an interrupt to take at @now (its timer fired, or an IPI came)? */
bool arch_vcpu_wakeup_due(struct vcpu *v, uint64_t now);
/*
 * TSC of @v's next timer expiry that makes an interrupt pending it has not
 * (a masked timer's only counts), and, if @v is @halted, one that ends its
 * HLT; 0 if none.  Read without @v's lock: a stale answer costs one exit.
 */
uint64_t arch_vcpu_timer_event(struct vcpu *v, bool halted);
/* Make CPU @pcpu re-examine its run queue soon (an IPI). */
void arch_kick_cpu(unsigned int pcpu);
/* Sleep until an interrupt or TSC @deadline (UINT64_MAX: no deadline); interrupts off after. */
void arch_idle_until(uint64_t deadline);
/* Print the VMCS of the vCPU current on this CPU, field by field (debug key `v`). */
void arch_log_current_vmcs(void);
/* Print @v's VM exits by reason, the non-zero ones, on one line. */
void arch_vcpu_log_exits(const struct vcpu *v);
/* @v's VM exits by basic reason into @counts (@n of them; reasons it never counts read 0). */
void arch_vcpu_copy_exits(const struct vcpu *v, uint64_t *counts, unsigned int n);
/* Port I/O instructions @v executed (each is an exit). */
uint64_t arch_vcpu_io_accesses(const struct vcpu *v);
/* VM exits @v has taken, all reasons together. */
uint64_t arch_vcpu_exit_count(const struct vcpu *v);
/* Zero @bytes at host-physical @pa (scrubbing guest memory). */
void arch_zero_memory(hpa_t pa, uint64_t bytes);
/* The audit's arch part (tally/audit.h): EPT leaves per domain, EPT tables, VMCSs, VMX regions. */
void arch_audit_collect(struct audit *a);

#endif
