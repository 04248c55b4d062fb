/* SPDX-License-Identifier: MIT */
/* The running domains' `max_run_s=` deadlines, earliest first (kernel/domain_deadline.c).
 *
 * Design: the pure min-heap of tally/sched_timerq.h, one node per domain
 * in its slot (tally/domain_slot.h: it outlives the struct domain that a
 * restart rebuilds), so that the scheduler's question at every VM entry
 * (the earliest deadline) is one atomic load and its check between vCPUs
 * pops only the domains that are due: nothing here walks the domains.
 * A domain is queued exactly while it runs with a deadline: queued when
 * built (a restart keeps the deadline of its first start), taken out when
 * it dies, whatever the cause.  The slot array grows by doubling, at
 * creation only (boot), never under the lock.
 * Locking: the heap is under the domain lock (domain_table_lock()); the
 * calls below say which need it held. */
#ifndef TALLY_DOMAIN_DEADLINE_H
#define TALLY_DOMAIN_DEADLINE_H

#include <tally/domain.h>

/* Room for one more domain with a deadline (lock not held): 0, or -ENOMEM after a line naming @label. */
int domain_deadline_reserve(const char *label);
/* Queue @d at its max_run_tsc if it has one (lock held; room reserved at its creation). */
void domain_deadline_arm(struct domain *d);
/* Take @d out if it is queued (lock held). */
void domain_deadline_disarm(struct domain *d);
/* The earliest queued domain, taken out, if its deadline is at or before @now; else NULL (lock held). */
struct domain *domain_deadline_pop_due(uint64_t now);
/* The earliest queued deadline (TSC), UINT64_MAX if none: a lock-free read. */
uint64_t domain_deadline_next(void);

#endif
