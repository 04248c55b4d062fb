/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a guest's local APIC: MSR and MMIO accesses, IA32_APIC_BASE, interrupts, timer (drivers/vdev/vlapic*.c).
 *
 * Input: the starting TSC (32 bits), the minimum timer period Tally sets
 * (24 bits of TSC cycles), then operations (OP_*), each a byte
 * whose low bits pick the operation and OP_WIDE a 64-bit value, followed
 * by its operands.  After each one the register file must be consistent,
 * a refused WRMSR (#GP) and every RDMSR must leave it as it was, the
 * timer must never stay armed in the past once brought up to date, and
 * vlapic_timer_event() must name exactly the expiries that make a new
 * interrupt pending (deliverable, when asked for a wake-up).  The APIC
 * starts in x2APIC mode (so that MSR inputs mean what they did); OP_BASE
 * moves it through the IA32_APIC_BASE state machine, whose every refusal
 * must leave it unchanged, and OP_MMIO reaches the xAPIC page, which
 * outside xAPIC mode must read all ones and ignore stores.
 */
#include <string.h>

#include <arch/cpu.h>
#include <tally/vlapic.h>
#include <tally/errno.h>

#include "harness.h"
#include "shim.h"

enum op {
	OP_WRMSR,	/* MSR byte, value */
	OP_RDMSR,	/* MSR byte */
	OP_TICK,	/* TSC delta (32 bits), then vlapic_timer_update() unless OP_LATE */
	OP_ACCEPT,	/* vector byte from outside (another vCPU, a device); OP_LATE: level-triggered */
	OP_DELIVER,	/* the highest deliverable vector goes from IRR to ISR (none: a stray ack) */
	OP_CR8,		/* MOV to CR8 of the byte, or with OP_WIDE of 64 bits */
	OP_BASE,	/* WRMSR IA32_APIC_BASE: the byte's bits 1:0 pick EN/EXTD, OP_WIDE: raw 64 bits */
	OP_MMIO,	/* the byte is the register (offset byte << 4); a store of the value, OP_LATE: a load */
	OP_COUNT
};

#define OP_KIND		0x07
#define OP_WIDE		0x80	/* the value has 64 bits, not 32 */
#define OP_LATE		0x40	/* OP_TICK: time passes, the timer is not brought up to date */
#define MSR_TSC_BYTE	0xFF	/* MSR byte standing for IA32_TSC_DEADLINE, not 0x8FF */
#define MAX_OPS		64
#define APIC_ID		3
#define MMIO_UNDECODED	0xFFFFFFFFu
#define CR8_MAX		0xF
#define CR8_TPR_SHIFT	4
#define BANKS		8
#define ESR_BITS	(VLAPIC_ESR_SEND_ILLEGAL_VECTOR | VLAPIC_ESR_RECV_ILLEGAL_VECTOR)
#define SVR_BITS	(VLAPIC_SVR_VECTOR | VLAPIC_SVR_ENABLE | VLAPIC_SVR_FOCUS_DISABLE | \
			 VLAPIC_SVR_EOI_SUPPRESS)
#define LVT_ANY_BITS	(VLAPIC_LVT_VECTOR | VLAPIC_LVT_DELIVERY_MODE | VLAPIC_LVT_POLARITY | \
			 VLAPIC_LVT_TRIGGER_LEVEL | VLAPIC_LVT_MASKED)

static struct vlapic apic;

/* Bit w of @words is set exactly when bank word w is not 0. */
static bool words_match(const uint32_t *bank, uint8_t words)
{
	for (unsigned int w = 0; w < BANKS; w++)
		if (!!(words & (1u << w)) != !!bank[w])
			return false;
	return true;
}

static int highest(const uint32_t *bank)
{
	for (int v = BANKS * 32 - 1; v >= 0; v--)
		if (bank[v / 32] & (1u << (v % 32)))
			return v;
	return -1;
}

