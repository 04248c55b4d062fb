/* SPDX-License-Identifier: MIT */
/* VMCS field encodings, grouped as in SDM Vol. 3D, Appendix B, and typed accessors. */
#ifndef ARCH_VMCS_H
#define ARCH_VMCS_H

#include <tally/types.h>
#include <arch/vmx_insn.h>
#include <tally/log.h>

enum vmcs_field {
	/* B.1.1 16-bit control fields */
	VMCS_VPID				= 0x0000,
	/* B.1.2 16-bit guest-state fields */
	VMCS_GUEST_ES_SELECTOR			= 0x0800,
	VMCS_GUEST_CS_SELECTOR			= 0x0802,
	VMCS_GUEST_SS_SELECTOR			= 0x0804,
	VMCS_GUEST_DS_SELECTOR			= 0x0806,
	VMCS_GUEST_FS_SELECTOR			= 0x0808,
	VMCS_GUEST_GS_SELECTOR			= 0x080A,
	VMCS_GUEST_LDTR_SELECTOR		= 0x080C,
	VMCS_GUEST_TR_SELECTOR			= 0x080E,
	/* B.1.3 16-bit host-state fields */
	VMCS_HOST_ES_SELECTOR			= 0x0C00,
	VMCS_HOST_CS_SELECTOR			= 0x0C02,
	VMCS_HOST_SS_SELECTOR			= 0x0C04,
	VMCS_HOST_DS_SELECTOR			= 0x0C06,
	VMCS_HOST_FS_SELECTOR			= 0x0C08,
	VMCS_HOST_GS_SELECTOR			= 0x0C0A,
	VMCS_HOST_TR_SELECTOR			= 0x0C0C,

	/* B.2.1 64-bit control fields */
	VMCS_IO_BITMAP_A			= 0x2000,
	VMCS_IO_BITMAP_B			= 0x2002,
	VMCS_MSR_BITMAP				= 0x2004,
	VMCS_TSC_OFFSET				= 0x2010,
	VMCS_EPT_POINTER			= 0x201A,
	/* B.2.2 64-bit read-only data fields */
	VMCS_GUEST_PHYSICAL_ADDRESS		= 0x2400,
	/* B.2.3 64-bit guest-state fields */
	VMCS_LINK_POINTER			= 0x2800,
	VMCS_GUEST_IA32_DEBUGCTL		= 0x2802,
	VMCS_GUEST_IA32_PAT			= 0x2804,
	VMCS_GUEST_IA32_EFER			= 0x2806,
	VMCS_GUEST_PDPTE0			= 0x280A,
	VMCS_GUEST_PDPTE1			= 0x280C,
	VMCS_GUEST_PDPTE2			= 0x280E,
	VMCS_GUEST_PDPTE3			= 0x2810,
	/* B.2.4 64-bit host-state fields */
	VMCS_HOST_IA32_PAT			= 0x2C00,
	VMCS_HOST_IA32_EFER			= 0x2C02,

