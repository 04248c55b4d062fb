/* SPDX-License-Identifier: MIT */
/* Test-only fault injection into VM entries (see arch/vmx_fault_inject.h). */
#include <arch/vmcs.h>
#include <arch/vmx_fault_inject.h>
#include <tally/domain.h>
#include <tally/options.h>

/* Valid bit with interruption type 1, which is reserved (SDM 25.8.3). */
#define INTR_INFO_VALID_RESERVED_TYPE	(INTR_INFO_VALID | INTR_TYPE_RESERVED)

/*
 * Each breaks one class of VM-entry check: RFLAGS bit 1 must be 1 (a check
 * on the guest state, SDM 27.3), and a reserved interruption type fails
 * the checks on the VM-entry controls (27.2).
 */
void vmx_fault_inject_entry(const struct vcpu *v)
{
	if (v->domain->id != 1)
		return;
	if (options.crash_test == CRASH_GUEST_STATE)
		vmcs_write(VMCS_GUEST_RFLAGS, 0);
	else if (options.crash_test == CRASH_VM_CONTROL)
		vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO, INTR_INFO_VALID_RESERVED_TYPE);
}
