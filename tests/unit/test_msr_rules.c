/* SPDX-License-Identifier: MIT */
/* Unit tests: the MSR rules Tally models for guests (arch/x86_64/vmx/msr_rules.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arch/msr_rules.h>
#include <tally/errno.h>

#include "shim.h"

static void test_misc_enable_power_on_and_writes(void **state)
{
	uint64_t cur = MISC_ENABLE_POWER_ON, out = 0;

	(void)state;
	assert_int_equal(cur, 0x1801);	/* fast strings, no BTS, no PEBS */
	/* Writing back what it reads is always accepted and changes nothing. */
	assert_int_equal(msr_misc_enable_write(cur, cur, &out), 0);
	assert_int_equal(out, cur);
	/* Documented R/W bits are kept. */
	assert_int_equal(msr_misc_enable_write(cur, cur & ~MISC_ENABLE_FAST_STRINGS, &out), 0);
	assert_int_equal(out, MISC_ENABLE_NO_BTS | MISC_ENABLE_NO_PEBS);
	assert_int_equal(msr_misc_enable_write(out, out | MISC_ENABLE_XTPR_DISABLE |
					       MISC_ENABLE_AUTO_THERMAL, &out), 0);
	assert_int_equal(out, MISC_ENABLE_NO_BTS | MISC_ENABLE_NO_PEBS | MISC_ENABLE_XTPR_DISABLE |
			      MISC_ENABLE_AUTO_THERMAL);
}

static void test_misc_enable_refused(void **state)
{
	uint64_t cur = MISC_ENABLE_POWER_ON, out = 0xDEAD;

	(void)state;
	assert_int_equal(msr_misc_enable_write(cur, cur | (1ull << 1), &out), -EINVAL);	/* reserved */
	assert_int_equal(msr_misc_enable_write(cur, cur | (1ull << 63), &out), -EINVAL);
	assert_int_equal(msr_misc_enable_write(cur, cur & ~MISC_ENABLE_NO_BTS, &out), -EINVAL);	/* RO */
	assert_int_equal(msr_misc_enable_write(cur, cur | MISC_ENABLE_PERF_MON, &out), -EINVAL);
	assert_int_equal(msr_misc_enable_write(cur, cur | MISC_ENABLE_MONITOR, &out), -EINVAL);
	assert_int_equal(msr_misc_enable_write(cur, cur | MISC_ENABLE_LIMIT_CPUID, &out), -EINVAL);
	assert_int_equal(msr_misc_enable_write(cur, cur | MISC_ENABLE_XD_DISABLE, &out), -EINVAL);
	assert_int_equal(out, 0xDEAD);	/* untouched on #GP */
}

static void test_mcg_status(void **state)
{
	(void)state;
	assert_int_equal(msr_mcg_status_write(0), 0);
	assert_int_equal(msr_mcg_status_write(1), -EINVAL);
	assert_int_equal(msr_mcg_status_write(1ull << 63), -EINVAL);
	assert_int_equal(MSR_IA32_MCG_CAP_GUEST & 0xFF, 0);	/* no banks */
}

/* SDM 17.17.3 as one offset: TSC writes move TSC_ADJUST by the same step, TSC_ADJUST writes the TSC. */
static void test_tsc_and_adjust(void **state)
{
	uint64_t host = 1000000, offset = 0, adjust_before, tsc_before;

	(void)state;
	/* Guest writes its TSC to 5000 at host 1,000,000: TSC_ADJUST (= offset) is 5000 - 1,000,000. */
	offset = msr_tsc_write_offset(5000, host);
	assert_int_equal(host + offset, 5000);
	assert_int_equal((int64_t)offset, 5000 - 1000000);
	/* 100 host cycles later it reads 5100. */
	assert_int_equal(host + 100 + offset, 5100);
	/* A later TSC write adds the difference to TSC_ADJUST. */
	adjust_before = offset;
	tsc_before = host + 200 + offset;
	offset = msr_tsc_write_offset(tsc_before + 777, host + 200);
	assert_int_equal(offset - adjust_before, 777);
	/* Writing TSC_ADJUST moves the TSC by the change. */
	tsc_before = host + 300 + offset;
	adjust_before = offset;
	offset = adjust_before + 12345;
	assert_int_equal(host + 300 + offset - tsc_before, 12345);
}

static void test_deadline_conversion(void **state)
{
	uint64_t host = 1000000, offset = (uint64_t)-400000, guest = host + offset;

	(void)state;
	assert_int_equal(msr_tsc_deadline_to_host(0, guest, host), 0);	/* disarm stays */
	assert_int_equal(msr_tsc_deadline_to_host(guest + 5000, guest, host), host + 5000);
	assert_int_equal(msr_tsc_deadline_to_guest(host + 5000, offset), guest + 5000);
	/* Passed: due now, never 0 (which would disarm). */
	assert_int_equal(msr_tsc_deadline_to_host(guest - 1, guest, host), host);
	assert_int_equal(msr_tsc_deadline_to_host(1, 100, 0), 1);
	/* A guest far ahead of the host: no wrap to a small (due) host value. */
	assert_int_equal(msr_tsc_deadline_to_host(UINT64_MAX, 10, UINT64_MAX - 5), UINT64_MAX);
	/* A guest behind the host (offset negative), deadline below the offset: still in the future. */
	assert_int_equal(msr_tsc_deadline_to_host(600000, 500000, 900000), 1000000);
	assert_int_equal(msr_tsc_deadline_to_guest(0, offset), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misc_enable_power_on_and_writes),
		cmocka_unit_test(test_misc_enable_refused),
		cmocka_unit_test(test_mcg_status),
		cmocka_unit_test(test_tsc_and_adjust),
		cmocka_unit_test(test_deadline_conversion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