/* The register file holds only what a write may store, and the derived state agrees. */
static void check_registers(const struct vlapic *l)
{
	const uint32_t lvts[] = { l->lvt_cmci, l->lvt_thermal, l->lvt_pmi, l->lvt_lint0,
				  l->lvt_lint1, l->lvt_error };
	uint32_t mode = (l->lvt_timer & VLAPIC_LVT_TIMER_MODE) >> VLAPIC_LVT_TIMER_MODE_SHIFT;

	FUZZ_CHECK(words_match(l->irr, l->irr_words) && words_match(l->isr, l->isr_words));
	FUZZ_CHECK(l->id == APIC_ID && l->tpr <= VLAPIC_TPR_MASK && !(l->esr & ~ESR_BITS));
	FUZZ_CHECK(!(l->svr & ~SVR_BITS) && !(l->timer_divide_config & ~VLAPIC_DIVIDE_MASK));
	FUZZ_CHECK(!(l->icr & VLAPIC_ICR_DELIVERY_STATUS) && mode != VLAPIC_TIMER_RESERVED);
	FUZZ_CHECK(!(l->lvt_timer & ~(VLAPIC_LVT_VECTOR | VLAPIC_LVT_MASKED | VLAPIC_LVT_TIMER_MODE)));
	for (size_t i = 0; i < ARRAY_SIZE(lvts); i++) {
		FUZZ_CHECK(!(lvts[i] & ~LVT_ANY_BITS));
		/* A software-disabled APIC keeps every entry masked (SDM 11.4.7.2). */
		FUZZ_CHECK((l->svr & VLAPIC_SVR_ENABLE) || (lvts[i] & VLAPIC_LVT_MASKED));
	}
	FUZZ_CHECK((l->svr & VLAPIC_SVR_ENABLE) || (l->lvt_timer & VLAPIC_LVT_MASKED));
	FUZZ_CHECK(mode == VLAPIC_TIMER_TSC_DEADLINE || l->timer_initial || !l->deadline);
	FUZZ_CHECK(vlapic_next_deadline(l) == l->deadline);
	/* Never the invalid EN=0 EXTD=1, never moved; disabled holds no interrupt (SDM 11.12.5). */
	FUZZ_CHECK((l->apic_base & APIC_BASE_ENABLE) || !(l->apic_base & APIC_BASE_EXTD));
	FUZZ_CHECK((l->apic_base & APIC_BASE_ADDR_MASK) == APIC_BASE_DEFAULT);
	FUZZ_CHECK(vlapic_mode(l) != VLAPIC_MODE_DISABLED ||
		   (!l->irr_words && !l->isr_words && !l->deadline));
}

/* Read register @msr through the interface the APIC's mode offers; false while disabled. */
static bool mode_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val)
{
	switch (vlapic_mode(l)) {
	case VLAPIC_MODE_X2APIC:
		FUZZ_CHECK(vlapic_msr_read(l, msr, now, val) == 0);
		return true;
	case VLAPIC_MODE_XAPIC:
		*val = vlapic_mmio_read(l, (msr - MSR_X2APIC_FIRST) << XAPIC_REG_SHIFT, 4, now);
		return true;
	default:
		return false;
	}
}

/* What the guest reads back: PPR from TPR and ISR (SDM 11.8.3.1), a count within the initial one. */
static void check_reads(struct vlapic *l, uint64_t now)
{
	int isrv = highest(l->isr), pending = vlapic_pending_vector(l);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & VLAPIC_PRIORITY_CLASS;
	uint64_t ppr = 0, count = 0;

	if (!mode_read(l, MSR_X2APIC_PPR, now, &ppr)) {
		FUZZ_CHECK(pending < 0);
		return;
	}
	FUZZ_CHECK((ppr & VLAPIC_PRIORITY_CLASS) == MAX(l->tpr & VLAPIC_PRIORITY_CLASS, isr_class));
	FUZZ_CHECK(mode_read(l, MSR_X2APIC_TIMER_CURRENT, now, &count));
	FUZZ_CHECK(count <= l->timer_initial);
	FUZZ_CHECK(vlapic_cr8_read(l) == l->tpr >> CR8_TPR_SHIFT);
	if (pending < 0)
		return;
	FUZZ_CHECK(pending >= VLAPIC_FIRST_VECTOR && pending == highest(l->irr));
	FUZZ_CHECK(((uint32_t)pending & VLAPIC_PRIORITY_CLASS) > (ppr & VLAPIC_PRIORITY_CLASS));
	FUZZ_CHECK(l->svr & VLAPIC_SVR_ENABLE);
}

