/* SPDX-License-Identifier: MIT */
/* A per-CPU queue of timer deadlines, earliest first (pure logic; kernel/sched_timerq.c).
 *
 * Design: a binary min-heap of node pointers keyed by TSC deadline, each
 * node knowing its own slot, so that the earliest is read in O(1) and an
 * insert, removal or new deadline costs O(log n) with no search.  Chosen
 * over a hierarchical timer wheel: deadlines here are exact TSC values
 * spread from microseconds to seconds, and the scheduler needs the exact
 * earliest one at every VM entry (to arm the preemption timer), which a
 * wheel only gives after cascading or scanning buckets; the heap's
 * log n (7 levels for 128 vCPUs) is small and the same on every path.
 * The node is embedded in its owner (a vCPU); the slot array is the
 * caller's, sized by it (sched_timerq_grow()), so no allocation here.
 * Locking: none; the caller serialises (kernel/sched.c: the CPU's lock). */
#ifndef TALLY_SCHED_TIMERQ_H
#define TALLY_SCHED_TIMERQ_H

#include <tally/types.h>

struct sched_timerq_node {
	uint64_t deadline;	/* TSC; meaningful while queued */
	unsigned int slot;	/* index in the heap + 1; 0: not queued */
};

struct sched_timerq {
	struct sched_timerq_node **heap;	/* the caller's array of @capacity */
	unsigned int count, capacity;
};

/* An empty queue over the caller's @slots (@capacity of them; may be 0 and NULL). */
void sched_timerq_init(struct sched_timerq *q, struct sched_timerq_node **slots,
		       unsigned int capacity);
/* Move onto larger @slots (@capacity >= count); returns the old array for the caller to free. */
struct sched_timerq_node **sched_timerq_grow(struct sched_timerq *q,
					     struct sched_timerq_node **slots,
					     unsigned int capacity);
/*
 * Queue @n at @deadline, or move it there if queued; deadline 0 means
 * "none" and removes it.  False (and @n left out) only if the queue is full.
 */
bool sched_timerq_set(struct sched_timerq *q, struct sched_timerq_node *n, uint64_t deadline);
/* Take @n out if it is queued. */
void sched_timerq_remove(struct sched_timerq *q, struct sched_timerq_node *n);
/* The node with the earliest deadline (ties: any of them), or NULL when empty. */
static inline struct sched_timerq_node *sched_timerq_first(const struct sched_timerq *q)
{
	return q->count ? q->heap[0] : NULL;
}
/* The earliest deadline, or UINT64_MAX when empty. */
static inline uint64_t sched_timerq_next(const struct sched_timerq *q)
{
	return q->count ? q->heap[0]->deadline : UINT64_MAX;
}
/* Is @n in a queue? */
static inline bool sched_timerq_queued(const struct sched_timerq_node *n)
{
	return n->slot != 0;
}
/* The heap property and every node's slot hold (for the tests). */
bool sched_timerq_valid(const struct sched_timerq *q);

#endif
