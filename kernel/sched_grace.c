/* SPDX-License-Identifier: MIT */
/* A run-time domain's vCPUs leaving their CPUs, and the quiescent passes that time their freeing
 * (see tally/domain_slot.h). */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/domain_slot.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/sched_account.h>
#include <tally/spinlock.h>

void sched_detach(struct vcpu *v)
{
	struct sched_percpu *s = &percpu_area[v->pcpu].sched;
	unsigned long flags = spin_lock_irqsave(&s->lock);
	struct vcpu **link = &s->placed;

	while (*link && *link != v)
		link = &(*link)->placed_next;
	/*
	 * One update of this CPU's counters: a reader sees the vCPU's run
	 * cycles either on the list or in the departed sum, never both or
	 * neither.  @v keeps its own link, so a walker standing on it goes on.
	 */
	sched_counters_begin(s);
	if (*link) {
		__atomic_store_n(link, v->placed_next, __ATOMIC_RELEASE);
		s->departed_cycles += v->se.stats.run_cycles;
		s->vcpus--;
		v->placed = false;
	}
	sched_counters_end(s);
	spin_unlock_irqrestore(&s->lock, flags);
}

uint64_t sched_quiescent_passes(unsigned int cpu, bool *resting)
{
	const struct sched_percpu *s = &percpu_area[cpu].sched;

	*resting = __atomic_load_n(&s->resting, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&s->quiescent, __ATOMIC_SEQ_CST);
}

uint64_t sched_cpu_departed(unsigned int cpu)
{
	return __atomic_load_n(&percpu_area[cpu].sched.departed_cycles, __ATOMIC_RELAXED);
}

void sched_quiescent(struct sched_percpu *s)
{
	/*
	 * At every pick: a release store (a plain one on x86), since only the
	 * uses of domain pointers before it must not pass it.  Leaving rest
	 * (sched_rest()) needs the full fence, as loads after it must not.
	 */
	__atomic_store_n(&s->quiescent, s->quiescent + 1, __ATOMIC_RELEASE);
	domain_slot_reap();
}

void sched_rest(struct sched_percpu *s, bool resting)
{
	__atomic_store_n(&s->resting, resting, __ATOMIC_SEQ_CST);
	if (resting)
		domain_slot_reap();
}
