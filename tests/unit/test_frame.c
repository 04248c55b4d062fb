/* SPDX-License-Identifier: MIT */
/* Unit tests: frame allocator (kernel/frame.c) and memory-map cleaning (kernel/memmap.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <tally/errno.h>
#include <tally/frame.h>
#include <tally/memmap.h>

#define LIMIT	(64 * MIB)

struct fixture {
	struct frame_alloc fa;
	uint64_t *bitmap;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->bitmap = malloc(frame_bitmap_bytes(LIMIT));
	frame_init(&f->fa, f->bitmap, LIMIT);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->bitmap);
	free(f);
	return 0;
}

static void test_starts_empty(void **state)
{
	struct fixture *f = *state;
	uint64_t pa;

	assert_int_equal(f->fa.free_frames, 0);
	assert_int_equal(frame_alloc_range(&f->fa, 1, PAGE_SIZE, UINT64_MAX, &pa), -ENOMEM);
}

static void test_add_free_aligns_inward(void **state)
{
	struct fixture *f = *state;

	frame_add_free(&f->fa, 0x1001, 0x3000);	/* only 0x2000-0x3fff is whole */
	assert_int_equal(f->fa.free_frames, 2);
	frame_add_free(&f->fa, 0x1001, 0x3000);	/* adding twice counts once */
	assert_int_equal(f->fa.free_frames, 2);
	frame_add_free(&f->fa, LIMIT - PAGE_SIZE, 16 * PAGE_SIZE);	/* clipped at the limit */
	assert_int_equal(f->fa.free_frames, 3);
}

static void test_reserve_aligns_outward(void **state)
{
	struct fixture *f = *state;

	frame_add_free(&f->fa, 0, 16 * PAGE_SIZE);
	frame_reserve(&f->fa, 0x1FFF, 2);	/* touches frames 1 and 2 */
	assert_int_equal(f->fa.free_frames, 14);
	frame_reserve(&f->fa, 0, 0);		/* empty: nothing */
	assert_int_equal(f->fa.free_frames, 14);
	frame_reserve(&f->fa, 15 * PAGE_SIZE, UINT64_MAX);	/* wraps: to the end */
	assert_int_equal(f->fa.free_frames, 13);
}

static void test_alloc_first_fit_and_alignment(void **state)
{
	struct fixture *f = *state;
	uint64_t a, b, c;

	frame_add_free(&f->fa, MIB, 8 * MIB);
	assert_int_equal(frame_alloc_range(&f->fa, 1, PAGE_SIZE, UINT64_MAX, &a), 0);
	assert_int_equal(a, MIB);
	assert_int_equal(frame_alloc_range(&f->fa, 512, 2 * MIB, UINT64_MAX, &b), 0);
	assert_int_equal(b, 2 * MIB);
	assert_int_equal(frame_alloc_range(&f->fa, 3, PAGE_SIZE, UINT64_MAX, &c), 0);
	assert_int_equal(c, MIB + PAGE_SIZE);
	assert_int_equal(f->fa.free_frames, 2048 - 1 - 512 - 3);
}

static void test_alloc_large_block_spans_words(void **state)
{
	struct fixture *f = *state;
	uint64_t pa;

	frame_add_free(&f->fa, 0, LIMIT);
	frame_reserve(&f->fa, 5 * PAGE_SIZE, PAGE_SIZE);
	/* 16 MiB aligned to 16 MiB: must skip frame 5 and land at 16 MiB. */
	assert_int_equal(frame_alloc_range(&f->fa, 4096, 16 * MIB, UINT64_MAX, &pa), 0);
	assert_int_equal(pa, 16 * MIB);
	assert_int_equal(frame_alloc_range(&f->fa, 4096, 16 * MIB, UINT64_MAX, &pa), 0);
	assert_int_equal(pa, 32 * MIB);
	assert_int_equal(frame_alloc_range(&f->fa, 4096, 16 * MIB, UINT64_MAX, &pa), 0);
	assert_int_equal(pa, 48 * MIB);
	assert_int_equal(frame_alloc_range(&f->fa, 4096, 16 * MIB, UINT64_MAX, &pa), -ENOMEM);
}

