/* SPDX-License-Identifier: MIT */
/* Unit tests: the virtual x2APIC's timer: one-shot, periodic, TSC-deadline, divide (drivers/vdev/vlapic.c). */
#include "vlapic_test.h"

/* ------------------------------------------------ timer */

/* An enabled APIC with an unmasked timer in @mode and divide-by-2. */
static void timer_setup(struct vlapic *l, uint32_t mode)
{
	enabled(l);
	wr(l, MSR_X2APIC_LVT_TIMER, LVT_TIMER(mode, TIMER_VECTOR), 0);
}

static void test_oneshot(void **state)
{
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_ONESHOT);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 1000, T0);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 2000);	/* divide by 2 at reset */
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 - 500), 1000);	/* never above */
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0), 1000);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 1), 1000);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 2), 999);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 1000), 500);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 1999), 1);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 2000), 0);
	assert_false(vlapic_timer_update(&l, T0));
	assert_false(vlapic_timer_update(&l, T0 + 1999));
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_true(vlapic_timer_update(&l, T0 + 2000));
	assert_int_equal(vlapic_pending_vector(&l), TIMER_VECTOR);
	assert_int_equal(l.timer_expiries, 1);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_false(vlapic_timer_update(&l, T0 + 100000));
	assert_int_equal(l.timer_expiries, 1);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 3000), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_INITIAL, T0 + 3000), 1000);

	/* Re-arming counts from the write; writing 0 stops the count. */
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 10, T0 + 5000);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 5020);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 0, T0 + 5010);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 5010), 0);
	assert_false(vlapic_timer_update(&l, T0 + 99999));
	assert_int_equal(l.timer_expiries, 1);
}

/* Reprogramming the timer first delivers an expiry that was already due. */
static void test_oneshot_rewrite(void **state)
{
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_ONESHOT);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 100, T0);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 100, T0 + 150);	/* before the expiry */
	assert_int_equal(vlapic_next_deadline(&l), T0 + 350);
	assert_int_equal(l.timer_expiries, 0);
	/* An expiry that was due fires before the count is reloaded. */
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 100, T0 + 400);
	assert_int_equal(l.timer_expiries, 1);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 600);
	assert_true(vlapic_timer_update(&l, T0 + 1000000));
	assert_int_equal(l.timer_expiries, 2);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	/* So does masking it: the expiry was delivered before the mask. */
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 100, T0 + 2000000);
	wr(&l, MSR_X2APIC_LVT_TIMER,
	   LVT_TIMER(VLAPIC_TIMER_ONESHOT, 0x31) | VLAPIC_LVT_MASKED, T0 + 2000300);
	assert_int_equal(l.timer_expiries, 3);
	assert_true(irr_has(&l, TIMER_VECTOR));
	assert_false(irr_has(&l, 0x31));
}

static void test_periodic(void **state)
{
	const uint64_t period = 500 * 2;
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_PERIODIC);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 500, T0);
	for (uint64_t k = 1; k <= 10; k++) {
		assert_false(vlapic_timer_update(&l, T0 + k * period - 1));
		assert_true(vlapic_timer_update(&l, T0 + k * period));
		assert_int_equal(l.timer_expiries, k);
		assert_int_equal(vlapic_next_deadline(&l), T0 + (k + 1) * period);
		assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + k * period), 500);
		assert_int_equal(vlapic_pending_vector(&l), TIMER_VECTOR);
		vlapic_ack(&l, TIMER_VECTOR);
		wr(&l, MSR_X2APIC_EOI, 0, 0);
	}
	assert_int_equal(l.accepted, 10);
	/* Current count between updates already reflects the reload. */
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 11 * period + period / 4), 375);
	/* Several missed periods: one expiry, and the phase is kept. */
	assert_true(vlapic_timer_update(&l, T0 + 13 * period + period / 2));
	assert_int_equal(l.timer_expiries, 11);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 14 * period);
	/* Writing 0 stops it. */
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 0, T0 + 13 * period + period / 2);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_false(vlapic_timer_update(&l, UINT64_MAX));
}

