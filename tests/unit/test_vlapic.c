/* SPDX-License-Identifier: MIT */
/* Unit tests: the virtual x2APIC: registers, priorities, errors and IPIs (drivers/vdev/vlapic.c). */
#include "vlapic_test.h"

/* ------------------------------------------------ reset */

static const uint32_t lvt_msrs[] = {
	MSR_X2APIC_LVT_CMCI, MSR_X2APIC_LVT_TIMER, MSR_X2APIC_LVT_THERMAL, MSR_X2APIC_LVT_PMI,
	MSR_X2APIC_LVT_LINT0, MSR_X2APIC_LVT_LINT1, MSR_X2APIC_LVT_ERROR,
};

static void test_reset(void **state)
{
	struct vlapic l;

	(void)state;
	fresh(&l, TEST_ID);
	assert_int_equal(rd(&l, MSR_X2APIC_ID, 0), TEST_ID);
	assert_int_equal(rd(&l, MSR_X2APIC_VERSION, 0), 0x60014);
	assert_int_equal(rd(&l, MSR_X2APIC_TPR, 0), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_PPR, 0), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_SVR, 0), VLAPIC_SVR_RESET);
	assert_int_equal(rd(&l, MSR_X2APIC_ESR, 0), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_ICR, 0), 0);
	for (size_t i = 0; i < ARRAY_SIZE(lvt_msrs); i++)
		assert_int_equal(rd(&l, lvt_msrs[i], 0), VLAPIC_LVT_MASKED);
	for (uint32_t i = 0; i < VLAPIC_VECTOR_BANKS; i++) {
		assert_int_equal(rd(&l, MSR_X2APIC_ISR0 + i, 0), 0);
		assert_int_equal(rd(&l, MSR_X2APIC_TMR0 + i, 0), 0);
		assert_int_equal(rd(&l, MSR_X2APIC_IRR0 + i, 0), 0);
	}
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_INITIAL, T0), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_DIVIDE, T0), 0);
	assert_int_equal(rd(&l, MSR_IA32_TSC_DEADLINE, T0), 0);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_false(vlapic_timer_update(&l, UINT64_MAX));
	assert_int_equal(l.timer_expiries, 0);
	assert_int_equal(l.accepted, 0);
}

/* x2APIC logical IDs (SDM 11.12.10.2): cluster in 31:16, one bit of 16 in 15:0. */
static void test_id_and_ldr(void **state)
{
	static const uint32_t cases[][2] = {
		{ 0, 0x00000001 }, { 1, 0x00000002 }, { 5, 0x00000020 }, { 15, 0x00008000 },
		{ 16, 0x00010001 }, { 0x23, 0x00020008 }, { 0xFFFF0, 0xFFFF0001 },
	};
	struct vlapic l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		fresh(&l, cases[i][0]);
		assert_int_equal(rd(&l, MSR_X2APIC_ID, 0), cases[i][0]);
		assert_int_equal(rd(&l, MSR_X2APIC_LDR, 0), cases[i][1]);
	}
}

/* ------------------------------------------------ access rules over the whole MSR range */

enum access { NONE, RO, WO, RW };

struct access_case {
	uint32_t msr;
	enum access access;
	uint64_t ok;		/* a value that a write may store */
};

#define LVT_RW(msr)	{ msr, RW, VLAPIC_LVT_MASKED }

