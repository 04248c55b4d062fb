/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the timer deadline heap (kernel/sched_timerq.c).
 *
 * Input: the capacity (one byte), then operations, each an opcode byte, a
 * node byte and a 2-byte deadline.  A plain array model runs beside the
 * heap: after every operation the heap must be valid, hold the model's
 * nodes, give the model's earliest deadline, and refuse only when full.
 */
#include <tally/sched_timerq.h>

#include "harness.h"
#include "shim.h"

#define NODES	32

enum op { OP_SET, OP_REMOVE, OP_EXPIRE, OP_GROW, OP_COUNT };

static struct sched_timerq_node node[NODES];
static struct sched_timerq_node *slots_a[NODES], *slots_b[NODES];
static uint64_t model[NODES];

static void check(const struct sched_timerq *q)
{
	uint64_t next = UINT64_MAX;
	unsigned int count = 0;

	FUZZ_CHECK(sched_timerq_valid(q));
	for (unsigned int i = 0; i < NODES; i++) {
		FUZZ_CHECK(sched_timerq_queued(&node[i]) == (model[i] != 0));
		if (model[i]) {
			count++;
			next = model[i] < next ? model[i] : next;
		}
	}
	FUZZ_CHECK(q->count == count);
	FUZZ_CHECK(sched_timerq_next(q) == next);
}

static void op_set(struct sched_timerq *q, unsigned int i, uint64_t d)
{
	bool room = model[i] || !d || q->count < q->capacity;

	FUZZ_CHECK(sched_timerq_set(q, &node[i], d) == room);
	if (room)
		model[i] = d;
}

static void op_expire(struct sched_timerq *q, uint64_t now)
{
	struct sched_timerq_node *n;

	while ((n = sched_timerq_first(q)) && n->deadline <= now) {
		model[n - node] = 0;
		sched_timerq_remove(q, n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct sched_timerq q;
	bool on_b = false;

	for (unsigned int i = 0; i < NODES; i++) {
		node[i] = (struct sched_timerq_node){ 0 };
		model[i] = 0;
	}
	sched_timerq_init(&q, slots_a, (unsigned int)fuzz_take(&in, 1) % (NODES + 1));
	while (in.size) {
		unsigned int op = (unsigned int)fuzz_take(&in, 1) % OP_COUNT;
		unsigned int i = (unsigned int)fuzz_take(&in, 1) % NODES;
		uint64_t d = fuzz_take(&in, 2);

		if (op == OP_SET)
			op_set(&q, i, d);
		else if (op == OP_REMOVE) {
			sched_timerq_remove(&q, &node[i]);
			model[i] = 0;
		} else if (op == OP_EXPIRE)
			op_expire(&q, d);
		else if (q.capacity < NODES) {	/* onto the other array, up to NODES */
			FUZZ_CHECK(sched_timerq_grow(&q, on_b ? slots_a : slots_b, NODES) ==
				   (on_b ? slots_b : slots_a));
			on_b = !on_b;
		}
		check(&q);
	}
	return 0;
}