/* Late updates do not push later deadlines: after 1000 periods, no drift. */
static void test_periodic_no_drift(void **state)
{
	const uint64_t period = 777ull * 16;
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_PERIODIC);
	wr(&l, MSR_X2APIC_TIMER_DIVIDE, VLAPIC_DIVIDE_BY_16, 0);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 777, T0);
	for (uint64_t k = 1; k <= DRIFT_PERIODS; k++) {
		uint64_t late = (k * 7919) % period;	/* anywhere within the period */

		assert_true(vlapic_timer_update(&l, T0 + k * period + late));
		assert_int_equal(vlapic_next_deadline(&l), T0 + (k + 1) * period);
	}
	assert_int_equal(l.timer_expiries, DRIFT_PERIODS);
}

static void test_periodic_masked(void **state)
{
	struct vlapic l;

	(void)state;
	enabled(&l);
	wr(&l, MSR_X2APIC_LVT_TIMER,
	   LVT_TIMER(VLAPIC_TIMER_PERIODIC, TIMER_VECTOR) | VLAPIC_LVT_MASKED, 0);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 50, T0);
	for (uint64_t k = 1; k <= 5; k++)
		assert_true(vlapic_timer_update(&l, T0 + k * 100));
	assert_int_equal(l.timer_expiries, 5);
	assert_int_equal(l.accepted, 0);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	/* Unmasking lets the next expiry through; the missed ones stay missed. */
	wr(&l, MSR_X2APIC_LVT_TIMER, LVT_TIMER(VLAPIC_TIMER_PERIODIC, TIMER_VECTOR), T0 + 550);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	assert_true(vlapic_timer_update(&l, T0 + 600));
	assert_int_equal(vlapic_pending_vector(&l), TIMER_VECTOR);
}

/* Near the end of the TSC range a deadline saturates rather than wrapping to "not armed". */
static void test_timer_saturates(void **state)
{
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_PERIODIC);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 100, UINT64_MAX - 10);
	assert_int_equal(vlapic_next_deadline(&l), UINT64_MAX);
	assert_false(vlapic_timer_update(&l, UINT64_MAX - 1));
	assert_true(vlapic_timer_update(&l, UINT64_MAX));
	assert_int_equal(vlapic_next_deadline(&l), UINT64_MAX);
}

static void test_tsc_deadline(void **state)
{
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_TSC_DEADLINE);
	wr(&l, MSR_IA32_TSC_DEADLINE, T0 + 5000, T0);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 5000);
	assert_int_equal(rd(&l, MSR_IA32_TSC_DEADLINE, T0), T0 + 5000);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0), 0);
	assert_false(vlapic_timer_update(&l, T0 + 4999));
	assert_true(vlapic_timer_update(&l, T0 + 5000));
	assert_int_equal(vlapic_pending_vector(&l), TIMER_VECTOR);
	assert_int_equal(rd(&l, MSR_IA32_TSC_DEADLINE, T0 + 5000), 0);	/* disarmed */
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_false(vlapic_timer_update(&l, UINT64_MAX));

	/* Re-arm; a deadline already past fires at the next update. */
	wr(&l, MSR_IA32_TSC_DEADLINE, T0 + 9000, T0 + 6000);
	assert_true(vlapic_timer_update(&l, T0 + 9001));
	wr(&l, MSR_IA32_TSC_DEADLINE, 1, T0 + 10000);
	assert_true(vlapic_timer_update(&l, T0 + 10000));
	assert_int_equal(l.timer_expiries, 3);

	/* Writing 0 disarms. */
	wr(&l, MSR_IA32_TSC_DEADLINE, T0 + 20000, T0 + 10000);
	wr(&l, MSR_IA32_TSC_DEADLINE, 0, T0 + 10001);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_false(vlapic_timer_update(&l, UINT64_MAX));

	/* The MSR holds a full 64-bit value. */
	wr(&l, MSR_IA32_TSC_DEADLINE, 0x123456789ABCDEFull, T0 + 10002);
	assert_int_equal(rd(&l, MSR_IA32_TSC_DEADLINE, T0), 0x123456789ABCDEFull);
	wr(&l, MSR_IA32_TSC_DEADLINE, 0, T0 + 10003);

	/* The initial count is ignored in this mode. */
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 100, T0);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_INITIAL, T0), 0);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_int_equal(l.timer_expiries, 3);
}

