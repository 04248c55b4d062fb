/* SPDX-License-Identifier: MIT */
/* Unit tests: calendar arithmetic (kernel/calendar.c) and the guests' CMOS clock (drivers/vdev/vrtc.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <tally/calendar.h>
#include <tally/vrtc.h>

#include "shim.h"

/* The port handlers read the host's clock; these tests call the model with their own @now. */
int64_t rtc_host_now(void)
{
	return 0;
}

/* The port handlers take the device lock; these tests call the model directly. */
void arch_cpu_relax(void)
{
}

#define T_2000_01_01_123456	946730096ll	/* a Saturday */
#define T_2000_02_29		951782400ll
#define T_2100_03_01		4107542400ll
#define T_2024_02_29_235958	1709251198ll
#define T_9999_12_31_235959	253402300799ll
#define T_0001_01_01		(-62135596800ll)

static void assert_date(const struct cal_time *t, unsigned int y, unsigned int mo, unsigned int d,
			unsigned int h, unsigned int mi, unsigned int s)
{
	assert_int_equal(t->year, y);
	assert_int_equal(t->month, mo);
	assert_int_equal(t->day, d);
	assert_int_equal(t->hour, h);
	assert_int_equal(t->min, mi);
	assert_int_equal(t->sec, s);
}

/* ------------------------------------------------ calendar */

static void test_known_dates(void **state)
{
	struct cal_time t;

	(void)state;
	cal_from_seconds(0, &t);
	assert_date(&t, 1970, 1, 1, 0, 0, 0);
	assert_int_equal(t.wday, 4);	/* Thursday */
	cal_from_seconds(T_2000_01_01_123456, &t);
	assert_date(&t, 2000, 1, 1, 12, 34, 56);
	assert_int_equal(t.wday, 6);	/* Saturday */
	cal_from_seconds(T_2000_02_29, &t);
	assert_date(&t, 2000, 2, 29, 0, 0, 0);
	cal_from_seconds(T_2100_03_01 - 1, &t);	/* 2100 is no leap year */
	assert_date(&t, 2100, 2, 28, 23, 59, 59);
	cal_from_seconds(-1, &t);
	assert_date(&t, 1969, 12, 31, 23, 59, 59);
	assert_int_equal(t.wday, 3);
	assert_int_equal(cal_to_seconds(&t), -1);
}

static void test_clamped_to_clock_years(void **state)
{
	struct cal_time t;

	(void)state;
	cal_from_seconds(INT64_MAX, &t);
	assert_date(&t, 9999, 12, 31, 23, 59, 59);
	assert_int_equal(cal_to_seconds(&t), T_9999_12_31_235959);
	cal_from_seconds(INT64_MIN, &t);
	assert_date(&t, 1, 1, 1, 0, 0, 0);
	assert_int_equal(cal_to_seconds(&t), T_0001_01_01);
}

/* Every 6 hours and 7 seconds over 60 years, against the C library. */
static void test_round_trip_matches_libc(void **state)
{
	(void)state;
	for (int64_t s = T_2000_01_01_123456 - 30ll * 365 * 86400;
	     s < T_2000_01_01_123456 + 30ll * 365 * 86400; s += 6 * 3600 + 7) {
		time_t tt = (time_t)s;
		struct tm tm;
		struct cal_time t;

		gmtime_r(&tt, &tm);
		cal_from_seconds(s, &t);
		assert_date(&t, (unsigned int)tm.tm_year + 1900, (unsigned int)tm.tm_mon + 1,
			    (unsigned int)tm.tm_mday, (unsigned int)tm.tm_hour,
			    (unsigned int)tm.tm_min, (unsigned int)tm.tm_sec);
		assert_int_equal(t.wday, tm.tm_wday);
		assert_true(cal_valid(&t));
		assert_int_equal(cal_to_seconds(&t), s);
	}
}

