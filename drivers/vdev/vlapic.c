/* SPDX-License-Identifier: MIT */
/* A guest's local APIC: registers, priorities, timer and the x2APIC interface (see tally/vlapic.h). */
#include <arch/cpu.h>
#include <tally/vlapic.h>
#include <tally/errno.h>

#include "vlapic_regs.h"

/*
 * Choices where the SDM leaves room or Tally models less than hardware:
 * - ICR: fixed, lowest priority, NMI, INIT and start-up IPIs, physical or
 *   logical, or with a shorthand.  SMI and the reserved delivery modes raise
 *   #GP in x2APIC mode (dropped in xAPIC mode), so that a guest relying on
 *   them fails loudly.  Lowest priority goes to the lowest-numbered vCPU of
 *   the destination set (the caller picks; SDM 11.6.2.4 lets the chipset
 *   choose).
 * - SELF_IPI is accepted straight into this APIC's IRR; no action.
 * - A periodic timer that missed several periods fires once and skips
 *   ahead to its next deadline in the future, keeping its phase.
 * - Writes to the timer registers first bring the timer up to @now, so an
 *   expiry that was due is not lost by reprogramming.
 * - A one-shot or periodic count lasts at least the minimum period the
 *   caller set (vlapic_set_min_period()), as KVM limits periodic timers:
 *   a count of 1 would otherwise ask for an expiry every TSC cycle.
 * - ESR: a write (of 0) clears the errors; reads return what accumulated since.
 */

#define BITS_PER_BANK		32	/* IRR/ISR/TMR: 32 vectors per MSR */
#define MSR_VALUE_SHIFT		32	/* bits 63:32 reserved except in ICR */

/* x2APIC logical ID: cluster id[31:4] in LDR[31:16], bit id[3:0] in LDR[15:0] (SDM 11.12.10.2). */
#define X2APIC_CLUSTER_SHIFT	4
#define X2APIC_CLUSTER_MEMBER	0xFu

/* The local vector table: where each entry lives and which bits a write may set. */
struct lvt_desc {
	uint32_t msr;
	size_t offset;		/* of the entry in struct vlapic */
	uint32_t writable;
	uint32_t read_only;	/* accepted in a write, but not stored */
};

#define LVT_INTR_BITS	(VLAPIC_LVT_VECTOR | VLAPIC_LVT_DELIVERY_MODE | VLAPIC_LVT_MASKED)
#define LVT_LINT_BITS	(LVT_INTR_BITS | VLAPIC_LVT_POLARITY | VLAPIC_LVT_TRIGGER_LEVEL)
#define LVT_TIMER_BITS	(VLAPIC_LVT_VECTOR | VLAPIC_LVT_MASKED | VLAPIC_LVT_TIMER_MODE)
#define LVT_ERROR_BITS	(VLAPIC_LVT_VECTOR | VLAPIC_LVT_MASKED)
#define LVT_STATUS	VLAPIC_LVT_DELIVERY_STATUS
#define LVT_LINT_STATUS	(VLAPIC_LVT_DELIVERY_STATUS | VLAPIC_LVT_REMOTE_IRR)

#define LVT_AT(field)	offsetof(struct vlapic, field)

static const struct lvt_desc lvt_descs[] = {
	{ MSR_X2APIC_LVT_CMCI, LVT_AT(lvt_cmci), LVT_INTR_BITS, LVT_STATUS },
	{ MSR_X2APIC_LVT_TIMER, LVT_AT(lvt_timer), LVT_TIMER_BITS, LVT_STATUS },
	{ MSR_X2APIC_LVT_THERMAL, LVT_AT(lvt_thermal), LVT_INTR_BITS, LVT_STATUS },
	{ MSR_X2APIC_LVT_PMI, LVT_AT(lvt_pmi), LVT_INTR_BITS, LVT_STATUS },
	{ MSR_X2APIC_LVT_LINT0, LVT_AT(lvt_lint0), LVT_LINT_BITS, LVT_LINT_STATUS },
	{ MSR_X2APIC_LVT_LINT1, LVT_AT(lvt_lint1), LVT_LINT_BITS, LVT_LINT_STATUS },
	{ MSR_X2APIC_LVT_ERROR, LVT_AT(lvt_error), LVT_ERROR_BITS, LVT_STATUS },
};

