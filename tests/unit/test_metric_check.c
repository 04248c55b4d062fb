/* SPDX-License-Identifier: MIT */
/* Unit tests: guest-reported metrics against Tally's figures (kernel/metric_check.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <public/tally.h>
#include <tally/metric_check.h>

#define RAM		(96ull << 20)
#define DISK		(8ull << 20)
#define IMAGE		(4ull << 20)
#define WRITTEN		(300ull << 10)
#define B		TALLY_UNIT_BYTES

static const struct metric_facts facts = {
	.ram_bytes = RAM, .disk_bytes = DISK, .disk_image_bytes = IMAGE,
	.disk_written_bytes = WRITTEN,
};

static enum metric_trust one(const char *name, int64_t value, uint32_t unit,
			     const struct metric_facts *f)
{
	const struct metric_sample s = { name, value, unit };

	return metric_check(&s, 1, 0, f);
}

static void test_mem_total_bounds(void **state)
{
	(void)state;
	assert_int_equal(one("mem_total_bytes", (int64_t)RAM, B, &facts), METRIC_CONSISTENT);
	assert_int_equal(one("mem_total_bytes", (int64_t)RAM + 1, B, &facts), METRIC_CONTRADICTED);
	assert_int_equal(one("mem_total_bytes", (int64_t)RAM / 4, B, &facts), METRIC_CONSISTENT);
	assert_int_equal(one("mem_total_bytes", (int64_t)RAM / 4 - 1, B, &facts),
			 METRIC_CONTRADICTED);
	/* MemTotal's kB taken for bytes: 1024 times too small. */
	assert_int_equal(one("mem_total_bytes", 61000, B, &facts),
			 METRIC_CONTRADICTED);
	assert_int_equal(one("mem_total_bytes", (int64_t)RAM * 4, B, &facts), METRIC_CONTRADICTED);
}

static void test_mem_used_against_total(void **state)
{
	struct metric_sample s[] = {
		{ "mem_used_bytes", 40 << 20, B },
		{ "mem_total_bytes", 60 << 20, B },
		{ "mem_available_bytes", 20 << 20, B },
	};

	(void)state;
	assert_int_equal(metric_check(s, 3, 0, &facts), METRIC_CONSISTENT);
	assert_int_equal(metric_check(s, 3, 2, &facts), METRIC_CONSISTENT);
	s[0].value = (60 << 20) + 1;	/* more used than MemTotal, though less than the RAM */
	s[2].value = (60 << 20) + 1;
	assert_int_equal(metric_check(s, 3, 0, &facts), METRIC_CONTRADICTED);
	assert_int_equal(metric_check(s, 3, 2, &facts), METRIC_CONTRADICTED);
	/* Without a MemTotal the RAM bounds it. */
	assert_int_equal(metric_check(s, 1, 0, &facts), METRIC_CONSISTENT);
	s[0].value = (int64_t)RAM + 1;
	assert_int_equal(metric_check(s, 1, 0, &facts), METRIC_CONTRADICTED);
}

static void test_disk_bounds(void **state)
{
	struct metric_sample s[] = {
		{ "disk_used_bytes:vda", (int64_t)(IMAGE + WRITTEN), B },
		{ "disk_size_bytes:vda", (int64_t)IMAGE, B },
		{ "disk_size_bytes:vdb", (int64_t)DISK, B },
	};

	(void)state;
	/* Used within the image and the writes, but more than its own filesystem's size. */
	assert_int_equal(metric_check(s, 3, 0, &facts), METRIC_CONTRADICTED);
	assert_int_equal(metric_check(s, 1, 0, &facts), METRIC_CONSISTENT);
	s[0].value++;	/* one byte more than was ever put on the disk */
	assert_int_equal(metric_check(s, 1, 0, &facts), METRIC_CONTRADICTED);
	s[0].value = (int64_t)IMAGE;
	assert_int_equal(metric_check(s, 3, 0, &facts), METRIC_CONSISTENT);
	assert_int_equal(metric_check(s, 3, 1, &facts), METRIC_CONSISTENT);
	assert_int_equal(metric_check(s, 3, 2, &facts), METRIC_CONSISTENT);
	s[2].value = (int64_t)DISK + 1;	/* bigger than the disk */
	assert_int_equal(metric_check(s, 3, 2, &facts), METRIC_CONTRADICTED);
}

static void test_no_disk(void **state)
{
	const struct metric_facts diskless = { .ram_bytes = RAM };

	(void)state;
	assert_int_equal(one("disk_used_bytes:vda", 0, B, &diskless), METRIC_CONTRADICTED);
	assert_int_equal(one("disk_size_bytes:vda", 4096, B, &diskless), METRIC_CONTRADICTED);
}

static void test_units_and_signs(void **state)
{
	(void)state;
	assert_int_equal(one("mem_total_bytes", 64 << 20, TALLY_UNIT_COUNT, &facts),
			 METRIC_CONTRADICTED);
	assert_int_equal(one("mem_used_bytes", -1, B, &facts), METRIC_CONTRADICTED);
	assert_int_equal(one("disk_used_bytes:vda", -5, B, &facts), METRIC_CONTRADICTED);
}

static void test_unknown_names_unchecked(void **state)
{
	static const char *const names[] = {
		"mem_used", "temperature", "disk_used_bytes:", "disk_used_bytes", "mem_total_bytes2",
		"disk_size_bytesX",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(one(names[i], (int64_t)RAM * 100, B, &facts), METRIC_UNCHECKED);
	assert_string_equal(metric_trust_name(METRIC_UNCHECKED), "unchecked");
	assert_string_equal(metric_trust_name(METRIC_CONSISTENT), "consistent");
	assert_string_equal(metric_trust_name(METRIC_CONTRADICTED), "contradicted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_total_bounds),
		cmocka_unit_test(test_mem_used_against_total),
		cmocka_unit_test(test_disk_bounds),
		cmocka_unit_test(test_no_disk),
		cmocka_unit_test(test_units_and_signs),
		cmocka_unit_test(test_unknown_names_unchecked),
	};

	return cmocka_run_group_tests_name("metric_check", tests, NULL, NULL);
}