static void test_valid(void **state)
{
	struct cal_time t = { .year = 2000, .month = 2, .day = 29 };

	(void)state;
	assert_true(cal_valid(&t));
	t.year = 1900;
	assert_false(cal_valid(&t));
	t.year = 2024;
	assert_true(cal_valid(&t));
	t.day = 30;
	assert_false(cal_valid(&t));
	t = (struct cal_time){ .year = 2024, .month = 13, .day = 1 };
	assert_false(cal_valid(&t));
	t = (struct cal_time){ .year = 2024, .month = 4, .day = 31 };
	assert_false(cal_valid(&t));
	t = (struct cal_time){ .year = 2024, .month = 4, .day = 30, .hour = 24 };
	assert_false(cal_valid(&t));
	t = (struct cal_time){ .year = 0, .month = 1, .day = 1 };
	assert_false(cal_valid(&t));
	assert_int_equal(cal_month_days(2023, 2), 28);
	assert_int_equal(cal_month_days(2023, 0), 0);
	assert_int_equal(cal_to_bcd(59), 0x59);
	assert_int_equal(cal_from_bcd(0x42), 42);
}

/* ------------------------------------------------ the clock model */

static uint8_t rd(struct vrtc *r, uint8_t index, int64_t now)
{
	vrtc_select(r, index);
	return vrtc_read(r, now);
}

static void wr(struct vrtc *r, uint8_t index, uint8_t val, int64_t now)
{
	vrtc_select(r, index);
	vrtc_write(r, val, now);
}

static void test_power_on_registers(void **state)
{
	struct vrtc r = { 0 };

	(void)state;
	assert_int_equal(rd(&r, MC146818_REG_A, 0), 0x26);	/* UIP clear, 32 kHz, 1024 Hz */
	assert_int_equal(rd(&r, MC146818_REG_B, 0), MC146818_B_24H);	/* BCD, 24 h */
	assert_int_equal(rd(&r, MC146818_REG_C, 0), 0);
	assert_int_equal(rd(&r, MC146818_REG_D, 0), MC146818_D_VRT);
	/* Bit 7 of the index (NMI mask) selects nothing: 0x8D is register D. */
	assert_int_equal(rd(&r, 0x80 | MC146818_REG_D, 0), MC146818_D_VRT);
}

static void test_bcd_24h(void **state)
{
	struct vrtc r = { 0 };
	int64_t now = T_2000_01_01_123456;

	(void)state;
	assert_int_equal(rd(&r, MC146818_SECONDS, now), 0x56);
	assert_int_equal(rd(&r, MC146818_MINUTES, now), 0x34);
	assert_int_equal(rd(&r, MC146818_HOURS, now), 0x12);
	assert_int_equal(rd(&r, MC146818_DAY_OF_WEEK, now), 7);	/* Saturday; Sunday = 1 */
	assert_int_equal(rd(&r, MC146818_DAY_OF_MONTH, now), 0x01);
	assert_int_equal(rd(&r, MC146818_MONTH, now), 0x01);
	assert_int_equal(rd(&r, MC146818_YEAR, now), 0x00);
	assert_int_equal(rd(&r, MC146818_CENTURY, now), 0x20);
	/* The host's clock runs on: 61 s later. */
	assert_int_equal(rd(&r, MC146818_SECONDS, now + 61), 0x57);
	assert_int_equal(rd(&r, MC146818_MINUTES, now + 61), 0x35);
}

