/* SPDX-License-Identifier: MIT */
/* Unit tests for boot/efi/efi_mmap.c: EFI types to multiboot2 ones, sorting, merging, stride. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../boot/efi/efi_loader.h"

#define MAP_MAX		16
#define OVMF_DESC_SIZE	48	/* OVMF's stride: 8 bytes past the UEFI 2.10 descriptor */

/* An EFI map as the firmware lays it out, @stride bytes per descriptor. */
struct fake_map {
	uint8_t bytes[MAP_MAX * 64];
	size_t stride, size;
};

static struct fake_map fm;
static struct mb2_mmap_entry out[MAP_MAX];
static unsigned int count;

static void map_start(size_t stride)
{
	memset(&fm, 0x5a, sizeof(fm));	/* the bytes past each descriptor are noise */
	fm.stride = stride;
	fm.size = 0;
}

static void map_add(uint32_t type, uint64_t start, uint64_t pages, uint64_t attribute)
{
	struct efi_mmap_desc d = { type, 0, start, start ^ 0xffff000, pages, attribute };

	memcpy(fm.bytes + fm.size, &d, sizeof(d));
	fm.size += fm.stride;
}

static int convert(unsigned int max)
{
	count = 0xdead;
	memset(out, 0, sizeof(out));
	return efi_mmap_convert(fm.bytes, fm.size, fm.stride, out, max, &count);
}

static void expect_entry(unsigned int i, uint64_t addr, uint64_t len, uint32_t type)
{
	assert_true(i < count);
	assert_int_equal(out[i].addr, addr);
	assert_int_equal(out[i].len, len);
	assert_int_equal(out[i].type, type);
	assert_int_equal(out[i].reserved, 0);
}

static void test_every_type(void **state)
{
	static const struct { uint32_t efi; uint32_t mb2; } types[] = {
		{ EFI_RESERVED_MEMORY_TYPE, MEM_RESERVED },
		{ EFI_LOADER_CODE, MEM_USABLE },
		{ EFI_LOADER_DATA, MEM_USABLE },
		{ EFI_BOOT_SERVICES_CODE, MEM_USABLE },
		{ EFI_BOOT_SERVICES_DATA, MEM_USABLE },
		{ EFI_RUNTIME_SERVICES_CODE, MEM_RESERVED },
		{ EFI_RUNTIME_SERVICES_DATA, MEM_RESERVED },
		{ EFI_CONVENTIONAL_MEMORY, MEM_USABLE },
		{ EFI_UNUSABLE_MEMORY, MEM_BAD },
		{ EFI_ACPI_RECLAIM_MEMORY, MEM_ACPI_RECLAIMABLE },
		{ EFI_ACPI_MEMORY_NVS, MEM_ACPI_NVS },
		{ EFI_MEMORY_MAPPED_IO, MEM_RESERVED },
		{ EFI_MEMORY_MAPPED_IO_PORT_SPACE, MEM_RESERVED },
		{ EFI_PAL_CODE, MEM_RESERVED },
		{ EFI_PERSISTENT_MEMORY, MEM_RESERVED },
		{ EFI_UNACCEPTED_MEMORY, MEM_RESERVED },
		{ 16, MEM_RESERVED },		/* not yet defined */
		{ 0x70000000, MEM_RESERVED },	/* OEM range (UEFI 2.10 7.2) */
		{ 0x80000000, MEM_RESERVED },	/* OS loader range */
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
		map_start(OVMF_DESC_SIZE);
		map_add(types[i].efi, 0x100000, 3, 0);
		assert_int_equal(convert(MAP_MAX), 0);
		assert_int_equal(count, 1);
		expect_entry(0, 0x100000, 3 * EFI_MMAP_PAGE_SIZE, types[i].mb2);
	}
}