/* SDM table 11-6; every MSR of 0x800-0x8FF not listed here is reserved. */
static const struct access_case access_cases[] = {
	{ MSR_X2APIC_ID, RO, 0 }, { MSR_X2APIC_VERSION, RO, 0 }, { MSR_X2APIC_TPR, RW, 0xFF },
	{ MSR_X2APIC_PPR, RO, 0 }, { MSR_X2APIC_EOI, WO, 0 }, { MSR_X2APIC_LDR, RO, 0 },
	{ MSR_X2APIC_SVR, RW, VLAPIC_SVR_ENABLE | VLAPIC_SVR_FOCUS_DISABLE |
			      VLAPIC_SVR_EOI_SUPPRESS | 0x3F },
	{ MSR_X2APIC_ESR, RW, 0 },
	{ MSR_X2APIC_ICR, RW, ICR(VLAPIC_ICR_FIXED, VLAPIC_ICR_NO_SHORTHAND, 1, 0x40) },
	LVT_RW(MSR_X2APIC_LVT_CMCI), LVT_RW(MSR_X2APIC_LVT_TIMER), LVT_RW(MSR_X2APIC_LVT_THERMAL),
	LVT_RW(MSR_X2APIC_LVT_PMI), LVT_RW(MSR_X2APIC_LVT_LINT0), LVT_RW(MSR_X2APIC_LVT_LINT1),
	LVT_RW(MSR_X2APIC_LVT_ERROR),
	{ MSR_X2APIC_TIMER_INITIAL, RW, UINT32_MAX }, { MSR_X2APIC_TIMER_CURRENT, RO, 0 },
	{ MSR_X2APIC_TIMER_DIVIDE, RW, VLAPIC_DIVIDE_BY_1 }, { MSR_X2APIC_SELF_IPI, WO, 0x40 },
};

static enum access access_of(uint32_t msr, uint64_t *ok)
{
	*ok = 0;
	for (uint32_t i = 0; i < VLAPIC_VECTOR_BANKS; i++)
		if (msr == MSR_X2APIC_ISR0 + i || msr == MSR_X2APIC_TMR0 + i ||
		    msr == MSR_X2APIC_IRR0 + i)
			return RO;
	for (size_t i = 0; i < ARRAY_SIZE(access_cases); i++)
		if (access_cases[i].msr == msr) {
			*ok = access_cases[i].ok;
			return access_cases[i].access;
		}
	return NONE;
}

static void check_access(uint32_t msr)
{
	struct vlapic l;
	struct vlapic_action act;
	uint64_t ok, val = 0xDEAD;
	enum access a = access_of(msr, &ok);

	fresh(&l, TEST_ID);
	if (a == RO || a == RW) {
		assert_int_equal(vlapic_msr_read(&l, msr, T0, &val), 0);
	} else {
		assert_int_equal(vlapic_msr_read(&l, msr, T0, &val), -EINVAL);
		assert_int_equal(val, 0xDEAD);		/* untouched on #GP */
	}
	if (a == WO || a == RW) {
		assert_int_equal(vlapic_msr_write(&l, msr, ok, T0, &act), 0);
		if (a == RW)
			assert_int_equal(rd(&l, msr, T0), ok);
	} else {
		wr_gp(&l, "not writable", msr, 0);
		wr_gp(&l, "not writable", msr, val);	/* not even the value it reads */
	}
}

static void test_access_rules(void **state)
{
	static const uint32_t outside[] = {
		0x6DF, 0x6E1, 0x7FF, 0x900, 0x80E /* DFR */, 0x831 /* ICR2 */,
	};
	unsigned int reserved = 0;
	uint64_t ok;

	(void)state;
	for (uint32_t msr = MSR_X2APIC_FIRST; msr <= MSR_X2APIC_LAST; msr++) {
		check_access(msr);
		reserved += access_of(msr, &ok) == NONE;
	}
	/* Of the 256, all but the named registers and the ISR/TMR/IRR banks. */
	assert_int_equal(reserved, 256 - ARRAY_SIZE(access_cases) - 3 * VLAPIC_VECTOR_BANKS);
	for (size_t i = 0; i < ARRAY_SIZE(outside); i++)
		check_access(outside[i]);
}

struct bits_case {
	const char *what;
	uint32_t msr;
	uint64_t val;
};