/* A change of timer mode disarms the timer (SDM 11.5.4.1). */
static void test_timer_mode_change(void **state)
{
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_TSC_DEADLINE);
	wr(&l, MSR_IA32_TSC_DEADLINE, T0 + 5000, T0);
	wr(&l, MSR_X2APIC_LVT_TIMER, LVT_TIMER(VLAPIC_TIMER_ONESHOT, TIMER_VECTOR), T0 + 1);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_int_equal(rd(&l, MSR_IA32_TSC_DEADLINE, T0 + 1), 0);
	/* Outside TSC-deadline mode, the deadline MSR ignores writes. */
	wr(&l, MSR_IA32_TSC_DEADLINE, T0 + 7000, T0 + 2);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_int_equal(rd(&l, MSR_IA32_TSC_DEADLINE, T0 + 2), 0);

	wr(&l, MSR_X2APIC_TIMER_INITIAL, 1000, T0 + 10);
	wr(&l, MSR_X2APIC_LVT_TIMER, LVT_TIMER(VLAPIC_TIMER_PERIODIC, TIMER_VECTOR), T0 + 20);
	assert_int_equal(vlapic_next_deadline(&l), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 20), 0);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_INITIAL, T0 + 20), 0);

	/* Rewriting the same mode (e.g. to unmask) keeps the count running. */
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 1000, T0 + 30);
	wr(&l, MSR_X2APIC_LVT_TIMER, LVT_TIMER(VLAPIC_TIMER_PERIODIC, 0x31), T0 + 40);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 2030);
	assert_true(vlapic_timer_update(&l, T0 + 2030));
	assert_int_equal(l.timer_expiries, 1);
	assert_true(irr_has(&l, 0x31));
}

struct divide_case {
	uint32_t code;
	uint64_t divisor;
};

/* SDM figure 11-10. */
static const struct divide_case divide_cases[] = {
	{ VLAPIC_DIVIDE_BY_2, 2 }, { VLAPIC_DIVIDE_BY_4, 4 }, { VLAPIC_DIVIDE_BY_8, 8 },
	{ VLAPIC_DIVIDE_BY_16, 16 }, { VLAPIC_DIVIDE_BY_32, 32 }, { VLAPIC_DIVIDE_BY_64, 64 },
	{ VLAPIC_DIVIDE_BY_128, 128 }, { VLAPIC_DIVIDE_BY_1, 1 },
};

static void test_divide(void **state)
{
	struct vlapic l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(divide_cases); i++) {
		uint64_t div = divide_cases[i].divisor;

		timer_setup(&l, VLAPIC_TIMER_ONESHOT);
		wr(&l, MSR_X2APIC_TIMER_DIVIDE, divide_cases[i].code, 0);
		assert_int_equal(rd(&l, MSR_X2APIC_TIMER_DIVIDE, 0), divide_cases[i].code);
		wr(&l, MSR_X2APIC_TIMER_INITIAL, 100, T0);
		assert_int_equal(vlapic_next_deadline(&l), T0 + 100 * div);
		assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + div), 99);
		assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 100 * div - 1), 1);
		assert_false(vlapic_timer_update(&l, T0 + 100 * div - 1));
		assert_true(vlapic_timer_update(&l, T0 + 100 * div));
	}
	/* The 8 codes with bit 2 set, and anything above bit 3, are reserved. */
	enabled(&l);
	for (uint32_t code = 0; code < 32; code++)
		if (code & ~VLAPIC_DIVIDE_MASK)
			wr_gp(&l, "divide", MSR_X2APIC_TIMER_DIVIDE, code);
	/* A new divide value applies to the ticks the count has left. */
	timer_setup(&l, VLAPIC_TIMER_ONESHOT);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 1000, T0);		/* divide by 2 */
	wr(&l, MSR_X2APIC_TIMER_DIVIDE, VLAPIC_DIVIDE_BY_8, T0 + 1000);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 1000), 500);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 1000 + 500 * 8);
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 1000 + 8), 499);
}

/* A tiny generator, so the consistency test is the same on every run. */
static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/*
 * Random programming: whatever the sequence, the timer fires exactly at
 * vlapic_next_deadline(), not a cycle before, and CURRENT is non-zero
 * until then in the counting modes.
 */
