/* SPDX-License-Identifier: MIT */
/* Unit tests: console input focus (kernel/console_focus.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/console_focus.h>

#include "shim.h"

#define CTRL_A	CONSOLE_FOCUS_SWITCH_CHAR

/* Feed @len bytes; the bytes passed on go to @out (returns their count), switches to *@switches. */
static unsigned int feed(struct console_focus *f, const uint8_t *in, size_t len, uint8_t *out,
			 unsigned int *switches)
{
	unsigned int total = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t b[CONSOLE_FOCUS_OUT_MAX];
		bool sw = true;
		unsigned int n = console_focus_feed(f, in[i], b, &sw);

		assert_true(n <= CONSOLE_FOCUS_OUT_MAX);
		memcpy(out + total, b, n);
		total += n;
		*switches += sw;
	}
	return total;
}

static void test_three_ctrl_a_switch(void **state)
{
	struct console_focus f = { 0 };
	const uint8_t in[] = { 'a', CTRL_A, CTRL_A, CTRL_A, 'b' };
	uint8_t out[16];
	unsigned int sw = 0;

	(void)state;
	assert_int_equal(feed(&f, in, 4, out, &sw), 1);		/* 'a' only: the Ctrl-As eaten */
	assert_int_equal(out[0], 'a');
	assert_int_equal(sw, 1);
	assert_int_equal(f.held, 0);
	assert_int_equal(feed(&f, in + 4, 1, out, &sw), 1);
	assert_int_equal(out[0], 'b');
	assert_int_equal(sw, 1);
}

static void test_fewer_ctrl_a_passed_on(void **state)
{
	struct console_focus f = { 0 };
	const uint8_t in[] = { CTRL_A, 'x', CTRL_A, CTRL_A, 'y', CTRL_A, CTRL_A };
	uint8_t out[16];
	unsigned int sw = 0;

	(void)state;
	assert_int_equal(feed(&f, in, sizeof(in), out, &sw), 5);
	assert_memory_equal(out, ((uint8_t[]){ CTRL_A, 'x', CTRL_A, CTRL_A, 'y' }), 5);
	assert_int_equal(sw, 0);
	assert_int_equal(f.held, 2);				/* two still held */
	assert_int_equal(feed(&f, (const uint8_t[]){ CTRL_A }, 1, out, &sw), 0);
	assert_int_equal(sw, 1);				/* the third switches */
}

static void test_six_ctrl_a_two_switches(void **state)
{
	struct console_focus f = { 0 };
	const uint8_t in[] = { CTRL_A, CTRL_A, CTRL_A, CTRL_A, CTRL_A, CTRL_A, CTRL_A, 'z' };
	uint8_t out[16];
	unsigned int sw = 0;

	(void)state;
	assert_int_equal(feed(&f, in, sizeof(in), out, &sw), 2);
	assert_int_equal(sw, 2);
	assert_memory_equal(out, ((uint8_t[]){ CTRL_A, 'z' }), 2);	/* the seventh passed on */
}

static void test_cycle_order(void **state)
{
	const unsigned int live[] = { 3, 1, 4 };	/* any order; 2 is dead */

	(void)state;
	assert_int_equal(console_focus_next(CONSOLE_FOCUS_TALLY, live, 3), 1);
	assert_int_equal(console_focus_next(1, live, 3), 3);
	assert_int_equal(console_focus_next(3, live, 3), 4);
	assert_int_equal(console_focus_next(4, live, 3), CONSOLE_FOCUS_TALLY);
	assert_int_equal(console_focus_next(2, live, 3), 3);	/* from a dead one: the next */
	assert_int_equal(console_focus_next(9, live, 3), CONSOLE_FOCUS_TALLY);
	assert_int_equal(console_focus_next(CONSOLE_FOCUS_TALLY, live, 0), CONSOLE_FOCUS_TALLY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_ctrl_a_switch),
		cmocka_unit_test(test_fewer_ctrl_a_passed_on),
		cmocka_unit_test(test_six_ctrl_a_two_switches),
		cmocka_unit_test(test_cycle_order),
	};

	return cmocka_run_group_tests_name("console_focus", tests, NULL, NULL);
}
