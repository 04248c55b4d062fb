/* SPDX-License-Identifier: MIT */
/* Unit tests: the local APIC's modes: IA32_APIC_BASE, the xAPIC page, logical destinations, TMR and EOI. */
#include "vlapic_test.h"

#define BASE		APIC_BASE_DEFAULT
#define EN		APIC_BASE_ENABLE
#define EXTD		APIC_BASE_EXTD
#define BSP		APIC_BASE_BSP
#define LEVEL_VECTOR	0x61
#define EDGE_VECTOR	0x51

static uint32_t mrd(struct vlapic *l, uint32_t off)
{
	return vlapic_mmio_read(l, off, 4, T0);
}

static struct vlapic_action mwr(struct vlapic *l, uint32_t off, uint32_t val)
{
	struct vlapic_action act;

	vlapic_mmio_write(l, off, 4, val, T0, &act);
	return act;
}

/* A fresh xAPIC-mode APIC, software-enabled through the page. */
static void xapic_enabled(struct vlapic *l, uint32_t id)
{
	fresh_xapic(l, id);
	mwr(l, XAPIC_SVR, VLAPIC_SVR_ENABLE | VLAPIC_SVR_RESET);
}

/* ------------------------------------------------ power-on state */

static void test_power_on(void **state)
{
	struct vlapic l;
	uint64_t val;

	(void)state;
	fresh_xapic(&l, 0);
	assert_int_equal(vlapic_base_read(&l), BASE | EN | BSP);
	assert_int_equal(vlapic_mode(&l), VLAPIC_MODE_XAPIC);
	fresh_xapic(&l, 3);
	assert_int_equal(vlapic_base_read(&l), BASE | EN);
	assert_int_equal(mrd(&l, XAPIC_ID), 3u << 24);
	assert_int_equal(mrd(&l, 0x030), 0x60014);	/* version */
	assert_int_equal(mrd(&l, XAPIC_SVR), 0xFF);
	assert_int_equal(mrd(&l, XAPIC_DFR), 0xFFFFFFFF);
	assert_int_equal(mrd(&l, XAPIC_LDR), 0);
	assert_int_equal(mrd(&l, XAPIC_LVT_TIMER), VLAPIC_LVT_MASKED);
	/* x2APIC MSRs #GP in xAPIC mode (SDM 11.12.2); TSC_DEADLINE exists in both. */
	assert_int_equal(vlapic_msr_read(&l, MSR_X2APIC_ID, T0, &val), -EINVAL);
	wr_gp(&l, "x2APIC MSR in xAPIC mode", MSR_X2APIC_TPR, 0);
	assert_int_equal(vlapic_msr_read(&l, MSR_IA32_TSC_DEADLINE, T0, &val), 0);
}

/* ------------------------------------------------ IA32_APIC_BASE (SDM 11.12.5, figure 11-26) */

struct base_case {
	const char *what;
	enum vlapic_mode from;
	uint64_t val;
	int rc;
	enum vlapic_mode to;
};

static const struct base_case base_cases[] = {
	{ "xAPIC stays", VLAPIC_MODE_XAPIC, BASE | EN, 0, VLAPIC_MODE_XAPIC },
	{ "xAPIC -> x2APIC", VLAPIC_MODE_XAPIC, BASE | EN | EXTD, 0, VLAPIC_MODE_X2APIC },
	{ "xAPIC -> disabled", VLAPIC_MODE_XAPIC, BASE, 0, VLAPIC_MODE_DISABLED },
	{ "xAPIC -> invalid", VLAPIC_MODE_XAPIC, BASE | EXTD, -EINVAL, VLAPIC_MODE_XAPIC },
	{ "x2APIC stays", VLAPIC_MODE_X2APIC, BASE | EN | EXTD, 0, VLAPIC_MODE_X2APIC },
	{ "x2APIC -> xAPIC", VLAPIC_MODE_X2APIC, BASE | EN, -EINVAL, VLAPIC_MODE_X2APIC },
	{ "x2APIC -> disabled", VLAPIC_MODE_X2APIC, BASE, 0, VLAPIC_MODE_DISABLED },
	{ "x2APIC -> invalid", VLAPIC_MODE_X2APIC, BASE | EXTD, -EINVAL, VLAPIC_MODE_X2APIC },
	{ "disabled stays", VLAPIC_MODE_DISABLED, BASE, 0, VLAPIC_MODE_DISABLED },
	{ "disabled -> xAPIC", VLAPIC_MODE_DISABLED, BASE | EN, 0, VLAPIC_MODE_XAPIC },
	{ "disabled -> x2APIC", VLAPIC_MODE_DISABLED, BASE | EN | EXTD, -EINVAL,
	  VLAPIC_MODE_DISABLED },
	{ "disabled -> invalid", VLAPIC_MODE_DISABLED, BASE | EXTD, -EINVAL, VLAPIC_MODE_DISABLED },
	{ "reserved bit 0", VLAPIC_MODE_XAPIC, BASE | EN | 1, -EINVAL, VLAPIC_MODE_XAPIC },
	{ "reserved bit 9", VLAPIC_MODE_XAPIC, BASE | EN | (1u << 9), -EINVAL, VLAPIC_MODE_XAPIC },
	{ "reserved bit 63", VLAPIC_MODE_X2APIC, BASE | EN | EXTD | (1ull << 63), -EINVAL,
	  VLAPIC_MODE_X2APIC },
	{ "relocation", VLAPIC_MODE_XAPIC, 0xFED00000ull | EN, -EPERM, VLAPIC_MODE_XAPIC },
	{ "relocation, disabled", VLAPIC_MODE_DISABLED, 0xFED00000ull, -EPERM,
	  VLAPIC_MODE_DISABLED },
};

