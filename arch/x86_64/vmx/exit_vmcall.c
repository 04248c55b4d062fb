/* SPDX-License-Identifier: MIT */
/* The VMCALL exit: a guest's hypercall, handed to the generic dispatcher (tally/hcall_host.h). */
#include <arch/cpu.h>
#include <arch/sdm_checks.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <tally/hcall_host.h>

/* The hypercall entry (docs/HYPERCALLS.md): number in RAX, arguments in RDI RSI RDX R10 R8. */
void vmexit_vmcall(struct vcpu *v, struct guest_regs *r)
{
	/* Outside 64-bit mode a guest only has the low halves (EAX, EDI, ESI, EDX). */
	bool wide = (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) &&
		    (vmcs_read(VMCS_GUEST_CS_ACCESS_RIGHTS) & AR_CS_L);
	uint64_t mask = wide ? ~0ull : 0xFFFFFFFFull;
	const uint64_t args[HCALL_NR_ARGS] = {
		r->gpr[GUEST_RDI] & mask, r->gpr[GUEST_RSI] & mask, r->gpr[GUEST_RDX] & mask,
		wide ? r->gpr[GUEST_R10] : 0, wide ? r->gpr[GUEST_R8] : 0,
	};
	/* The CPL is SS.DPL (SDM Vol. 3C, 27.3.1.5). */
	uint8_t cpl = (vmcs_read(VMCS_GUEST_SS_ACCESS_RIGHTS) >> AR_DPL_SHIFT) & AR_DPL_MASK;

	r->gpr[GUEST_RAX] = (uint64_t)hcall_from_guest(v, cpl, r->gpr[GUEST_RAX] & mask, args);
	vmexit_skip_instruction();
}
