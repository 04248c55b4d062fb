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

/* Can @v take an interrupt it has pending right after its HLT (an NMI or INIT always ends it)? */
bool vcpu_apic_hlt_wakes_at_once(struct vcpu *v);

/* The NMI window opened (NMI-window exiting): stop asking, the next entry injects. */
void vmexit_nmi_window(struct vcpu *v, struct guest_regs *r);

/*
 * An INIT is pending for @v, the current vCPU of this CPU (its VMCS
 * current, its registers in @regs): reset it to the wait-for-SIPI state
 * (SDM 9.1, table 10-1 / 11.4.7.3), its VMCS dropped so that the SIPI sets
 * up a fresh one in real mode, and block it; a SIPI that came meanwhile
 * starts it again at once.  True if it took one (the caller then switches).
 */
bool vcpu_apic_take_init(struct vcpu *v, struct guest_regs *regs);

/* Guest interruptibility state (SDM Vol. 3C, 25.4.2, table 25-3). */
#define INTERRUPTIBILITY_BLOCK_STI	(1u << 0)
#define INTERRUPTIBILITY_BLOCK_MOVSS	(1u << 1)
#define INTERRUPTIBILITY_BLOCK_NMI	(1u << 3)

/* What to do about a pending NMI before a VM entry (vcpu_nmi_step()). */
enum vcpu_nmi_step {
	VCPU_NMI_NONE,		/* none pending */
	VCPU_NMI_INJECT,	/* inject it now */
	VCPU_NMI_WINDOW,	/* blocked: turn NMI-window exiting on */
	VCPU_NMI_RETRY,		/* blocked, no window exiting: look again at the next entry */
};

/*
 * The NMI rule, pure: inject when none is injected already (@event_queued:
 * the entry delivers another event, which goes first) and the guest's
 * interruptibility state @intr shows neither blocking by MOV SS nor, with
 * virtual NMIs (@virtual_nmis), blocking by NMI (SDM 26.3.1.5: the entry
 * would fail).  Blocking by STI holds an NMI too, as some CPUs refuse the
 * injection (26.3.1.5), unless an NMI-window exit just said this CPU takes
 * NMIs there (@window_open).  Without virtual NMIs, blocking by NMI is not
 * the guest's (NMI exiting keeps IRET from clearing it, SDM 25.3): Tally
 * cannot see the handler's IRET and injects as soon as nothing else blocks.
 */
static inline enum vcpu_nmi_step vcpu_nmi_step(bool pending, uint32_t intr, bool event_queued,
					       bool virtual_nmis, bool window_open,
					       bool window_exiting_ok)
{
	uint32_t blocking = INTERRUPTIBILITY_BLOCK_MOVSS |
			    (virtual_nmis ? INTERRUPTIBILITY_BLOCK_NMI : 0);

	if (!pending)
		return VCPU_NMI_NONE;
	if (!event_queued && !(intr & blocking) &&
	    (!(intr & INTERRUPTIBILITY_BLOCK_STI) || window_open))
		return VCPU_NMI_INJECT;
	return window_exiting_ok ? VCPU_NMI_WINDOW : VCPU_NMI_RETRY;
}

#endif