#define SVR_WRITABLE	(VLAPIC_SVR_VECTOR | VLAPIC_SVR_ENABLE | VLAPIC_SVR_FOCUS_DISABLE | \
			 VLAPIC_SVR_EOI_SUPPRESS)

/* ------------------------------------------------ 256-bit vector banks */

static void bank_set(uint32_t *bank, uint8_t *words, uint8_t v)
{
	bank[v / BITS_PER_BANK] |= 1u << (v % BITS_PER_BANK);
	*words |= (uint8_t)(1u << (v / BITS_PER_BANK));
}

static void bank_clear(uint32_t *bank, uint8_t *words, uint8_t v)
{
	bank[v / BITS_PER_BANK] &= ~(1u << (v % BITS_PER_BANK));
	if (!bank[v / BITS_PER_BANK])
		*words &= (uint8_t)~(1u << (v / BITS_PER_BANK));
}

static bool bank_test(const uint32_t *bank, uint8_t v)
{
	return bank[v / BITS_PER_BANK] & (1u << (v % BITS_PER_BANK));
}

/* The highest vector set in @bank, whose non-empty words are @words, or -1. */
static int bank_highest(const uint32_t *bank, uint8_t words)
{
	int w;

	if (!words)
		return -1;
	w = 31 - __builtin_clz(words);
	return w * BITS_PER_BANK + (BITS_PER_BANK - 1 - __builtin_clz(bank[w]));
}

/* ------------------------------------------------ priorities and errors */

/* Processor priority (SDM 11.8.3.1): TPR, or the in-service class if that is higher. */
static uint32_t ppr(const struct vlapic *l)
{
	int isrv = bank_highest(l->isr, l->isr_words);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & VLAPIC_PRIORITY_CLASS;

	if ((l->tpr & VLAPIC_PRIORITY_CLASS) >= isr_class)
		return l->tpr;
	return isr_class;
}

static void set_irr(struct vlapic *l, uint8_t vector)
{
	bank_set(l->irr, &l->irr_words, vector);
	l->accepted++;
}

/*
 * Record an error in ESR and signal it through the LVT error entry
 * (SDM 11.5.3).  An illegal error vector is dropped rather than reported,
 * which would recurse.
 */
void vlapic_raise_error(struct vlapic *l, uint32_t esr_bits)
{
	uint32_t lvt = l->lvt_error;

	l->esr |= esr_bits;
	if (!(lvt & VLAPIC_LVT_MASKED) && (lvt & VLAPIC_LVT_VECTOR) >= VLAPIC_FIRST_VECTOR)
		set_irr(l, (uint8_t)(lvt & VLAPIC_LVT_VECTOR));
}

void vlapic_accept(struct vlapic *l, uint8_t vector)
{
	vlapic_accept_irq(l, vector, false);
}

/* A disabled APIC accepts nothing (SDM 11.4.3: it is as if there were none). */
void vlapic_accept_irq(struct vlapic *l, uint8_t vector, bool level)
{
	if (vlapic_mode(l) == VLAPIC_MODE_DISABLED)
		return;
	if (vector < VLAPIC_FIRST_VECTOR) {
		vlapic_raise_error(l, VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
		return;
	}
	if (level)
		l->tmr[vector / BITS_PER_BANK] |= 1u << (vector % BITS_PER_BANK);
	else
		l->tmr[vector / BITS_PER_BANK] &= ~(1u << (vector % BITS_PER_BANK));
	set_irr(l, vector);
}

int vlapic_pending_vector(const struct vlapic *l)
{
	int v;

	if (!(l->svr & VLAPIC_SVR_ENABLE) || vlapic_mode(l) == VLAPIC_MODE_DISABLED)
		return -1;
	v = bank_highest(l->irr, l->irr_words);
	if (v < 0 || ((uint32_t)v & VLAPIC_PRIORITY_CLASS) <= (ppr(l) & VLAPIC_PRIORITY_CLASS))
		return -1;
	return v;
}

/* A vector that is not pending is ignored: the caller raced with nothing to move. */
void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	if (!bank_test(l->irr, vector))
		return;
	bank_clear(l->irr, &l->irr_words, vector);
	bank_set(l->isr, &l->isr_words, vector);
}

