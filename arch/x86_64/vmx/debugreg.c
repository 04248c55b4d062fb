/* SPDX-License-Identifier: MIT */
/* A vCPU's first CR2, DR0-DR3 and DR6, and the MOV-DR exit that gives its guest DR0-DR3.
 *
 * The switch itself is inline in arch/debugreg.h.  A new vCPU runs with
 * "MOV-DR exiting": a guest that never touches a debug register costs no
 * DR0-DR3 switch, and its DR7 (in the VMCS, 400H) arms no breakpoint on
 * whatever another guest left in them.  Its first MOV DR puts its own
 * DR0-DR3 into the CPU and turns the exiting off for that vCPU for good. */
#include <arch/debugreg.h>
#include <arch/vcpu.h>
#include <arch/vmcs.h>
#include <arch/vmx.h>
#include <tally/domain.h>

void debugreg_init(struct debugreg_state *d, bool addr_live)
{
	*d = (struct debugreg_state){ .dr6 = DR6_RESET, .addr_live = addr_live };
}

void vmexit_dr_access(struct vcpu *v, struct guest_regs *r __unused)
{
	/* The CPU may still hold another vCPU's DR0-DR3: this one's first. */
	debugreg_load_addr(&v->arch.dregs);
	v->arch.dregs.addr_live = true;
	vmcs_write(VMCS_PROC_BASED_CONTROLS,
		   vmcs_read(VMCS_PROC_BASED_CONTROLS) & ~CPU_BASED_MOV_DR_EXITING);
	/* RIP stays: the guest runs its MOV DR again, natively this time. */
}
