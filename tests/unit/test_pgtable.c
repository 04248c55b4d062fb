/* SPDX-License-Identifier: MIT */
/* Unit tests: the 4-level page-table builder (arch/x86_64/host/pgtable.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arch/pgtable.h>
#include <tally/errno.h>

/* Tables live in a host array; "physical" addresses are offsets + a base. */
#define POOL_PAGES	64
#define POOL_BASE	0x100000ull

struct pool {
	uint64_t pages[POOL_PAGES][PT_ENTRIES];
	unsigned int used;
	unsigned int limit;	/* fail allocations past this */
};

static uint64_t pool_alloc(void *ctx)
{
	struct pool *p = ctx;

	if (p->used >= p->limit)
		return 0;
	memset(p->pages[p->used], 0, PAGE_SIZE);
	return POOL_BASE + (uint64_t)p->used++ * PAGE_SIZE;
}

static uint64_t *pool_ptr(uint64_t pa, void *ctx)
{
	struct pool *p = ctx;
	uint64_t i = (pa - POOL_BASE) / PAGE_SIZE;

	assert_true(pa >= POOL_BASE && i < p->used);
	return p->pages[i];
}

static const struct pgtable_fmt fmt_1g = { PTE_PRESENT, PTE_PRESENT | PTE_WRITE, PT_LEVEL_1G };
static const struct pgtable_fmt fmt_2m = { PTE_PRESENT, PTE_PRESENT | PTE_WRITE, PT_LEVEL_2M };
/* EPT-like: "present" is any of read/write/execute (SDM 29.3.2). */
static const struct pgtable_fmt fmt_ept = { 0x7, 0x7, PT_LEVEL_1G };

struct fixture {
	struct pool pool;
	struct pgtable_mem mem;
	uint64_t root;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->pool.limit = POOL_PAGES;
	f->mem = (struct pgtable_mem){ pool_alloc, pool_ptr, &f->pool };
	f->root = pool_alloc(&f->pool);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_picks_largest_pages(void **state)
{
	struct fixture *f = *state;
	uint64_t e;

	/* 4 KiB .. 2 GiB + 4 KiB: 4K pages up to 2 MiB, 2M pages to 1 GiB, one 1G, then 4K. */
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, PAGE_SIZE, PAGE_SIZE,
				     2 * GIB, PTE_PRESENT | PTE_WRITE), 0);
	assert_int_equal(pgtable_lookup(&fmt_1g, &f->mem, f->root, 0, &e), 0);
	assert_int_equal(pgtable_lookup(&fmt_1g, &f->mem, f->root, 0x1000, &e), PT_LEVEL_4K);
	assert_int_equal(e & PT_ADDR_MASK, 0x1000);
	assert_int_equal(pgtable_lookup(&fmt_1g, &f->mem, f->root, 0x1FF000, &e), PT_LEVEL_4K);
	assert_int_equal(pgtable_lookup(&fmt_1g, &f->mem, f->root, 0x200000, &e), PT_LEVEL_2M);
	assert_true(e & PT_LARGE);
	assert_int_equal(pgtable_lookup(&fmt_1g, &f->mem, f->root, GIB + 5, &e), PT_LEVEL_1G);
	assert_int_equal(e & PT_ADDR_MASK, GIB);
	assert_int_equal(pgtable_lookup(&fmt_1g, &f->mem, f->root, 2 * GIB, &e), PT_LEVEL_4K);
	assert_int_equal(pgtable_lookup(&fmt_1g, &f->mem, f->root, 2 * GIB + PAGE_SIZE, &e), 0);
	/* root + PDPT + PD for the first GiB + PT for 0-2M + PD, PT at 2 GiB */
	assert_int_equal(f->pool.used, 6);
}

static void test_max_leaf_is_respected(void **state)
{
	struct fixture *f = *state;
	uint64_t e;

	assert_int_equal(pgtable_map(&fmt_2m, &f->mem, f->root, 0, 0, GIB, PTE_PRESENT), 0);
	assert_int_equal(pgtable_lookup(&fmt_2m, &f->mem, f->root, 0x12345678, &e), PT_LEVEL_2M);
	assert_int_equal(e & PT_ADDR_MASK, 0x12200000);
}

static void test_va_and_pa_differ(void **state)
{
	struct fixture *f = *state;
	uint64_t e;

	/* Guest-physical 0 -> host 64 MiB, as EPT maps a VM's block. */
	assert_int_equal(pgtable_map(&fmt_ept, &f->mem, f->root, 0, 64 * MIB, 8 * MIB, 0x7), 0);
	assert_int_equal(pgtable_lookup(&fmt_ept, &f->mem, f->root, 3 * MIB, &e), PT_LEVEL_2M);
	assert_int_equal(e & PT_ADDR_MASK, 66 * MIB);
	assert_int_equal(e & 0x7, 0x7);
	assert_int_equal(pgtable_lookup(&fmt_ept, &f->mem, f->root, 8 * MIB, &e), 0);
	/* Misaligned pa relative to va forces 4K pages. */
	assert_int_equal(pgtable_map(&fmt_ept, &f->mem, f->root, 16 * MIB, 64 * MIB + PAGE_SIZE,
				     2 * MIB, 0x7), 0);
	assert_int_equal(pgtable_lookup(&fmt_ept, &f->mem, f->root, 16 * MIB, &e), PT_LEVEL_4K);
}

static void test_overlap_is_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 0, 0, 4 * MIB, PTE_PRESENT), 0);
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 2 * MIB, 0, PAGE_SIZE, PTE_PRESENT),
			 -EEXIST);	/* inside a 2M page */
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 0, 0, 2 * MIB, PTE_PRESENT),
			 -EEXIST);	/* the same 2M page again */
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 4 * MIB, 0, PAGE_SIZE, PTE_PRESENT), 0);
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 4 * MIB, 0, 2 * MIB, PTE_PRESENT),
			 -EEXIST);	/* a 2M page over a table */
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct pgtable_fmt bad = fmt_1g;

	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 1, 0, PAGE_SIZE, 1), -EINVAL);
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 0, 0x800, PAGE_SIZE, 1), -EINVAL);
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 0, 0, 100, 1), -EINVAL);
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, UINT64_MAX & ~0xFFFull, 0,
				     2 * PAGE_SIZE, 1), -EINVAL);	/* va wraps */
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 0, 1ull << 52, PAGE_SIZE, 1),
			 -EINVAL);	/* beyond 52-bit physical */
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 0, 0, PAGE_SIZE, 0x1000 | 1),
			 -EINVAL);	/* flags overlap the address */
	bad.max_leaf = PT_LEVEL_ROOT;
	assert_int_equal(pgtable_map(&bad, &f->mem, f->root, 0, 0, PAGE_SIZE, 1), -EINVAL);
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 0, 0, 0, 1), 0);
	assert_int_equal(f->pool.used, 1);	/* nothing was built */
}

static void test_out_of_table_memory(void **state)
{
	struct fixture *f = *state;

	f->pool.limit = 3;	/* root + PDPT + PD: no room for a 4K table */
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, PAGE_SIZE, 0, PAGE_SIZE, 1), -ENOMEM);
	assert_int_equal(pgtable_map(&fmt_1g, &f->mem, f->root, 2 * MIB, 0, 2 * MIB, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_picks_largest_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_leaf_is_respected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_va_and_pa_differ, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_table_memory, setup, teardown),
	};

	return cmocka_run_group_tests_name("pgtable", tests, NULL, NULL);
}