	/* B.3.1 32-bit control fields */
	VMCS_PIN_BASED_CONTROLS			= 0x4000,
	VMCS_PROC_BASED_CONTROLS		= 0x4002,
	VMCS_EXCEPTION_BITMAP			= 0x4004,
	VMCS_PAGE_FAULT_ERROR_MASK		= 0x4006,
	VMCS_PAGE_FAULT_ERROR_MATCH		= 0x4008,
	VMCS_CR3_TARGET_COUNT			= 0x400A,
	VMCS_EXIT_CONTROLS			= 0x400C,
	VMCS_EXIT_MSR_STORE_COUNT		= 0x400E,
	VMCS_EXIT_MSR_LOAD_COUNT		= 0x4010,
	VMCS_ENTRY_CONTROLS			= 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT		= 0x4014,
	VMCS_ENTRY_INTERRUPTION_INFO		= 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR_CODE		= 0x4018,
	VMCS_ENTRY_INSTRUCTION_LENGTH		= 0x401A,
	VMCS_SECONDARY_PROC_BASED_CONTROLS	= 0x401E,
	/* B.3.2 32-bit read-only data fields */
	VMCS_VM_INSTRUCTION_ERROR		= 0x4400,
	VMCS_EXIT_REASON			= 0x4402,
	VMCS_EXIT_INTERRUPTION_INFO		= 0x4404,
	VMCS_EXIT_INTERRUPTION_ERROR_CODE	= 0x4406,
	VMCS_IDT_VECTORING_INFO			= 0x4408,
	VMCS_IDT_VECTORING_ERROR_CODE		= 0x440A,
	VMCS_EXIT_INSTRUCTION_LENGTH		= 0x440C,
	VMCS_EXIT_INSTRUCTION_INFO		= 0x440E,
	/* B.3.3 32-bit guest-state fields */
	VMCS_GUEST_ES_LIMIT			= 0x4800,
	VMCS_GUEST_CS_LIMIT			= 0x4802,
	VMCS_GUEST_SS_LIMIT			= 0x4804,
	VMCS_GUEST_DS_LIMIT			= 0x4806,
	VMCS_GUEST_FS_LIMIT			= 0x4808,
	VMCS_GUEST_GS_LIMIT			= 0x480A,
	VMCS_GUEST_LDTR_LIMIT			= 0x480C,
	VMCS_GUEST_TR_LIMIT			= 0x480E,
	VMCS_GUEST_GDTR_LIMIT			= 0x4810,
	VMCS_GUEST_IDTR_LIMIT			= 0x4812,
	VMCS_GUEST_ES_ACCESS_RIGHTS		= 0x4814,
	VMCS_GUEST_CS_ACCESS_RIGHTS		= 0x4816,
	VMCS_GUEST_SS_ACCESS_RIGHTS		= 0x4818,
	VMCS_GUEST_DS_ACCESS_RIGHTS		= 0x481A,
	VMCS_GUEST_FS_ACCESS_RIGHTS		= 0x481C,
	VMCS_GUEST_GS_ACCESS_RIGHTS		= 0x481E,
	VMCS_GUEST_LDTR_ACCESS_RIGHTS		= 0x4820,
	VMCS_GUEST_TR_ACCESS_RIGHTS		= 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY		= 0x4824,
	VMCS_GUEST_ACTIVITY_STATE		= 0x4826,
	VMCS_GUEST_SYSENTER_CS			= 0x482A,
	VMCS_PREEMPTION_TIMER_VALUE		= 0x482E,
	/* B.3.4 32-bit host-state field */
	VMCS_HOST_SYSENTER_CS			= 0x4C00,

