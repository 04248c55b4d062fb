/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: which RAM a domain's EPT maps (arch/x86_64/vmx/ept_layout.c):
 * never the device window [0xFEC00000, 4 GiB), whatever the RAM size, shown
 * on the ranges and on tables the pure page-table builder makes from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arch/ept.h>
#include <tally/vplatform.h>

#include "shim.h"

static void test_small_domain(void **state __unused)
{
	struct ept_ram_range r[2];

	assert_int_equal(ept_ram_ranges(16 * MIB, r), 1);
	assert_int_equal(r[0].gpa, 0);
	assert_int_equal(r[0].len, 16 * MIB);
	assert_int_equal(ept_ram_ranges(0, r), 0);
}

static void test_up_to_the_window(void **state __unused)
{
	struct ept_ram_range r[2];

	/* Exactly 4 GiB - 20 MiB: all of it, below the window. */
	assert_int_equal(ept_ram_ranges(VPLATFORM_DEVICE_BASE, r), 1);
	assert_int_equal(r[0].len, VPLATFORM_DEVICE_BASE);
	/* More, up to 4 GiB: the part in the window is left out. */
	assert_int_equal(ept_ram_ranges(VPLATFORM_DEVICE_BASE + 4096, r), 1);
	assert_int_equal(r[0].len, VPLATFORM_DEVICE_BASE);
	assert_int_equal(ept_ram_ranges(4 * GIB, r), 1);
	assert_int_equal(r[0].len, VPLATFORM_DEVICE_BASE);
}

static void test_above_4g(void **state __unused)
{
	struct ept_ram_range r[2];

	assert_int_equal(ept_ram_ranges(6 * GIB, r), 2);
	assert_int_equal(r[0].gpa, 0);
	assert_int_equal(r[0].len, VPLATFORM_DEVICE_BASE);
	assert_int_equal(r[1].gpa, 4 * GIB);
	assert_int_equal(r[1].len, 2 * GIB);
}

/* Page tables in malloc'd memory, for the builder. */
static uint64_t host_alloc(void *ctx __unused)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	assert_non_null(p);
	memset(p, 0, PAGE_SIZE);
	return (uint64_t)(uintptr_t)p;
}

static uint64_t *host_ptr(uint64_t pa, void *ctx __unused)
{
	return (uint64_t *)(uintptr_t)pa;
}

static void free_table(uint64_t pa, void *ctx __unused)
{
	free((void *)(uintptr_t)pa);
}

/* The EPT built from the ranges of a 6 GiB domain maps no byte of the window. */
static void test_tables_leave_the_window_out(void **state __unused)
{
	const struct pgtable_fmt fmt = { .present_mask = 7, .table_flags = 7,
					 .max_leaf = PT_LEVEL_1G };
	const struct pgtable_mem mem = { host_alloc, host_ptr, NULL };
	const uint64_t ram = 0x100000000000ull;	/* host block */
	struct ept_ram_range r[2];
	uint64_t root = host_alloc(NULL), e;
	unsigned int n = ept_ram_ranges(6 * GIB, r);

	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(pgtable_map(&fmt, &mem, root, r[i].gpa, ram + r[i].gpa, r[i].len, 7), 0);
	assert_true(pgtable_lookup(&fmt, &mem, root, VPLATFORM_DEVICE_BASE - 1, &e) > 0);
	assert_int_equal(pgtable_lookup(&fmt, &mem, root, VPLATFORM_DEVICE_BASE, &e), 0);
	assert_int_equal(pgtable_lookup(&fmt, &mem, root, VPLATFORM_IOAPIC_BASE, &e), 0);
	assert_int_equal(pgtable_lookup(&fmt, &mem, root, VPLATFORM_LAPIC_BASE, &e), 0);
	assert_int_equal(pgtable_lookup(&fmt, &mem, root, VPLATFORM_DEVICE_END - 1, &e), 0);
	assert_int_equal(pgtable_lookup(&fmt, &mem, root, VPLATFORM_DEVICE_END, &e), PT_LEVEL_1G);
	assert_int_equal(e & PT_ADDR_MASK, ram + VPLATFORM_DEVICE_END);
	assert_int_equal(pgtable_lookup(&fmt, &mem, root, 6 * GIB, &e), 0);
	pgtable_walk(&fmt, &mem, root, NULL, free_table, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_domain),
		cmocka_unit_test(test_up_to_the_window),
		cmocka_unit_test(test_above_4g),
		cmocka_unit_test(test_tables_leave_the_window_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
