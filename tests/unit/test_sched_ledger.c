/* SPDX-License-Identifier: MIT */
/* Unit tests: the donation ledger's pair hash table (kernel/sched_ledger.c) against a full matrix. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/sched_ledger.h>

#define IDS	300		/* vCPU ids in the random test: beyond the old 16 x 8 */
#define SIZE	1024

static struct sched_ledger_slot slots[SIZE];
static uint64_t model[IDS][IDS];

static void test_empty_and_one_pair(void **state)
{
	struct sched_ledger l;
	unsigned int d, r;
	uint64_t c;

	(void)state;
	memset(slots, 0, sizeof(slots));
	sched_ledger_init(&l, slots, SIZE);
	assert_int_equal(sched_ledger_get(&l, 3, 5), 0);
	assert_true(sched_ledger_add(&l, 3, 5, 100));
	assert_true(sched_ledger_add(&l, 3, 5, 20));
	assert_true(sched_ledger_add(&l, 0, 0, 7));	/* id 0 is a real vCPU */
	assert_int_equal(sched_ledger_get(&l, 3, 5), 120);
	assert_int_equal(sched_ledger_get(&l, 5, 3), 0);	/* direction matters */
	assert_int_equal(sched_ledger_get(&l, 0, 0), 7);
	for (unsigned int i = 0, found = 0; i < SIZE; i++)
		if (sched_ledger_at(&l, i, &d, &r, &c)) {
			assert_true((d == 3 && r == 5 && c == 120) || (d == 0 && r == 0 && c == 7));
			assert_true(++found <= 2);
		}
	assert_false(sched_ledger_at(&l, SIZE, &d, &r, &c));
}

/* A table too small for the pairs: the rest is dropped and counted, none lost silently. */
static void test_full_drops_and_counts(void **state)
{
	static struct sched_ledger_slot tiny[4];
	struct sched_ledger l;
	uint64_t kept = 0;

	(void)state;
	sched_ledger_init(&l, tiny, 4);
	for (unsigned int i = 0; i < 10; i++)
		if (sched_ledger_add(&l, i, i + 1, 10))
			kept += 10;
	assert_int_equal(kept, 40);
	assert_int_equal(l.dropped_cycles, 60);
}

/* Random pairs among IDS vCPUs: every lookup and the listing agree with the matrix. */
static void test_random_against_matrix(void **state)
{
	struct sched_ledger l;
	uint64_t listed = 0, total = 0;
	unsigned int d, r;
	uint64_t c;

	(void)state;
	memset(slots, 0, sizeof(slots));
	memset(model, 0, sizeof(model));
	sched_ledger_init(&l, slots, SIZE);
	srand(16);
	for (unsigned int i = 0; i < 20000; i++) {
		/* Each donor gives to a few neighbours, as round robin makes it. */
		unsigned int donor = (unsigned int)rand() % IDS;
		unsigned int recipient = (donor + 1 + (unsigned int)rand() % 2) % IDS;
		uint64_t cycles = 1 + (uint64_t)(rand() % 1000);

		assert_true(sched_ledger_add(&l, donor, recipient, cycles));
		model[donor][recipient] += cycles;
		total += cycles;
	}
	for (d = 0; d < IDS; d++)
		for (r = 0; r < IDS; r++)
			assert_int_equal(sched_ledger_get(&l, d, r), model[d][r]);
	for (unsigned int i = 0; i < SIZE; i++)
		if (sched_ledger_at(&l, i, &d, &r, &c)) {
			assert_int_equal(c, model[d][r]);
			listed += c;
		}
	assert_int_equal(listed, total);
	assert_int_equal(l.dropped_cycles, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_one_pair),
		cmocka_unit_test(test_full_drops_and_counts),
		cmocka_unit_test(test_random_against_matrix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
