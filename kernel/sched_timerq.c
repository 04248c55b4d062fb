/* SPDX-License-Identifier: MIT */
/* A binary min-heap of timer deadlines with nodes that know their slot (see tally/sched_timerq.h). */
#include <tally/sched_timerq.h>

/* Put @n at heap index @i and tell it so. */
static void place(struct sched_timerq *q, unsigned int i, struct sched_timerq_node *n)
{
	q->heap[i] = n;
	n->slot = i + 1;
}

/* Move @n, which belongs at index @i or above, up past later parents. */
static void sift_up(struct sched_timerq *q, unsigned int i, struct sched_timerq_node *n)
{
	while (i) {
		unsigned int parent = (i - 1) / 2;

		if (q->heap[parent]->deadline <= n->deadline)
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, n);
}

/* Move @n, which belongs at index @i or below, down past earlier children. */
static void sift_down(struct sched_timerq *q, unsigned int i, struct sched_timerq_node *n)
{
	for (;;) {
		unsigned int child = 2 * i + 1;

		if (child >= q->count)
			break;
		if (child + 1 < q->count && q->heap[child + 1]->deadline < q->heap[child]->deadline)
			child++;
		if (n->deadline <= q->heap[child]->deadline)
			break;
		place(q, i, q->heap[child]);
		i = child;
	}
	place(q, i, n);
}

/* Re-seat @n at index @i after its deadline changed either way. */
static void resettle(struct sched_timerq *q, unsigned int i, struct sched_timerq_node *n)
{
	if (i && q->heap[(i - 1) / 2]->deadline > n->deadline)
		sift_up(q, i, n);
	else
		sift_down(q, i, n);
}

void sched_timerq_init(struct sched_timerq *q, struct sched_timerq_node **slots,
		       unsigned int capacity)
{
	q->heap = slots;
	q->count = 0;
	q->capacity = capacity;
}

struct sched_timerq_node **sched_timerq_grow(struct sched_timerq *q,
					     struct sched_timerq_node **slots,
					     unsigned int capacity)
{
	struct sched_timerq_node **old = q->heap;

	for (unsigned int i = 0; i < q->count; i++)
		slots[i] = old[i];
	q->heap = slots;
	q->capacity = capacity;
	return old;
}

void sched_timerq_remove(struct sched_timerq *q, struct sched_timerq_node *n)
{
	unsigned int i = n->slot - 1;
	struct sched_timerq_node *last;

	if (!n->slot)
		return;
	n->slot = 0;
	last = q->heap[--q->count];
	if (last != n)		/* the last node fills the hole, then finds its level */
		resettle(q, i, last);
}

bool sched_timerq_set(struct sched_timerq *q, struct sched_timerq_node *n, uint64_t deadline)
{
	if (!deadline) {
		sched_timerq_remove(q, n);
		return true;
	}
	n->deadline = deadline;
	if (n->slot) {
		resettle(q, n->slot - 1, n);
		return true;
	}
	if (q->count >= q->capacity)
		return false;
	q->count++;
	sift_up(q, q->count - 1, n);
	return true;
}

bool sched_timerq_valid(const struct sched_timerq *q)
{
	if (q->count > q->capacity)
		return false;
	for (unsigned int i = 0; i < q->count; i++) {
		if (q->heap[i]->slot != i + 1)
			return false;
		if (i && q->heap[(i - 1) / 2]->deadline > q->heap[i]->deadline)
			return false;
	}
	return true;
}
