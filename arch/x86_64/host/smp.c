/* SPDX-License-Identifier: MIT */
/* Starting the application processors with INIT-SIPI-SIPI (SDM Vol. 3A, 9.4.4.1). */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <tally/acpi.h>
#include <tally/boot.h>
#include <tally/arch.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/percpu.h>
#include <tally/string.h>

#define INIT_DELAY_US		10000	/* after INIT, before the first SIPI */
#define SIPI_DELAY_US		200	/* between the two SIPIs */
#define AP_ONLINE_TIMEOUT_US	200000
#define XAPIC_MAX_ID		254	/* 255 is the broadcast ID */

extern const uint8_t trampoline_start[], trampoline_end[], trampoline_params[];

/* C entry of an application processor, from boot/trampoline.asm. */
__noreturn void ap_main(struct percpu *cpu);

__noreturn void ap_main(struct percpu *cpu)
{
	arch_cpu_init(cpu);
	lapic_init_cpu();
	log_info("smp: cpu%u online apic_id=%u", cpu->id, lapic_id());
	__atomic_store_n(&cpu->online, true, __ATOMIC_RELEASE);
	secondary_main();
}

static bool wait_online(const struct percpu *cpu, uint64_t us)
{
	uint64_t end = rdtsc() + arch_tsc_khz() * us / 1000;

	while (rdtsc() < end)
		if (__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

static bool start_ap(struct percpu *cpu)
{
	struct trampoline_params *tp = (struct trampoline_params *)(uintptr_t)
		(TRAMPOLINE_BASE + (trampoline_params - trampoline_start));
	uint32_t sipi = LAPIC_ICR_STARTUP | (TRAMPOLINE_BASE >> 12);
	hpa_t stack;

	if (mem_alloc(CPU_STACK_SIZE, PAGE_SIZE, 0, &stack) < 0) {
		log_err("smp: no memory for cpu%u's stack", cpu->id);
		return false;
	}
	cpu->stack_base = stack.raw;
	cpu->stack_top = stack.raw + CPU_STACK_SIZE;
	*tp = (struct trampoline_params){
		.cr3 = read_cr3(),
		.efer = rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE),
		.stack = cpu->stack_top,
		.arg = (uint64_t)(uintptr_t)cpu,
		.entry = (uint64_t)(uintptr_t)ap_main,
	};
	lapic_send_ipi(cpu->apic_id, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT);
	arch_udelay(INIT_DELAY_US);
	lapic_send_ipi(cpu->apic_id, sipi);
	arch_udelay(SIPI_DELAY_US);
	if (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE))
		lapic_send_ipi(cpu->apic_id, sipi);
	return wait_online(cpu, AP_ONLINE_TIMEOUT_US);
}

unsigned int arch_smp_boot(const struct acpi_info *acpi)
{
	uint32_t self = lapic_id();
	unsigned int started = 1;

	memcpy((void *)(uintptr_t)TRAMPOLINE_BASE, trampoline_start,
	       (size_t)(trampoline_end - trampoline_start));
	for (unsigned int i = 0; i < acpi->cpu_count && percpu_count < MAX_CPUS; i++) {
		struct percpu *cpu = &percpu_area[percpu_count];

		if (acpi->cpus[i].apic_id == self)
			continue;
		if (acpi->cpus[i].apic_id > XAPIC_MAX_ID) {
			log_warn("smp: apic_id=%u needs x2APIC mode; cpu left off",
				 acpi->cpus[i].apic_id);
			continue;
		}
		/* The slot stays taken even on failure: a late AP may still use it. */
		cpu->id = percpu_count++;
		cpu->apic_id = acpi->cpus[i].apic_id;
		if (start_ap(cpu))
			started++;
		else
			log_err("smp: cpu%u (apic_id=%u) did not come up", cpu->id, cpu->apic_id);
	}
	return started;
}