	/* B.4.1 natural-width control fields */
	VMCS_CR0_GUEST_HOST_MASK		= 0x6000,
	VMCS_CR4_GUEST_HOST_MASK		= 0x6002,
	VMCS_CR0_READ_SHADOW			= 0x6004,
	VMCS_CR4_READ_SHADOW			= 0x6006,
	/* B.4.2 natural-width read-only data fields */
	VMCS_EXIT_QUALIFICATION			= 0x6400,
	VMCS_GUEST_LINEAR_ADDRESS		= 0x640A,
	/* B.4.3 natural-width guest-state fields */
	VMCS_GUEST_CR0				= 0x6800,
	VMCS_GUEST_CR3				= 0x6802,
	VMCS_GUEST_CR4				= 0x6804,
	VMCS_GUEST_ES_BASE			= 0x6806,
	VMCS_GUEST_CS_BASE			= 0x6808,
	VMCS_GUEST_SS_BASE			= 0x680A,
	VMCS_GUEST_DS_BASE			= 0x680C,
	VMCS_GUEST_FS_BASE			= 0x680E,
	VMCS_GUEST_GS_BASE			= 0x6810,
	VMCS_GUEST_LDTR_BASE			= 0x6812,
	VMCS_GUEST_TR_BASE			= 0x6814,
	VMCS_GUEST_GDTR_BASE			= 0x6816,
	VMCS_GUEST_IDTR_BASE			= 0x6818,
	VMCS_GUEST_DR7				= 0x681A,
	VMCS_GUEST_RSP				= 0x681C,
	VMCS_GUEST_RIP				= 0x681E,
	VMCS_GUEST_RFLAGS			= 0x6820,
	VMCS_GUEST_PENDING_DEBUG		= 0x6822,
	VMCS_GUEST_SYSENTER_ESP			= 0x6824,
	VMCS_GUEST_SYSENTER_EIP			= 0x6826,
	/* B.4.4 natural-width host-state fields */
	VMCS_HOST_CR0				= 0x6C00,
	VMCS_HOST_CR3				= 0x6C02,
	VMCS_HOST_CR4				= 0x6C04,
	VMCS_HOST_FS_BASE			= 0x6C06,
	VMCS_HOST_GS_BASE			= 0x6C08,
	VMCS_HOST_TR_BASE			= 0x6C0A,
	VMCS_HOST_GDTR_BASE			= 0x6C0C,
	VMCS_HOST_IDTR_BASE			= 0x6C0E,
	VMCS_HOST_SYSENTER_ESP			= 0x6C10,
	VMCS_HOST_SYSENTER_EIP			= 0x6C12,
	VMCS_HOST_RSP				= 0x6C14,
	VMCS_HOST_RIP				= 0x6C16,
};

/*
 * The interruption-information format shared by the VM-entry field and the
 * VM-exit one (SDM Vol. 3C, 25.8.3 and 25.9.2): vector in bits 7:0, type in
 * bits 10:8 (kept shifted here), error-code delivery bit 11, valid bit 31.
 */
#define INTR_INFO_VECTOR_MASK	0xFFu
#define INTR_INFO_TYPE_MASK	(7u << 8)
#define INTR_TYPE_EXTERNAL	(0u << 8)
#define INTR_TYPE_RESERVED	(1u << 8)
#define INTR_TYPE_NMI		(2u << 8)
#define INTR_TYPE_HW_EXCEPTION	(3u << 8)
#define INTR_INFO_DELIVER_ERROR	(1u << 11)
#define INTR_INFO_VALID		(1u << 31)
#define INTR_INFO_VECTOR(i)	((i) & INTR_INFO_VECTOR_MASK)
#define INTR_INFO_TYPE(i)	((i) & INTR_INFO_TYPE_MASK)

/* Name of @field for dumps ("?" if unknown). */
const char *vmcs_field_name(enum vmcs_field field);

/*
 * VMREAD and VMWRITE.  A failure means Tally used a field wrongly (or no
 * VMCS is current): an internal bug, so these panic naming the field and
 * the VM-instruction error rather than return an error nobody checks.
 */
static inline uint64_t vmcs_read(enum vmcs_field field);
static inline void vmcs_write(enum vmcs_field field, uint64_t value);

/* Print the current VMCS's guest-state area (and controls) field by field, by name, as errors. */
void vmcs_dump_guest_state(void);
/* The same at log level @level (a debug key's dump is no error). */
void vmcs_dump(enum log_level level);

/* VMREAD that reports failure instead of panicking, for dumps: false if it failed. */
bool vmcs_read_checked(enum vmcs_field field, uint64_t *value);

/* The slow path of a failed access: report and panic. */
__noreturn void vmcs_access_failed(const char *op, enum vmcs_field field);

/* Inline: the exit path calls these a few times per exit (Bochs counts every instruction). */
static inline uint64_t vmcs_read(enum vmcs_field field)
{
	uint64_t v;

	if (__builtin_expect(!vmread(field, &v), 0))
		vmcs_access_failed("VMREAD", field);
	return v;
}

static inline void vmcs_write(enum vmcs_field field, uint64_t value)
{
	if (__builtin_expect(!vmwrite(field, value), 0))
		vmcs_access_failed("VMWRITE", field);
}

#endif