static void test_next_deadline_consistency(void **state)
{
	static const uint32_t modes[] = {
		VLAPIC_TIMER_ONESHOT, VLAPIC_TIMER_PERIODIC, VLAPIC_TIMER_TSC_DEADLINE,
	};
	struct vlapic l;
	uint64_t seed = 1, now = T0, next;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_ONESHOT);
	for (int i = 0; i < 2000; i++) {
		uint32_t mode = modes[lcg(&seed) % ARRAY_SIZE(modes)];

		wr(&l, MSR_X2APIC_LVT_TIMER, LVT_TIMER(mode, TIMER_VECTOR), now);
		wr(&l, MSR_X2APIC_TIMER_DIVIDE, divide_cases[lcg(&seed) % 8].code, now);
		wr(&l, MSR_X2APIC_TIMER_INITIAL, lcg(&seed) % 5000, now);
		wr(&l, MSR_IA32_TSC_DEADLINE, now + lcg(&seed) % 50000, now);
		next = vlapic_next_deadline(&l);
		assert_true(next == 0 || next >= now);
		if (!next)
			continue;
		if (mode != VLAPIC_TIMER_TSC_DEADLINE && next > now)
			assert_int_not_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, next - 1), 0);
		assert_false(next > now && vlapic_timer_update(&l, next - 1));
		assert_true(vlapic_timer_update(&l, next));
		now = next + lcg(&seed) % 100;
	}
}

/* ------------------------------------------------ minimum period */

#define MIN_PERIOD	5000ull		/* TSC cycles */

/* A 1-cycle periodic timer fires once per minimum period, not once per cycle. */
static void test_min_period_periodic(void **state)
{
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_PERIODIC);
	vlapic_set_min_period(&l, MIN_PERIOD);
	wr(&l, MSR_X2APIC_TIMER_DIVIDE, VLAPIC_DIVIDE_BY_1, T0);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 1, T0);
	assert_int_equal(vlapic_next_deadline(&l), T0 + MIN_PERIOD);
	for (uint64_t now = T0; now < T0 + 10 * MIN_PERIOD; now += 7)
		vlapic_timer_update(&l, now);
	/* Expiries at T0 + 5000, ..., T0 + 45000: nine, where one per cycle made 50000. */
	assert_int_equal(l.timer_expiries, 9);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 10 * MIN_PERIOD);
	/* The count still reads as the guest set it: never above the initial count. */
	assert_int_equal(rd(&l, MSR_X2APIC_TIMER_CURRENT, T0 + 10 * MIN_PERIOD - 2500), 1);
	/* A count longer than the minimum is left alone. */
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 6000, T0 + 100000);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 106000);
	assert_true(vlapic_timer_update(&l, T0 + 106000));
	assert_int_equal(vlapic_next_deadline(&l), T0 + 112000);
}

/* One-shot counts are lengthened too; TSC-deadline mode is not limited. */
static void test_min_period_oneshot_and_deadline(void **state)
{
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_ONESHOT);
	vlapic_set_min_period(&l, MIN_PERIOD);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 3, T0);	/* 6 cycles at divide-by-2 */
	assert_false(vlapic_timer_update(&l, T0 + 6));
	assert_false(vlapic_timer_update(&l, T0 + MIN_PERIOD - 1));
	assert_true(vlapic_timer_update(&l, T0 + MIN_PERIOD));
	assert_int_equal(vlapic_next_deadline(&l), 0);

	timer_setup(&l, VLAPIC_TIMER_TSC_DEADLINE);
	vlapic_set_min_period(&l, MIN_PERIOD);
	wr(&l, MSR_IA32_TSC_DEADLINE, T0 + 1, T0);
	assert_int_equal(vlapic_next_deadline(&l), T0 + 1);
	assert_true(vlapic_timer_update(&l, T0 + 1));
}

/* ------------------------------------------------ the expiry that matters */

