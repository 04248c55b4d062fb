/* SPDX-License-Identifier: MIT */
/* Unit tests: the memory-ownership audit's pure part (kernel/audit_check.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/audit.h>

#include "shim.h"

#define PG		PAGE_SIZE
#define DOM1		1
#define DOM2		2
#define DOM3		3

/* struct audit holds AUDIT_MAX_RANGES ranges: too big for the stack. */
static int setup(void **state)
{
	struct audit *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static bool overlap(const struct audit_range *p, const struct audit_range *q)
{
	return p->start < q->end && q->start < p->end;
}

/* A reported conflict must name two in-range indices, owners differing, overlapping. */
static void check_pair(const struct audit *a, unsigned int x, unsigned int y)
{
	assert_true(x < a->count);
	assert_true(y < a->count);
	assert_int_not_equal(x, y);
	assert_int_not_equal(a->ranges[x].owner, a->ranges[y].owner);
	assert_true(overlap(&a->ranges[x], &a->ranges[y]));
}

/* Brute force: is there any cross-owner overlapping pair? */
static bool oracle(const struct audit *a)
{
	for (unsigned int i = 0; i < a->count; i++)
		for (unsigned int j = i + 1; j < a->count; j++)
			if (a->ranges[i].owner != a->ranges[j].owner &&
			    overlap(&a->ranges[i], &a->ranges[j]))
				return true;
	return false;
}

static bool conflict(struct audit *a)
{
	unsigned int x = ~0u, y = ~0u;
	bool found = audit_find_conflict(a, &x, &y);

	if (found)
		check_pair(a, x, y);
	return found;
}

static void test_empty_and_single(void **state)
{
	struct audit *a = *state;

	assert_false(conflict(a));
	audit_add(a, 0x100000, PG, DOM1);
	assert_false(conflict(a));
	assert_int_equal(a->count, 1);
}

static void test_disjoint(void **state)
{
	struct audit *a = *state;

	audit_add(a, 0x300000, MIB, DOM2);
	audit_add(a, 0x100000, MIB, AUDIT_OWNER_TALLY);
	audit_add(a, 0x500000, 16 * MIB, DOM1);
	audit_add(a, 0x2000000, 16 * MIB, DOM3);
	assert_false(conflict(a));
	assert_int_equal(a->count, 4);
	assert_false(a->overflow);
}

static void test_touching_is_not_conflict(void **state)
{
	struct audit *a = *state;

	audit_add(a, 0x200000, PG, DOM2);	/* starts where the next one ends */
	audit_add(a, 0x1ff000, PG, DOM1);
	audit_add(a, 0x201000, PG, AUDIT_OWNER_TALLY);
	assert_false(conflict(a));
}

static void test_same_owner_overlap_is_fine(void **state)
{
	struct audit *a = *state;

	audit_add(a, 0x100000, MIB, DOM1);
	audit_add(a, 0x100000, PG, DOM1);	/* an EPT leaf inside the domain's block */
	audit_add(a, 0x180000, MIB, DOM1);
	audit_add(a, 0x100000, MIB, DOM1);	/* the same range twice */
	audit_add(a, 0x400000, PG, AUDIT_OWNER_TALLY);
	audit_add(a, 0x400000, 2 * PG, AUDIT_OWNER_TALLY);
	assert_false(conflict(a));
}

static void test_cross_owner_overlap(void **state)
{
	struct audit *a = *state;
	unsigned int x, y;

	audit_add(a, 0x900000, PG, DOM3);
	audit_add(a, 0x100000, MIB, DOM1);
	audit_add(a, 0x1ff000, 2 * PG, DOM2);	/* last page of DOM1's block and one after */
	assert_true(audit_find_conflict(a, &x, &y));
	check_pair(a, x, y);
	assert_true((a->ranges[x].owner == DOM1 && a->ranges[y].owner == DOM2) ||
		    (a->ranges[x].owner == DOM2 && a->ranges[y].owner == DOM1));
}

static void test_identical_ranges_two_owners(void **state)
{
	struct audit *a = *state;

	audit_add(a, 0x100000, PG, DOM1);
	audit_add(a, 0x100000, PG, DOM2);
	assert_true(conflict(a));
}

/*
 * A long range of A covers a range of B and, later, another range of A.
 * Checking only neighbours, or only the previous range, would miss it.
 */
static void test_long_range_covers_other_owner(void **state)
{
	struct audit *a = *state;
	unsigned int x, y;

	audit_add(a, 0x100000, 64 * MIB, DOM1);	/* A: long */
	audit_add(a, 0x200000, PG, DOM1);		/* A: inside */
	audit_add(a, 0x300000, PG, DOM1);		/* A: inside */
	audit_add(a, 0x800000, PG, DOM2);		/* B: inside, after them */
	audit_add(a, 0x900000, PG, DOM1);		/* A: later, inside */
	assert_true(audit_find_conflict(a, &x, &y));
	check_pair(a, x, y);
	assert_true(a->ranges[x].owner == DOM2 || a->ranges[y].owner == DOM2);
}

/* B's range sits after a short A range, under a long A range that starts earlier. */
static void test_long_range_not_the_latest(void **state)
{
	struct audit *a = *state;

	audit_add(a, 0x0, 16 * MIB, DOM1);		/* A: reaches furthest */
	audit_add(a, 0x100000, 2 * MIB, DOM2);	/* B overlaps A's long range */
	audit_add(a, 0x200000, 32 * MIB, DOM2);	/* B reaches further still */
	audit_add(a, 0x400000, PG, DOM2);
	assert_true(conflict(a));
}

static void test_tally_range_contains_domain_page(void **state)
{
	struct audit *a = *state;
	unsigned int x, y;

	audit_add(a, 0x100000, 8 * MIB, AUDIT_OWNER_TALLY);	/* the hypervisor image+heap */
	audit_add(a, 0x2000000, 16 * MIB, DOM1);
	audit_add(a, 0x2000000, PG, DOM1);
	audit_add(a, 0x4000000, 16 * MIB, DOM2);
	assert_false(conflict(a));
	audit_add(a, 0x345000, PG, DOM2);		/* a stray EPT leaf into Tally */
	assert_true(audit_find_conflict(a, &x, &y));
	check_pair(a, x, y);
	assert_true(a->ranges[x].owner == AUDIT_OWNER_TALLY ||
		    a->ranges[y].owner == AUDIT_OWNER_TALLY);
	assert_true(a->ranges[x].owner == DOM2 || a->ranges[y].owner == DOM2);
}

static void test_sorted_after_find(void **state)
{
	struct audit *a = *state;
	unsigned int x, y;

	for (unsigned int i = 0; i < 100; i++)
		audit_add(a, (uint64_t)((i * 37) % 100) * PG, PG, i % 5);
	assert_false(audit_find_conflict(a, &x, &y));
	for (unsigned int i = 1; i < a->count; i++)
		assert_true(a->ranges[i - 1].start <= a->ranges[i].start);
}

static void test_zero_length_ignored(void **state)
{
	struct audit *a = *state;

	audit_add(a, 0x100000, MIB, DOM1);
	audit_add(a, 0x180000, 0, DOM2);	/* inside DOM1's block, but empty */
	assert_int_equal(a->count, 1);
	assert_false(conflict(a));
}

static void test_overflow(void **state)
{
	struct audit *a = *state;

	for (unsigned int i = 0; i < AUDIT_MAX_RANGES; i++)
		audit_add(a, (uint64_t)i * PG, PG, DOM1);
	assert_int_equal(a->count, AUDIT_MAX_RANGES);
	assert_false(a->overflow);
	audit_add(a, 0, 0, DOM2);		/* empty: not even an overflow */
	assert_false(a->overflow);
	audit_add(a, 0, PG, DOM2);
	assert_true(a->overflow);
	assert_int_equal(a->count, AUDIT_MAX_RANGES);
	audit_add(a, 0, PG, DOM3);
	assert_int_equal(a->count, AUDIT_MAX_RANGES);
	assert_false(conflict(a));		/* the dropped ranges were not recorded */
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Random layouts checked against the O(n^2) oracle.  Sparse rounds mostly
 * have no conflict; dense rounds have some; "planted" rounds start clean
 * (each owner in its own slice) and then get one stray range.
 */
static bool random_round(struct audit *a, unsigned int n, uint64_t space,
			 unsigned int owners, bool planted)
{
	unsigned int x, y;
	bool want, got;

	memset(a, 0, sizeof(*a));
	for (unsigned int i = 0; i < n; i++) {
		unsigned int owner = (unsigned int)(rnd() % owners);
		uint64_t len = (rnd() % 4 == 0) ? (1 + rnd() % 64) * PG : PG;
		uint64_t start;

		if (planted) {
			uint64_t slice = space / owners;

			start = owner * slice + (rnd() % (slice / PG)) * PG;
			if (start + len > (owner + 1) * slice)
				len = (owner + 1) * slice - start;
		} else {
			start = (rnd() % (space / PG)) * PG;
		}
		if (rnd() % 500 == 0)
			len = (1 + rnd() % 1024) * PG;	/* a long one now and then */
		if (planted && len > PG && rnd() % 2)
			len = PG;
		audit_add(a, start, len, owner);
	}
	if (planted && rnd() % 2)
		audit_add(a, (rnd() % (space / PG)) * PG, PG, owners);	/* a stranger */
	want = oracle(a);
	got = audit_find_conflict(a, &x, &y);
	if (got != want)
		fail_msg("n=%u space=%#llx owners=%u planted=%d: found %d, oracle %d",
			 n, (unsigned long long)space, owners, planted, got, want);
	if (got)
		check_pair(a, x, y);
	return want;
}

static void test_random_against_oracle(void **state)
{
	struct audit *a = *state;
	unsigned int conflicts = 0, clean = 0;

	rng_state = 0x2545f4914f6cdd1dull;
	for (unsigned int round = 0; round < 300; round++) {
		static const unsigned int sizes[] = { 2, 3, 10, 100, 1000, 4096 };
		unsigned int n = sizes[round % 6];
		static const uint64_t spaces[] = { 64 * PG, 4096 * PG, (1ull << 20) * PG };
		uint64_t space = spaces[round % 3];
		unsigned int owners = 2 + round % 4;

		if (random_round(a, n, space, owners, round % 4 == 0))
			conflicts++;
		else
			clean++;
	}
	/* The rounds exercise both verdicts. */
	assert_true(conflicts > 20);
	assert_true(clean > 20);
}

/* Layouts built to be clean, then one overlap planted at a random place. */
static void test_random_clean_then_one_conflict(void **state)
{
	struct audit *a = *state;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (unsigned int round = 0; round < 200; round++) {
		unsigned int n = 1 + (unsigned int)(rnd() % 2000), victim, x, y;
		uint64_t cursor = 0;

		memset(a, 0, sizeof(*a));
		for (unsigned int i = 0; i < n; i++) {
			uint64_t len = (1 + rnd() % 8) * PG;
			unsigned int owner = (unsigned int)(rnd() % 4);

			audit_add(a, cursor, len, owner);
			if (rnd() % 3 == 0)	/* same owner inside its own range */
				audit_add(a, cursor, PG, owner);
			cursor += len + (rnd() % 2) * PG;
		}
		assert_false(audit_find_conflict(a, &x, &y));
		victim = (unsigned int)(rnd() % a->count);
		audit_add(a, a->ranges[victim].end - PG, PG, a->ranges[victim].owner + 1);
		assert_true(oracle(a));
		assert_true(audit_find_conflict(a, &x, &y));
		check_pair(a, x, y);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_and_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disjoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_touching_is_not_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_owner_overlap_is_fine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cross_owner_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identical_ranges_two_owners, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_range_covers_other_owner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_long_range_not_the_latest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tally_range_contains_domain_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sorted_after_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_length_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_against_oracle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_clean_then_one_conflict, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