static void test_alloc_respects_limit(void **state)
{
	struct fixture *f = *state;
	uint64_t pa;

	frame_add_free(&f->fa, 8 * MIB, 8 * MIB);
	assert_int_equal(frame_alloc_range(&f->fa, 1, PAGE_SIZE, 8 * MIB, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_range(&f->fa, 256, PAGE_SIZE, 9 * MIB, &pa), 0);
	assert_int_equal(pa, 8 * MIB);
	assert_int_equal(frame_alloc_range(&f->fa, 1, PAGE_SIZE, 9 * MIB, &pa), -ENOMEM);
}

static void test_alloc_bad_arguments(void **state)
{
	struct fixture *f = *state;
	uint64_t pa;

	frame_add_free(&f->fa, 0, LIMIT);
	assert_int_equal(frame_alloc_range(&f->fa, 0, PAGE_SIZE, UINT64_MAX, &pa), -EINVAL);
	assert_int_equal(frame_alloc_range(&f->fa, 1, 3 * PAGE_SIZE, UINT64_MAX, &pa), -EINVAL);
	assert_int_equal(frame_alloc_range(&f->fa, 1, 512, UINT64_MAX, &pa), -EINVAL);
	assert_int_equal(frame_alloc_range(&f->fa, LIMIT / PAGE_SIZE + 1, PAGE_SIZE,
					   UINT64_MAX, &pa), -ENOMEM);
}

static void test_free_checks_ownership(void **state)
{
	struct fixture *f = *state;
	uint64_t pa;

	frame_add_free(&f->fa, 0, MIB);
	frame_reserve(&f->fa, 0, PAGE_SIZE);
	assert_int_equal(frame_alloc_range(&f->fa, 4, PAGE_SIZE, UINT64_MAX, &pa), 0);
	assert_int_equal(frame_free_range(&f->fa, 0, 1), -EINVAL);	/* reserved, not allocated */
	assert_int_equal(frame_free_range(&f->fa, pa, 5), -EINVAL);	/* one too many */
	assert_int_equal(frame_free_range(&f->fa, pa + 1, 1), -EINVAL);	/* unaligned */
	assert_int_equal(frame_free_range(&f->fa, LIMIT, 1), -EINVAL);	/* outside */
	assert_int_equal(frame_free_range(&f->fa, pa, UINT64_MAX), -EINVAL);
	assert_int_equal(f->fa.free_frames, 256 - 1 - 4);
	assert_int_equal(frame_free_range(&f->fa, pa, 4), 0);
	assert_int_equal(f->fa.free_frames, 256 - 1);
	assert_int_equal(frame_free_range(&f->fa, pa, 4), -EINVAL);	/* double free */
	assert_int_equal(f->fa.free_frames, 256 - 1);
}

static void test_free_then_reuse(void **state)
{
	struct fixture *f = *state;
	uint64_t a, b;

	frame_add_free(&f->fa, 0, 4 * MIB);
	assert_int_equal(frame_alloc_range(&f->fa, 1024, PAGE_SIZE, UINT64_MAX, &a), 0);
	assert_int_equal(frame_alloc_range(&f->fa, 1, PAGE_SIZE, UINT64_MAX, &b), -ENOMEM);
	assert_int_equal(frame_free_range(&f->fa, a + 100 * PAGE_SIZE, 10), 0);
	assert_int_equal(frame_alloc_range(&f->fa, 10, PAGE_SIZE, UINT64_MAX, &b), 0);
	assert_int_equal(b, a + 100 * PAGE_SIZE);
}

/* ------------------------------------------------------------ memmap */

struct sanitize_case {
	const char *name;
	struct mem_range in[6];
	unsigned int n;
	struct mem_range want[6];
	int want_n;
};

static const struct sanitize_case sanitize_cases[] = {
	{ "sorted and disjoint stays as is",
	  { { 0, 0x9F000, 1 }, { 0x100000, 0x100000, 1 } }, 2,
	  { { 0, 0x9F000, 1 }, { 0x100000, 0x100000, 1 } }, 2 },
	{ "unsorted input comes out sorted",
	  { { 0x100000, 0x100000, 1 }, { 0, 0x9F000, 1 } }, 2,
	  { { 0, 0x9F000, 1 }, { 0x100000, 0x100000, 1 } }, 2 },
	{ "adjacent usable ranges merge",
	  { { 0x1000, 0x1000, 1 }, { 0x2000, 0x1000, 1 } }, 2,
	  { { 0x1000, 0x2000, 1 } }, 1 },
	{ "reserved inside usable splits it",
	  { { 0, 0x10000, 1 }, { 0x4000, 0x1000, 2 } }, 2,
	  { { 0, 0x4000, 1 }, { 0x4000, 0x1000, 2 }, { 0x5000, 0xB000, 1 } }, 3 },
	{ "overlap: ACPI beats usable, reserved beats ACPI",
	  { { 0, 0x3000, 1 }, { 0x2000, 0x2000, 3 }, { 0x3000, 0x2000, 2 } }, 3,
	  { { 0, 0x2000, 1 }, { 0x2000, 0x1000, 3 }, { 0x3000, 0x2000, 2 } }, 3 },
	{ "unknown type counts as reserved",
	  { { 0, 0x2000, 1 }, { 0x1000, 0x1000, 77 } }, 2,
	  { { 0, 0x1000, 1 }, { 0x1000, 0x1000, 2 } }, 2 },
	{ "empty and wrapping entries are dropped",
	  { { 0x5000, 0, 1 }, { UINT64_MAX - 0xFFF, 0x2000, 1 }, { 0, 0x1000, 1 } }, 3,
	  { { 0, 0x1000, 1 } }, 1 },
	{ "duplicate entries collapse",
	  { { 0, 0x1000, 1 }, { 0, 0x1000, 1 }, { 0, 0x1000, 1 } }, 3,
	  { { 0, 0x1000, 1 } }, 1 },
};

static void test_sanitize_table(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < ARRAY_SIZE(sanitize_cases); c++) {
		const struct sanitize_case *tc = &sanitize_cases[c];
		struct mem_range out[12];
		int n = memmap_sanitize(tc->in, tc->n, out, 12);

		print_message("case: %s\n", tc->name);
		assert_int_equal(n, tc->want_n);
		for (int i = 0; i < n; i++) {
			assert_int_equal(out[i].base, tc->want[i].base);
			assert_int_equal(out[i].len, tc->want[i].len);
			assert_int_equal(out[i].type, tc->want[i].type);
		}
	}
}

