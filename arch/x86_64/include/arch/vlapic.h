/* SPDX-License-Identifier: MIT */
/* A guest's local APIC in x2APIC mode (SDM Vol. 3A, ch. 11): register file and timer (pure logic).
 *
 * Design: the model knows nothing of VMX or of time sources; callers pass
 * the current TSC value in.  The APIC timer counts at the TSC rate divided
 * by the divide configuration (Tally tells guests so through CPUID leaf
 * 0x15: crystal clock = TSC).  Interrupts are accepted into IRR, delivered
 * by the caller when vlapic_pending_vector() says one may be, and moved to
 * ISR by vlapic_ack(); EOI retires the highest in-service vector.  ICR
 * writes that send IPIs are returned to the caller as actions; SELF_IPI
 * needs no one else and goes straight into IRR.
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

#define VLAPIC_VECTOR_BANKS	8		/* MSRs per ISR, TMR and IRR bank */

/* Vectors 0-15 are illegal for fixed interrupts (SDM 11.5.2). */
#define VLAPIC_FIRST_VECTOR	16
#define VLAPIC_PRIORITY_CLASS	0xF0		/* vector bits 7:4 (SDM 11.8.3) */

/* Version register (SDM 11.4.8): integrated APIC, LVT entries 0-6 (CMCI..ERROR). */
#define VLAPIC_VERSION_ID	0x14
#define VLAPIC_MAX_LVT		6
#define VLAPIC_MAX_LVT_SHIFT	16

#define VLAPIC_TPR_MASK		0xFF		/* bits 31:8 reserved */

/* Spurious-interrupt vector register (SDM 11.9, figure 11-23). */
#define VLAPIC_SVR_VECTOR	0xFFu
#define VLAPIC_SVR_ENABLE	(1u << 8)	/* APIC software enable */
#define VLAPIC_SVR_FOCUS_DISABLE (1u << 9)	/* focus processor checking */
#define VLAPIC_SVR_EOI_SUPPRESS	(1u << 12)	/* EOI-broadcast suppression */
#define VLAPIC_SVR_RESET	0xFFu

/* Error status register (SDM 11.5.3, figure 11-9). */
#define VLAPIC_ESR_SEND_ILLEGAL_VECTOR	(1u << 5)
#define VLAPIC_ESR_RECV_ILLEGAL_VECTOR	(1u << 6)

/* Local vector table entries (SDM 11.5.1, figure 11-8). */
#define VLAPIC_LVT_VECTOR	0xFFu
#define VLAPIC_LVT_DELIVERY_MODE (7u << 8)
#define VLAPIC_LVT_DELIVERY_STATUS (1u << 12)	/* read-only */
#define VLAPIC_LVT_POLARITY	(1u << 13)	/* LINT0/1 only */
#define VLAPIC_LVT_REMOTE_IRR	(1u << 14)	/* LINT0/1 only, read-only */
#define VLAPIC_LVT_TRIGGER_LEVEL (1u << 15)	/* LINT0/1 only */
#define VLAPIC_LVT_MASKED	(1u << 16)
#define VLAPIC_LVT_TIMER_MODE_SHIFT 17
#define VLAPIC_LVT_TIMER_MODE	(3u << VLAPIC_LVT_TIMER_MODE_SHIFT)	/* timer only */

/* LVT timer modes (bits 18:17). */
#define VLAPIC_TIMER_ONESHOT	0
#define VLAPIC_TIMER_PERIODIC	1
#define VLAPIC_TIMER_TSC_DEADLINE 2
#define VLAPIC_TIMER_RESERVED	3

/* Divide configuration register (SDM 11.5.4, figure 11-10): bits 3, 1:0. */
#define VLAPIC_DIVIDE_MASK	0xBu
#define VLAPIC_DIVIDE_BY_2	0x0u
#define VLAPIC_DIVIDE_BY_4	0x1u
#define VLAPIC_DIVIDE_BY_8	0x2u
#define VLAPIC_DIVIDE_BY_16	0x3u
#define VLAPIC_DIVIDE_BY_32	0x8u
#define VLAPIC_DIVIDE_BY_64	0x9u
#define VLAPIC_DIVIDE_BY_128	0xAu
#define VLAPIC_DIVIDE_BY_1	0xBu

/* Interrupt command register, 64 bits in x2APIC mode (SDM 11.6.1, 11.12.9). */
#define VLAPIC_ICR_VECTOR	0xFFull
#define VLAPIC_ICR_MODE_SHIFT	8
#define VLAPIC_ICR_MODE		(7ull << VLAPIC_ICR_MODE_SHIFT)
#define VLAPIC_ICR_FIXED	0
#define VLAPIC_ICR_LOWEST	1
#define VLAPIC_ICR_SMI		2
#define VLAPIC_ICR_NMI		4
#define VLAPIC_ICR_INIT		5
#define VLAPIC_ICR_STARTUP	6
#define VLAPIC_ICR_DEST_LOGICAL	(1ull << 11)
#define VLAPIC_ICR_DELIVERY_STATUS (1ull << 12)	/* always reads 0 */
#define VLAPIC_ICR_LEVEL_ASSERT	(1ull << 14)
#define VLAPIC_ICR_TRIGGER_LEVEL (1ull << 15)
#define VLAPIC_ICR_SHORTHAND_SHIFT 18
#define VLAPIC_ICR_SHORTHAND	(3ull << VLAPIC_ICR_SHORTHAND_SHIFT)
#define VLAPIC_ICR_NO_SHORTHAND	0
#define VLAPIC_ICR_SELF		1
#define VLAPIC_ICR_ALL		2
#define VLAPIC_ICR_ALL_BUT_SELF	3
#define VLAPIC_ICR_DEST_SHIFT	32
/* Reserved low-half bits: 31:20, 17:16 and 13. */
#define VLAPIC_ICR_RESERVED	((0xFFFull << 20) | (3ull << 16) | (1ull << 13))
#define VLAPIC_BROADCAST_ID	0xFFFFFFFFu	/* physical destination: everyone */

