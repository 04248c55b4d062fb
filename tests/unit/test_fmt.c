/* SPDX-License-Identifier: MIT */
/* Unit tests: printf-style formatting (kernel/fmt.c), checked against the host's snprintf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <tally/fmt.h>

/* Format with both implementations and compare text and returned length. */
#define CHECK(...)							\
	do {								\
		char ours[128], libc[128];				\
		int n1 = fmt_snprintf(ours, sizeof(ours), __VA_ARGS__);	\
		int n2 = snprintf(libc, sizeof(libc), __VA_ARGS__);	\
		assert_string_equal(ours, libc);			\
		assert_int_equal(n1, n2);				\
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	CHECK("%d %i %u", 0, -42, 42u);
	CHECK("%d", INT32_MIN);
	CHECK("%ld %lu", INT64_MIN, UINT64_MAX);
	CHECK("%lld %llu", -1ll, 18446744073709551615ull);
	CHECK("%x %X %o", 0xdeadbeefu, 0xabcu, 8u);
	CHECK("%lx", (unsigned long)UINT64_MAX);
	CHECK("%hhu %hd %hhx", 300, -70000, 0x1ff);
	CHECK("%zu %td %jd", (size_t)7, (ptrdiff_t)-3, (intmax_t)-9);
}

static void test_flags_width_precision(void **state)
{
	(void)state;
	CHECK("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	CHECK("[%#x] [%#018lx] [%#X]", 0x1f, 0x1234ul, 0xab);
	CHECK("[%.3d] [%8.3d] [%-8.3d] [%.0d]", 7, 7, 7, 0);
	CHECK("[%*d] [%-*d] [%.*d]", 6, 1, 6, 1, 4, 1);
	CHECK("[%05d] [%-5d]", -42, -42);
	CHECK("[%#x]", 0);
}

static void test_strings_and_chars(void **state)
{
	(void)state;
	CHECK("[%s] [%10s] [%-10s] [%.2s]", "abc", "abc", "abc", "abc");
	CHECK("[%c%c] [%3c]", 'o', 'k', 'x');
	CHECK("%%");
	CHECK("[%.*s]", 3, "abcdef");
}

static void test_pointer(void **state)
{
	char buf[32];

	(void)state;
	fmt_snprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	assert_string_equal(buf, "0x1234");
}

static void test_null_string(void **state)
{
	const char *volatile null = NULL;
	char buf[32];

	(void)state;

	fmt_snprintf(buf, sizeof(buf), "[%s]", null);
	assert_string_equal(buf, "[(null)]");
}

static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(fmt_snprintf(buf, 1, "%d", 12345), 5);
	assert_string_equal(buf, "");
	buf[0] = 'Q';
	assert_int_equal(fmt_snprintf(buf, 0, "abc"), 3);
	assert_int_equal(buf[0], 'Q');	/* size 0: nothing written */
}

/* A format built at run time hides it from -Wformat, as a bad one would be. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static int fmt_dynamic(char *buf, size_t size, const char *fmt)
{
	return fmt_snprintf(buf, size, fmt, 0);
}

static void test_unknown_conversion(void **state)
{
	char buf[32];

	(void)state;
	fmt_dynamic(buf, sizeof(buf), "a%yb");
	assert_string_equal(buf, "a%yb");
	fmt_dynamic(buf, sizeof(buf), "end%");
	assert_string_equal(buf, "end%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_flags_width_precision),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_unknown_conversion),
	};

	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
