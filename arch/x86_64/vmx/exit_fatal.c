/* SPDX-License-Identifier: MIT */
/* Exits that end the domain: triple faults (a reset) and failed VM entries (EPT violations: exit_mmio.c). */
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <tally/domain.h>
#include <tally/fmt.h>
#include <tally/log.h>

/*
 * A triple fault is a shutdown; on a PC the chipset answers a shutdown
 * cycle by resetting the CPU (SDM Vol. 3A, 6.15 interrupt 8, "Exception
 * Class Abort"), which is why 32-bit kernels use it as a last-resort
 * reboot.  So it is the guest's reset, like 0xCF9 or the keyboard
 * controller: rebooted, or restarted with on_reboot=restart.
 */
void vmexit_triple_fault(struct vcpu *v, struct guest_regs *r __unused)
{
	domain_reboot(v->domain, "triple fault");
}

void vmexit_invalid_state(struct vcpu *v, struct guest_regs *r __unused)
{
	uint32_t reason = EXIT_REASON_BASIC((uint32_t)vmcs_read(VMCS_EXIT_REASON));
	char why[80];

	log_err("d%u %s: VM entry failed (%s); guest state:", v->domain->id, v->domain->name,
		vmx_exit_reason_name(reason));
	vmcs_dump_guest_state();
	fmt_snprintf(why, sizeof(why), "%s", vmx_exit_reason_name(reason));
	vmexit_crash(v, why);
}