#define VLAPIC_SELF_IPI_VECTOR	0xFFu		/* bits 31:8 reserved */

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
	/* Bit w set iff irr[w] (isr[w]) is not 0: the highest vector in two BSRs, not a scan. */
	uint8_t irr_words, isr_words;
	uint64_t icr;
	uint32_t timer_initial, timer_divide_config;
	uint64_t timer_start_tsc;	/* when the current count was last loaded */
	uint64_t deadline;		/* TSC of the next expiry; 0: timer not armed */
	uint64_t tsc_deadline_msr;	/* IA32_TSC_DEADLINE as the guest wrote it */
	uint64_t timer_expiries;	/* counter: times the timer fired */
	uint64_t accepted;		/* counter: interrupts accepted into IRR */
	uint64_t min_period;		/* TSC cycles: shortest one-shot or periodic count; 0: none */
};

/* Reset state for the APIC with x2APIC ID @id (SDM 11.4.7.1; SVR 0xFF, all LVTs masked). */
void vlapic_init(struct vlapic *l, uint32_t id);

/* RDMSR of x2APIC register @msr (or IA32_TSC_DEADLINE): 0 with *@val, or -EINVAL for #GP. */
int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val);

/*
 * WRMSR of @val to @msr at TSC @now: 0, with *@act saying what to send
 * (kind NONE if nothing), or -EINVAL for #GP (read-only register, reserved
 * bits, EOI or SELF_IPI with bad value, illegal ICR combination).  ICR
 * sends fixed, NMI, INIT and start-up IPIs to a physical x2APIC ID or a
 * shorthand; logical destinations, lowest priority, SMI and the reserved
 * delivery modes are #GP.  SELF_IPI is accepted into this IRR directly.
 * A write to a timer register first runs vlapic_timer_update(@now).
 */
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		     struct vlapic_action *act);

/*
 * Accept fixed interrupt @vector (16-255) into IRR; vectors below 16 set
 * ESR "receive illegal vector" instead (and raise the LVT error vector if
 * that entry is unmasked).
 */
void vlapic_accept(struct vlapic *l, uint8_t vector);

/*
 * Bring the timer up to @now: if its deadline has passed, accept the LVT
 * vector (unless masked), count the expiry, and re-arm a periodic timer
 * (or disarm a one-shot or TSC-deadline one).  Returns true if it fired.
 * A periodic timer that missed several periods fires once and moves to
 * its first deadline after @now, keeping its phase.
 */
bool vlapic_timer_update(struct vlapic *l, uint64_t now);

/* The TSC of the next timer expiry, 0 if none.  Inline: read for every vCPU before entries. */
static inline uint64_t vlapic_next_deadline(const struct vlapic *l)
{
	return l->deadline;
}

/*
 * From now on a one-shot or periodic count lasts at least @cycles TSC
 * cycles (an initial count of 1 at divide-by-1 asks for one cycle); the
 * current-count register then reads the initial count until the rest of
 * the lengthened period has the count's own length.  TSC-deadline mode is
 * not limited: each arming is a WRMSR the guest pays for.  0 (the reset
 * value): no limit.  Applies from the next load of the count.
 */
void vlapic_set_min_period(struct vlapic *l, uint64_t cycles);

/*
 * The TSC of the next timer expiry that would make an interrupt pending
 * which is not pending yet, or 0: none armed, masked (an expiry is only
 * counted), or its vector already waits in IRR (one more sets nothing).
 * With @to_wake, also 0 unless that interrupt would be deliverable (APIC
 * enabled, priority class above PPR): the expiry that ends a HLT.  A
 * timer with an illegal vector raises the LVT error vector (SDM 11.5.3),
 * which is then the one considered.  The deadline may be in the past.
 */
uint64_t vlapic_timer_event(const struct vlapic *l, bool to_wake);

/*
 * The vector to deliver now: the highest in IRR whose priority class is
 * above the processor priority (max of TPR and highest ISR class), or -1.
 * Returns -1 while the APIC is software-disabled (SVR bit 8 clear).
 */
int vlapic_pending_vector(const struct vlapic *l);

/* The CPU took @vector (it was injected): move it from IRR to ISR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);

/*
 * CR8 in 64-bit mode is this APIC's TPR (SDM 11.8.6.1): a read gives
 * TPR[7:4]; a write of @cr8 sets TPR[7:4] = @cr8[3:0] and TPR[3:0] = 0,
 * or is -EINVAL (#GP) when bits 63:4 are set.
 */
uint64_t vlapic_cr8_read(const struct vlapic *l);
int vlapic_cr8_write(struct vlapic *l, uint64_t cr8);

#endif