static void enter_mode(struct vlapic *l, enum vlapic_mode m)
{
	fresh_xapic(l, TEST_ID);
	if (m == VLAPIC_MODE_X2APIC)
		assert_int_equal(vlapic_base_write(l, BASE | EN | EXTD), 0);
	if (m == VLAPIC_MODE_DISABLED)
		assert_int_equal(vlapic_base_write(l, BASE), 0);
	assert_int_equal(vlapic_mode(l), m);
}

static void test_base_transitions(void **state)
{
	struct vlapic l, before;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(base_cases); i++) {
		const struct base_case *c = &base_cases[i];
		int rc;

		enter_mode(&l, c->from);
		before = l;
		rc = vlapic_base_write(&l, c->val);
		if (rc != c->rc || vlapic_mode(&l) != c->to)
			fail_msg("%s: rc %d mode %d", c->what, rc, vlapic_mode(&l));
		if (rc)
			assert_memory_equal(&before, &l, sizeof(l));
		else
			assert_int_equal(vlapic_base_read(&l), c->val);
	}
}

/* The BSP flag is the CPU's: a write neither sets nor clears it. */
static void test_base_bsp_read_only(void **state)
{
	struct vlapic l;

	(void)state;
	fresh_xapic(&l, 0);
	assert_int_equal(vlapic_base_write(&l, BASE | EN | EXTD), 0);
	assert_int_equal(vlapic_base_read(&l), BASE | EN | EXTD | BSP);
	fresh_xapic(&l, 1);
	assert_int_equal(vlapic_base_write(&l, BASE | EN | BSP), 0);
	assert_int_equal(vlapic_base_read(&l), BASE | EN);
}

/* Disabling resets the registers, keeps the ID; the x2APIC switch keeps them. */
static void test_disable_resets(void **state)
{
	struct vlapic l;
	uint64_t val;

	(void)state;
	xapic_enabled(&l, TEST_ID);
	mwr(&l, XAPIC_TPR, 0x20);
	mwr(&l, XAPIC_LDR, 0x04000000);
	mwr(&l, XAPIC_LVT_TIMER, TIMER_VECTOR);
	mwr(&l, XAPIC_TIMER_INITIAL, 1000);
	vlapic_accept(&l, 0x70);
	assert_int_not_equal(vlapic_next_deadline(&l), 0);
	/* xAPIC -> x2APIC: state kept, LDR now from the x2APIC ID. */
	assert_int_equal(vlapic_base_write(&l, BASE | EN | EXTD), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_TPR, T0), 0x20);
	assert_int_equal(rd(&l, MSR_X2APIC_LDR, T0), 1u << TEST_ID);
	assert_int_equal(vlapic_pending_vector(&l), 0x70);
	/* x2APIC -> disabled: reset; nothing pending, nothing accepted, MSRs #GP, page undecoded. */
	assert_int_equal(vlapic_base_write(&l, BASE), 0);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_int_equal(vlapic_msr_read(&l, MSR_X2APIC_TPR, T0, &val), -EINVAL);
	assert_int_equal(mrd(&l, XAPIC_ID), 0xFFFFFFFF);
	vlapic_accept(&l, 0x71);
	assert_false(irr_has(&l, 0x71));
	/* disabled -> xAPIC: the power-on registers, the same ID. */
	assert_int_equal(vlapic_base_write(&l, BASE | EN), 0);
	assert_int_equal(mrd(&l, XAPIC_ID), (uint32_t)TEST_ID << 24);
	assert_int_equal(mrd(&l, XAPIC_TPR), 0);
	assert_int_equal(mrd(&l, XAPIC_SVR), 0xFF);
	assert_int_equal(mrd(&l, XAPIC_LDR), 0);
	assert_int_equal(mrd(&l, XAPIC_DFR), 0xFFFFFFFF);
	assert_int_equal(mrd(&l, XAPIC_LVT_TIMER), VLAPIC_LVT_MASKED);
	assert_false(irr_has(&l, 0x70));
}

