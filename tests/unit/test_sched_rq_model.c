/* SPDX-License-Identifier: MIT */
/* Unit tests: the run queue's order (kernel/sched_policy.c) against a plain array model.
 *
 * The model keeps the waiting entities as an array in queue order and the
 * round-robin rule in a few lines: a pick puts the current entity, if it
 * may still run, behind the others and takes the first.  Random adds,
 * wake-ups, halts, pauses, removals and picks must leave the real queue
 * (both links, the flags, the current entity) exactly as the model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/sched_policy.h>

#define NENT	24
#define STEPS	200000
#define SLICE	1000

static struct sched_rq rq;
static struct sched_entity e[NENT];

static struct {
	int queue[NENT];		/* entity indices, head first */
	unsigned int len;
	int current;			/* -1: none */
	enum sched_state state[NENT];
	bool paused[NENT];
} m;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

static bool model_queued(int i)
{
	for (unsigned int k = 0; k < m.len; k++)
		if (m.queue[k] == i)
			return true;
	return false;
}

static void model_push(int i)
{
	if (!m.paused[i])
		m.queue[m.len++] = i;
}

static void model_unlink(int i)
{
	for (unsigned int k = 0; k < m.len; k++)
		if (m.queue[k] == i) {
			memmove(&m.queue[k], &m.queue[k + 1], (m.len - k - 1) * sizeof(m.queue[0]));
			m.len--;
			return;
		}
}

static bool model_on_cpu(void)
{
	int c = m.current;

	return c >= 0 && m.state[c] == SCHED_RUNNABLE && !model_queued(c) && !m.paused[c];
}

static int model_pick(void)
{
	if (model_on_cpu())
		model_push(m.current);
	if (!m.len) {
		m.current = -1;
		return -1;
	}
	m.current = m.queue[0];
	model_unlink(m.current);
	return m.current;
}

/* The real queue, both ways, equals the model; every flag agrees. */
static void check(void)
{
	const struct sched_entity *se = rq.head, *prev = NULL;

	for (unsigned int k = 0; k < m.len; k++, prev = se, se = se->next) {
		assert_non_null(se);
		assert_ptr_equal(se, &e[m.queue[k]]);
		assert_ptr_equal(se->prev, prev);
		assert_true(se->queued);
	}
	assert_null(se);
	assert_ptr_equal(rq.tail, prev);
	for (int i = 0; i < NENT; i++) {
		assert_int_equal(e[i].queued, model_queued(i));
		assert_int_equal(e[i].state, m.state[i]);
		assert_int_equal(e[i].paused, m.paused[i]);
	}
	assert_ptr_equal(rq.current, m.current < 0 ? NULL : &e[m.current]);
}

static void reset(void)
{
	memset(e, 0, sizeof(e));
	memset(&m, 0, sizeof(m));
	m.current = -1;
	sched_rq_init(&rq, SLICE, 1, NULL, NULL);
	for (int i = 0; i < NENT; i++) {
		e[i].id = (unsigned int)i;
		e[i].state = m.state[i] = SCHED_BLOCKED;
	}
}

/* One random call on the queue and the same on the model. */
static void step(uint64_t now)
{
	int i = (int)rnd(NENT);
	struct sched_entity *se = &e[i];

	switch (rnd(8)) {
	case 0:		/* a new vCPU, or a dead one's slot reused */
		if (m.state[i] == SCHED_DEAD && m.current != i && !model_queued(i)) {
			*se = (struct sched_entity){ .id = (unsigned int)i, .state = SCHED_RUNNABLE };
			m.state[i] = SCHED_RUNNABLE;
			m.paused[i] = false;
		}
		if (m.state[i] == SCHED_RUNNABLE && !model_queued(i))
			model_push(i);	/* the current one too: it waits its turn again */
		sched_rq_add(&rq, se);
		break;
	case 1:
	case 2:
		if (m.state[i] == SCHED_BLOCKED) {
			m.state[i] = SCHED_RUNNABLE;
			model_push(i);
		}
		sched_rq_wake(&rq, se);
		break;
	case 3:
		if (model_on_cpu())
			m.state[m.current] = SCHED_BLOCKED;
		sched_rq_block(&rq, now);
		break;
	case 4:
		m.paused[i] = true;
		model_unlink(i);
		sched_rq_pause(&rq, se);
		break;
	case 5:
		if (m.paused[i]) {
			m.paused[i] = false;
			if (m.state[i] == SCHED_RUNNABLE && !model_queued(i) && m.current != i)
				model_push(i);
		}
		sched_rq_unpause(&rq, se);
		break;
	case 6:
		if (!rnd(4)) {
			m.state[i] = SCHED_DEAD;
			model_unlink(i);
			sched_rq_remove(&rq, se);
		}
		break;
	default: {
		int want = model_pick();
		struct sched_entity *got = sched_rq_pick(&rq, now);

		assert_ptr_equal(got, want < 0 ? NULL : &e[want]);
		break;
	}
	}
}

/* Random calls: the queue is the model's after every one, in both directions. */
static void test_random_against_model(void **state)
{
	uint64_t now = 1;
	unsigned int picks = 0, longest = 0;

	(void)state;
	reset();
	for (unsigned int n = 0; n < STEPS; n++) {
		now += rnd(2 * SLICE);
		step(now);
		check();
		picks += rq.current != NULL;
		longest = m.len > longest ? m.len : longest;
	}
	/* The run went where it claims: long queues and many picks of something. */
	assert_true(longest >= NENT / 2);
	assert_true(picks > STEPS / 4);
}

/* Every entity runnable: picks go round in queue order, whoever is paused or removed. */
static void test_round_robin_order(void **state)
{
	(void)state;
	reset();
	for (int i = 0; i < 4; i++) {
		e[i].state = m.state[i] = SCHED_RUNNABLE;
		sched_rq_add(&rq, &e[i]);
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 4; i++)
			assert_ptr_equal(sched_rq_pick(&rq, 10), &e[i]);
	/* Out of the middle and the tail, without a walk: the links close over them. */
	sched_rq_pause(&rq, &e[1]);
	sched_rq_remove(&rq, &e[2]);
	assert_ptr_equal(rq.head, &e[0]);
	assert_ptr_equal(rq.tail, &e[0]);
	assert_null(e[0].next);
	assert_null(e[0].prev);
	assert_ptr_equal(sched_rq_pick(&rq, 20), &e[0]);
	assert_ptr_equal(sched_rq_pick(&rq, 30), &e[3]);
	assert_ptr_equal(sched_rq_pick(&rq, 40), &e[0]);
	sched_rq_unpause(&rq, &e[1]);
	assert_ptr_equal(sched_rq_pick(&rq, 50), &e[3]);
	assert_ptr_equal(sched_rq_pick(&rq, 60), &e[1]);
	assert_ptr_equal(sched_rq_pick(&rq, 70), &e[0]);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_round_robin_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
