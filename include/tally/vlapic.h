/* SPDX-License-Identifier: MIT */
/* A guest's local APIC, xAPIC and x2APIC modes (SDM Vol. 3A, ch. 11): registers and timer (pure logic).
 *
 * Design: the model knows nothing of VMX or of time sources; callers pass
 * the current TSC value in.  The APIC timer counts at the TSC rate divided
 * by the divide configuration (Tally tells guests so through CPUID leaf
 * 0x15: crystal clock = TSC).  Interrupts are accepted into IRR, delivered
 * by the caller when vlapic_pending_vector() says one may be, and moved to
 * ISR by vlapic_ack(); EOI retires the highest in-service vector.  ICR
 * writes that send IPIs are returned to the caller as actions; SELF_IPI
 * needs no one else and goes straight into IRR.  The mode (disabled, xAPIC,
 * x2APIC) is IA32_APIC_BASE's, kept here with its state machine; xAPIC
 * registers are reached through vlapic_mmio_read/write() (offsets into the
 * 4 KiB page), x2APIC ones through the MSR functions.
 * Locking: a vCPU's APIC is touched by its own physical CPU, except
 * vlapic_accept() from other CPUs, which the caller serialises. */
#ifndef TALLY_VLAPIC_H
#define TALLY_VLAPIC_H

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

/*
 * xAPIC registers in the 4 KiB MMIO page (SDM 11.4.1, table 11-1): each
 * 32-bit register at a 16-byte-aligned offset, offset = (MSR - 0x800) << 4
 * for those that have an x2APIC MSR (SDM 11.12.1.2, table 11-6).
 */
#define VLAPIC_MMIO_SIZE	0x1000u
#define XAPIC_REG_SHIFT		4
#define XAPIC_REG_SLOT		0xFu		/* offset bits within a register's 16 bytes */
#define XAPIC_ID		0x020u
#define XAPIC_TPR		0x080u
#define XAPIC_EOI		0x0B0u
#define XAPIC_LDR		0x0D0u
#define XAPIC_DFR		0x0E0u		/* no x2APIC MSR: x2APIC has no DFR */
#define XAPIC_SVR		0x0F0u
#define XAPIC_ESR		0x280u
#define XAPIC_ICR_LOW		0x300u
#define XAPIC_ICR_HIGH		0x310u		/* destination in bits 31:24 */
#define XAPIC_LVT_TIMER		0x320u
#define XAPIC_TIMER_INITIAL	0x380u
#define XAPIC_TIMER_CURRENT	0x390u
#define XAPIC_TIMER_DIVIDE	0x3E0u
#define XAPIC_SELF_IPI		0x3F0u		/* x2APIC only: reserved in xAPIC mode */
#define XAPIC_ID_SHIFT		24		/* the 8-bit xAPIC ID in bits 31:24 (SDM 11.4.6) */
#define XAPIC_DEST_SHIFT	56		/* ICR bits 63:56: the 8-bit destination (SDM 11.6.1) */
#define XAPIC_BROADCAST		0xFFu		/* physical and logical: all APICs (SDM 11.6.2) */

/* Logical destinations in xAPIC mode (SDM 11.6.2.2, figures 11-13, 11-14). */
#define XAPIC_LDR_MASK		0xFF000000u	/* logical APIC ID in bits 31:24 */
#define XAPIC_LDR_SHIFT		24
#define XAPIC_DFR_MODEL_SHIFT	28		/* bits 31:28: 1111b flat, 0000b cluster */
#define XAPIC_DFR_FLAT		0xFu
#define XAPIC_DFR_CLUSTER	0x0u
#define XAPIC_DFR_RESERVED	0x0FFFFFFFu	/* bits 27:0 read as ones */
#define XAPIC_DFR_RESET		0xFFFFFFFFu
#define XAPIC_CLUSTER_SHIFT	4		/* cluster: MDA[7:4] cluster, [3:0] members */
#define XAPIC_CLUSTER_MEMBERS	0xFu

