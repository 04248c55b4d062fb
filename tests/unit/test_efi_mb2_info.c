/* SPDX-License-Identifier: MIT */
/* Unit tests for boot/efi/mb2_info.c: tag bytes (Multiboot2 3.6), short buffers, round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../boot/efi/efi_loader.h"
#include "shim.h"

#define BUF_SIZE	4096
#define POISON		0xaa

static uint8_t buf[BUF_SIZE] __attribute__((aligned(8)));
static struct mb2_builder b;
static struct boot_info info;	/* 12 KiB: kept off the stack */

static int start(void **state)
{
	(void)state;
	memset(buf, POISON, sizeof(buf));
	shim_log_reset();
	return mb2_info_begin(&b, buf, sizeof(buf));
}

/* The one tag added since start(), bytes and padding, is @expect. */
static void expect_tag(const uint8_t *expect, size_t len)
{
	assert_int_equal(b.used, 8 + len);
	assert_memory_equal(buf + 8, expect, len);
	assert_int_equal(buf[8 + len], POISON);	/* nothing written past the padding */
}

static void test_string_tags(void **state)
{
	static const uint8_t cmdline[] = {
		1, 0, 0, 0, 12, 0, 0, 0, 'a', ' ', 'b', 0, 0, 0, 0, 0,
	};
	static const uint8_t name[] = {
		2, 0, 0, 0, 25, 0, 0, 0, 'T', 'a', 'l', 'l', 'y', ' ', 'E', 'F',
		'I', ' ', 'l', 'o', 'a', 'd', 'e', 'r', 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t empty[] = { 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	assert_int_equal(mb2_info_add_cmdline(&b, "a b"), 0);
	expect_tag(cmdline, sizeof(cmdline));
	start(state);
	assert_int_equal(mb2_info_add_loader_name(&b, "Tally EFI loader"), 0);
	expect_tag(name, sizeof(name));
	start(state);
	assert_int_equal(mb2_info_add_cmdline(&b, ""), 0);
	expect_tag(empty, sizeof(empty));
}

static void test_module_tag(void **state)
{
	static const uint8_t module[] = {
		3, 0, 0, 0, 20, 0, 0, 0, 0x00, 0x10, 0x40, 0x00, 0x34, 0x12, 0x40, 0x00,
		'x', '=', '1', 0, 0, 0, 0, 0,
	};

	(void)state;
	assert_int_equal(mb2_info_add_module(&b, 0x401000, 0x401234, "x=1"), 0);
	expect_tag(module, sizeof(module));
}

static void test_meminfo_and_efi64_tags(void **state)
{
	static const uint8_t meminfo[] = {
		4, 0, 0, 0, 16, 0, 0, 0, 0x7f, 0x02, 0, 0, 0x00, 0xfc, 0x07, 0x00,
	};
	static const uint8_t efi64[] = {
		12, 0, 0, 0, 16, 0, 0, 0, 0x18, 0xef, 0xcd, 0xab, 0x01, 0, 0, 0,
	};

	assert_int_equal(mb2_info_add_basic_meminfo(&b, 639, 523264), 0);
	expect_tag(meminfo, sizeof(meminfo));
	start(state);
	assert_int_equal(mb2_info_add_efi64(&b, 0x1abcdef18ull), 0);
	expect_tag(efi64, sizeof(efi64));
}

static void test_mmap_tag(void **state)
{
	static const struct mb2_mmap_entry map[] = {
		{ 0, 0x9f000, MEM_USABLE, 0 },
		{ 0x100000000ull, 0x40000000, MEM_ACPI_NVS, 0 },
	};
	static const uint8_t mmap[] = {
		6, 0, 0, 0, 64, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xf0, 0x09, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0,
	};

	(void)state;
	assert_int_equal(mb2_info_add_mmap(&b, map, 2), 0);
	expect_tag(mmap, sizeof(mmap));
}

static void test_acpi_tags(void **state)
{
	uint8_t rsdp[ACPI_RSDP_V2_LEN];
	uint8_t expect[8 + ACPI_RSDP_V2_LEN + 4];

	for (size_t i = 0; i < sizeof(rsdp); i++)
		rsdp[i] = (uint8_t)(i + 1);
	memset(expect, 0, sizeof(expect));
	expect[0] = 14;
	expect[4] = 28;
	memcpy(expect + 8, rsdp, ACPI_RSDP_V1_LEN);
	assert_int_equal(mb2_info_add_acpi(&b, false, rsdp, ACPI_RSDP_V1_LEN), 0);
	expect_tag(expect, 32);
	start(state);
	expect[0] = 15;
	expect[4] = 44;
	memcpy(expect + 8, rsdp, ACPI_RSDP_V2_LEN);
	assert_int_equal(mb2_info_add_acpi(&b, true, rsdp, ACPI_RSDP_V2_LEN), 0);
	expect_tag(expect, 48);
	/* The wrong length for the version is refused without writing. */
	assert_int_equal(mb2_info_add_acpi(&b, false, rsdp, ACPI_RSDP_V2_LEN), -EINVAL);
	assert_int_equal(mb2_info_add_acpi(&b, true, rsdp, ACPI_RSDP_V1_LEN), -EINVAL);
	assert_int_equal(b.used, 8 + 48);
}

static void test_finish(void **state)
{
	static const uint8_t block[] = {
		32, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 11, 0, 0, 0,
		'a', 'b', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0,
	};
	size_t total = 0;

	(void)state;
	assert_int_equal(mb2_info_add_cmdline(&b, "ab"), 0);
	assert_int_equal(mb2_info_finish(&b, &total), 0);
	assert_int_equal(total, sizeof(block));
	assert_memory_equal(buf, block, sizeof(block));
}

/* Build a block with every tag into @cap bytes at @p: 0 or the first error. */
static int build_all(void *p, size_t cap, size_t *total)
{
	static const struct mb2_mmap_entry map[] = { { 0, 0xa0000, MEM_USABLE, 0 } };
	uint8_t rsdp[ACPI_RSDP_V2_LEN] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
	int rc = mb2_info_begin(&b, p, cap);

	rc = rc ? rc : mb2_info_add_cmdline(&b, "console=serial");
	rc = rc ? rc : mb2_info_add_loader_name(&b, "Tally EFI loader");
	rc = rc ? rc : mb2_info_add_module(&b, 0x1000000, 0x1000100, "name=one");
	rc = rc ? rc : mb2_info_add_basic_meminfo(&b, 640, 0);
	rc = rc ? rc : mb2_info_add_mmap(&b, map, 1);
	rc = rc ? rc : mb2_info_add_acpi(&b, false, rsdp, ACPI_RSDP_V1_LEN);
	rc = rc ? rc : mb2_info_add_acpi(&b, true, rsdp, ACPI_RSDP_V2_LEN);
	rc = rc ? rc : mb2_info_add_efi64(&b, 0x7f000000);
	return rc ? rc : mb2_info_finish(&b, total);
}

/* Every buffer shorter than the block is refused, none is written past its end (ASan). */
static void test_short_buffers(void **state)
{
	size_t need = 0, total = 0;

	(void)state;
	assert_int_equal(build_all(buf, sizeof(buf), &need), 0);
	assert_int_equal(need, 8 + 24 + 32 + 32 + 16 + 40 + 32 + 48 + 16 + 8);
	for (size_t cap = 0; cap <= need; cap++) {
		uint8_t *p = malloc(cap ? cap : 1);

		total = 0;
		assert_int_equal(build_all(p, cap, &total), cap < need ? -ENOSPC : 0);
		assert_int_equal(total, cap < need ? 0 : need);
		free(p);
	}
}

/* A tag that did not fit makes finish refuse, even if a later, smaller tag fits. */
static void test_finish_after_enospc(void **state)
{
	size_t total = 0;

	(void)state;
	assert_int_equal(mb2_info_begin(&b, buf, 32), 0);
	assert_int_equal(mb2_info_add_loader_name(&b, "Tally EFI loader"), -ENOSPC);
	assert_int_equal(mb2_info_add_cmdline(&b, "a"), -ENOSPC);
	assert_int_equal(mb2_info_finish(&b, &total), -ENOSPC);
	assert_int_equal(total, 0);
}

static void test_round_trip(void **state)
{
	static const uint8_t efi_map[][48] = {
		{ 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		  0x9f, 0, 0, 0, 0, 0, 0, 0, 0x0f, 0, 0, 0, 0, 0, 0, 0 },
		{ 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		  0x00, 0x7f, 0, 0, 0, 0, 0, 0 },
		{ 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		  0x10, 0, 0, 0, 0, 0, 0, 0 },
	};
	struct mb2_mmap_entry map[8];
	unsigned int count = 0;
	uint32_t lower, upper;
	uint8_t rsdp[ACPI_RSDP_V2_LEN];
	size_t total = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(rsdp); i++)
		rsdp[i] = (uint8_t)(0x40 + i);
	assert_int_equal(efi_mmap_convert(efi_map, sizeof(efi_map), 48, map, 8, &count), 0);
	assert_int_equal(count, 3);
	efi_mmap_meminfo(map, count, &lower, &upper);
	assert_int_equal(mb2_info_add_cmdline(&b, "console=serial loglevel=debug"), 0);
	assert_int_equal(mb2_info_add_loader_name(&b, "Tally EFI loader"), 0);
	assert_int_equal(mb2_info_add_module(&b, 0x1000000, 0x1003000, "name=one mem=16M"), 0);
	assert_int_equal(mb2_info_add_module(&b, 0x2000000, 0x2000001, ""), 0);
	assert_int_equal(mb2_info_add_basic_meminfo(&b, lower, upper), 0);
	assert_int_equal(mb2_info_add_mmap(&b, map, count), 0);
	assert_int_equal(mb2_info_add_acpi(&b, true, rsdp, sizeof(rsdp)), 0);
	assert_int_equal(mb2_info_add_efi64(&b, 0x7fe0018), 0);
	assert_int_equal(mb2_info_finish(&b, &total), 0);

	assert_int_equal(mb2_parse(buf, total, &info), 0);
	assert_int_equal(info.errors, 0);
	assert_int_equal(info.protocol, BOOT_MULTIBOOT2);
	assert_string_equal(info.loader, "Tally EFI loader");
	assert_string_equal(info.cmdline, "console=serial loglevel=debug");
	assert_int_equal(info.info_size, total);
	assert_int_equal(info.module_count, 2);
	assert_int_equal(info.modules[0].start.raw, 0x1000000);
	assert_int_equal(info.modules[0].size, 0x3000);
	assert_string_equal(info.modules[0].cmdline, "name=one mem=16M");
	assert_int_equal(info.modules[1].start.raw, 0x2000000);
	assert_int_equal(info.modules[1].size, 1);
	assert_string_equal(info.modules[1].cmdline, "");
	assert_int_equal(info.mmap_count, 3);
	assert_int_equal(info.mmap[0].base, 0);
	assert_int_equal(info.mmap[0].len, 0x9f000);
	assert_int_equal(info.mmap[0].type, MEM_USABLE);
	assert_int_equal(info.mmap[1].base, 0x100000);
	assert_int_equal(info.mmap[1].len, 0x7f00000);
	assert_int_equal(info.mmap[1].type, MEM_USABLE);
	assert_int_equal(info.mmap[2].base, 0x8000000);
	assert_int_equal(info.mmap[2].len, 0x10000);
	assert_int_equal(info.mmap[2].type, MEM_ACPI_RECLAIMABLE);
	assert_int_equal(info.rsdp_len, ACPI_RSDP_V2_LEN);
	assert_memory_equal(info.rsdp, rsdp, sizeof(rsdp));
	assert_int_equal(lower, 636);
	assert_int_equal(upper, 0x7f00000 / 1024);
}

static void test_round_trip_acpi_old(void **state)
{
	uint8_t rsdp[ACPI_RSDP_V1_LEN] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x5a };
	size_t total = 0;

	(void)state;
	assert_int_equal(mb2_info_add_acpi(&b, false, rsdp, sizeof(rsdp)), 0);
	assert_int_equal(mb2_info_finish(&b, &total), 0);
	assert_int_equal(mb2_parse(buf, total, &info), 0);
	assert_int_equal(info.rsdp_len, ACPI_RSDP_V1_LEN);
	assert_memory_equal(info.rsdp, rsdp, sizeof(rsdp));
	assert_int_equal(info.module_count, 0);
	assert_string_equal(info.loader, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_string_tags, start),
		cmocka_unit_test_setup(test_module_tag, start),
		cmocka_unit_test_setup(test_meminfo_and_efi64_tags, start),
		cmocka_unit_test_setup(test_mmap_tag, start),
		cmocka_unit_test_setup(test_acpi_tags, start),
		cmocka_unit_test_setup(test_finish, start),
		cmocka_unit_test_setup(test_short_buffers, start),
		cmocka_unit_test_setup(test_finish_after_enospc, start),
		cmocka_unit_test_setup(test_round_trip, start),
		cmocka_unit_test_setup(test_round_trip_acpi_old, start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