/* ------------------------------------------------ the xAPIC page */

static void test_mmio_registers(void **state)
{
	struct vlapic l;
	struct vlapic_action act;

	(void)state;
	xapic_enabled(&l, TEST_ID);
	assert_int_equal(mrd(&l, XAPIC_SVR), VLAPIC_SVR_ENABLE | 0xFF);
	mwr(&l, XAPIC_TPR, 0x35);
	assert_int_equal(mrd(&l, XAPIC_TPR), 0x35);
	assert_int_equal(mrd(&l, 0x0A0), 0x35);		/* PPR */
	mwr(&l, XAPIC_ID, 0x09000000);				/* read-only here */
	assert_int_equal(mrd(&l, XAPIC_ID), (uint32_t)TEST_ID << 24);
	mwr(&l, XAPIC_LDR, 0x12345678);
	assert_int_equal(mrd(&l, XAPIC_LDR), 0x12000000);
	mwr(&l, XAPIC_DFR, 0x01234567);
	assert_int_equal(mrd(&l, XAPIC_DFR), 0x0FFFFFFF);
	/* Sub-register loads see the register's bytes; the rest of the slot reads 0. */
	assert_int_equal(vlapic_mmio_read(&l, XAPIC_SVR + 1, 1, T0), 0x1);
	assert_int_equal(vlapic_mmio_read(&l, XAPIC_SVR + 4, 4, T0), 0);
	/* Stores other than 32-bit ones at a register's start are dropped. */
	vlapic_mmio_write(&l, XAPIC_TPR, 1, 0x10, T0, &act);
	vlapic_mmio_write(&l, XAPIC_TPR + 4, 4, 0x10, T0, &act);
	assert_int_equal(mrd(&l, XAPIC_TPR), 0x35);
	/* A refused value (reserved LVT bits) is dropped; reserved registers read 0. */
	mwr(&l, XAPIC_LVT_TIMER, 0x80000000 | TIMER_VECTOR);
	assert_int_equal(mrd(&l, XAPIC_LVT_TIMER), VLAPIC_LVT_MASKED);
	assert_int_equal(mrd(&l, 0x040), 0);
	assert_int_equal(mrd(&l, XAPIC_SELF_IPI), 0);
	assert_int_equal(mrd(&l, 0xFF0), 0);
	assert_int_equal(mrd(&l, VLAPIC_MMIO_SIZE), 0xFFFFFFFF);
}

/* The timer through the page: one-shot count, current count, divide. */
static void test_mmio_timer(void **state)
{
	struct vlapic l;

	(void)state;
	xapic_enabled(&l, TEST_ID);
	mwr(&l, XAPIC_TIMER_DIVIDE, VLAPIC_DIVIDE_BY_1);
	mwr(&l, XAPIC_LVT_TIMER, TIMER_VECTOR);
	mwr(&l, XAPIC_TIMER_INITIAL, 1000);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 1000);
	assert_int_equal(vlapic_mmio_read(&l, XAPIC_TIMER_CURRENT, 4, T0 + 400), 600);
	assert_true(vlapic_timer_update(&l, T0 + 1000));
	assert_int_equal(vlapic_pending_vector(&l), TIMER_VECTOR);
	vlapic_ack(&l, TIMER_VECTOR);
	mwr(&l, XAPIC_EOI, 0x12345678);		/* any value in xAPIC mode */
	assert_false(isr_has(&l, TIMER_VECTOR));
}

