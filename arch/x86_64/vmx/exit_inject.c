/* SPDX-License-Identifier: MIT */
/* Exceptions a handler makes the next VM entry deliver to the guest (SDM Vol. 3C, 27.6). */
#include <arch/trap.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>

void vmexit_inject_exception(unsigned int vector, bool has_error, uint32_t error_code)
{
	vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO, vector | INTR_TYPE_HW_EXCEPTION | INTR_INFO_VALID |
		   (has_error ? INTR_INFO_DELIVER_ERROR : 0));
	if (has_error)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, error_code);
}

void vmexit_inject_gp(void)
{
	vmexit_inject_exception(VEC_GP, true, 0);
}

void vmexit_inject_ud(void)
{
	vmexit_inject_exception(VEC_UD, false, 0);
}
