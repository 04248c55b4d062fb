/* SPDX-License-Identifier: MIT */
/* Connecting each vCPU's virtual x2APIC (vlapic.h) to VMX: MSRs, IPIs, injection, timers. */
#ifndef ARCH_VCPU_APIC_H
#define ARCH_VCPU_APIC_H

#include <tally/types.h>

struct vcpu;
struct guest_regs;

enum vcpu_apic_msr_result {
	VCPU_APIC_NOT_MINE,		/* not an APIC MSR: the caller decides */
	VCPU_APIC_DONE,
	VCPU_APIC_GP,		/* refused: inject #GP */
};

/* RDMSR/WRMSR of IA32_APIC_BASE, the x2APIC range or IA32_TSC_DEADLINE by @v. */
enum vcpu_apic_msr_result vcpu_apic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
enum vcpu_apic_msr_result vcpu_apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

/*
 * Before entering @v (its VMCS current), when its APIC may have news
 * (apic_hint, or its timer is due): inject the highest deliverable
 * interrupt if the guest can take one now, else ask for an exit when it
 * can (interrupt-window exiting).
 */
void vcpu_apic_before_entry(struct vcpu *v);

/* The interrupt window opened: stop asking for window exits (the next entry injects). */
void vmexit_interrupt_window(struct vcpu *v, struct guest_regs *r);

/* Can @v take an interrupt it has pending right after its HLT? */
bool vcpu_apic_hlt_wakes_at_once(struct vcpu *v);

#endif