/* An expiry matters only if it makes an interrupt pending that is not already. */
static void test_timer_event(void **state)
{
	struct vlapic l;

	(void)state;
	timer_setup(&l, VLAPIC_TIMER_PERIODIC);
	assert_int_equal(vlapic_timer_event(&l, false), 0);		/* not armed */
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 100, T0);
	assert_int_equal(vlapic_timer_event(&l, false), T0 + 200);
	assert_int_equal(vlapic_timer_event(&l, true), T0 + 200);
	/* Fired: its vector waits in IRR, so the next expiry changes nothing. */
	assert_true(vlapic_timer_update(&l, T0 + 200));
	assert_int_equal(vlapic_timer_event(&l, false), 0);
	/* Taken by the guest: the next one matters again. */
	vlapic_ack(&l, TIMER_VECTOR);
	assert_int_equal(vlapic_timer_event(&l, false), T0 + 400);
	/* In service: it would be pending but not deliverable (same class), so no wake-up. */
	assert_int_equal(vlapic_timer_event(&l, true), 0);
	wr(&l, MSR_X2APIC_EOI, 0, T0 + 300);
	assert_int_equal(vlapic_timer_event(&l, true), T0 + 400);
	/* A task priority at the vector's class holds it back from a halted CPU. */
	wr(&l, MSR_X2APIC_TPR, TIMER_VECTOR & VLAPIC_PRIORITY_CLASS, T0 + 300);
	assert_int_equal(vlapic_timer_event(&l, true), 0);
	assert_int_equal(vlapic_timer_event(&l, false), T0 + 400);
	wr(&l, MSR_X2APIC_TPR, 0, T0 + 300);
	/* Masked: expiries are only counted. */
	wr(&l, MSR_X2APIC_LVT_TIMER,
	   LVT_TIMER(VLAPIC_TIMER_PERIODIC, TIMER_VECTOR) | VLAPIC_LVT_MASKED, T0 + 300);
	assert_int_not_equal(vlapic_next_deadline(&l), 0);
	assert_int_equal(vlapic_timer_event(&l, false), 0);
	assert_int_equal(vlapic_timer_event(&l, true), 0);
}

/* An illegal timer vector raises the error vector instead; a disabled APIC wakes no one. */
static void test_timer_event_error_and_disabled(void **state)
{
	struct vlapic l;

	(void)state;
	enabled(&l);
	wr(&l, MSR_X2APIC_LVT_TIMER, LVT_TIMER(VLAPIC_TIMER_PERIODIC, 5), 0);
	wr(&l, MSR_X2APIC_TIMER_INITIAL, 100, T0);
	assert_int_equal(vlapic_timer_event(&l, false), 0);		/* error entry masked */
	wr(&l, MSR_X2APIC_LVT_ERROR, ERROR_VECTOR, T0);
	assert_int_equal(vlapic_timer_event(&l, true), T0 + 200);
	assert_true(vlapic_timer_update(&l, T0 + 200));
	assert_true(irr_has(&l, ERROR_VECTOR));
	assert_int_equal(vlapic_timer_event(&l, false), 0);
	vlapic_ack(&l, ERROR_VECTOR);
	wr(&l, MSR_X2APIC_EOI, 0, T0 + 250);
	assert_int_equal(vlapic_timer_event(&l, true), T0 + 400);
	/* Software-disabled: every LVT entry is masked (SDM 11.4.7.2). */
	wr(&l, MSR_X2APIC_SVR, VLAPIC_SVR_RESET, T0 + 250);
	assert_int_equal(vlapic_timer_event(&l, true), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oneshot),
		cmocka_unit_test(test_oneshot_rewrite),
		cmocka_unit_test(test_periodic),
		cmocka_unit_test(test_periodic_no_drift),
		cmocka_unit_test(test_periodic_masked),
		cmocka_unit_test(test_timer_saturates),
		cmocka_unit_test(test_tsc_deadline),
		cmocka_unit_test(test_timer_mode_change),
		cmocka_unit_test(test_divide),
		cmocka_unit_test(test_next_deadline_consistency),
		cmocka_unit_test(test_min_period_periodic),
		cmocka_unit_test(test_min_period_oneshot_and_deadline),
		cmocka_unit_test(test_timer_event),
		cmocka_unit_test(test_timer_event_error_and_disabled),
	};

	return cmocka_run_group_tests_name("vlapic_timer", tests, NULL, NULL);
}
