/* SPDX-License-Identifier: MIT */
/* Unit tests: NMI latch and merge, INIT reset, LINT1 (drivers/vdev/vlapic_nmi.c) and the NMI injection rule (arch/vcpu_apic.h). */
#include "vlapic_test.h"

#include <arch/vcpu_apic.h>

#define LINT_VECTOR	0x44
#define LVT_NMI		(VLAPIC_LVT_MODE_NMI << VLAPIC_LVT_MODE_SHIFT)
#define LVT_SMI		(2u << VLAPIC_LVT_MODE_SHIFT)
#define TIMER_COUNT	1000

static struct vlapic x2apic_on(void)
{
	struct vlapic l;

	vlapic_init(&l, TEST_ID);
	assert_int_equal(vlapic_base_write(&l, vlapic_base_read(&l) | APIC_BASE_EXTD), 0);
	wr(&l, MSR_X2APIC_SVR, VLAPIC_SVR_ENABLE | 0xFF, T0);
	return l;
}

/* One NMI latched at most: a second merges (counted), taking it empties the latch. */
static void test_nmi_latch_and_merge(void **state)
{
	struct vlapic l = x2apic_on();

	(void)state;
	assert_false(vlapic_nmi_pending(&l));
	assert_false(vlapic_nmi_take(&l));
	assert_true(vlapic_nmi_accept(&l, false));
	assert_false(vlapic_nmi_accept(&l, false));	/* merged */
	assert_false(vlapic_nmi_accept(&l, false));
	assert_true(vlapic_nmi_pending(&l));
	assert_int_equal(l.nmis, 3);
	assert_int_equal(l.nmis_merged, 2);
	assert_true(vlapic_nmi_take(&l));
	assert_false(vlapic_nmi_pending(&l));
	assert_false(vlapic_nmi_take(&l));
	/* After it was taken (the handler runs), the next one is latched again. */
	assert_true(vlapic_nmi_accept(&l, false));
	assert_int_equal(l.nmis_merged, 2);
	/* A vCPU waiting for SIPI drops it. */
	vlapic_nmi_take(&l);
	assert_false(vlapic_nmi_accept(&l, true));
	assert_false(vlapic_nmi_pending(&l));
	assert_int_equal(l.nmis, 4);
}

/* Disabling the APIC through IA32_APIC_BASE resets its registers but not the CPU's NMI latch. */
static void test_nmi_survives_apic_disable(void **state)
{
	struct vlapic l = x2apic_on();

	(void)state;
	vlapic_nmi_accept(&l, false);
	assert_int_equal(vlapic_base_write(&l, vlapic_base_read(&l) &
					   ~(APIC_BASE_EXTD | APIC_BASE_ENABLE)), 0);
	assert_true(vlapic_nmi_pending(&l));
	assert_int_equal(l.nmis, 1);
}

/* INIT: registers to power-on values; ID, IA32_APIC_BASE (x2APIC mode) and counters kept. */
static void test_init_reset(void **state)
{
	struct vlapic l = x2apic_on();
	uint64_t base = vlapic_base_read(&l);

	(void)state;
	wr(&l, MSR_X2APIC_TPR, 0x20, T0);
	wr(&l, MSR_X2APIC_LVT_TIMER, LVT_TIMER(VLAPIC_TIMER_PERIODIC, TIMER_VECTOR), T0);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, TIMER_COUNT, T0);
	vlapic_accept(&l, 0x60);
	vlapic_nmi_accept(&l, false);
	assert_int_not_equal(vlapic_next_deadline(&l), 0);
	vlapic_init_reset(&l);
	assert_int_equal(vlapic_base_read(&l), base);
	assert_int_equal(vlapic_mode(&l), VLAPIC_MODE_X2APIC);
	assert_int_equal(rd(&l, MSR_X2APIC_ID, T0), TEST_ID);
	assert_int_equal(rd(&l, MSR_X2APIC_TPR, T0), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_SVR, T0), VLAPIC_SVR_RESET);
	assert_int_equal(rd(&l, MSR_X2APIC_LVT_TIMER, T0), VLAPIC_LVT_MASKED);
	assert_int_equal(rd(&l, MSR_X2APIC_LVT_LINT1, T0), VLAPIC_LVT_MASKED);
	assert_int_equal(rd(&l, MSR_X2APIC_IRR0 + 3, T0), 0);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_false(vlapic_nmi_pending(&l));
	assert_int_equal(l.nmis, 1);
	assert_int_equal(l.accepted, 1);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	/* An xAPIC-mode APIC stays in xAPIC mode, its BSP flag kept. */
	vlapic_init(&l, 0);
	vlapic_init_reset(&l);
	assert_int_equal(vlapic_mode(&l), VLAPIC_MODE_XAPIC);
	assert_true(vlapic_base_read(&l) & APIC_BASE_BSP);
}

