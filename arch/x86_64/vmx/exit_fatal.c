/* SPDX-License-Identifier: MIT */
/* Exits that end the domain: EPT violations, triple faults and failed VM entries. */
#include <arch/ept.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <tally/domain.h>
#include <tally/fmt.h>
#include <tally/log.h>

void vmexit_ept_violation(struct vcpu *v, struct guest_regs *r __unused)
{
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	uint64_t qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	char why[96];

	fmt_snprintf(why, sizeof(why), "EPT violation: %s at gpa=%#lx (%s RAM of %lu MiB)",
		     qual & EPT_QUAL_FETCH ? "fetch" : qual & EPT_QUAL_WRITE ? "write" : "read",
		     gpa, gpa >= v->domain->ram_bytes ? "outside its" : "inside its",
		     v->domain->ram_bytes / MIB);
	vmexit_crash(v, why);
}

void vmexit_triple_fault(struct vcpu *v, struct guest_regs *r __unused)
{
	vmexit_crash(v, "triple fault");
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