/* ------------------------------------------------ timer (SDM 11.5.4) */

/* The vector a timer expiry would put into IRR (the error vector for an illegal one), or -1. */
static int timer_irr_vector(const struct vlapic *l)
{
	uint32_t lvt = l->lvt_timer;

	if (lvt & VLAPIC_LVT_MASKED)
		return -1;
	if ((lvt & VLAPIC_LVT_VECTOR) < VLAPIC_FIRST_VECTOR)
		lvt = l->lvt_error;	/* vlapic_raise_error() signals through the error entry */
	if ((lvt & VLAPIC_LVT_MASKED) || (lvt & VLAPIC_LVT_VECTOR) < VLAPIC_FIRST_VECTOR)
		return -1;
	return (int)(lvt & VLAPIC_LVT_VECTOR);
}

uint64_t vlapic_timer_event(const struct vlapic *l, bool to_wake)
{
	int v = timer_irr_vector(l);

	if (!l->deadline || v < 0 || bank_test(l->irr, (uint8_t)v))
		return 0;
	if (to_wake && (!(l->svr & VLAPIC_SVR_ENABLE) ||
			((uint32_t)v & VLAPIC_PRIORITY_CLASS) <= (ppr(l) & VLAPIC_PRIORITY_CLASS)))
		return 0;
	return l->deadline;
}

/* ------------------------------------------------ local vector table */

static const struct lvt_desc *lvt_find(uint32_t msr)
{
	for (size_t i = 0; i < ARRAY_SIZE(lvt_descs); i++)
		if (lvt_descs[i].msr == msr)
			return &lvt_descs[i];
	return NULL;
}

static uint32_t *lvt_entry(struct vlapic *l, const struct lvt_desc *d)
{
	return (uint32_t *)((char *)l + d->offset);
}

/* A change of timer mode disarms the timer (SDM 11.5.4.1) and clears the initial count. */
static int lvt_timer_write(struct vlapic *l, uint32_t val, uint64_t now)
{
	uint32_t old_mode = vlapic_timer_mode(l);

	if (((val & VLAPIC_LVT_TIMER_MODE) >> VLAPIC_LVT_TIMER_MODE_SHIFT) == VLAPIC_TIMER_RESERVED)
		return -EINVAL;
	vlapic_timer_update(l, now);
	l->lvt_timer = val;
	if (vlapic_timer_mode(l) != old_mode) {
		vlapic_timer_disarm(l);
		l->timer_initial = 0;
	}
	return 0;
}

/* While the APIC is software-disabled, every entry stays masked (SDM 11.4.7.2). */
static int lvt_write(struct vlapic *l, const struct lvt_desc *d, uint32_t val, uint64_t now)
{
	if (val & ~(d->writable | d->read_only))
		return -EINVAL;
	val &= d->writable;
	if (!(l->svr & VLAPIC_SVR_ENABLE))
		val |= VLAPIC_LVT_MASKED;
	if (d->msr == MSR_X2APIC_LVT_TIMER)
		return lvt_timer_write(l, val, now);
	*lvt_entry(l, d) = val;
	return 0;
}

/* ------------------------------------------------ other registers */

static int svr_write(struct vlapic *l, uint32_t val)
{
	if (val & ~SVR_WRITABLE)
		return -EINVAL;
	l->svr = val;
	if (!(val & VLAPIC_SVR_ENABLE))
		for (size_t i = 0; i < ARRAY_SIZE(lvt_descs); i++)
			*lvt_entry(l, &lvt_descs[i]) |= VLAPIC_LVT_MASKED;
	return 0;
}

/*
 * EOI retires the highest in-service vector (SDM 11.8.5); only 0 may be
 * written.  A level-triggered one (TMR set) is broadcast to the I/O APIC
 * unless SVR bit 12 suppresses that (SDM 11.8.5).
 */