/* OVMF's own map shape: RAM cut up by owner, with attributes differing. */
static void test_merge_by_type(void **state)
{
	(void)state;
	map_start(OVMF_DESC_SIZE);
	map_add(EFI_BOOT_SERVICES_CODE, 0, 1, 0xf);
	map_add(EFI_CONVENTIONAL_MEMORY, 0x1000, 0x9e, 0xf);
	map_add(EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700, 0xf);
	map_add(EFI_LOADER_CODE, 0x800000, 0x10, 0x8000000000000000ull | 0xf);
	map_add(EFI_LOADER_DATA, 0x810000, 0x10, 0xe);
	map_add(EFI_ACPI_RECLAIM_MEMORY, 0x820000, 0x2, 0xf);
	map_add(EFI_ACPI_MEMORY_NVS, 0x822000, 0x4, 0xf);
	map_add(EFI_ACPI_MEMORY_NVS, 0x826000, 0x4, 0x1);
	map_add(EFI_RUNTIME_SERVICES_DATA, 0x82a000, 0x6, 0x800000000000000full);
	map_add(EFI_BOOT_SERVICES_DATA, 0x830000, 0x100, 0xf);
	assert_int_equal(convert(MAP_MAX), 0);
	assert_int_equal(count, 6);
	expect_entry(0, 0, 0x9f000, MEM_USABLE);
	expect_entry(1, 0x100000, 0x720000, MEM_USABLE);
	expect_entry(2, 0x820000, 0x2000, MEM_ACPI_RECLAIMABLE);
	expect_entry(3, 0x822000, 0x8000, MEM_ACPI_NVS);
	expect_entry(4, 0x82a000, 0x6000, MEM_RESERVED);
	expect_entry(5, 0x830000, 0x100000, MEM_USABLE);
}

/* UEFI does not promise order: the output is sorted, and a late piece joins two neighbours. */
static void test_unsorted(void **state)
{
	(void)state;
	map_start(OVMF_DESC_SIZE);
	map_add(EFI_CONVENTIONAL_MEMORY, 0x300000, 0x100, 0);
	map_add(EFI_MEMORY_MAPPED_IO, 0xfec00000, 1, 0);
	map_add(EFI_CONVENTIONAL_MEMORY, 0x100000, 0x100, 0);
	map_add(EFI_BOOT_SERVICES_DATA, 0x200000, 0x100, 0);	/* bridges the two */
	map_add(EFI_CONVENTIONAL_MEMORY, 0x80000, 0x10, 0);
	map_add(EFI_LOADER_DATA, 0x70000, 0x10, 0);		/* joins the next one */
	assert_int_equal(convert(MAP_MAX), 0);
	assert_int_equal(count, 3);
	expect_entry(0, 0x70000, 0x20000, MEM_USABLE);
	expect_entry(1, 0x100000, 0x300000, MEM_USABLE);
	expect_entry(2, 0xfec00000, 0x1000, MEM_RESERVED);
}

static void test_stride(void **state)
{
	static const size_t strides[] = { sizeof(struct efi_mmap_desc), OVMF_DESC_SIZE, 57, 64 };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(strides); i++) {
		map_start(strides[i]);
		map_add(EFI_CONVENTIONAL_MEMORY, 0x1000, 1, 0);
		map_add(EFI_ACPI_MEMORY_NVS, 0x2000, 2, 0);
		map_add(EFI_UNUSABLE_MEMORY, 0x10000000, 0x10, 0);
		assert_int_equal(convert(MAP_MAX), 0);
		assert_int_equal(count, 3);
		expect_entry(0, 0x1000, 0x1000, MEM_USABLE);
		expect_entry(1, 0x2000, 0x2000, MEM_ACPI_NVS);
		expect_entry(2, 0x10000000, 0x10000, MEM_BAD);
		/* A partial descriptor at the end is not read. */
		fm.size -= 1;
		assert_int_equal(convert(MAP_MAX), 0);
		assert_int_equal(count, 2);
	}
	map_start(OVMF_DESC_SIZE);
	map_add(EFI_CONVENTIONAL_MEMORY, 0x1000, 1, 0);
	fm.stride = sizeof(struct efi_mmap_desc) - 1;
	assert_int_equal(convert(MAP_MAX), -EINVAL);
	assert_int_equal(count, 0xdead);
}

static void test_empty_and_zero_pages(void **state)
{
	(void)state;
	map_start(OVMF_DESC_SIZE);
	assert_int_equal(convert(MAP_MAX), 0);
	assert_int_equal(count, 0);
	map_add(EFI_CONVENTIONAL_MEMORY, 0x1000, 0, 0);
	map_add(EFI_RESERVED_MEMORY_TYPE, 0x2000, 1, 0);
	assert_int_equal(convert(MAP_MAX), 0);
	assert_int_equal(count, 1);
	expect_entry(0, 0x2000, 0x1000, MEM_RESERVED);
}

