/* SPDX-License-Identifier: MIT */
/* The accounting steps of every VM exit and entry, inline: they run thousands of times a second. */
#ifndef TALLY_SCHED_ACCOUNT_H
#define TALLY_SCHED_ACCOUNT_H

#include <tally/arch.h>
#include <tally/percpu.h>
#include <tally/domain.h>
#include <tally/sched.h>

/* Record the path that just ended at @now (see enum sched_path_kind). */
void sched_path_record(struct sched_percpu *s, uint64_t now);

/*
 * Around every update of the counters of this CPU's run queue and vCPUs
 * (interrupts off): the sequence count is odd in between.  The release
 * fence orders the odd count before the updates; x86 needs no instruction.
 */
static inline void sched_counters_begin(struct sched_percpu *s)
{
	__atomic_store_n(&s->counters_seq, s->counters_seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void sched_counters_end(struct sched_percpu *s)
{
	__atomic_store_n(&s->counters_seq, s->counters_seq + 1, __ATOMIC_RELEASE);
}

/*
 * This CPU (@s is its own) leaves guest mode, first thing after a VM exit:
 * opens the counter update that the exit handler closes with
 * sched_exit_counted() once it has counted the exit itself.  The exit
 * path passes @s down rather than have each step load it again.
 */
static inline void sched_guest_exit(struct sched_percpu *s)
{
	uint64_t now = arch_read_tsc();

	sched_counters_begin(s);
	sched_rq_exit_guest(&s->rq, now);
	s->path_kind = SCHED_PATH_NONE;
	s->path_start = now;
	s->path_from = s->current;
}

/* The exit's counters are in: one more update of the vCPU's set (its generation). */
static inline void sched_exit_counted(struct sched_percpu *s, struct vcpu *v)
{
	v->counter_updates++;
	sched_counters_end(s);
}

/*
 * This CPU (@s) enters guest mode (last thing before a VM entry).  An
 * entry that will run nothing (s->entry_empty) stays Tally's time.
 */
static inline void sched_guest_enter(struct sched_percpu *s)
{
	uint64_t now = arch_read_tsc();

	/* Only paths that end in another vCPU (or a woken one) are the ones measured. */
	if (s->path_kind == SCHED_PATH_WAKE ||
	    (s->path_kind != SCHED_PATH_NONE && s->current != s->path_from))
		sched_path_record(s, now);
	s->path_kind = SCHED_PATH_NONE;
	if (s->entry_empty)
		return;
	sched_counters_begin(s);
	sched_rq_enter_guest(&s->rq, now);
	sched_counters_end(s);
}

/* True (once) when this CPU's next event must be recomputed before entry. */
static inline bool sched_take_timers_changed(struct sched_percpu *s)
{
	bool changed = s->timers_changed;

	s->timers_changed = false;
	return changed;
}

/* Must the current vCPU stop (slice over at the exit's time, halted, or dead)? */
static inline bool sched_should_switch_fast(const struct sched_percpu *s)
{
	return !s->current || s->current->state != VCPU_RUNNABLE || s->need_resched ||
	       s->path_start >= s->rq.slice_end || s->current->se.paused;
}

#endif
