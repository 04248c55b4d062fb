/* SPDX-License-Identifier: MIT */
/* Exits for instructions Tally answers as a CPU would: HLT, RDPMC (no counters), WBINVD (no-op). */
#include <arch/cpu.h>
#include <arch/vcpu_apic.h>
#include <arch/vmexit.h>
#include <tally/domain.h>
#include <tally/sched.h>

void vmexit_hlt(struct vcpu *v, struct guest_regs *r __unused)
{
	vmexit_skip_instruction();	/* "STI; HLT": the STI shadow ends with the HLT */
	/* Only an interrupt the guest accepts ends HLT (SDM Vol. 2A, HLT). */
	v->arch.hlt_if = vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF;
	if (vcpu_apic_hlt_wakes_at_once(v))
		return;
	sched_block(v);
}

/*
 * CPUID leaf 0xA shows no performance counters, so every ECX names an
 * invalid one: #GP(0), not #UD (SDM Vol. 2B, RDPMC: "#GP(0) if ECX does
 * not specify a valid counter"; at CPL > 0 with CR4.PCE = 0 it is #GP(0)
 * as well).
 */
void vmexit_rdpmc(struct vcpu *v __unused, struct guest_regs *r __unused)
{
	vmexit_inject_gp();
}

/*
 * WBINVD would write back and flush every cache of the physical CPU,
 * other domains' lines too, for as long as that takes: a noisy
 * neighbour.  The CPU keeps its caches coherent with the other CPUs, and
 * Tally gives guests no device that reaches memory around them (no DMA),
 * so there is nothing for it to make coherent: a no-op, counted with the
 * domain's other exits (reason 54, in DOMAIN_COUNTERS and VCPU_COUNTERS).
 * Only CPL 0 gets here: at CPL > 0 the CPU raises #GP itself (SDM Vol.
 * 3C, "Relative Priority of Faults and VM Exits").
 */
void vmexit_wbinvd(struct vcpu *v __unused, struct guest_regs *r __unused)
{
	vmexit_skip_instruction();
}