static void test_binary_and_12h(void **state)
{
	struct vrtc r = { 0 };
	int64_t noon = T_2000_01_01_123456 - 34 * 60 - 56;	/* 12:00:00 */

	(void)state;
	wr(&r, MC146818_REG_B, MC146818_B_24H | MC146818_B_DM_BINARY, 0);
	assert_int_equal(rd(&r, MC146818_SECONDS, T_2000_01_01_123456), 56);
	assert_int_equal(rd(&r, MC146818_CENTURY, T_2000_01_01_123456), 20);
	wr(&r, MC146818_REG_B, 0, 0);	/* BCD, 12 hours */
	assert_int_equal(rd(&r, MC146818_HOURS, noon), 0x92);	/* 12 PM */
	assert_int_equal(rd(&r, MC146818_HOURS, noon - 12 * 3600), 0x12);	/* midnight: 12 AM */
	assert_int_equal(rd(&r, MC146818_HOURS, noon + 3600), 0x81);	/* 1 PM */
	assert_int_equal(rd(&r, MC146818_HOURS, noon - 3600), 0x11);	/* 11 AM */
	wr(&r, MC146818_REG_B, MC146818_B_DM_BINARY, 0);	/* binary, 12 hours */
	assert_int_equal(rd(&r, MC146818_HOURS, noon + 11 * 3600), 0x80 | 11);	/* 11 PM */
	/* 12-hour writes: 12 AM is hour 0, 12 PM hour 12; hour 0 does not exist. */
	wr(&r, MC146818_HOURS, 0x80 | 12, noon + 3600);
	assert_int_equal(rd(&r, MC146818_HOURS, noon + 3600), 0x80 | 12);
	wr(&r, MC146818_HOURS, 12, noon + 3600);
	wr(&r, MC146818_REG_B, MC146818_B_24H | MC146818_B_DM_BINARY, 0);
	assert_int_equal(rd(&r, MC146818_HOURS, noon + 3600), 0);
	wr(&r, MC146818_REG_B, MC146818_B_DM_BINARY, 0);
	wr(&r, MC146818_HOURS, 0, noon + 3600);	/* refused */
	wr(&r, MC146818_REG_B, MC146818_B_24H | MC146818_B_DM_BINARY, 0);
	assert_int_equal(rd(&r, MC146818_HOURS, noon + 3600), 0);
}

/* Linux's order (year first) under B.SET: the date is checked only when SET is cleared. */
static void test_set_time_with_set_bit(void **state)
{
	struct vrtc r = { 0 };
	int64_t now = T_2000_01_01_123456;

	(void)state;
	wr(&r, MC146818_DAY_OF_MONTH, 0x31, now);	/* 2000-01-31, without SET */
	wr(&r, MC146818_REG_B, MC146818_B_SET | MC146818_B_24H, now);
	wr(&r, MC146818_YEAR, 0x24, now);
	wr(&r, MC146818_MONTH, 0x02, now);	/* Feb 31 for a moment */
	assert_int_equal(rd(&r, MC146818_MONTH, now), 0x02);
	wr(&r, MC146818_DAY_OF_MONTH, 0x29, now);
	wr(&r, MC146818_HOURS, 0x23, now);
	wr(&r, MC146818_MINUTES, 0x59, now);
	wr(&r, MC146818_SECONDS, 0x58, now);
	/* Held: the clock does not run while SET. */
	assert_int_equal(rd(&r, MC146818_SECONDS, now + 100), 0x58);
	wr(&r, MC146818_REG_B, MC146818_B_24H, now + 100);
	assert_int_equal(rd(&r, MC146818_SECONDS, now + 100), 0x58);
	assert_int_equal(rd(&r, MC146818_DAY_OF_MONTH, now + 100), 0x29);
	/* Three seconds later it is March 1st, 2024. */
	assert_int_equal(rd(&r, MC146818_DAY_OF_MONTH, now + 103), 0x01);
	assert_int_equal(rd(&r, MC146818_MONTH, now + 103), 0x03);
	assert_int_equal(rd(&r, MC146818_YEAR, now + 103), 0x24);
	assert_int_equal(rd(&r, MC146818_SECONDS, now + 103), 0x01);
	assert_int_equal(r.offset_s, T_2024_02_29_235958 - (now + 100));
}

