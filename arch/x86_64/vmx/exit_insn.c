/* SPDX-License-Identifier: MIT */
/* Exits for instructions Tally answers as a CPU would: RDPMC (no counters) and WBINVD (no-op). */
#include <arch/vmexit.h>
#include <tally/domain.h>

/*
 * CPUID leaf 0xA shows no performance counters, so every ECX names an
 * invalid one: #GP(0), not #UD (SDM Vol. 2B, RDPMC: "#GP(0) if ECX does
 * not specify a valid counter"; at CPL > 0 with CR4.PCE = 0 it is #GP(0)
 * as well).
 */
void vmexit_rdpmc(struct vcpu *v, struct guest_regs *r)
{
	(void)v;
	(void)r;
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
void vmexit_wbinvd(struct vcpu *v, struct guest_regs *r)
{
	(void)v;
	(void)r;
	vmexit_skip_instruction();
}
