/* SPDX-License-Identifier: MIT */
/* Unit tests for boot/efi/config.c: tally.cfg's good forms and every refusal with its message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../boot/efi/efi_loader.h"

static struct efi_cfg cfg;	/* 10 KiB: kept off the stack */
static char why[EFI_WHY_MAX];

static int parse(const char *text)
{
	memset(why, 'x', sizeof(why));
	why[sizeof(why) - 1] = '\0';
	return efi_cfg_parse(text, strlen(text), &cfg, why, sizeof(why));
}

static void expect_refusal(const char *text, const char *message)
{
	assert_int_equal(parse(text), -EINVAL);
	assert_string_equal(why, message);
}

static void test_kernel_and_modules(void **state)
{
	(void)state;
	assert_int_equal(parse("# Tally's boot entry\n"
			       "\n"
			       "multiboot2 /tally.elf console=serial loglevel=debug\n"
			       "  module2\t/guest.elf   name=one mem=16M  \n"
			       "   # a comment after blanks\n"
			       "module2 /linux.bzimage\n"), 0);
	assert_string_equal(why, "");
	assert_string_equal(cfg.kernel_path, "/tally.elf");
	assert_string_equal(cfg.kernel_args, "console=serial loglevel=debug");
	assert_int_equal(cfg.module_count, 2);
	assert_string_equal(cfg.modules[0].path, "/guest.elf");
	assert_string_equal(cfg.modules[0].args, "name=one mem=16M");
	assert_string_equal(cfg.modules[1].path, "/linux.bzimage");
	assert_string_equal(cfg.modules[1].args, "");
}

static void test_crlf_and_no_final_newline(void **state)
{
	(void)state;
	assert_int_equal(parse("multiboot2 /EFI/tally.elf\r\nmodule2 /m a=1\r\nmodule2 /n"), 0);
	assert_string_equal(cfg.kernel_path, "/EFI/tally.elf");
	assert_string_equal(cfg.kernel_args, "");
	assert_int_equal(cfg.module_count, 2);
	assert_string_equal(cfg.modules[0].args, "a=1");
	assert_string_equal(cfg.modules[1].path, "/n");
}

static void test_parse_resets_output(void **state)
{
	(void)state;
	assert_int_equal(parse("multiboot2 /a x\nmodule2 /b\nmodule2 /c\n"), 0);
	assert_int_equal(parse("multiboot2 /d\n"), 0);
	assert_int_equal(cfg.module_count, 0);
	assert_string_equal(cfg.kernel_args, "");
	assert_string_equal(cfg.modules[0].path, "");
}

static void test_length_not_nul(void **state)
{
	static const char text[] = "multiboot2 /tally.elf abc\nmodule2 /m";

	(void)state;
	/* Only the first 24 bytes count: the module line and "c" are past @len. */
	assert_int_equal(efi_cfg_parse(text, 24, &cfg, why, sizeof(why)), 0);
	assert_string_equal(cfg.kernel_args, "ab");
	assert_int_equal(cfg.module_count, 0);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_refusal("multiboot2 /tally.elf\nchainloader /x\n",
		       "line 2: unknown keyword 'chainloader' (expected multiboot2 or module2)");
	expect_refusal("# c\nmodule2 /m\nmultiboot2 /tally.elf\n",
		       "line 2: module2 before the multiboot2 line");
	expect_refusal("multiboot2 /a\n\nmultiboot2 /b\n", "line 3: a second multiboot2 line");
	expect_refusal("multiboot2 tally.elf\n",
		       "line 1: path 'tally.elf' does not start with '/'");
	expect_refusal("multiboot2 /t\nmodule2 guest.elf x=1\n",
		       "line 2: path 'guest.elf' does not start with '/'");
	expect_refusal("multiboot2   \n", "line 1: multiboot2 without a file");
	expect_refusal("multiboot2 /t\nmodule2\n", "line 2: module2 without a file");
	expect_refusal("", "no multiboot2 line");
	expect_refusal("# only a comment\n\n", "no multiboot2 line");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "multiboot2 /t a\0b\n";

	(void)state;
	assert_int_equal(efi_cfg_parse(text, sizeof(text) - 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "line 1: a NUL byte");
}

static void test_long_keyword_quoted_short(void **state)
{
	char text[200];

	(void)state;
	memset(text, 'k', 100);
	strcpy(text + 100, " /x\n");
	expect_refusal(text, "line 1: unknown keyword 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' "
			     "(expected multiboot2 or module2)");
}

static void test_too_many_modules(void **state)
{
	char text[2048];
	size_t n = 0;

	(void)state;
	n += (size_t)sprintf(text + n, "multiboot2 /tally.elf\n");
	for (unsigned int i = 0; i < EFI_CFG_MODULES_MAX; i++)
		n += (size_t)sprintf(text + n, "module2 /m%u arg%u\n", i, i);
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.module_count, EFI_CFG_MODULES_MAX);
	assert_string_equal(cfg.modules[15].path, "/m15");
	assert_string_equal(cfg.modules[15].args, "arg15");
	sprintf(text + n, "module2 /one-more\n");
	expect_refusal(text, "line 18: more than 16 modules");
}

/* A config whose kernel line has a path of @path_len and arguments of @args_len characters. */
static char *config_with(size_t path_len, size_t args_len)
{
	char *text = malloc(path_len + args_len + 32);
	size_t n = (size_t)sprintf(text, "multiboot2 /");

	memset(text + n, 'p', path_len - 1);
	n += path_len - 1;
	text[n++] = ' ';
	memset(text + n, 'a', args_len);
	n += args_len;
	strcpy(text + n, "\n");
	return text;
}

static void test_length_limits(void **state)
{
	char *text;

	(void)state;
	text = config_with(EFI_CFG_PATH_MAX - 1, EFI_CFG_ARGS_MAX - 1);
	assert_int_equal(parse(text), 0);
	assert_int_equal(strlen(cfg.kernel_path), EFI_CFG_PATH_MAX - 1);
	assert_int_equal(strlen(cfg.kernel_args), EFI_CFG_ARGS_MAX - 1);
	free(text);
	text = config_with(EFI_CFG_PATH_MAX, 1);
	expect_refusal(text, "line 1: path longer than 127 characters");
	free(text);
	text = config_with(10, EFI_CFG_ARGS_MAX);
	expect_refusal(text, "line 1: arguments longer than 511 characters");
	free(text);
	/* 1024 characters is a line; one more is not, even when all blanks. */
	text = malloc(EFI_CFG_LINE_MAX + 32);
	memset(text, ' ', EFI_CFG_LINE_MAX);
	strcpy(text + EFI_CFG_LINE_MAX, "\nmultiboot2 /t\n");
	assert_int_equal(parse(text), 0);
	memset(text, ' ', EFI_CFG_LINE_MAX + 1);
	strcpy(text + EFI_CFG_LINE_MAX + 1, "\nmultiboot2 /t\n");
	expect_refusal(text, "line 1: longer than 1024 characters");
	free(text);
}

static void test_short_why_buffer(void **state)
{
	char small[8];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(efi_cfg_parse("bogus", 5, &cfg, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "line 1:");
	assert_int_equal(efi_cfg_parse("bogus", 5, &cfg, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_and_modules),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_parse_resets_output),
		cmocka_unit_test(test_length_not_nul),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_keyword_quoted_short),
		cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_length_limits),
		cmocka_unit_test(test_short_why_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