/* APIC modes: IA32_APIC_BASE EN and EXTD (SDM 11.12.5, figure 11-26). */
enum vlapic_mode {
	VLAPIC_MODE_DISABLED,	/* EN = 0, EXTD = 0 */
	VLAPIC_MODE_XAPIC,	/* EN = 1, EXTD = 0: the power-on mode */
	VLAPIC_MODE_X2APIC,	/* EN = 1, EXTD = 1 */
};

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
#define VLAPIC_LVT_MODE_SHIFT	8
#define VLAPIC_LVT_MODE_FIXED	0		/* delivery modes (bits 10:8) */
#define VLAPIC_LVT_MODE_NMI	4
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
	VLAPIC_ACTION_EOI,	/* EOI of level-triggered @vector: broadcast it to the I/O APIC */
};

#define VLAPIC_DEST_SELF		(~0u)		/* shorthand: self */
#define VLAPIC_DEST_ALL_BUT_SELF	(~0u - 1)	/* shorthand: all excluding self */
#define VLAPIC_DEST_ALL			(~0u - 2)	/* shorthand or 0xFFFFFFFF: all including self */

struct vlapic_action {
	enum vlapic_action_kind kind;
	uint32_t dest;		/* APIC ID or logical destination, or one of VLAPIC_DEST_* */
	uint8_t vector;
	bool logical;		/* @dest is a logical destination (matched against LDR/DFR) */
	bool lowest;		/* lowest priority: one vCPU of the set (Tally: the lowest-numbered) */
	bool level;		/* level-triggered: the target sets TMR (its EOI is broadcast) */
};

struct vlapic {
	uint32_t id;			/* x2APIC ID (= vCPU number); xAPIC ID = its low 8 bits */
	uint64_t apic_base;		/* IA32_APIC_BASE: base, EN, EXTD, BSP */
	uint32_t xapic_ldr, xapic_dfr;	/* xAPIC mode's writable LDR and DFR */
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
	bool nmi_pending;		/* an NMI latched, not yet delivered (one at most) */
	uint64_t nmis;			/* counter: NMIs latched */
	uint64_t nmis_merged;		/* counter: NMIs that found one already latched */
};

/*
 * Power-on state for the APIC with x2APIC ID @id (SDM 11.4.7.1, 11.12.5.1):
 * xAPIC mode, enabled at the default base, BSP flag for ID 0; SVR 0xFF, all
 * LVTs masked.
 */
void vlapic_init(struct vlapic *l, uint32_t id);

/* The APIC's mode, from IA32_APIC_BASE. */
enum vlapic_mode vlapic_mode(const struct vlapic *l);

/* RDMSR of IA32_APIC_BASE. */
uint64_t vlapic_base_read(const struct vlapic *l);

/*
 * WRMSR of IA32_APIC_BASE (SDM 11.12.5): 0, -EINVAL for #GP (reserved bit,
 * EXTD without EN, x2APIC to xAPIC, disabled to x2APIC), or -EPERM for #GP
 * because the base moves (Tally does not relocate the APIC).  The BSP flag
 * is read-only.  Going to disabled resets the APIC but keeps its ID.
 */
int vlapic_base_write(struct vlapic *l, uint64_t val);

/*
 * Load of @size bytes at @offset in the xAPIC page at TSC @now: the value.
 * Outside xAPIC mode the page is not decoded (SDM 11.4.3, 11.12.2) and
 * reads all ones; reserved and write-only registers read 0.
 */
uint32_t vlapic_mmio_read(struct vlapic *l, uint32_t offset, unsigned int size, uint64_t now);

/*
 * Store of @val (@size bytes) at @offset in the xAPIC page at TSC @now,
 * with *@act saying what to send.  Never faults, as hardware: outside xAPIC
 * mode, not a 32-bit store at a register's start, a read-only or reserved
 * register, or a value the register refuses: the store is dropped.
 */
void vlapic_mmio_write(struct vlapic *l, uint32_t offset, unsigned int size, uint32_t val,
		       uint64_t now, struct vlapic_action *act);

/*
 * Does interrupt message @act reach APIC @t (@is_self: @t sent it)?  By
 * shorthand, physical ID, or logical destination in @t's model (xAPIC flat
 * or cluster through LDR/DFR; x2APIC cluster from the ID, SDM 11.12.10.2).
 * A disabled APIC accepts nothing.
 */
