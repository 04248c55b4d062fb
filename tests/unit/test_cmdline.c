/* SPDX-License-Identifier: MIT */
/* Unit tests for kernel/cmdline.c: tokens, quoting, truncation, lookup, numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <tally/cmdline.h>
#include <tally/errno.h>
#include <tally/string.h>

#include "shim.h"

#define MAX_EXPECTED	4

struct expect_token {
	const char *key;
	const char *value;	/* NULL: bare key */
	bool truncated;
};

struct next_case {
	const char *line;
	struct expect_token tokens[MAX_EXPECTED];
	unsigned int count;
};

static const struct next_case next_cases[] = {
	{ "", { { 0 } }, 0 },
	{ " \t\n\r ", { { 0 } }, 0 },
	{ "quiet", { { "quiet", NULL, false } }, 1 },
	{ "  a b=c\td=e  ", { { "a", NULL, false }, { "b", "c", false },
			      { "d", "e", false } }, 3 },
	{ "k=\"value with spaces\" x", { { "k", "value with spaces", false },
				       { "x", NULL, false } }, 2 },
	{ "k=\"\"", { { "k", "", false } }, 1 },
	{ "k= next", { { "k", "", false }, { "next", NULL, false } }, 2 },
	{ "k=\"open to the end", { { "k", "open to the end", false } }, 1 },
	{ "k=a\"b c\"d e", { { "k", "ab cd", false }, { "e", NULL, false } }, 2 },
	{ "=v", { { "", "v", false } }, 1 },
	{ "a==b", { { "a", "=b", false } }, 1 },
	{ "console=ttyS0,115200n8", { { "console", "ttyS0,115200n8", false } }, 1 },
};

static void test_next_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(next_cases); i++) {
		const struct next_case *c = &next_cases[i];
		const char *pos = c->line;
		struct cmdline_token tok;
		unsigned int n = 0;

		while (cmdline_next(&pos, &tok)) {
			assert_true(n < c->count);
			assert_string_equal(tok.key, c->tokens[n].key);
			assert_int_equal(tok.has_value, c->tokens[n].value != NULL);
			assert_string_equal(tok.value,
					    c->tokens[n].value ? c->tokens[n].value : "");
			assert_int_equal(tok.truncated, c->tokens[n].truncated);
			n++;
		}
		assert_int_equal(n, c->count);
		assert_int_equal(*pos, '\0');
		/* At the end it stays at the end. */
		assert_false(cmdline_next(&pos, &tok));
	}
}

static void test_next_null(void **state)
{
	const char *pos = NULL;
	struct cmdline_token tok;

	(void)state;
	assert_false(cmdline_next(&pos, &tok));
}

static void test_next_truncates_key(void **state)
{
	char line[CMDLINE_KEY_MAX + 16];
	const char *pos = line;
	struct cmdline_token tok;

	(void)state;
	memset(line, 'k', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[CMDLINE_KEY_MAX + 8] = '=';
	assert_true(cmdline_next(&pos, &tok));
	assert_true(tok.truncated);
	assert_int_equal(strlen(tok.key), CMDLINE_KEY_MAX - 1);
	assert_true(tok.has_value);
	assert_string_equal(tok.value, "kkkkkk");
	assert_false(cmdline_next(&pos, &tok));
}

static void test_next_truncates_value(void **state)
{
	char line[CMDLINE_VALUE_MAX + 64];
	const char *pos = line;
	struct cmdline_token tok;
	size_t n = strlen("v=\"");

	(void)state;
	memcpy(line, "v=\"", n);
	memset(line + n, 'x', CMDLINE_VALUE_MAX + 20);
	line[n + 40] = ' ';	/* inside the quotes: part of the value */
	memcpy(line + n + CMDLINE_VALUE_MAX + 20, "\" next", sizeof("\" next"));
	assert_true(cmdline_next(&pos, &tok));
	assert_true(tok.truncated);
	assert_string_equal(tok.key, "v");
	assert_int_equal(strlen(tok.value), CMDLINE_VALUE_MAX - 1);
	assert_int_equal(tok.value[40], ' ');
	assert_true(cmdline_next(&pos, &tok));
	assert_string_equal(tok.key, "next");
	assert_false(tok.truncated);
}

struct find_case {
	const char *line;
	const char *key;
	size_t len;
	int ret;
	const char *val;
};

static const struct find_case find_cases[] = {
	{ "console=a console=b", "console", 16, 1, "b" },
	{ "x=1 debug y=2", "debug", 16, 0, "" },
	{ "x=1 x", "x", 16, 0, "" },
	{ "x x=7", "x", 16, 1, "7" },
	{ "consolex=1 xconsole=2", "console", 16, -ENOENT, "" },
	{ "", "a", 16, -ENOENT, "" },
	{ "name=\"two words\"", "name", 16, 1, "two words" },
	{ "name=\"two words\"", "name", 9, -E2BIG, "" },
	{ "name=\"two words\"", "name", 10, 1, "two words" },
	{ "a=short a=muchlongervalue", "a", 8, -E2BIG, "" },
	{ "a=muchlongervalue a=short", "a", 8, 1, "short" },
	{ "k=", "k", 1, 1, "" },
	{ "k=v", "k", 0, -E2BIG, NULL },
	{ "k", "k", 0, 0, NULL },
};

static void test_find_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(find_cases); i++) {
		const struct find_case *c = &find_cases[i];
		char val[32];

		memset(val, '#', sizeof(val));
		assert_int_equal(cmdline_find(c->line, c->key, val, c->len), c->ret);
		if (c->val)
			assert_string_equal(val, c->val);
		else
			assert_int_equal(val[0], '#');	/* len 0: untouched */
	}
}