/* In x2APIC mode the page is not decoded (SDM 11.12.2). */
static void test_mmio_in_x2apic_mode(void **state)
{
	struct vlapic l;

	(void)state;
	enabled(&l);
	assert_int_equal(mrd(&l, XAPIC_SVR), 0xFFFFFFFF);
	mwr(&l, XAPIC_TPR, 0x40);
	assert_int_equal(rd(&l, MSR_X2APIC_TPR, T0), 0);
}

/* ------------------------------------------------ the ICR through the page */

static void test_mmio_icr(void **state)
{
	struct vlapic l;
	struct vlapic_action act;

	(void)state;
	xapic_enabled(&l, TEST_ID);
	/* The high half alone sends nothing; its bits 23:0 are reserved. */
	act = mwr(&l, XAPIC_ICR_HIGH, 0x02FFFFFF);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
	assert_int_equal(mrd(&l, XAPIC_ICR_HIGH), 0x02000000);
	act = mwr(&l, XAPIC_ICR_LOW, 0x4045);
	assert_int_equal(act.kind, VLAPIC_ACTION_IPI);
	assert_int_equal(act.dest, 2);
	assert_int_equal(act.vector, 0x45);
	assert_false(act.logical);
	assert_int_equal(mrd(&l, XAPIC_ICR_LOW), 0x4045);
	/* INIT, start-up, NMI, logical, lowest priority, broadcast. */
	act = mwr(&l, XAPIC_ICR_LOW, (VLAPIC_ICR_INIT << 8) | 0x4000);
	assert_int_equal(act.kind, VLAPIC_ACTION_INIT);
	assert_int_equal(act.dest, 2);
	act = mwr(&l, XAPIC_ICR_LOW, (VLAPIC_ICR_STARTUP << 8) | 0x4000 | 0x9A);
	assert_int_equal(act.kind, VLAPIC_ACTION_SIPI);
	assert_int_equal(act.vector, 0x9A);
	act = mwr(&l, XAPIC_ICR_LOW, (VLAPIC_ICR_NMI << 8) | 0x4000);
	assert_int_equal(act.kind, VLAPIC_ACTION_NMI);
	act = mwr(&l, XAPIC_ICR_LOW, (VLAPIC_ICR_LOWEST << 8) | VLAPIC_ICR_DEST_LOGICAL | 0x4046);
	assert_int_equal(act.kind, VLAPIC_ACTION_IPI);
	assert_true(act.logical);
	assert_true(act.lowest);
	assert_int_equal(act.dest, 2);
	mwr(&l, XAPIC_ICR_HIGH, 0xFF000000);
	act = mwr(&l, XAPIC_ICR_LOW, 0x4047);
	assert_int_equal(act.dest, VLAPIC_DEST_ALL);
	/* Shorthand self; SMI and reserved modes send nothing, no fault. */
	act = mwr(&l, XAPIC_ICR_LOW, (VLAPIC_ICR_SELF << 18) | 0x4048);
	assert_int_equal(act.dest, VLAPIC_DEST_SELF);
	act = mwr(&l, XAPIC_ICR_LOW, (VLAPIC_ICR_SMI << 8) | 0x4000);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
	act = mwr(&l, XAPIC_ICR_LOW, (3 << 8) | 0x4000);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
}

/* ------------------------------------------------ destinations */

/* Does a fixed IPI to logical destination @mda from another APIC reach @l? */
static bool lmatch(const struct vlapic *l, uint32_t mda)
{
	struct vlapic_action a = { .kind = VLAPIC_ACTION_IPI, .dest = mda, .logical = true };

	return vlapic_match(l, false, &a);
}

static void test_match_xapic_flat_and_cluster(void **state)
{
	struct vlapic l;
	struct vlapic_action phys = { .kind = VLAPIC_ACTION_IPI, .dest = TEST_ID };

	(void)state;
	xapic_enabled(&l, TEST_ID);
	assert_true(vlapic_match(&l, false, &phys));
	phys.dest = TEST_ID + 1;
	assert_false(vlapic_match(&l, false, &phys));
	/* Flat: LDR bit 2; any MDA with that bit. */
	mwr(&l, XAPIC_LDR, 0x04000000);
	assert_true(lmatch(&l, 0x04));
	assert_true(lmatch(&l, 0x0C));
	assert_false(lmatch(&l, 0x03));
	/* Cluster: cluster 2, member bit 1. */
	mwr(&l, XAPIC_DFR, 0x0FFFFFFF);
	mwr(&l, XAPIC_LDR, 0x22000000);
	assert_true(lmatch(&l, 0x22));
	assert_true(lmatch(&l, 0x23));
	assert_false(lmatch(&l, 0x12));
	assert_false(lmatch(&l, 0x21));
	/* A reserved model matches nothing. */
	mwr(&l, XAPIC_DFR, 0x5FFFFFFF);
	assert_false(lmatch(&l, 0x22));
}