/*
 * Only an ICR write sends anything, to the destination its shorthand or
 * physical x2APIC ID names (0xFFFFFFFF: everyone; SDM 11.12.9), and a
 * fixed IPI never carries an illegal vector.
 */
static void check_action(const struct vlapic_action *act, uint32_t msr, uint64_t icr)
{
	static const uint32_t by_shorthand[] = {
		[VLAPIC_ICR_SELF] = VLAPIC_DEST_SELF, [VLAPIC_ICR_ALL] = VLAPIC_DEST_ALL,
		[VLAPIC_ICR_ALL_BUT_SELF] = VLAPIC_DEST_ALL_BUT_SELF,
	};
	uint32_t shorthand = (icr & VLAPIC_ICR_SHORTHAND) >> VLAPIC_ICR_SHORTHAND_SHIFT;
	uint32_t id = (uint32_t)(icr >> VLAPIC_ICR_DEST_SHIFT);

	FUZZ_CHECK(act->kind >= VLAPIC_ACTION_NONE && act->kind <= VLAPIC_ACTION_EOI);
	if (act->kind == VLAPIC_ACTION_NONE)
		return;
	if (act->kind == VLAPIC_ACTION_EOI) {
		FUZZ_CHECK(msr == MSR_X2APIC_EOI && act->vector >= VLAPIC_FIRST_VECTOR);
		return;
	}
	FUZZ_CHECK(msr == MSR_X2APIC_ICR);
	if (shorthand != VLAPIC_ICR_NO_SHORTHAND)
		FUZZ_CHECK(act->dest == by_shorthand[shorthand]);
	else
		FUZZ_CHECK(act->dest == (id == VLAPIC_BROADCAST_ID ? VLAPIC_DEST_ALL : id) &&
			   (id == VLAPIC_BROADCAST_ID || id < VLAPIC_DEST_ALL));
	if (act->kind == VLAPIC_ACTION_IPI)
		FUZZ_CHECK(act->vector >= VLAPIC_FIRST_VECTOR && act->vector == (icr & VLAPIC_ICR_VECTOR));
}

static void op_wrmsr(uint32_t msr, uint64_t val, uint64_t now)
{
	struct vlapic before = apic;
	struct vlapic_action act;
	int ret = vlapic_msr_write(&apic, msr, val, now, &act);

	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	check_action(&act, msr, val);
	/* An EOI broadcast names a level-triggered vector that was in service (SDM 11.8.5). */
	if (act.kind == VLAPIC_ACTION_EOI)
		FUZZ_CHECK((before.tmr[act.vector / 32] & (1u << (act.vector % 32))) &&
			   (before.isr[act.vector / 32] & (1u << (act.vector % 32))) &&
			   !(apic.tmr[act.vector / 32] & (1u << (act.vector % 32))));
	if (ret < 0)	/* #GP: the WRMSR had no effect */
		FUZZ_CHECK(!memcmp(&before, &apic, sizeof(apic)) && act.kind == VLAPIC_ACTION_NONE);
}

static void op_rdmsr(uint32_t msr, uint64_t now)
{
	struct vlapic before = apic;
	uint64_t val = 0;
	int ret = vlapic_msr_read(&apic, msr, now, &val);

	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK(!memcmp(&before, &apic, sizeof(apic)));
	/* x2APIC registers are 32 bits wide but for ICR and IA32_TSC_DEADLINE (SDM 11.12.1.2). */
	if (ret == 0 && msr != MSR_X2APIC_ICR && msr != MSR_IA32_TSC_DEADLINE)
		FUZZ_CHECK(val <= UINT32_MAX);
}

/* The vector that @after's IRR holds and @before's did not, or -1 if none (at most one). */
static int new_vector(const struct vlapic *before, const struct vlapic *after)
{
	uint32_t added[BANKS];

	for (unsigned int w = 0; w < BANKS; w++)
		added[w] = after->irr[w] & ~before->irr[w];
	return highest(added);
}

/*
 * vlapic_timer_event() against what the next expiry does to a copy: it
 * names the deadline exactly when that makes a new vector pending, and
 * asked for a wake-up, only when that vector would also be delivered.
 */