static int eoi_write(struct vlapic *l, uint32_t val, struct vlapic_action *act)
{
	uint32_t *tmr;
	int v;

	if (val)
		return -EINVAL;
	v = bank_highest(l->isr, l->isr_words);
	if (v < 0)
		return 0;
	bank_clear(l->isr, &l->isr_words, (uint8_t)v);
	tmr = &l->tmr[v / BITS_PER_BANK];
	if (!(*tmr & (1u << (v % BITS_PER_BANK))))
		return 0;
	*tmr &= ~(1u << (v % BITS_PER_BANK));
	if (!(l->svr & VLAPIC_SVR_EOI_SUPPRESS)) {
		act->kind = VLAPIC_ACTION_EOI;
		act->vector = (uint8_t)v;
	}
	return 0;
}

/* An illegal vector is an error of the sender, not an exception (SDM 11.5.3). */
static int self_ipi_write(struct vlapic *l, uint32_t val)
{
	if (val & ~VLAPIC_SELF_IPI_VECTOR)
		return -EINVAL;
	if (val < VLAPIC_FIRST_VECTOR)
		vlapic_raise_error(l, VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
	else
		set_irr(l, (uint8_t)val);
	return 0;
}

uint32_t vlapic_x2apic_ldr(uint32_t id)
{
	return ((id >> X2APIC_CLUSTER_SHIFT) << LDR_CLUSTER_SHIFT) |
	       (1u << (id & X2APIC_CLUSTER_MEMBER));
}

/* ------------------------------------------------ MSR interface */

void vlapic_reset_registers(struct vlapic *l)
{
	struct vlapic keep = *l;

	*l = (struct vlapic){ .id = keep.id, .apic_base = keep.apic_base, .svr = VLAPIC_SVR_RESET,
			      .xapic_dfr = XAPIC_DFR_RESET, .timer_expiries = keep.timer_expiries,
			      .accepted = keep.accepted, .min_period = keep.min_period,
			      /* the NMI latch is the CPU's: only INIT drops it (vlapic_init_reset()) */
			      .nmi_pending = keep.nmi_pending, .nmis = keep.nmis,
			      .nmis_merged = keep.nmis_merged };
	for (size_t i = 0; i < ARRAY_SIZE(lvt_descs); i++)
		*lvt_entry(l, &lvt_descs[i]) = VLAPIC_LVT_MASKED;
}

void vlapic_init(struct vlapic *l, uint32_t id)
{
	*l = (struct vlapic){ .id = id };
	l->apic_base = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (id ? 0 : APIC_BASE_BSP);
	vlapic_reset_registers(l);
}

/* ISR, TMR and IRR: 8 read-only MSRs each. */
static bool bank_read(const struct vlapic *l, uint32_t msr, uint64_t *val)
{
	if (msr >= MSR_X2APIC_ISR0 && msr < MSR_X2APIC_ISR0 + VLAPIC_VECTOR_BANKS)
		*val = l->isr[msr - MSR_X2APIC_ISR0];
	else if (msr >= MSR_X2APIC_TMR0 && msr < MSR_X2APIC_TMR0 + VLAPIC_VECTOR_BANKS)
		*val = l->tmr[msr - MSR_X2APIC_TMR0];
	else if (msr >= MSR_X2APIC_IRR0 && msr < MSR_X2APIC_IRR0 + VLAPIC_VECTOR_BANKS)
		*val = l->irr[msr - MSR_X2APIC_IRR0];
	else
		return false;
	return true;
}

/* The timer registers, as read at @now. */
static bool timer_read(const struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val)
{
	switch (msr) {
	case MSR_X2APIC_TIMER_INITIAL:
		*val = l->timer_initial;
		return true;
	case MSR_X2APIC_TIMER_CURRENT:
		*val = vlapic_timer_current(l, now);
		return true;
	case MSR_X2APIC_TIMER_DIVIDE:
		*val = l->timer_divide_config;
		return true;
	case MSR_IA32_TSC_DEADLINE:
		*val = vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE ? l->tsc_deadline_msr : 0;
		return true;
	default:
		return false;
	}
}

/* The registers that are neither LVT entries, vector banks nor timer registers. */
static bool control_read(const struct vlapic *l, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_X2APIC_ID:
		*val = l->id;
		return true;
	case MSR_X2APIC_VERSION:
		*val = (VLAPIC_MAX_LVT << VLAPIC_MAX_LVT_SHIFT) | VLAPIC_VERSION_ID;
		return true;
	case MSR_X2APIC_TPR:
		*val = l->tpr;
		return true;
	case MSR_X2APIC_PPR:
		*val = ppr(l);
		return true;
	case MSR_X2APIC_LDR:
		*val = vlapic_x2apic_ldr(l->id);
		return true;
	case MSR_X2APIC_SVR:
		*val = l->svr;
		return true;
	case MSR_X2APIC_ESR:
		*val = l->esr;
		return true;
	case MSR_X2APIC_ICR:
		*val = l->icr;
		return true;
	default:
		return false;	/* EOI and SELF_IPI are write-only; reserved */
	}
}

