/* SPDX-License-Identifier: MIT */
/* Exits for port I/O, HLT, EPT violations, triple faults, VMCALL and failed entries. */
#include <arch/ept.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <arch/cpu.h>
#include <arch/vcpu_apic.h>
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/hcall_host.h>
#include <tally/sched.h>
#include <tally/vio.h>

/* VM-entry interruption-information field (SDM 25.8.3). */
#define INTR_TYPE_HW_EXCEPTION	(3u << 8)
#define INTR_DELIVER_ERROR	(1u << 11)
#define INTR_VALID		(1u << 31)
#define VEC_GP			13
#define VEC_UD			6
#define AR_DPL_SHIFT		5
#define AR_DPL_MASK		3
#define AR_LONG_MODE		(1u << 13)	/* CS.L */
#define EFER_LMA_BIT		(1ull << 10)

/* I/O-instruction exit qualification (table 28-5). */
union io_qual {
	uint64_t raw;
	struct {
		uint64_t size_minus_1 : 3;
		uint64_t in : 1;
		uint64_t string : 1;
		uint64_t rep : 1;
		uint64_t immediate : 1;
		uint64_t reserved0 : 9;
		uint64_t port : 16;
		uint64_t reserved1 : 32;
	};
};
_Static_assert(sizeof(union io_qual) == 8, "I/O exit qualification is 64 bits");

void vmexit_inject_exception(unsigned int vector, bool has_error, uint32_t error_code)
{
	vmcs_write(VMCS_ENTRY_INTERRUPTION_INFO, vector | INTR_TYPE_HW_EXCEPTION | INTR_VALID |
		   (has_error ? INTR_DELIVER_ERROR : 0));
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

void vmexit_io(struct vcpu *v, struct guest_regs *r)
{
	union io_qual q = { .raw = vmcs_read(VMCS_EXIT_QUALIFICATION) };
	unsigned int size = q.size_minus_1 + 1;
	uint64_t *rax = &r->gpr[GUEST_RAX];

	if (q.string) {
		vmexit_crash(v, "string port I/O (INS/OUTS) is not emulated");
		return;
	}
	if (q.in) {
		uint32_t val = vio_port_in(v, (uint16_t)q.port, size);

		/* IN AL/AX keeps the rest of RAX; IN EAX zero-extends (SDM 3.4.1.1). */
		if (size == 4)
			*rax = val;
		else
			*rax = (*rax & ~((1ull << (8 * size)) - 1)) | val;
	} else {
		vio_port_out(v, (uint16_t)q.port, size, (uint32_t)*rax);
	}
	if (v->state == VCPU_RUNNABLE)
		vmexit_skip_instruction();
}

void vmexit_hlt(struct vcpu *v, struct guest_regs *r)
{
	(void)r;
	vmexit_skip_instruction();	/* "STI; HLT": the STI shadow ends with the HLT */
	/* Only an interrupt the guest accepts ends HLT (SDM Vol. 2A, HLT). */
	v->arch.hlt_if = vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF;
	if (vapic_hlt_wakes_at_once(v))
		return;
	sched_block(v);
}

void vmexit_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	uint64_t qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	char why[96];

	(void)r;
	fmt_snprintf(why, sizeof(why), "EPT violation: %s at gpa=%#lx (%s RAM of %lu MiB)",
		     qual & EPT_QUAL_FETCH ? "fetch" : qual & EPT_QUAL_WRITE ? "write" : "read",
		     gpa, gpa >= v->domain->ram_bytes ? "outside its" : "inside its",
		     v->domain->ram_bytes / MIB);
	vmexit_crash(v, why);
}

void vmexit_triple_fault(struct vcpu *v, struct guest_regs *r)
{
	(void)r;
	vmexit_crash(v, "triple fault");
}

/* The hypercall entry (docs/HYPERCALLS.md): number in RAX, arguments in RDI RSI RDX R10 R8. */
void vmexit_vmcall(struct vcpu *v, struct guest_regs *r)
{
	/* Outside 64-bit mode a guest only has the low halves (EAX, EDI, ESI, EDX). */
	bool wide = (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA_BIT) &&
		    (vmcs_read(VMCS_GUEST_CS_ACCESS_RIGHTS) & AR_LONG_MODE);
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

void vmexit_invalid_state(struct vcpu *v, struct guest_regs *r)
{
	uint32_t reason = EXIT_REASON_BASIC((uint32_t)vmcs_read(VMCS_EXIT_REASON));
	char why[80];

	(void)r;
	log_err("d%u %s: VM entry failed (%s); guest state:", v->domain->id, v->domain->name,
		vmx_exit_reason_name(reason));
	vmcs_dump_guest_state();
	fmt_snprintf(why, sizeof(why), "%s", vmx_exit_reason_name(reason));
	vmexit_crash(v, why);
}