/* Non-zero writes to reserved bits raise #GP (SDM 11.12.1.3). */
static const struct bits_case reserved_cases[] = {
	{ "TPR 8", MSR_X2APIC_TPR, 0x100 }, { "TPR 32", MSR_X2APIC_TPR, HIGH_BIT },
	{ "EOI non-zero", MSR_X2APIC_EOI, 1 }, { "EOI 32", MSR_X2APIC_EOI, HIGH_BIT },
	{ "SVR 10", MSR_X2APIC_SVR, 1u << 10 }, { "SVR 13", MSR_X2APIC_SVR, 1u << 13 },
	{ "SVR 32", MSR_X2APIC_SVR, HIGH_BIT | VLAPIC_SVR_RESET },
	{ "ESR non-zero", MSR_X2APIC_ESR, VLAPIC_ESR_SEND_ILLEGAL_VECTOR },
	{ "CMCI 13", MSR_X2APIC_LVT_CMCI, VLAPIC_LVT_POLARITY },
	{ "CMCI 17", MSR_X2APIC_LVT_CMCI, 1u << 17 },
	{ "timer delivery mode", MSR_X2APIC_LVT_TIMER, 1u << 8 },
	{ "timer 15", MSR_X2APIC_LVT_TIMER, VLAPIC_LVT_TRIGGER_LEVEL },
	{ "timer 19", MSR_X2APIC_LVT_TIMER, 1u << 19 },
	{ "timer mode 3", MSR_X2APIC_LVT_TIMER, LVT_TIMER(VLAPIC_TIMER_RESERVED, TIMER_VECTOR) },
	{ "timer 32", MSR_X2APIC_LVT_TIMER, HIGH_BIT | VLAPIC_LVT_MASKED },
	{ "thermal 13", MSR_X2APIC_LVT_THERMAL, VLAPIC_LVT_POLARITY },
	{ "PMI 17", MSR_X2APIC_LVT_PMI, 1u << 17 }, { "LINT0 17", MSR_X2APIC_LVT_LINT0, 1u << 17 },
	{ "LINT1 31", MSR_X2APIC_LVT_LINT1, 1u << 31 },
	{ "error delivery mode", MSR_X2APIC_LVT_ERROR, 1u << 8 },
	{ "error 13", MSR_X2APIC_LVT_ERROR, VLAPIC_LVT_POLARITY },
	{ "initial 32", MSR_X2APIC_TIMER_INITIAL, HIGH_BIT },
	{ "divide 2", MSR_X2APIC_TIMER_DIVIDE, 0x4 }, { "divide 4", MSR_X2APIC_TIMER_DIVIDE, 0x10 },
	{ "self IPI 8", MSR_X2APIC_SELF_IPI, 0x140 },
	{ "self IPI 32", MSR_X2APIC_SELF_IPI, HIGH_BIT | 0x40 },
	{ "ICR 13", MSR_X2APIC_ICR, (1u << 13) | 0x40 },
	{ "ICR 16", MSR_X2APIC_ICR, (1u << 16) | 0x40 },
	{ "ICR 17", MSR_X2APIC_ICR, (1u << 17) | 0x40 },
	{ "ICR 20", MSR_X2APIC_ICR, (1u << 20) | 0x40 },
	{ "ICR 31", MSR_X2APIC_ICR, (1ull << 31) | 0x40 },
};

static void test_reserved_bits(void **state)
{
	struct vlapic l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(reserved_cases); i++) {
		enabled(&l);
		wr_gp(&l, reserved_cases[i].what, reserved_cases[i].msr, reserved_cases[i].val);
	}
}

/* Every defined LVT field is stored; read-only status bits are accepted but read 0. */
static void test_lvt_fields(void **state)
{
	static const struct bits_case stored[] = {
		{ "CMCI", MSR_X2APIC_LVT_CMCI, VLAPIC_LVT_DELIVERY_MODE | 0xF2 },
		{ "timer", MSR_X2APIC_LVT_TIMER, LVT_TIMER(VLAPIC_TIMER_PERIODIC, 0xF3) },
		{ "thermal", MSR_X2APIC_LVT_THERMAL, VLAPIC_LVT_DELIVERY_MODE | 0xF4 },
		{ "PMI", MSR_X2APIC_LVT_PMI, VLAPIC_LVT_DELIVERY_MODE | 0xF5 },
		{ "LINT0", MSR_X2APIC_LVT_LINT0, VLAPIC_LVT_DELIVERY_MODE | VLAPIC_LVT_POLARITY |
						   VLAPIC_LVT_TRIGGER_LEVEL | 0xF6 },
		{ "LINT1", MSR_X2APIC_LVT_LINT1, VLAPIC_LVT_DELIVERY_MODE | VLAPIC_LVT_POLARITY |
						   VLAPIC_LVT_TRIGGER_LEVEL | 0xF7 },
		{ "error", MSR_X2APIC_LVT_ERROR, 0xF8 },
	};
	struct vlapic l;
	uint64_t status, masked;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(stored); i++) {
		const struct bits_case *c = &stored[i];

		enabled(&l);
		status = VLAPIC_LVT_DELIVERY_STATUS;
		if (c->msr == MSR_X2APIC_LVT_LINT0 || c->msr == MSR_X2APIC_LVT_LINT1)
			status |= VLAPIC_LVT_REMOTE_IRR;
		wr(&l, c->msr, c->val | status, 0);
		if (rd(&l, c->msr, 0) != c->val)
			fail_msg("%s: reads %#llx", c->what, (unsigned long long)rd(&l, c->msr, 0));
		wr(&l, c->msr, c->val | VLAPIC_LVT_MASKED, 0);
		masked = rd(&l, c->msr, 0);
		if (masked != (c->val | VLAPIC_LVT_MASKED))
			fail_msg("%s: masked reads %#llx", c->what, (unsigned long long)masked);
	}
}