static void test_find_null(void **state)
{
	char val[8];

	(void)state;
	assert_int_equal(cmdline_find(NULL, "a", val, sizeof(val)), -ENOENT);
	assert_int_equal(cmdline_find("a=1", NULL, val, sizeof(val)), -ENOENT);
}

static void test_find_truncated_key_does_not_match(void **state)
{
	char line[CMDLINE_KEY_MAX + 16], key[CMDLINE_KEY_MAX], val[8];

	(void)state;
	memset(line, 'k', CMDLINE_KEY_MAX + 4);
	memcpy(line + CMDLINE_KEY_MAX + 4, "=1", sizeof("=1"));
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(cmdline_find(line, key, val, sizeof(val)), -ENOENT);
}

static void test_find_truncated_value(void **state)
{
	char line[CMDLINE_VALUE_MAX + 16], val[CMDLINE_VALUE_MAX + 16];

	(void)state;
	memcpy(line, "v=", 2);
	memset(line + 2, 'x', CMDLINE_VALUE_MAX + 4);
	line[CMDLINE_VALUE_MAX + 6] = '\0';
	/* The buffer is big enough, but the token lost part of the value. */
	assert_int_equal(cmdline_find(line, "v", val, sizeof(val)), -E2BIG);
	assert_string_equal(val, "");
}

struct u64_case {
	const char *s;
	int ret;
	uint64_t value;
};

static const struct u64_case u64_cases[] = {
	{ "0", 0, 0 },
	{ "42", 0, 42 },
	{ "007", 0, 7 },
	{ "0x1F", 0, 0x1f },
	{ "0XfF", 0, 0xff },
	{ "0x0", 0, 0 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "0xFFFFFFFFFFFFFFFF", 0, UINT64_MAX },
	{ "0x0000000000000000001", 0, 1 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "99999999999999999999999", -ERANGE, 0 },
	{ "0x10000000000000000", -ERANGE, 0 },
	{ "99999999999999999999x", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "0x", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "12a", -EINVAL, 0 },
	{ "0x1g", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 },
	{ "1x10", -EINVAL, 0 },
	{ "0b101", -EINVAL, 0 },
};

static void test_parse_u64_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(u64_cases); i++) {
		const struct u64_case *c = &u64_cases[i];
		uint64_t v = 0xdeadbeef;

		assert_int_equal(cmdline_parse_u64(c->s, &v), c->ret);
		/* On failure the output is left alone. */
		assert_int_equal(v, c->ret ? 0xdeadbeef : c->value);
	}
}

static void test_parse_u64_null(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(cmdline_parse_u64(NULL, &v), -EINVAL);
	assert_int_equal(cmdline_parse_u64("1", NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_table),
		cmocka_unit_test(test_next_null),
		cmocka_unit_test(test_next_truncates_key),
		cmocka_unit_test(test_next_truncates_value),
		cmocka_unit_test(test_find_table),
		cmocka_unit_test(test_find_null),
		cmocka_unit_test(test_find_truncated_key_does_not_match),
		cmocka_unit_test(test_find_truncated_value),
		cmocka_unit_test(test_parse_u64_table),
		cmocka_unit_test(test_parse_u64_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