static void test_match_x2apic_and_shorthands(void **state)
{
	struct vlapic l;
	struct vlapic_action a = { .kind = VLAPIC_ACTION_IPI };

	(void)state;
	fresh(&l, 0x13);	/* cluster 1, member bit 3 */
	assert_true(lmatch(&l, 0x10008));
	assert_true(lmatch(&l, 0x1000C));
	assert_false(lmatch(&l, 0x00008));
	assert_false(lmatch(&l, 0x10004));
	a.dest = VLAPIC_DEST_SELF;
	assert_true(vlapic_match(&l, true, &a));
	assert_false(vlapic_match(&l, false, &a));
	a.dest = VLAPIC_DEST_ALL_BUT_SELF;
	assert_false(vlapic_match(&l, true, &a));
	assert_true(vlapic_match(&l, false, &a));
	a.dest = VLAPIC_DEST_ALL;
	assert_true(vlapic_match(&l, true, &a));
	/* A disabled APIC accepts nothing. */
	assert_int_equal(vlapic_base_write(&l, BASE), 0);
	assert_false(vlapic_match(&l, true, &a));
}

/* ------------------------------------------------ level-triggered interrupts, TMR, EOI */

static void test_level_eoi_broadcast(void **state)
{
	struct vlapic l;
	struct vlapic_action act;

	(void)state;
	xapic_enabled(&l, TEST_ID);
	vlapic_accept_irq(&l, LEVEL_VECTOR, true);
	assert_true(bank_has(l.tmr, LEVEL_VECTOR));
	assert_int_equal(mrd(&l, 0x180 + (LEVEL_VECTOR / 32) * 0x10), 1u << (LEVEL_VECTOR % 32));
	vlapic_ack(&l, LEVEL_VECTOR);
	act = mwr(&l, XAPIC_EOI, 0);
	assert_int_equal(act.kind, VLAPIC_ACTION_EOI);
	assert_int_equal(act.vector, LEVEL_VECTOR);
	assert_false(bank_has(l.tmr, LEVEL_VECTOR));
	/* An edge vector's EOI broadcasts nothing; an edge acceptance clears TMR. */
	vlapic_accept_irq(&l, LEVEL_VECTOR, true);
	vlapic_accept_irq(&l, LEVEL_VECTOR, false);
	assert_false(bank_has(l.tmr, LEVEL_VECTOR));
	vlapic_ack(&l, LEVEL_VECTOR);
	act = mwr(&l, XAPIC_EOI, 0);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
	take(&l, EDGE_VECTOR);
	act = mwr(&l, XAPIC_EOI, 0);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	/* SVR bit 12 suppresses the broadcast; TMR is still cleared. */
	mwr(&l, XAPIC_SVR, VLAPIC_SVR_ENABLE | VLAPIC_SVR_EOI_SUPPRESS | 0xFF);
	vlapic_accept_irq(&l, 0x62, true);
	vlapic_ack(&l, 0x62);
	act = mwr(&l, XAPIC_EOI, 0);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
	assert_false(bank_has(l.tmr, 0x62));
	/* Through the x2APIC MSR as well. */
	assert_int_equal(vlapic_base_write(&l, BASE | EN | EXTD), 0);
	wr(&l, MSR_X2APIC_SVR, VLAPIC_SVR_ENABLE | 0xFF, T0);
	vlapic_accept_irq(&l, 0x63, true);
	vlapic_ack(&l, 0x63);
	act = wr(&l, MSR_X2APIC_EOI, 0, T0);
	assert_int_equal(act.kind, VLAPIC_ACTION_EOI);
	assert_int_equal(act.vector, 0x63);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_on),
		cmocka_unit_test(test_base_transitions),
		cmocka_unit_test(test_base_bsp_read_only),
		cmocka_unit_test(test_disable_resets),
		cmocka_unit_test(test_mmio_registers),
		cmocka_unit_test(test_mmio_timer),
		cmocka_unit_test(test_mmio_in_x2apic_mode),
		cmocka_unit_test(test_mmio_icr),
		cmocka_unit_test(test_match_xapic_flat_and_cluster),
		cmocka_unit_test(test_match_x2apic_and_shorthands),
		cmocka_unit_test(test_level_eoi_broadcast),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