/* ------------------------------------------------ priorities */

struct ppr_case {
	uint32_t tpr;
	int isr;		/* in-service vector, -1 for none */
	uint32_t ppr;
};

/* SDM 11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0. */
static const struct ppr_case ppr_cases[] = {
	{ 0x00, -1, 0x00 }, { 0x35, -1, 0x35 }, { 0x35, 0x41, 0x40 }, { 0x45, 0x41, 0x45 },
	{ 0x4F, 0x4A, 0x4F }, { 0x40, 0x4F, 0x40 }, { 0x30, 0x5F, 0x50 }, { 0xFF, 0x20, 0xFF },
	{ 0x00, 0xFE, 0xF0 }, { 0x0F, 0x10, 0x10 },
};

static void test_ppr(void **state)
{
	struct vlapic l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ppr_cases); i++) {
		enabled(&l);
		if (ppr_cases[i].isr >= 0)
			take(&l, (uint8_t)ppr_cases[i].isr);
		wr(&l, MSR_X2APIC_TPR, ppr_cases[i].tpr, 0);
		assert_int_equal(rd(&l, MSR_X2APIC_PPR, 0), ppr_cases[i].ppr);
	}
}

struct pending_case {
	uint32_t tpr;
	int pending;		/* vlapic_pending_vector() with 0x45 and 0x3A in IRR */
};

static const struct pending_case pending_cases[] = {
	{ 0x00, 0x45 }, { 0x2F, 0x45 }, { 0x3F, 0x45 }, { 0x40, -1 }, { 0x4F, -1 },
	{ 0x50, -1 }, { 0xFF, -1 },
};

static void test_pending_with_tpr(void **state)
{
	struct vlapic l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(pending_cases); i++) {
		enabled(&l);
		vlapic_accept(&l, 0x3A);
		vlapic_accept(&l, 0x45);
		wr(&l, MSR_X2APIC_TPR, pending_cases[i].tpr, 0);
		assert_int_equal(vlapic_pending_vector(&l), pending_cases[i].pending);
	}
	/* The highest vector is offered first; lower ones follow once it is taken. */
	enabled(&l);
	vlapic_accept(&l, 0x3A);
	vlapic_accept(&l, 0x45);
	assert_int_equal(l.accepted, 2);
	vlapic_ack(&l, 0x45);
	assert_true(isr_has(&l, 0x45));
	assert_false(irr_has(&l, 0x45));
	assert_int_equal(vlapic_pending_vector(&l), -1);	/* 0x3A is below class 4 */
	wr(&l, MSR_X2APIC_EOI, 0, 0);
	assert_int_equal(vlapic_pending_vector(&l), 0x3A);
	/* In service blocks its own class and lower ones, not higher ones. */
	enabled(&l);
	take(&l, 0x45);
	vlapic_accept(&l, 0x4F);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	vlapic_accept(&l, 0x51);
	assert_int_equal(vlapic_pending_vector(&l), 0x51);
	vlapic_ack(&l, 0x99);				/* not in IRR: nothing moves */
	assert_false(isr_has(&l, 0x99));
}