bool vlapic_match(const struct vlapic *t, bool is_self, const struct vlapic_action *act);

/* RDMSR of x2APIC register @msr (or IA32_TSC_DEADLINE): 0 with *@val, or -EINVAL for #GP. */
int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val);

/*
 * WRMSR of @val to @msr at TSC @now: 0, with *@act saying what to send
 * (kind NONE if nothing), or -EINVAL for #GP (read-only register, reserved
 * bits, EOI or SELF_IPI with bad value, illegal ICR combination, or the
 * APIC not in x2APIC mode: SDM 11.12.2).  ICR sends fixed, lowest
 * priority, NMI, INIT and start-up IPIs to a physical or logical x2APIC ID
 * or a shorthand; SMI and the reserved delivery modes are #GP.  SELF_IPI is
 * accepted into this IRR directly.  EOI of a level-triggered vector asks
 * for an EOI broadcast (kind EOI) unless SVR suppresses it.  A write to a
 * timer register first runs vlapic_timer_update(@now).
 */
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		     struct vlapic_action *act);

/*
 * Accept fixed interrupt @vector (16-255) into IRR; vectors below 16 set
 * ESR "receive illegal vector" instead (and raise the LVT error vector if
 * that entry is unmasked).
 */
void vlapic_accept(struct vlapic *l, uint8_t vector);

/* Accept @vector as vlapic_accept() does, setting its TMR bit if @level, clearing it if not (SDM 11.5.5). */
void vlapic_accept_irq(struct vlapic *l, uint8_t vector, bool level);

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
 * An NMI reaches this APIC (an NMI IPI, an I/O APIC pin in NMI mode, or
 * LINT1): latch it.  True if it is now pending; false if one was pending
 * already, which it merges with (a CPU latches one NMI, SDM 6.7.1), or if
 * the APIC is in INIT's wait-for-SIPI state (@waiting: NMIs are held off
 * there, SDM 11.4.7.3 / 9.4.2, and Tally drops them).
 */
bool vlapic_nmi_accept(struct vlapic *l, bool waiting);

/* The CPU takes the pending NMI (it is injected): true if one was pending, which is now gone. */
bool vlapic_nmi_take(struct vlapic *l);

/* Is an NMI pending?  Inline: read before every entry. */
static inline bool vlapic_nmi_pending(const struct vlapic *l)
{
	return l->nmi_pending;
}

/*
 * INIT (SDM 11.4.7.3): the APIC as after power-up except its ID and
 * IA32_APIC_BASE (mode and BSP flag stay: an INIT keeps x2APIC mode,
 * SDM 11.12.5.1); a pending NMI is dropped and the timer disarmed.
 * Counters are kept.
 */
void vlapic_init_reset(struct vlapic *l);

/* What an assertion of a LINT pin did (vlapic_lint1_assert()). */
enum vlapic_lint_result {
	VLAPIC_LINT_NONE,	/* masked, or a delivery mode Tally does not model (SMI, INIT, ExtINT) */
	VLAPIC_LINT_FIXED,	/* the entry's vector was accepted into IRR */
	VLAPIC_LINT_NMI,	/* an NMI was latched (or merged) */
};

/*
 * The LINT1 pin is asserted (a PC's chipset NMI line): delivered as its
 * LVT entry says (SDM 11.5.1): fixed with its vector, NMI, or not at all
 * when masked.  With the APIC globally disabled the pin is the CPU's NMI
 * input itself (SDM 11.4.3: as a processor without APIC): an NMI.
 */
enum vlapic_lint_result vlapic_lint1_assert(struct vlapic *l);

/*
 * CR8 in 64-bit mode is this APIC's TPR (SDM 11.8.6.1): a read gives
 * TPR[7:4]; a write of @cr8 sets TPR[7:4] = @cr8[3:0] and TPR[3:0] = 0,
 * or is -EINVAL (#GP) when bits 63:4 are set.
 */
uint64_t vlapic_cr8_read(const struct vlapic *l);
int vlapic_cr8_write(struct vlapic *l, uint64_t cr8);

#endif