static void check_timer_event(const struct vlapic *l)
{
	uint64_t event = vlapic_timer_event(l, false), wake = vlapic_timer_event(l, true);
	struct vlapic next = *l;
	uint64_t ppr = 0;
	int v;

	if (!l->deadline) {
		FUZZ_CHECK(!event && !wake);
		return;
	}
	FUZZ_CHECK(vlapic_timer_update(&next, l->deadline));
	v = new_vector(l, &next);
	FUZZ_CHECK(event == (v < 0 ? 0 : l->deadline));
	FUZZ_CHECK(mode_read(&next, MSR_X2APIC_PPR, l->deadline, &ppr));
	FUZZ_CHECK(wake == (v >= 0 && (l->svr & VLAPIC_SVR_ENABLE) &&
			    ((uint32_t)v & VLAPIC_PRIORITY_CLASS) > (ppr & VLAPIC_PRIORITY_CLASS) ?
			    l->deadline : 0));
}

/* TSC cycles a periodic count lasts: the divide values of SDM figure 11-10, and the minimum. */
static uint64_t period(const struct vlapic *l)
{
	static const uint8_t shift[VLAPIC_DIVIDE_MASK + 1] = {
		[VLAPIC_DIVIDE_BY_2] = 1, [VLAPIC_DIVIDE_BY_4] = 2, [VLAPIC_DIVIDE_BY_8] = 3,
		[VLAPIC_DIVIDE_BY_16] = 4, [VLAPIC_DIVIDE_BY_32] = 5, [VLAPIC_DIVIDE_BY_64] = 6,
		[VLAPIC_DIVIDE_BY_128] = 7, [VLAPIC_DIVIDE_BY_1] = 0,
	};
	uint64_t cycles = (uint64_t)l->timer_initial << shift[l->timer_divide_config];

	return MAX(cycles, l->min_period);
}

/*
 * Time passes: at most one expiry, after which no deadline is left behind,
 * and a periodic timer's next one lies within a period.  @late: the guest
 * runs on before Tally looks at the timer, and may read it overdue.
 */
static void op_tick(uint64_t *now, uint64_t delta, bool late)
{
	uint64_t expiries = apic.timer_expiries;
	uint32_t mode = (apic.lvt_timer & VLAPIC_LVT_TIMER_MODE) >> VLAPIC_LVT_TIMER_MODE_SHIFT;
	bool fired;

	check_timer_event(&apic);
	*now += MIN(delta, UINT64_MAX - *now);	/* the TSC does not wrap */
	if (late)
		return;
	fired = vlapic_timer_update(&apic, *now);
	FUZZ_CHECK(apic.timer_expiries == expiries + fired);
	FUZZ_CHECK(!apic.deadline || apic.deadline > *now || apic.deadline == UINT64_MAX);
	if (fired && mode == VLAPIC_TIMER_PERIODIC && apic.deadline != UINT64_MAX)
		FUZZ_CHECK(apic.deadline - *now <= period(&apic));
}

/* MOV to CR8 sets TPR[7:4] and clears TPR[3:0], or is #GP with bits 63:4 set (SDM 11.8.6.1). */
static void op_cr8(uint64_t val)
{
	struct vlapic before = apic;
	int ret = vlapic_cr8_write(&apic, val);

	FUZZ_CHECK(ret == (val > CR8_MAX ? -EINVAL : 0));
	if (ret)
		FUZZ_CHECK(!memcmp(&before, &apic, sizeof(apic)));
	else
		FUZZ_CHECK(apic.tpr == val << CR8_TPR_SHIFT);
}

/* The CPU takes the pending vector; with none, a stray acknowledgement of @stray changes nothing. */
static void op_deliver(uint8_t stray)
{
	struct vlapic before = apic;
	int v = vlapic_pending_vector(&apic);

	if (v < 0 && !(apic.irr[stray / 32] & (1u << (stray % 32)))) {
		vlapic_ack(&apic, stray);
		FUZZ_CHECK(!memcmp(&before, &apic, sizeof(apic)));
		return;
	}
	if (v < 0)
		return;
	vlapic_ack(&apic, (uint8_t)v);
	FUZZ_CHECK(highest(apic.isr) == v);
}

