/* SPDX-License-Identifier: MIT */
/* A guest's local APIC in x2APIC mode (SDM Vol. 3A, ch. 11): register file and timer (pure logic).
 *
 * Design: the model knows nothing of VMX or of time sources; callers pass
 * the current TSC value in.  The APIC timer counts at the TSC rate divided
 * by the divide configuration (Tally tells guests so through CPUID leaf
 * 0x15: crystal clock = TSC).  Interrupts are accepted into IRR, delivered
 * by the caller when vlapic_pending_vector() says one may be, and moved to
 * ISR by vlapic_ack(); EOI retires the highest in-service vector.  Writes
 * that send IPIs (ICR, SELF_IPI) are returned to the caller as actions.
 * Locking: a vCPU's APIC is touched by its own physical CPU, except
 * vlapic_accept() from other CPUs, which the caller serialises. */
#ifndef ARCH_VLAPIC_H
#define ARCH_VLAPIC_H

#include <tally/types.h>

/* x2APIC MSRs (SDM Vol. 3A, table 11-6). */
#define MSR_X2APIC_FIRST	0x800
#define MSR_X2APIC_LAST		0x8FF
#define MSR_X2APIC_ID		0x802
#define MSR_X2APIC_VERSION	0x803
#define MSR_X2APIC_TPR		0x808
#define MSR_X2APIC_PPR		0x80A
#define MSR_X2APIC_EOI		0x80B
#define MSR_X2APIC_LDR		0x80D
#define MSR_X2APIC_SVR		0x80F
#define MSR_X2APIC_ISR0		0x810
#define MSR_X2APIC_TMR0		0x818
#define MSR_X2APIC_IRR0		0x820
#define MSR_X2APIC_ESR		0x828
#define MSR_X2APIC_LVT_CMCI	0x82F
#define MSR_X2APIC_ICR		0x830
#define MSR_X2APIC_LVT_TIMER	0x832
#define MSR_X2APIC_LVT_THERMAL	0x833
#define MSR_X2APIC_LVT_PMI	0x834
#define MSR_X2APIC_LVT_LINT0	0x835
#define MSR_X2APIC_LVT_LINT1	0x836
#define MSR_X2APIC_LVT_ERROR	0x837
#define MSR_X2APIC_TIMER_INITIAL 0x838
#define MSR_X2APIC_TIMER_CURRENT 0x839
#define MSR_X2APIC_TIMER_DIVIDE	0x83E
#define MSR_X2APIC_SELF_IPI	0x83F
#define MSR_IA32_TSC_DEADLINE	0x6E0

/* LVT timer modes (bits 18:17). */
#define VLAPIC_TIMER_ONESHOT	0
#define VLAPIC_TIMER_PERIODIC	1
#define VLAPIC_TIMER_TSC_DEADLINE 2

/* What a register write asks the caller to do. */
enum vlapic_action_kind {
	VLAPIC_ACTION_NONE,
	VLAPIC_ACTION_IPI,	/* deliver @vector (fixed) to @dest */
	VLAPIC_ACTION_INIT,	/* INIT to @dest */
	VLAPIC_ACTION_SIPI,	/* start-up IPI with @vector to @dest */
	VLAPIC_ACTION_NMI,	/* NMI to @dest */
};

#define VLAPIC_DEST_SELF		(~0u)		/* shorthand: self */
#define VLAPIC_DEST_ALL_BUT_SELF	(~0u - 1)	/* shorthand: all excluding self */
#define VLAPIC_DEST_ALL			(~0u - 2)	/* shorthand or 0xFFFFFFFF: all including self */

struct vlapic_action {
	enum vlapic_action_kind kind;
	uint32_t dest;		/* x2APIC ID, or one of VLAPIC_DEST_* */
	uint8_t vector;
};

struct vlapic {
	uint32_t id;			/* x2APIC ID (= vCPU number) */
	uint32_t tpr, svr, esr;
	uint32_t lvt_timer, lvt_thermal, lvt_pmi, lvt_lint0, lvt_lint1, lvt_error, lvt_cmci;
	uint32_t irr[8], isr[8], tmr[8];	/* 256-bit vectors, 32 bits a word */
	uint64_t icr;
	uint32_t timer_initial, timer_divide_config;
	uint64_t timer_start_tsc;	/* when the current count was last loaded */
	uint64_t deadline;		/* TSC of the next expiry; 0: timer not armed */
	uint64_t tsc_deadline_msr;	/* IA32_TSC_DEADLINE as the guest wrote it */
	uint64_t timer_expiries;	/* counter: times the timer fired */
	uint64_t accepted;		/* counter: interrupts accepted into IRR */
};

/* Reset state for the APIC with x2APIC ID @id (SDM 11.4.7.1; SVR 0xFF, all LVTs masked). */
void vlapic_init(struct vlapic *l, uint32_t id);

/* RDMSR of x2APIC register @msr (or IA32_TSC_DEADLINE): 0 with *@val, or -EINVAL for #GP. */
int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val);

/*
 * WRMSR of @val to @msr at TSC @now: 0, with *@act saying what to send
 * (kind NONE if nothing), or -EINVAL for #GP (read-only register, reserved
 * bits, EOI or SELF_IPI with bad value, illegal ICR combination).
 */
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		     struct vlapic_action *act);

/* Accept fixed interrupt @vector (16-255) into IRR; vectors below 16 set ESR "illegal vector" instead. */
void vlapic_accept(struct vlapic *l, uint8_t vector);

/*
 * Bring the timer up to @now: if its deadline has passed, accept the LVT
 * vector (unless masked), count the expiry, and re-arm a periodic timer
 * (or disarm a one-shot or TSC-deadline one).  Returns true if it fired.
 */
bool vlapic_timer_update(struct vlapic *l, uint64_t now);

/* The TSC of the next timer expiry, 0 if none. */
uint64_t vlapic_next_deadline(const struct vlapic *l);

/*
 * The vector to deliver now: the highest in IRR whose priority class is
 * above the processor priority (max of TPR and highest ISR class), or -1.
 * Returns -1 while the APIC is software-disabled (SVR bit 8 clear).
 */
int vlapic_pending_vector(const struct vlapic *l);

/* The CPU took @vector (it was injected): move it from IRR to ISR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);

#endif
