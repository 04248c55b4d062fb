/* SPDX-License-Identifier: MIT */
/* Unit tests: the timer deadline heap (kernel/sched_timerq.c) against a plain array model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <tally/sched_timerq.h>

#define NODES	64

static struct sched_timerq_node node[NODES];
static struct sched_timerq_node *slots[NODES];
static uint64_t model[NODES];		/* each node's deadline; 0: not queued */

/* The model's earliest deadline, UINT64_MAX when none. */
static uint64_t model_next(void)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < NODES; i++)
		if (model[i] && model[i] < next)
			next = model[i];
	return next;
}

static unsigned int model_count(void)
{
	unsigned int c = 0;

	for (unsigned int i = 0; i < NODES; i++)
		c += model[i] != 0;
	return c;
}

static void check(const struct sched_timerq *q)
{
	assert_true(sched_timerq_valid(q));
	assert_int_equal(q->count, model_count());
	assert_int_equal(sched_timerq_next(q), model_next());
	for (unsigned int i = 0; i < NODES; i++)
		assert_int_equal(sched_timerq_queued(&node[i]), model[i] != 0);
}

static void reset(struct sched_timerq *q, unsigned int capacity)
{
	for (unsigned int i = 0; i < NODES; i++) {
		node[i] = (struct sched_timerq_node){ 0 };
		model[i] = 0;
	}
	sched_timerq_init(q, slots, capacity);
}

static void test_empty(void **state)
{
	struct sched_timerq q;

	(void)state;
	reset(&q, NODES);
	assert_null(sched_timerq_first(&q));
	assert_int_equal(sched_timerq_next(&q), UINT64_MAX);
	sched_timerq_remove(&q, &node[0]);	/* not queued: nothing happens */
	check(&q);
}

static void test_order_and_update(void **state)
{
	struct sched_timerq q;

	(void)state;
	reset(&q, NODES);
	assert_true(sched_timerq_set(&q, &node[0], 500));
	assert_true(sched_timerq_set(&q, &node[1], 300));
	assert_true(sched_timerq_set(&q, &node[2], 900));
	assert_ptr_equal(sched_timerq_first(&q), &node[1]);
	assert_int_equal(sched_timerq_next(&q), 300);
	assert_true(sched_timerq_set(&q, &node[2], 100));	/* moves up */
	assert_ptr_equal(sched_timerq_first(&q), &node[2]);
	assert_true(sched_timerq_set(&q, &node[2], 1000));	/* moves down */
	assert_ptr_equal(sched_timerq_first(&q), &node[1]);
	assert_true(sched_timerq_set(&q, &node[1], 0));		/* 0 removes */
	assert_false(sched_timerq_queued(&node[1]));
	assert_int_equal(sched_timerq_next(&q), 500);
	assert_int_equal(q.count, 2);
}

static void test_full_refuses(void **state)
{
	struct sched_timerq q;

	(void)state;
	reset(&q, 2);
	assert_true(sched_timerq_set(&q, &node[0], 5));
	assert_true(sched_timerq_set(&q, &node[1], 7));
	assert_false(sched_timerq_set(&q, &node[2], 1));
	assert_false(sched_timerq_queued(&node[2]));
	assert_true(sched_timerq_set(&q, &node[1], 3));	/* an update needs no room */
	assert_int_equal(sched_timerq_next(&q), 3);
}

static void test_grow_keeps_order(void **state)
{
	static struct sched_timerq_node *small[4];
	struct sched_timerq q;

	(void)state;
	reset(&q, 0);
	sched_timerq_init(&q, small, 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_true(sched_timerq_set(&q, &node[i], 40 - i));
	assert_false(sched_timerq_set(&q, &node[4], 1));
	assert_ptr_equal(sched_timerq_grow(&q, slots, NODES), small);
	assert_true(sched_timerq_set(&q, &node[4], 1));
	assert_int_equal(q.capacity, NODES);
	assert_true(sched_timerq_valid(&q));
	assert_ptr_equal(sched_timerq_first(&q), &node[4]);
}

/* Random insert, remove, update and expire, checked against the model at every step. */
static void test_random_against_model(void **state)
{
	struct sched_timerq q;
	uint64_t now = 0;

	(void)state;
	srand(16);
	for (unsigned int round = 0; round < 20; round++) {
		reset(&q, NODES);
		for (unsigned int step = 0; step < 4000; step++) {
			unsigned int i = (unsigned int)rand() % NODES, op = (unsigned int)rand() % 4;
			/* Few distinct values, so that ties are common. */
			uint64_t d = now + 1 + (uint64_t)(rand() % 50);

			if (op <= 1) {			/* insert or update */
				assert_true(sched_timerq_set(&q, &node[i], d));
				model[i] = d;
			} else if (op == 2) {		/* remove */
				sched_timerq_remove(&q, &node[i]);
				model[i] = 0;
			} else {			/* expire what is due at now */
				struct sched_timerq_node *n;

				now += (uint64_t)(rand() % 20);
				while ((n = sched_timerq_first(&q)) && n->deadline <= now) {
					unsigned int k = (unsigned int)(n - node);

					assert_int_equal(n->deadline, model_next());
					assert_int_equal(model[k], n->deadline);
					sched_timerq_remove(&q, n);
					model[k] = 0;
				}
				assert_true(model_next() > now);
			}
			check(&q);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order_and_update),
		cmocka_unit_test(test_full_refuses),
		cmocka_unit_test(test_grow_keeps_order),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