static void test_eoi_nested(void **state)
{
	struct vlapic l;
	struct vlapic_action act;

	(void)state;
	enabled(&l);
	wr(&l, MSR_X2APIC_EOI, 0, 0);		/* nothing in service: harmless */
	take(&l, 0x31);
	take(&l, 0x52);			/* nests above 0x31 */
	take(&l, 0xE0);			/* and above that */
	assert_int_equal(rd(&l, MSR_X2APIC_PPR, 0), 0xE0);
	assert_int_equal(rd(&l, MSR_X2APIC_ISR0 + 0xE0 / 32, 0), 1u << (0xE0 % 32));
	assert_int_equal(vlapic_msr_write(&l, MSR_X2APIC_EOI, 1, 0, &act), -EINVAL);
	assert_true(isr_has(&l, 0xE0));
	wr(&l, MSR_X2APIC_EOI, 0, 0);
	assert_false(isr_has(&l, 0xE0));
	assert_true(isr_has(&l, 0x52));
	assert_int_equal(rd(&l, MSR_X2APIC_PPR, 0), 0x50);
	wr(&l, MSR_X2APIC_EOI, 0, 0);
	assert_false(isr_has(&l, 0x52));
	assert_true(isr_has(&l, 0x31));
	assert_int_equal(rd(&l, MSR_X2APIC_PPR, 0), 0x30);
	wr(&l, MSR_X2APIC_EOI, 0, 0);
	assert_int_equal(rd(&l, MSR_X2APIC_PPR, 0), 0);
	for (uint32_t i = 0; i < VLAPIC_VECTOR_BANKS; i++)
		assert_int_equal(rd(&l, MSR_X2APIC_ISR0 + i, 0), 0);
}

/* Every vector lands in its own IRR bit, visible through the IRR MSRs. */
static void test_irr_bits(void **state)
{
	struct vlapic l;

	(void)state;
	for (unsigned int v = VLAPIC_FIRST_VECTOR; v < 256; v++) {
		enabled(&l);
		vlapic_accept(&l, (uint8_t)v);
		for (uint32_t i = 0; i < VLAPIC_VECTOR_BANKS; i++)
			assert_int_equal(rd(&l, MSR_X2APIC_IRR0 + i, 0),
					 i == v / 32 ? 1u << (v % 32) : 0);
		assert_int_equal(vlapic_pending_vector(&l), v);
	}
}

/* Two vectors in one 32-bit word: taking or retiring one leaves the other found. */
static void test_same_word(void **state)
{
	struct vlapic l;

	(void)state;
	enabled(&l);
	vlapic_accept(&l, 0x41);
	take(&l, 0x45);
	assert_int_equal(rd(&l, MSR_X2APIC_PPR, 0), 0x40);
	assert_int_equal(vlapic_pending_vector(&l), -1);	/* same class as in service */
	wr(&l, MSR_X2APIC_EOI, 0, 0);
	assert_int_equal(vlapic_pending_vector(&l), 0x41);
	take(&l, 0x41);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	vlapic_accept(&l, 0x5F);	/* a higher class nests above 0x41 */
	take(&l, 0x5F);
	wr(&l, MSR_X2APIC_EOI, 0, 0);
	assert_int_equal(rd(&l, MSR_X2APIC_PPR, 0), 0x40);
	wr(&l, MSR_X2APIC_EOI, 0, 0);
	assert_int_equal(rd(&l, MSR_X2APIC_PPR, 0), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_ISR0 + 2, 0), 0);
}

/* ------------------------------------------------ errors and SVR */

