/* SPDX-License-Identifier: MIT */
/* VM-exit handling: the dispatch table's handlers and the helpers they share. */
#ifndef ARCH_VMEXIT_H
#define ARCH_VMEXIT_H

#include <arch/vcpu.h>
#include <arch/vmcs.h>
#include <arch/vmx.h>

struct vcpu;

/* A handler for one basic exit reason. */
typedef void (*vmexit_handler_fn)(struct vcpu *v, struct guest_regs *r);

/* Interruptibility state: blocking by STI (bit 0) or by MOV SS (bit 1). */
#define INTERRUPTIBILITY_STI_MOVSS	0x3

/*
 * Step the guest past the instruction that exited (inline: most exits end
 * with it).  An STI or MOV-SS shadow covers only that one instruction, so
 * it ends here, as the CPU would end it (SDM Vol. 3C, "Guest Non-Register
 * State", interruptibility state); left set, it would hold off interrupts
 * for one more instruction, and a set STI/MOV-SS blocking with RFLAGS.TF
 * also constrains the pending debug exceptions at entry.
 */
static inline void vmexit_skip_instruction(void)
{
	uint64_t intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) +
				   vmcs_read(VMCS_EXIT_INSTRUCTION_LENGTH));
	if (intr & INTERRUPTIBILITY_STI_MOVSS)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(uint64_t)INTERRUPTIBILITY_STI_MOVSS);
}
/* Make the next VM entry deliver hardware exception @vector (with @error_code if it has one). */
void vmexit_inject_exception(unsigned int vector, bool has_error, uint32_t error_code);
/* Inject #GP(0) / #UD: the guest asked for something it may not have. */
void vmexit_inject_gp(void);
void vmexit_inject_ud(void);
/* Destroy @v's domain for @reason, naming the guest RIP and exit qualification. */
void vmexit_crash(struct vcpu *v, const char *reason);

/* Handlers, by file. */
void vmexit_cpuid(struct vcpu *v, struct guest_regs *r);
void vmexit_rdmsr(struct vcpu *v, struct guest_regs *r);
void vmexit_wrmsr(struct vcpu *v, struct guest_regs *r);
void vmexit_cr_access(struct vcpu *v, struct guest_regs *r);
void vmexit_io(struct vcpu *v, struct guest_regs *r);
void vmexit_hlt(struct vcpu *v, struct guest_regs *r);
void vmexit_ept_violation(struct vcpu *v, struct guest_regs *r);
void vmexit_triple_fault(struct vcpu *v, struct guest_regs *r);
void vmexit_vmcall(struct vcpu *v, struct guest_regs *r);
void vmexit_invalid_state(struct vcpu *v, struct guest_regs *r);
void vmexit_rdpmc(struct vcpu *v, struct guest_regs *r);
void vmexit_wbinvd(struct vcpu *v, struct guest_regs *r);
void vmexit_task_switch(struct vcpu *v, struct guest_regs *r);

struct sdm_mode;
/* The current vCPU's mode for arch/sdm_checks.h, from its VMCS (exit_cr.c; no CPUID fields). */
void vmexit_guest_mode(struct sdm_mode *m);
/* Fill @m's CPUID fields (extended features, MAXPHYADDR) as @v sees them (exit_cpuid.c). */
void vmexit_guest_features(const struct vcpu *v, struct sdm_mode *m);

/* From vmx_stub.asm: restore @regs and VMLAUNCH (@launch) or VMRESUME. */
__noreturn void vmx_enter(struct guest_regs *regs, uint64_t launch);
/* From vmx_stub.asm: call @fn(@regs) on the stack just below @regs. */
__noreturn void vmx_call_on_exit_stack(struct guest_regs *regs,
				       __noreturn void (*fn)(struct guest_regs *));

/* True if guests may write their TSC: the "use TSC offsetting" control is on (exit_msr.c). */
bool vmexit_tsc_writable(void);

/* Save the guest's SYSCALL MSRs on switching away / load them on switching in. */
void vmexit_save_guest_msrs(struct vcpu *v);
void vmexit_load_guest_msrs(const struct vcpu *v);

#endif
