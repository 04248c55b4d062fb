/* SPDX-License-Identifier: MIT */
/* Unit tests: the token-bucket rate limiter (kernel/ratelimit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <tally/ratelimit.h>

#define HZ	1000000ull	/* a clock of 1 MHz: an event a second costs 1,000,000 ticks */

static const struct ratelimit_rule guest_log = { .burst = 10, .per_s = 1 };

/* Events allowed out of @tries at clock @now. */
static unsigned int allow_n(struct ratelimit *rl, const struct ratelimit_rule *rule,
			    unsigned int tries, uint64_t now)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < tries; i++)
		n += ratelimit_allow(rl, rule, now, HZ, NULL);
	return n;
}

static void test_burst_then_refused(void **state)
{
	struct ratelimit rl = { 0 };

	(void)state;
	assert_int_equal(allow_n(&rl, &guest_log, 2000, 5), 10);
	assert_int_equal(rl.suppressed, 1990);
	assert_int_equal(rl.suppressed_total, 1990);
}

static void test_refill_one_a_second(void **state)
{
	struct ratelimit rl = { 0 };

	(void)state;
	assert_int_equal(allow_n(&rl, &guest_log, 10, 0), 10);
	assert_false(ratelimit_allow(&rl, &guest_log, HZ - 1, HZ, NULL));	/* not yet */
	assert_true(ratelimit_allow(&rl, &guest_log, HZ, HZ, NULL));		/* one second on */
	assert_false(ratelimit_allow(&rl, &guest_log, HZ, HZ, NULL));
	/* Two and a half seconds later: two events' credit (the half stays). */
	assert_int_equal(allow_n(&rl, &guest_log, 5, 3 * HZ + HZ / 2), 2);
	assert_int_equal(allow_n(&rl, &guest_log, 5, 4 * HZ), 1);
}

static void test_credit_capped_at_burst(void **state)
{
	struct ratelimit rl = { 0 };

	(void)state;
	assert_int_equal(allow_n(&rl, &guest_log, 10, 0), 10);
	/* An hour of quiet buys a burst, not 3600 events. */
	assert_int_equal(allow_n(&rl, &guest_log, 100, 3600 * HZ), 10);
}

static void test_suppressed_reported_once(void **state)
{
	struct ratelimit rl = { 0 };
	uint64_t suppressed = 99;

	(void)state;
	assert_true(ratelimit_allow(&rl, &guest_log, 0, HZ, &suppressed));
	assert_int_equal(suppressed, 0);
	allow_n(&rl, &guest_log, 9 + 57, 0);		/* the rest of the burst, 57 refused */
	assert_int_equal(rl.suppressed, 57);
	assert_true(ratelimit_allow(&rl, &guest_log, 2 * HZ, HZ, &suppressed));
	assert_int_equal(suppressed, 57);
	assert_true(ratelimit_allow(&rl, &guest_log, 2 * HZ, HZ, &suppressed));
	assert_int_equal(suppressed, 0);		/* counted once */
	assert_false(ratelimit_allow(&rl, &guest_log, 2 * HZ, HZ, &suppressed));
	assert_int_equal(suppressed, 0);		/* untouched when refused */
	assert_int_equal(rl.suppressed_total, 58);
}

static void test_clock_going_back(void **state)
{
	struct ratelimit rl = { 0 };

	(void)state;
	assert_int_equal(allow_n(&rl, &guest_log, 10, 10 * HZ), 10);
	/* Another CPU's earlier reading: no credit, and no wrap to a huge one. */
	assert_int_equal(allow_n(&rl, &guest_log, 10, 5 * HZ), 0);
	assert_int_equal(allow_n(&rl, &guest_log, 10, 11 * HZ), 1);
}

static void test_burst_only_rule(void **state)
{
	const struct ratelimit_rule once = { .burst = 3, .per_s = 0 };
	struct ratelimit rl = { 0 };

	(void)state;
	assert_int_equal(allow_n(&rl, &once, 5, 0), 3);
	assert_int_equal(allow_n(&rl, &once, 5, 1000 * HZ), 0);	/* never refilled */
}

static void test_zero_burst_refuses_all(void **state)
{
	const struct ratelimit_rule none = { .burst = 0, .per_s = 0 };
	const struct ratelimit_rule slow = { .burst = 0, .per_s = 1 };
	struct ratelimit a = { 0 }, b = { 0 };

	(void)state;
	assert_int_equal(allow_n(&a, &none, 5, 0), 0);
	assert_int_equal(allow_n(&b, &slow, 5, 0), 0);
	assert_int_equal(allow_n(&b, &slow, 5, 10 * HZ), 0);	/* capped at a burst of 0 */
}

static void test_no_clock_passes_all(void **state)
{
	struct ratelimit rl = { 0 };

	(void)state;
	for (unsigned int i = 0; i < 100; i++)
		assert_true(ratelimit_allow(&rl, &guest_log, 0, 0, NULL));
	/* The clock arrives: the bucket was never drained, so a burst is there. */
	assert_int_equal(allow_n(&rl, &guest_log, 20, 1), 10);
}

static void test_fast_rule_and_huge_values(void **state)
{
	const struct ratelimit_rule fast = { .burst = 5, .per_s = 4000000 };	/* > HZ */
	const struct ratelimit_rule three = { .burst = 3, .per_s = 1 };
	const uint64_t big_hz = UINT64_MAX / 2;
	struct ratelimit a = { 0 }, b = { 0 };

	(void)state;
	assert_int_equal(allow_n(&a, &fast, 10, 0), 5);		/* cost rounds up to a tick */
	assert_int_equal(allow_n(&a, &fast, 10, 3), 3);		/* three ticks, three events */
	/*
	 * Three events of 2^63 - 1 ticks overflow 64 bits: the cap saturates
	 * (two pass) instead of wrapping to less than one event (none would).
	 */
	assert_true(ratelimit_allow(&b, &three, 0, big_hz, NULL));
	assert_true(ratelimit_allow(&b, &three, 0, big_hz, NULL));
	assert_false(ratelimit_allow(&b, &three, 0, big_hz, NULL));
	/* The clock runs to its end: the credit saturates too. */
	assert_true(ratelimit_allow(&b, &three, UINT64_MAX, big_hz, NULL));
	assert_true(ratelimit_allow(&b, &three, UINT64_MAX, big_hz, NULL));
	assert_false(ratelimit_allow(&b, &three, UINT64_MAX, big_hz, NULL));
}

static void test_console_rule(void **state)
{
	const struct ratelimit_rule console = { .burst = 200, .per_s = 100 };
	struct ratelimit rl = { 0 };

	(void)state;
	assert_int_equal(allow_n(&rl, &console, 1000, 0), 200);
	assert_int_equal(allow_n(&rl, &console, 1000, HZ), 100);
	assert_int_equal(allow_n(&rl, &console, 1000, HZ + HZ / 10), 10);
	assert_int_equal(rl.suppressed_total, 800 + 900 + 990);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refused),
		cmocka_unit_test(test_refill_one_a_second),
		cmocka_unit_test(test_credit_capped_at_burst),
		cmocka_unit_test(test_suppressed_reported_once),
		cmocka_unit_test(test_clock_going_back),
		cmocka_unit_test(test_burst_only_rule),
		cmocka_unit_test(test_zero_burst_refuses_all),
		cmocka_unit_test(test_no_clock_passes_all),
		cmocka_unit_test(test_fast_rule_and_huge_values),
		cmocka_unit_test(test_console_rule),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