int vlapic_reg_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val)
{
	const struct lvt_desc *lvt = lvt_find(msr);

	if (lvt) {
		*val = *lvt_entry(l, lvt);
		return 0;
	}
	if (bank_read(l, msr, val) || timer_read(l, msr, now, val) || control_read(l, msr, val))
		return 0;
	return -EINVAL;
}

/* The x2APIC MSRs exist only in x2APIC mode; IA32_TSC_DEADLINE in both (SDM 11.12.2, 11.5.4.1). */
static bool msr_available(const struct vlapic *l, uint32_t msr)
{
	return msr == MSR_IA32_TSC_DEADLINE || vlapic_mode(l) == VLAPIC_MODE_X2APIC;
}

int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val)
{
	if (!msr_available(l, msr))
		return -EINVAL;
	return vlapic_reg_read(l, msr, now, val);
}

int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		     struct vlapic_action *act)
{
	*act = (struct vlapic_action){ .kind = VLAPIC_ACTION_NONE };
	if (!msr_available(l, msr))
		return -EINVAL;
	if (msr == MSR_X2APIC_ICR)
		return vlapic_icr_send(l, val, false, act);
	return vlapic_reg_write(l, msr, val, now, act);
}

int vlapic_reg_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		     struct vlapic_action *act)
{
	const struct lvt_desc *lvt = lvt_find(msr);

	if (msr == MSR_IA32_TSC_DEADLINE)
		return vlapic_tsc_deadline_write(l, val, now);
	if (val >> MSR_VALUE_SHIFT)
		return -EINVAL;		/* SDM 11.12.1.3: reserved bits are checked */
	if (lvt)
		return lvt_write(l, lvt, (uint32_t)val, now);
	switch (msr) {
	case MSR_X2APIC_TPR:
		if (val & ~(uint64_t)VLAPIC_TPR_MASK)
			return -EINVAL;
		l->tpr = (uint32_t)val;
		return 0;
	case MSR_X2APIC_EOI:
		return eoi_write(l, (uint32_t)val, act);
	case MSR_X2APIC_SVR:
		return svr_write(l, (uint32_t)val);
	case MSR_X2APIC_ESR:
		if (val)
			return -EINVAL;
		l->esr = 0;
		return 0;
	case MSR_X2APIC_TIMER_INITIAL:
		return vlapic_initial_write(l, (uint32_t)val, now);
	case MSR_X2APIC_TIMER_DIVIDE:
		return vlapic_divide_write(l, (uint32_t)val, now);
	case MSR_X2APIC_SELF_IPI:
		return self_ipi_write(l, (uint32_t)val);
	default:
		return -EINVAL;		/* read-only, reserved, or not an APIC MSR */
	}
}

/* ------------------------------------------------ CR8 (SDM 11.8.6.1) */

#define CR8_TPR_SHIFT		4	/* CR8[3:0] = TPR[7:4] */
#define CR8_VALID		0xFull

uint64_t vlapic_cr8_read(const struct vlapic *l)
{
	return (l->tpr & VLAPIC_PRIORITY_CLASS) >> CR8_TPR_SHIFT;
}

/* TPR[3:0] are cleared, as the CPU does (and as SDM 29.3 describes for the virtual TPR). */
int vlapic_cr8_write(struct vlapic *l, uint64_t cr8)
{
	if (cr8 & ~CR8_VALID)
		return -EINVAL;
	l->tpr = (uint32_t)(cr8 << CR8_TPR_SHIFT);
	return 0;
}
