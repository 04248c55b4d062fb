/* SPDX-License-Identifier: MIT */
/* Unit tests: Tally's exit code, a bitmask of the run's troubles (kernel/exit_status.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/exit_status.h>

#include "shim.h"

/* What kernel/exit_status.c passed to the emulator, or -1 if it did not leave. */
static int emu_code = -1;

void emu_exit(uint8_t code)
{
	emu_code = code;
}

static void test_bits_are_distinct(void **state)
{
	static const uint8_t bits[] = { EMU_EXIT_MODULE_REFUSED, EMU_EXIT_DOMAIN_CRASHED,
					EMU_EXIT_GUEST_FAILED, EMU_EXIT_NO_GUESTS,
					EMU_EXIT_TIMED_OUT };
	uint8_t all = 0;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bits); i++) {
		assert_int_equal(bits[i] & (bits[i] - 1), 0);	/* one bit each */
		assert_int_equal(all & bits[i], 0);
		all |= bits[i];
	}
	/* Every mix stays apart from the panic code, and from QEMU's own status 1. */
	assert_true(all < EMU_EXIT_PANIC);
	assert_int_equal(EMU_EXIT_OK, 0);
}

static void test_guest_exit_values(void **state)
{
	(void)state;
	assert_int_equal(exit_status_of_guest_exit(0), EMU_EXIT_OK);
	/* The test guests' SKIP, FAIL and ERROR, and any other value. */
	assert_int_equal(exit_status_of_guest_exit(1), EMU_EXIT_GUEST_FAILED);
	assert_int_equal(exit_status_of_guest_exit(2), EMU_EXIT_GUEST_FAILED);
	assert_int_equal(exit_status_of_guest_exit(3), EMU_EXIT_GUEST_FAILED);
	assert_int_equal(exit_status_of_guest_exit(UINT64_MAX), EMU_EXIT_GUEST_FAILED);
}

static void test_describe(void **state)
{
	char buf[160];

	(void)state;
	exit_status_describe(EMU_EXIT_OK, buf, sizeof(buf));
	assert_string_equal(buf, "");
	exit_status_describe(EMU_EXIT_NO_GUESTS, buf, sizeof(buf));
	assert_string_equal(buf, "guests cannot run on this CPU");
	exit_status_describe(EMU_EXIT_MODULE_REFUSED | EMU_EXIT_GUEST_FAILED, buf, sizeof(buf));
	assert_string_equal(buf, "a module was refused; a guest exited with a non-zero value");
	exit_status_describe(EMU_EXIT_TIMED_OUT | EMU_EXIT_MODULE_REFUSED, buf, sizeof(buf));
	assert_string_equal(buf, "a module was refused; a domain ran out of its max_run_s time");
	exit_status_describe(0x0F, buf, sizeof(buf));
	assert_string_equal(buf, "a module was refused; Tally destroyed a domain; "
			    "a guest exited with a non-zero value; guests cannot run on this CPU");
}

static void test_describe_truncates(void **state)
{
	char buf[12];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	exit_status_describe(0x0F, buf, sizeof(buf));
	assert_string_equal(buf, "a module wa");
	exit_status_describe(0x0F, buf, 1);
	assert_string_equal(buf, "");
	exit_status_describe(0x0F, NULL, 0);	/* no room at all: nothing written */
}

/* Bits only add up, whatever the order; leaving prints the code and passes it on. */
static void test_collect_and_leave(void **state)
{
	(void)state;
	assert_int_equal(exit_status(), 0);
	shim_log_reset();
	exit_status_leave();
	assert_true(shim_log_contains("tally: exit code=0"));
	assert_false(shim_log_contains("tally: exit code=0 ("));
	/* The stand-in emu_exit() returns, as when no exit device answers. */
	assert_string_equal(shim_log_last(), "tally: no emulator exit device answered; staying up");
	assert_int_equal(emu_code, 0);

	exit_status_add(exit_status_of_guest_exit(0));
	assert_int_equal(exit_status(), 0);
	exit_status_add(EMU_EXIT_GUEST_FAILED);
	exit_status_add(EMU_EXIT_MODULE_REFUSED);
	exit_status_add(EMU_EXIT_GUEST_FAILED);
	assert_int_equal(exit_status(), 5);
	shim_log_reset();
	exit_status_leave();
	assert_true(shim_log_contains("tally: exit code=5 (a module was refused; a guest exited "
				      "with a non-zero value)"));
	assert_int_equal(emu_code, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bits_are_distinct),
		cmocka_unit_test(test_guest_exit_values),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_describe_truncates),
		cmocka_unit_test(test_collect_and_leave),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