/* LINT1 per its LVT entry: masked nothing, NMI latches, fixed accepts; disabled APIC: the NMI pin. */
static void test_lint1(void **state)
{
	struct vlapic l = x2apic_on();

	(void)state;
	assert_int_equal(vlapic_lint1_assert(&l), VLAPIC_LINT_NONE);	/* masked at reset */
	assert_false(vlapic_nmi_pending(&l));
	wr(&l, MSR_X2APIC_LVT_LINT1, LVT_NMI, T0);
	assert_int_equal(vlapic_lint1_assert(&l), VLAPIC_LINT_NMI);
	assert_true(vlapic_nmi_take(&l));
	wr(&l, MSR_X2APIC_LVT_LINT1, LINT_VECTOR, T0);
	assert_int_equal(vlapic_lint1_assert(&l), VLAPIC_LINT_FIXED);
	assert_int_equal(vlapic_pending_vector(&l), LINT_VECTOR);
	assert_false(vlapic_nmi_pending(&l));
	wr(&l, MSR_X2APIC_LVT_LINT1, LVT_SMI, T0);
	assert_int_equal(vlapic_lint1_assert(&l), VLAPIC_LINT_NONE);
	assert_false(vlapic_nmi_pending(&l));
	assert_int_equal(vlapic_base_write(&l, vlapic_base_read(&l) &
					   ~(APIC_BASE_EXTD | APIC_BASE_ENABLE)), 0);
	assert_int_equal(vlapic_lint1_assert(&l), VLAPIC_LINT_NMI);
	assert_true(vlapic_nmi_pending(&l));
}

/* NMI IPIs through both ICRs become NMI actions, vector ignored; self shorthand is invalid. */
static void test_nmi_icr(void **state)
{
	struct vlapic l = x2apic_on();
	struct vlapic_action act;

	(void)state;
	assert_int_equal(vlapic_msr_write(&l, MSR_X2APIC_ICR, ICR(VLAPIC_ICR_NMI, 0, 1, 0x77), T0,
					  &act), 0);
	assert_int_equal(act.kind, VLAPIC_ACTION_NMI);
	assert_int_equal(act.dest, 1);
	assert_int_equal(vlapic_msr_write(&l, MSR_X2APIC_ICR,
					  ICR(VLAPIC_ICR_NMI, VLAPIC_ICR_ALL_BUT_SELF, 0, 0), T0, &act), 0);
	assert_int_equal(act.kind, VLAPIC_ACTION_NMI);
	assert_int_equal(act.dest, VLAPIC_DEST_ALL_BUT_SELF);
	assert_int_equal(vlapic_msr_write(&l, MSR_X2APIC_ICR,
					  ICR(VLAPIC_ICR_NMI, VLAPIC_ICR_SELF, 0, 0), T0, &act), -EINVAL);
	vlapic_init(&l, 0);
	vlapic_mmio_write(&l, XAPIC_ICR_HIGH, 4, 2u << 24, T0, &act);
	vlapic_mmio_write(&l, XAPIC_ICR_LOW, 4, (VLAPIC_ICR_NMI << VLAPIC_ICR_MODE_SHIFT) |
			  VLAPIC_ICR_DEST_LOGICAL, T0, &act);
	assert_int_equal(act.kind, VLAPIC_ACTION_NMI);
	assert_int_equal(act.dest, 2);
	assert_true(act.logical);
}

/* The injection rule, every blocking bit alone and with the window. */
static void test_nmi_step(void **state)
{
	const uint32_t sti = INTERRUPTIBILITY_BLOCK_STI, movss = INTERRUPTIBILITY_BLOCK_MOVSS;
	const uint32_t nmi = INTERRUPTIBILITY_BLOCK_NMI;

	(void)state;
	assert_int_equal(vcpu_nmi_step(false, 0, false, true, false, true), VCPU_NMI_NONE);
	assert_int_equal(vcpu_nmi_step(true, 0, false, true, false, true), VCPU_NMI_INJECT);
	/* Blocked by NMI (its handler runs): the window, or the next entry without it. */
	assert_int_equal(vcpu_nmi_step(true, nmi, false, true, false, true), VCPU_NMI_WINDOW);
	assert_int_equal(vcpu_nmi_step(true, nmi, false, true, false, false), VCPU_NMI_RETRY);
	assert_int_equal(vcpu_nmi_step(true, movss, false, true, true, true), VCPU_NMI_WINDOW);
	/* STI: held, unless the CPU's own NMI-window exit said it takes NMIs there. */
	assert_int_equal(vcpu_nmi_step(true, sti, false, true, false, true), VCPU_NMI_WINDOW);
	assert_int_equal(vcpu_nmi_step(true, sti, false, true, true, true), VCPU_NMI_INJECT);
	/* Another event injected on this entry goes first. */
	assert_int_equal(vcpu_nmi_step(true, 0, true, true, true, true), VCPU_NMI_WINDOW);
	/* Without virtual NMIs, blocking by NMI is not the guest's: injected. */
	assert_int_equal(vcpu_nmi_step(true, nmi, false, false, false, false), VCPU_NMI_INJECT);
	assert_int_equal(vcpu_nmi_step(true, movss, false, false, false, false), VCPU_NMI_RETRY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nmi_latch_and_merge),
		cmocka_unit_test(test_nmi_survives_apic_disable),
		cmocka_unit_test(test_init_reset),
		cmocka_unit_test(test_lint1),
		cmocka_unit_test(test_nmi_icr),
		cmocka_unit_test(test_nmi_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