static void test_illegal_vectors(void **state)
{
	struct vlapic l;
	struct vlapic_action act;

	(void)state;
	enabled(&l);
	for (unsigned int v = 0; v < VLAPIC_FIRST_VECTOR; v++)
		vlapic_accept(&l, (uint8_t)v);
	assert_int_equal(l.accepted, 0);
	for (uint32_t i = 0; i < VLAPIC_VECTOR_BANKS; i++)
		assert_int_equal(l.irr[i], 0);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_int_equal(rd(&l, MSR_X2APIC_ESR, 0), VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
	assert_int_equal(rd(&l, MSR_X2APIC_ESR, 0), VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
	wr(&l, MSR_X2APIC_ESR, 0, 0);
	assert_int_equal(rd(&l, MSR_X2APIC_ESR, 0), 0);

	/* Sending one is the sender's error, for SELF_IPI and ICR alike. */
	act = wr(&l, MSR_X2APIC_SELF_IPI, 0x0F, 0);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
	assert_int_equal(rd(&l, MSR_X2APIC_ESR, 0), VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
	wr(&l, MSR_X2APIC_ESR, 0, 0);
	act = wr(&l, MSR_X2APIC_ICR, ICR(VLAPIC_ICR_FIXED, VLAPIC_ICR_NO_SHORTHAND, 1, 0x02), 0);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
	assert_int_equal(rd(&l, MSR_X2APIC_ESR, 0), VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
	/* A timer with an illegal vector reports a receive error when it fires. */
	wr(&l, MSR_X2APIC_ESR, 0, 0);
	wr(&l, MSR_X2APIC_LVT_TIMER, LVT_TIMER(VLAPIC_TIMER_ONESHOT, 3), 0);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 1, T0);
	assert_true(vlapic_timer_update(&l, T0 + 2));
	assert_int_equal(rd(&l, MSR_X2APIC_ESR, 0), VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
	assert_int_equal(l.accepted, 0);
}

/* An unmasked LVT error entry turns an error into an interrupt (SDM 11.5.3). */
static void test_error_interrupt(void **state)
{
	struct vlapic l;

	(void)state;
	enabled(&l);
	wr(&l, MSR_X2APIC_LVT_ERROR, ERROR_VECTOR, 0);
	vlapic_accept(&l, 7);
	assert_int_equal(vlapic_pending_vector(&l), ERROR_VECTOR);
	assert_int_equal(l.accepted, 1);
	/* An illegal error vector is dropped, not reported again. */
	enabled(&l);
	wr(&l, MSR_X2APIC_LVT_ERROR, 3, 0);
	vlapic_accept(&l, 7);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_int_equal(l.accepted, 0);
	assert_int_equal(rd(&l, MSR_X2APIC_ESR, 0), VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
}

static void test_svr_disable(void **state)
{
	struct vlapic l;

	(void)state;
	enabled(&l);
	for (size_t i = 0; i < ARRAY_SIZE(lvt_msrs); i++)
		wr(&l, lvt_msrs[i], 0x40 + i, 0);
	vlapic_accept(&l, 0x80);
	wr(&l, MSR_X2APIC_SVR, VLAPIC_SVR_RESET, 0);		/* software-disable */
	for (size_t i = 0; i < ARRAY_SIZE(lvt_msrs); i++)
		assert_int_equal(rd(&l, lvt_msrs[i], 0), VLAPIC_LVT_MASKED | (0x40 + i));
	assert_int_equal(vlapic_pending_vector(&l), -1);	/* IRR is held */
	assert_true(irr_has(&l, 0x80));
	vlapic_accept(&l, 0x90);
	assert_true(irr_has(&l, 0x90));
	/* While disabled, an LVT entry cannot be unmasked. */
	wr(&l, MSR_X2APIC_LVT_LINT0, 0x55, 0);
	assert_int_equal(rd(&l, MSR_X2APIC_LVT_LINT0, 0), VLAPIC_LVT_MASKED | 0x55);
	/* Re-enabling leaves the entries masked until software unmasks them. */
	wr(&l, MSR_X2APIC_SVR, VLAPIC_SVR_ENABLE | VLAPIC_SVR_RESET, 0);
	assert_int_equal(rd(&l, MSR_X2APIC_LVT_LINT0, 0), VLAPIC_LVT_MASKED | 0x55);
	assert_int_equal(vlapic_pending_vector(&l), 0x90);
	wr(&l, MSR_X2APIC_LVT_LINT0, 0x55, 0);
	assert_int_equal(rd(&l, MSR_X2APIC_LVT_LINT0, 0), 0x55);
}

/* ------------------------------------------------ ICR and SELF_IPI */

struct icr_case {
	const char *what;
	uint64_t icr;
	int rc;
	enum vlapic_action_kind kind;
	uint32_t dest;
	uint8_t vector;
};

#define NOSH	VLAPIC_ICR_NO_SHORTHAND
#define SELF	VLAPIC_ICR_SELF
#define ALL	VLAPIC_ICR_ALL
#define ALLBUT	VLAPIC_ICR_ALL_BUT_SELF
#define LOGICAL	VLAPIC_ICR_DEST_LOGICAL
#define DEASSERT VLAPIC_ICR_TRIGGER_LEVEL
#define ASSERT_LEVEL (VLAPIC_ICR_TRIGGER_LEVEL | VLAPIC_ICR_LEVEL_ASSERT)

/* Cases by delivery mode: shorthand, destination ID, vector -> action, destination. */
#define FIXED(what, sh, id, vec, extra, kind, dest) \
	{ what, ICR(VLAPIC_ICR_FIXED, sh, id, vec) | (extra), 0, VLAPIC_ACTION_##kind, dest, vec }
#define SENT(what, mode, sh, id, vec, extra, kind, dest) \
	{ what, ICR(VLAPIC_ICR_##mode, sh, id, vec) | (extra), 0, VLAPIC_ACTION_##kind, dest, vec }
#define REFUSED(what, mode, sh, extra) \
	{ what, ICR(mode, sh, 1, 0x40) | (extra), -EINVAL, VLAPIC_ACTION_NONE, 0, 0 }

static const struct icr_case icr_cases[] = {
	FIXED("to 3", NOSH, 3, 0x40, 0, IPI, 3),
	FIXED("to self by ID", NOSH, TEST_ID, 0x41, 0, IPI, TEST_ID),
	FIXED("to a 32-bit ID", NOSH, 0x12345678, 0xFF, 0, IPI, 0x12345678),
	FIXED("broadcast ID", NOSH, VLAPIC_BROADCAST_ID, 0x42, 0, IPI, VLAPIC_DEST_ALL),
	FIXED("self", SELF, 9, 0x43, 0, IPI, VLAPIC_DEST_SELF),
	FIXED("all", ALL, 9, 0x44, 0, IPI, VLAPIC_DEST_ALL),
	FIXED("all but self", ALLBUT, 9, 0x45, 0, IPI, VLAPIC_DEST_ALL_BUT_SELF),
	FIXED("level trigger", NOSH, 3, 0x46, ASSERT_LEVEL, IPI, 3),
	FIXED("logical + shorthand", ALLBUT, 0, 0x47, LOGICAL, IPI, VLAPIC_DEST_ALL_BUT_SELF),
	FIXED("illegal vector", NOSH, 3, 0x0F, 0, NONE, 0),
	FIXED("to ID ~0-1", NOSH, 0xFFFFFFFE, 0x48, 0, NONE, 0),
	FIXED("to ID ~0-2", NOSH, 0xFFFFFFFD, 0x48, 0, NONE, 0),
	SENT("INIT assert", INIT, NOSH, 1, 0, ASSERT_LEVEL, INIT, 1),
	SENT("INIT edge", INIT, NOSH, 2, 0, 0, INIT, 2),
	SENT("INIT de-assert", INIT, NOSH, 1, 0, DEASSERT, NONE, 0),
	SENT("INIT all but self", INIT, ALLBUT, 0, 0, 0, INIT, VLAPIC_DEST_ALL_BUT_SELF),
	SENT("SIPI", STARTUP, NOSH, 2, 0x9A, 0, SIPI, 2),
	SENT("SIPI page 0", STARTUP, NOSH, 2, 0, 0, SIPI, 2),
	SENT("SIPI all but self", STARTUP, ALLBUT, 0, 0x10, 0, SIPI, VLAPIC_DEST_ALL_BUT_SELF),
	SENT("NMI", NMI, NOSH, 4, 0, 0, NMI, 4),
	SENT("NMI all but self", NMI, ALLBUT, 0, 0, 0, NMI, VLAPIC_DEST_ALL_BUT_SELF),
	REFUSED("NMI self", VLAPIC_ICR_NMI, SELF, 0),
	REFUSED("NMI all", VLAPIC_ICR_NMI, ALL, 0),
	REFUSED("INIT self", VLAPIC_ICR_INIT, SELF, 0),
	REFUSED("SIPI all", VLAPIC_ICR_STARTUP, ALL, 0),
	FIXED("fixed logical", NOSH, 0x10002, 0x49, LOGICAL, IPI, 0x10002),
	SENT("INIT logical", INIT, NOSH, 0x3, 0, LOGICAL, INIT, 0x3),
	SENT("lowest priority", LOWEST, NOSH, 6, 0x4A, 0, IPI, 6),
	SENT("lowest priority all but self", LOWEST, ALLBUT, 0, 0x4B, 0, IPI,
	     VLAPIC_DEST_ALL_BUT_SELF),
	REFUSED("lowest priority self", VLAPIC_ICR_LOWEST, SELF, 0),
	REFUSED("lowest priority all", VLAPIC_ICR_LOWEST, ALL, 0),
	REFUSED("SMI", VLAPIC_ICR_SMI, NOSH, 0),
	REFUSED("mode 3", 3, NOSH, 0),
	REFUSED("mode 7", 7, NOSH, 0),
};

static void check_icr(const struct icr_case *c)
{
	struct vlapic l;
	struct vlapic_action act;
	bool has_vector = c->kind == VLAPIC_ACTION_IPI || c->kind == VLAPIC_ACTION_SIPI;
	int rc;

	enabled(&l);
	if (c->rc) {
		wr_gp(&l, c->what, MSR_X2APIC_ICR, c->icr);
		return;
	}
	rc = vlapic_msr_write(&l, MSR_X2APIC_ICR, c->icr, T0, &act);
	if (rc || act.kind != c->kind || (c->kind != VLAPIC_ACTION_NONE && act.dest != c->dest) ||
	    (has_vector && act.vector != c->vector))
		fail_msg("%s: rc %d kind %d dest %#x vector %#x", c->what, rc, act.kind,
			 act.dest, act.vector);
	assert_int_equal(rd(&l, MSR_X2APIC_ICR, 0), c->icr);
	assert_int_equal(l.accepted, 0);	/* the caller delivers, even to self */
}

static void test_icr(void **state)
{
	uint64_t icr = ICR(VLAPIC_ICR_FIXED, NOSH, 7, 0x40);
	struct vlapic l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(icr_cases); i++)
		check_icr(&icr_cases[i]);
	/* Delivery status always reads idle; a refused write keeps the old value. */
	enabled(&l);
	wr(&l, MSR_X2APIC_ICR, icr | VLAPIC_ICR_DELIVERY_STATUS, 0);
	assert_int_equal(rd(&l, MSR_X2APIC_ICR, 0), icr);
	wr_gp(&l, "SMI", MSR_X2APIC_ICR, ICR(VLAPIC_ICR_SMI, NOSH, 1, 0));
	assert_int_equal(rd(&l, MSR_X2APIC_ICR, 0), icr);
}

static void test_self_ipi(void **state)
{
	struct vlapic l;
	struct vlapic_action act;
	uint64_t val;

	(void)state;
	enabled(&l);
	act = wr(&l, MSR_X2APIC_SELF_IPI, 0x40, 0);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
	assert_true(irr_has(&l, 0x40));
	assert_int_equal(l.accepted, 1);
	assert_int_equal(vlapic_pending_vector(&l), 0x40);
	assert_int_equal(vlapic_msr_read(&l, MSR_X2APIC_SELF_IPI, 0, &val), -EINVAL);
	/* The highest vector is fine too. */
	wr(&l, MSR_X2APIC_SELF_IPI, 0xFF, 0);
	assert_int_equal(vlapic_pending_vector(&l), 0xFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_id_and_ldr),
		cmocka_unit_test(test_access_rules),
		cmocka_unit_test(test_reserved_bits),
		cmocka_unit_test(test_lvt_fields),
		cmocka_unit_test(test_ppr),
		cmocka_unit_test(test_pending_with_tpr),
		cmocka_unit_test(test_eoi_nested),
		cmocka_unit_test(test_irr_bits),
		cmocka_unit_test(test_same_word),
		cmocka_unit_test(test_illegal_vectors),
		cmocka_unit_test(test_error_interrupt),
		cmocka_unit_test(test_svr_disable),
		cmocka_unit_test(test_icr),
		cmocka_unit_test(test_self_ipi),
	};

	return cmocka_run_group_tests_name("vlapic", tests, NULL, NULL);
}