/* IA32_APIC_BASE: the transitions of SDM figure 11-26; a refusal changes nothing. */
static void op_base(uint64_t val)
{
	struct vlapic before = apic;
	enum vlapic_mode from = vlapic_mode(&apic);
	int ret = vlapic_base_write(&apic, val);
	bool en = val & APIC_BASE_ENABLE, extd = val & APIC_BASE_EXTD;

	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -EPERM);
	if (ret) {
		FUZZ_CHECK(!memcmp(&before, &apic, sizeof(apic)));
		return;
	}
	FUZZ_CHECK(en || !extd);
	FUZZ_CHECK(!(from == VLAPIC_MODE_X2APIC && en && !extd));
	FUZZ_CHECK(!(from == VLAPIC_MODE_DISABLED && extd));
	FUZZ_CHECK((apic.apic_base & ~APIC_BASE_BSP) == (val & ~APIC_BASE_BSP));
	FUZZ_CHECK((apic.apic_base & APIC_BASE_BSP) == (before.apic_base & APIC_BASE_BSP));
}

/* The xAPIC page: undecoded outside xAPIC mode; loads change nothing; only ICR_LOW and EOI act. */
static void op_mmio(uint32_t offset, uint32_t val, bool load, uint64_t now)
{
	struct vlapic before = apic;
	struct vlapic_action act;
	bool decoded = vlapic_mode(&apic) == VLAPIC_MODE_XAPIC;

	if (load) {
		uint32_t got = vlapic_mmio_read(&apic, offset, 4, now);

		FUZZ_CHECK(decoded || got == MMIO_UNDECODED);
		FUZZ_CHECK(!memcmp(&before, &apic, sizeof(apic)));
		return;
	}
	vlapic_mmio_write(&apic, offset, 4, val, now, &act);
	if (!decoded)
		FUZZ_CHECK(!memcmp(&before, &apic, sizeof(apic)) && act.kind == VLAPIC_ACTION_NONE);
	if (act.kind == VLAPIC_ACTION_EOI)
		FUZZ_CHECK(offset == XAPIC_EOI);
	else if (act.kind != VLAPIC_ACTION_NONE)
		FUZZ_CHECK(offset == XAPIC_ICR_LOW && act.kind <= VLAPIC_ACTION_NMI);
	if (act.kind == VLAPIC_ACTION_IPI)
		FUZZ_CHECK(act.vector >= VLAPIC_FIRST_VECTOR);
}

/* The byte's bits 1:0 as EN/EXTD at the default base, as a guest normally writes it. */
static uint64_t base_value(uint32_t b)
{
	return APIC_BASE_DEFAULT | (b & 1 ? APIC_BASE_ENABLE : 0) | (b & 2 ? APIC_BASE_EXTD : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint64_t now = fuzz_take(&in, 4);

	vlapic_init(&apic, APIC_ID);
	FUZZ_CHECK(vlapic_base_write(&apic, vlapic_base_read(&apic) | APIC_BASE_EXTD) == 0);
	vlapic_set_min_period(&apic, fuzz_take(&in, 3));
	for (unsigned int i = 0; i < MAX_OPS && in.size; i++) {
		unsigned int op = fuzz_take(&in, 1);
		uint32_t b = fuzz_take(&in, 1);
		uint32_t msr = b == MSR_TSC_BYTE ? MSR_IA32_TSC_DEADLINE : MSR_X2APIC_FIRST + b;

		switch ((op & OP_KIND) % OP_COUNT) {
		case OP_WRMSR:
			op_wrmsr(msr, fuzz_take(&in, op & OP_WIDE ? 8 : 4), now);
			break;
		case OP_RDMSR:
			op_rdmsr(msr, now);
			break;
		case OP_TICK:
			op_tick(&now, b | fuzz_take(&in, op & OP_WIDE ? 7 : 3) << 8, op & OP_LATE);
			break;
		case OP_ACCEPT:
			vlapic_accept_irq(&apic, (uint8_t)b, op & OP_LATE);
			break;
		case OP_DELIVER:
			op_deliver((uint8_t)b);
			break;
		case OP_CR8:
			op_cr8(op & OP_WIDE ? fuzz_take(&in, 8) : b);
			break;
		case OP_BASE:
			op_base(op & OP_WIDE ? fuzz_take(&in, 8) : base_value(b));
			break;
		default:
			op_mmio(b << XAPIC_REG_SHIFT, (uint32_t)fuzz_take(&in, 4), op & OP_LATE, now);
			break;
		}
		check_registers(&apic);
		check_reads(&apic, now);
	}
	return 0;
}