static void test_too_many_entries(void **state)
{
	(void)state;
	map_start(OVMF_DESC_SIZE);
	for (unsigned int i = 0; i < 4; i++)
		map_add(i % 2 ? EFI_ACPI_MEMORY_NVS : EFI_CONVENTIONAL_MEMORY, i * 0x1000, 1, 0);
	assert_int_equal(convert(4), 0);
	assert_int_equal(count, 4);
	assert_int_equal(convert(3), -ENOSPC);
	assert_int_equal(count, 0xdead);
	/* Merged descriptors take one slot: eight of them fit in one. */
	map_start(OVMF_DESC_SIZE);
	for (unsigned int i = 0; i < 8; i++)
		map_add(EFI_CONVENTIONAL_MEMORY, (7 - i) * 0x1000, 1, 0);
	assert_int_equal(convert(1), 0);
	expect_entry(0, 0, 0x8000, MEM_USABLE);
}

/* Past x86-64's 52-bit physical addresses or not page-aligned (UEFI 2.10 7.2): corrupt. */
static void test_corrupt_descriptor(void **state)
{
	(void)state;
	map_start(OVMF_DESC_SIZE);
	map_add(EFI_CONVENTIONAL_MEMORY, (1ull << 52) - 0x2000, 2, 0);	/* ends at 2^52 */
	assert_int_equal(convert(MAP_MAX), 0);
	expect_entry(0, (1ull << 52) - 0x2000, 0x2000, MEM_USABLE);
	map_add(EFI_CONVENTIONAL_MEMORY, (1ull << 52) - 0x2000, 3, 0);
	assert_int_equal(convert(MAP_MAX), -EINVAL);
	map_start(OVMF_DESC_SIZE);
	map_add(EFI_CONVENTIONAL_MEMORY, 0xfffffffffffff000ull, 1, 0);
	assert_int_equal(convert(MAP_MAX), -EINVAL);
	map_start(OVMF_DESC_SIZE);
	map_add(EFI_CONVENTIONAL_MEMORY, 0, UINT64_MAX / 2, 0);
	assert_int_equal(convert(MAP_MAX), -EINVAL);
	map_start(OVMF_DESC_SIZE);
	map_add(EFI_CONVENTIONAL_MEMORY, 0x1800, 1, 0);
	assert_int_equal(convert(MAP_MAX), -EINVAL);
	assert_int_equal(count, 0xdead);
}

static void test_meminfo(void **state)
{
	uint32_t lower = 1, upper = 1;

	(void)state;
	map_start(OVMF_DESC_SIZE);
	map_add(EFI_CONVENTIONAL_MEMORY, 0, 0x100, 0);		/* 1 MiB: lower stops at 640 KiB */
	map_add(EFI_LOADER_DATA, 0x100000, 0x700, 0);
	map_add(EFI_ACPI_MEMORY_NVS, 0x800000, 0x8, 0);		/* the first hole */
	map_add(EFI_CONVENTIONAL_MEMORY, 0x808000, 0x1000, 0);
	assert_int_equal(convert(MAP_MAX), 0);
	efi_mmap_meminfo(out, count, &lower, &upper);
	assert_int_equal(lower, 640);
	assert_int_equal(upper, 7 * 1024);

	map_start(OVMF_DESC_SIZE);
	map_add(EFI_RESERVED_MEMORY_TYPE, 0, 1, 0);
	map_add(EFI_CONVENTIONAL_MEMORY, 0x1000, 0x9e, 0);
	map_add(EFI_CONVENTIONAL_MEMORY, 0x200000, 0x100, 0);	/* not at 1 MiB */
	assert_int_equal(convert(MAP_MAX), 0);
	efi_mmap_meminfo(out, count, &lower, &upper);
	assert_int_equal(lower, 0);
	assert_int_equal(upper, 0);

	map_start(OVMF_DESC_SIZE);
	map_add(EFI_CONVENTIONAL_MEMORY, 0, 0x9f, 0);
	map_add(EFI_CONVENTIONAL_MEMORY, 0xff000, 0x1000000000ull, 0);	/* 64 TiB */
	assert_int_equal(convert(MAP_MAX), 0);
	efi_mmap_meminfo(out, count, &lower, &upper);
	assert_int_equal(lower, 636);
	assert_int_equal(upper, UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_merge_by_type),
		cmocka_unit_test(test_unsorted),
		cmocka_unit_test(test_stride),
		cmocka_unit_test(test_empty_and_zero_pages),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_corrupt_descriptor),
		cmocka_unit_test(test_meminfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
