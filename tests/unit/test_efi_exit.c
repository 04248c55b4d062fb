/* SPDX-License-Identifier: MIT */
/* Unit tests for boot/efi/efi_exit.c: ExitBootServices() retried while the firmware's map key is stale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../boot/efi/efi_exit.h"

#define LOG_MAX		32

/*
 * A firmware whose map changes (its key moves on) at the exit tries listed
 * in @change_on, as a timer event allocating pool between GetMemoryMap()
 * and ExitBootServices() would; it records every call in @log.
 */
struct fake_fw {
	uint64_t map_key;		/* the current map's key */
	uint32_t change_on;		/* bit n: the map changes just before exit try n */
	unsigned int exits;		/* ExitBootServices() calls so far */
	int snapshot_err_on;		/* snapshot attempt that fails (-1: none) */
	int exit_err;			/* returned by a fresh-key exit (0: success) */
	bool exited;
	char log[LOG_MAX];		/* 's' per snapshot, 'x' per exit try */
	unsigned int log_len;
};

static void fw_log(struct fake_fw *fw, char c)
{
	assert_true(fw->log_len + 1 < LOG_MAX);
	fw->log[fw->log_len++] = c;
}

static int fake_snapshot(void *ctx, unsigned int attempt, uint64_t *key)
{
	struct fake_fw *fw = ctx;

	assert_false(fw->exited);
	fw_log(fw, 's');
	if ((int)attempt == fw->snapshot_err_on)
		return -ENOSPC;
	*key = fw->map_key;
	return 0;
}

static int fake_exit(void *ctx, uint64_t key)
{
	struct fake_fw *fw = ctx;

	fw_log(fw, 'x');
	if (fw->change_on & (1u << fw->exits))
		fw->map_key++;
	fw->exits++;
	if (key != fw->map_key)
		return -EBUSY;
	if (fw->exit_err)
		return fw->exit_err;
	fw->exited = true;
	return 0;
}

static const struct efi_exit_ops ops = { fake_snapshot, fake_exit };

static struct fake_fw fw_new(uint32_t change_on)
{
	struct fake_fw fw = { .map_key = 0x1000, .change_on = change_on, .snapshot_err_on = -1 };

	return fw;
}

static void test_first_try_exits(void **state)
{
	struct fake_fw fw = fw_new(0);

	(void)state;
	assert_int_equal(efi_exit_retry(&ops, &fw, EFI_EXIT_ATTEMPTS), 0);
	assert_true(fw.exited);
	assert_string_equal(fw.log, "sx");
}

static void test_stale_key_takes_the_map_again(void **state)
{
	struct fake_fw fw = fw_new(1u << 0 | 1u << 1);

	(void)state;
	assert_int_equal(efi_exit_retry(&ops, &fw, EFI_EXIT_ATTEMPTS), 0);
	assert_true(fw.exited);
	/* Two stale keys, each followed by a new map before the next try. */
	assert_string_equal(fw.log, "sxsxsx");
	assert_int_equal(fw.map_key, 0x1002);
}

static void test_gives_up_after_the_attempts(void **state)
{
	struct fake_fw fw = fw_new(UINT32_MAX);

	(void)state;
	assert_int_equal(efi_exit_retry(&ops, &fw, 3), -EBUSY);
	assert_false(fw.exited);
	assert_string_equal(fw.log, "sxsxsx");
}

static void test_snapshot_error_stops_before_exiting(void **state)
{
	struct fake_fw fw = fw_new(0);

	(void)state;
	fw.snapshot_err_on = 0;
	assert_int_equal(efi_exit_retry(&ops, &fw, EFI_EXIT_ATTEMPTS), -ENOSPC);
	assert_string_equal(fw.log, "s");
	assert_int_equal(fw.exits, 0);
}

static void test_snapshot_error_on_a_retry(void **state)
{
	struct fake_fw fw = fw_new(1u << 0);

	(void)state;
	fw.snapshot_err_on = 1;
	assert_int_equal(efi_exit_retry(&ops, &fw, EFI_EXIT_ATTEMPTS), -ENOSPC);
	assert_string_equal(fw.log, "sxs");
	assert_false(fw.exited);
}

static void test_other_exit_error_is_not_retried(void **state)
{
	struct fake_fw fw = fw_new(0);

	(void)state;
	fw.exit_err = -EIO;
	assert_int_equal(efi_exit_retry(&ops, &fw, EFI_EXIT_ATTEMPTS), -EIO);
	assert_string_equal(fw.log, "sx");
}

static void test_zero_attempts_touch_nothing(void **state)
{
	struct fake_fw fw = fw_new(0);

	(void)state;
	assert_int_equal(efi_exit_retry(&ops, &fw, 0), -EBUSY);
	assert_int_equal(fw.log_len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_try_exits),
		cmocka_unit_test(test_stale_key_takes_the_map_again),
		cmocka_unit_test(test_gives_up_after_the_attempts),
		cmocka_unit_test(test_snapshot_error_stops_before_exiting),
		cmocka_unit_test(test_snapshot_error_on_a_retry),
		cmocka_unit_test(test_other_exit_error_is_not_retried),
		cmocka_unit_test(test_zero_attempts_touch_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
