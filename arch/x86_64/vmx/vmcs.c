/* SPDX-License-Identifier: MIT */
/* VMCS access: checked VMREAD/VMWRITE, field names, the guest-state dump. */
#include <arch/vmcs.h>
#include <arch/vmx.h>
#include <arch/vmx_insn.h>
#include <tally/log.h>
#include <tally/panic.h>

#define FIELD(f)	{ f, #f + 5 }	/* the name without "VMCS_" */

static const struct {
	enum vmcs_field field;
	const char *name;
} field_names[] = {
	FIELD(VMCS_GUEST_ES_SELECTOR), FIELD(VMCS_GUEST_CS_SELECTOR),
	FIELD(VMCS_GUEST_SS_SELECTOR), FIELD(VMCS_GUEST_DS_SELECTOR),
	FIELD(VMCS_GUEST_FS_SELECTOR), FIELD(VMCS_GUEST_GS_SELECTOR),
	FIELD(VMCS_GUEST_LDTR_SELECTOR), FIELD(VMCS_GUEST_TR_SELECTOR),
	FIELD(VMCS_LINK_POINTER), FIELD(VMCS_GUEST_IA32_DEBUGCTL),
	FIELD(VMCS_GUEST_IA32_PAT), FIELD(VMCS_GUEST_IA32_EFER),
	FIELD(VMCS_GUEST_ES_LIMIT), FIELD(VMCS_GUEST_CS_LIMIT),
	FIELD(VMCS_GUEST_SS_LIMIT), FIELD(VMCS_GUEST_DS_LIMIT),
	FIELD(VMCS_GUEST_FS_LIMIT), FIELD(VMCS_GUEST_GS_LIMIT),
	FIELD(VMCS_GUEST_LDTR_LIMIT), FIELD(VMCS_GUEST_TR_LIMIT),
	FIELD(VMCS_GUEST_GDTR_LIMIT), FIELD(VMCS_GUEST_IDTR_LIMIT),
	FIELD(VMCS_GUEST_ES_ACCESS_RIGHTS), FIELD(VMCS_GUEST_CS_ACCESS_RIGHTS),
	FIELD(VMCS_GUEST_SS_ACCESS_RIGHTS), FIELD(VMCS_GUEST_DS_ACCESS_RIGHTS),
	FIELD(VMCS_GUEST_FS_ACCESS_RIGHTS), FIELD(VMCS_GUEST_GS_ACCESS_RIGHTS),
	FIELD(VMCS_GUEST_LDTR_ACCESS_RIGHTS), FIELD(VMCS_GUEST_TR_ACCESS_RIGHTS),
	FIELD(VMCS_GUEST_INTERRUPTIBILITY), FIELD(VMCS_GUEST_ACTIVITY_STATE),
	FIELD(VMCS_GUEST_SYSENTER_CS),
	FIELD(VMCS_GUEST_CR0), FIELD(VMCS_GUEST_CR3), FIELD(VMCS_GUEST_CR4),
	FIELD(VMCS_GUEST_ES_BASE), FIELD(VMCS_GUEST_CS_BASE), FIELD(VMCS_GUEST_SS_BASE),
	FIELD(VMCS_GUEST_DS_BASE), FIELD(VMCS_GUEST_FS_BASE), FIELD(VMCS_GUEST_GS_BASE),
	FIELD(VMCS_GUEST_LDTR_BASE), FIELD(VMCS_GUEST_TR_BASE),
	FIELD(VMCS_GUEST_GDTR_BASE), FIELD(VMCS_GUEST_IDTR_BASE),
	FIELD(VMCS_GUEST_DR7), FIELD(VMCS_GUEST_RSP), FIELD(VMCS_GUEST_RIP),
	FIELD(VMCS_GUEST_RFLAGS), FIELD(VMCS_GUEST_PENDING_DEBUG),
	FIELD(VMCS_GUEST_SYSENTER_ESP), FIELD(VMCS_GUEST_SYSENTER_EIP),
	FIELD(VMCS_PIN_BASED_CONTROLS), FIELD(VMCS_PROC_BASED_CONTROLS),
	FIELD(VMCS_SECONDARY_PROC_BASED_CONTROLS), FIELD(VMCS_EXIT_CONTROLS),
	FIELD(VMCS_ENTRY_CONTROLS), FIELD(VMCS_EPT_POINTER),
	FIELD(VMCS_ENTRY_INTERRUPTION_INFO), FIELD(VMCS_ENTRY_EXCEPTION_ERROR_CODE),
	FIELD(VMCS_CR0_READ_SHADOW), FIELD(VMCS_CR4_READ_SHADOW),
};

const char *vmcs_field_name(enum vmcs_field field)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(field_names); i++)
		if (field_names[i].field == field)
			return field_names[i].name;
	return "?";
}

bool vmcs_read_checked(enum vmcs_field field, uint64_t *value)
{
	return vmread(field, value);
}

/* A failed VMREAD/VMWRITE: say which field and why, then stop (an internal bug). */
void vmcs_access_failed(const char *op, enum vmcs_field field)
{
	uint64_t err = 0;

	vmread(VMCS_VM_INSTRUCTION_ERROR, &err);
	panic("vmcs: %s of %s (%#x) failed: %s", op, vmcs_field_name(field), field,
	      vmx_instruction_error_name((uint32_t)err));
}


void vmcs_dump_guest_state(void)
{
	vmcs_dump(LOG_ERR);
}

void vmcs_dump(enum log_level level)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(field_names); i++) {
		uint64_t v;

		if (vmcs_read_checked(field_names[i].field, &v))
			log_printf(level, "  %-30s %#lx", field_names[i].name, v);
	}
}