static void test_bad_writes_keep_the_time(void **state)
{
	struct vrtc r = { 0 };
	int64_t now = T_2000_01_01_123456;

	(void)state;
	wr(&r, MC146818_MONTH, 0x13, now);	/* month 13 */
	wr(&r, MC146818_MINUTES, 0x1A, now);	/* no BCD value */
	wr(&r, MC146818_SECONDS, 0x60, now);
	wr(&r, MC146818_DAY_OF_MONTH, 0x00, now);
	wr(&r, MC146818_MONTH, 0x02, now);	/* Feb 1st: fine */
	wr(&r, MC146818_DAY_OF_MONTH, 0x30, now);	/* Feb 30 without SET: refused */
	assert_int_equal(rd(&r, MC146818_MONTH, now), 0x02);
	assert_int_equal(rd(&r, MC146818_DAY_OF_MONTH, now), 0x01);
	assert_int_equal(rd(&r, MC146818_MINUTES, now), 0x34);
	assert_int_equal(rd(&r, MC146818_SECONDS, now), 0x56);
	/* Under SET, a date that does not exist is dropped when SET is cleared. */
	wr(&r, MC146818_REG_B, MC146818_B_SET | MC146818_B_24H, now);
	wr(&r, MC146818_DAY_OF_MONTH, 0x30, now);
	wr(&r, MC146818_REG_B, MC146818_B_24H, now);
	assert_int_equal(rd(&r, MC146818_DAY_OF_MONTH, now), 0x01);
	assert_int_equal(rd(&r, MC146818_MONTH, now), 0x02);
	/* Day of week: derived, a write in range changes nothing. */
	wr(&r, MC146818_DAY_OF_WEEK, 0x02, now);
	assert_int_equal(rd(&r, MC146818_DAY_OF_WEEK, now), 3);	/* 2000-02-01: Tuesday */
}

static void test_other_registers(void **state)
{
	struct vrtc r = { 0 };

	(void)state;
	wr(&r, MC146818_REG_A, 0xA6, 0);	/* UIP is read-only */
	assert_int_equal(rd(&r, MC146818_REG_A, 0), 0x26);
	wr(&r, MC146818_REG_C, 0xFF, 0);
	wr(&r, MC146818_REG_D, 0x00, 0);
	assert_int_equal(rd(&r, MC146818_REG_C, 0), 0);
	assert_int_equal(rd(&r, MC146818_REG_D, 0), MC146818_D_VRT);
	wr(&r, 0x40, 0x5A, 0);		/* NVRAM */
	wr(&r, MC146818_SECONDS_ALARM, 0x33, 0);
	assert_int_equal(rd(&r, 0x40, 0), 0x5A);
	assert_int_equal(rd(&r, 0x80 | 0x40, 0), 0x5A);
	assert_int_equal(rd(&r, MC146818_SECONDS_ALARM, 0), 0x33);
	assert_int_equal(rd(&r, 0x7F, 0), 0);
}

/* Century written: the year moves by centuries, the rest stays. */
static void test_century_write(void **state)
{
	struct vrtc r = { 0 };
	int64_t now = T_2000_01_01_123456;

	(void)state;
	wr(&r, MC146818_CENTURY, 0x21, now);
	assert_int_equal(rd(&r, MC146818_CENTURY, now), 0x21);
	assert_int_equal(rd(&r, MC146818_YEAR, now), 0x00);
	assert_int_equal(rd(&r, MC146818_DAY_OF_WEEK, now), 6);	/* 2100-01-01: a Friday */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_clamped_to_clock_years),
		cmocka_unit_test(test_round_trip_matches_libc),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_power_on_registers),
		cmocka_unit_test(test_bcd_24h),
		cmocka_unit_test(test_binary_and_12h),
		cmocka_unit_test(test_set_time_with_set_bit),
		cmocka_unit_test(test_bad_writes_keep_the_time),
		cmocka_unit_test(test_other_registers),
		cmocka_unit_test(test_century_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