static void test_sanitize_out_of_room(void **state)
{
	struct mem_range in[3] = { { 0, 0x1000, 1 }, { 0x2000, 0x1000, 1 }, { 0x4000, 0x1000, 1 } };
	struct mem_range out[2];

	(void)state;
	assert_int_equal(memmap_sanitize(in, 3, out, 2), -ENOSPC);
	assert_int_equal(memmap_sanitize(in, BOOT_MAX_MMAP + 1, out, 2), -E2BIG);
}

static void test_find_free_skips_reserved(void **state)
{
	struct mem_range map[] = { { 0, 0x9F000, 1 }, { 0x9F000, 0x61000, 2 },
				   { 0x100000, 0x7F00000, 1 } };
	struct mem_range res[] = { { 0, 0x100000, 2 }, { 0x200000, 0x100000, 2 },
				   { 0x300000, 0x1000, 2 } };
	uint64_t base;

	(void)state;
	assert_int_equal(memmap_find_free(map, 3, res, 3, 0x100000, PAGE_SIZE, UINT64_MAX, &base), 0);
	assert_int_equal(base, 0x100000);
	assert_int_equal(memmap_find_free(map, 3, res, 3, 0x100001, PAGE_SIZE, UINT64_MAX, &base), 0);
	assert_int_equal(base, 0x301000);
	assert_int_equal(memmap_find_free(map, 3, res, 3, 0x1000, 2 * MIB, UINT64_MAX, &base), 0);
	assert_int_equal(base, 0x400000);
	assert_int_equal(memmap_find_free(map, 3, res, 3, 0x8000000, PAGE_SIZE, UINT64_MAX, &base),
			 -ENOMEM);
	assert_int_equal(memmap_find_free(map, 3, res, 3, 0x1000, PAGE_SIZE, 0x300000, &base), 0);
	assert_int_equal(base, 0x100000);
	assert_int_equal(memmap_find_free(map, 3, res, 3, 0x1000, 3, UINT64_MAX, &base), -EINVAL);
	assert_int_equal(memmap_find_free(map, 3, res, 3, UINT64_MAX, PAGE_SIZE, UINT64_MAX, &base),
			 -ENOMEM);
}

/* An I/O APIC window the tables place in RAM is caught; real MMIO holes are not. */
static void test_overlaps_usable(void **state)
{
	struct mem_range map[] = { { 0, 0x9F000, MEM_USABLE }, { 0x9F000, 0x61000, 2 },
				   { 0x100000, 0xFE00000, MEM_USABLE } };

	(void)state;
	assert_false(memmap_overlaps_usable(map, 3, 0xFEC00000, 0x20));	/* the usual place */
	assert_false(memmap_overlaps_usable(map, 3, 0x9F000, 0x1000));	/* reserved only */
	assert_false(memmap_overlaps_usable(map, 3, 0xFFFFF, 1));		/* just below RAM */
	assert_true(memmap_overlaps_usable(map, 3, 0xFFFFF, 2));		/* its last byte in RAM */
	assert_true(memmap_overlaps_usable(map, 3, 0x200000, 0x20));		/* inside Tally's RAM */
	assert_true(memmap_overlaps_usable(map, 3, 0xFEFFFFF, 0x20));		/* RAM's last byte */
	assert_false(memmap_overlaps_usable(map, 3, 0xFF00000, 0x20));	/* right after it */
	assert_true(memmap_overlaps_usable(map, 3, 0, UINT64_MAX));
	assert_false(memmap_overlaps_usable(map, 3, UINT64_MAX - 0x10, 0x20));	/* wraps: clamped */
	assert_false(memmap_overlaps_usable(map, 3, 0x200000, 0));		/* empty */
	assert_false(memmap_overlaps_usable(map, 0, 0x200000, 0x20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_starts_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_free_aligns_inward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_aligns_outward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_first_fit_and_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_large_block_spans_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_respects_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_checks_ownership, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_then_reuse, setup, teardown),
		cmocka_unit_test(test_sanitize_table),
		cmocka_unit_test(test_sanitize_out_of_room),
		cmocka_unit_test(test_find_free_skips_reserved),
		cmocka_unit_test(test_overlaps_usable),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
