/* SPDX-License-Identifier: MIT */
/* Round-robin policy and exact CPU accounting for one physical CPU (pure logic).
 *
 * Design: a run queue holds the runnable vCPUs ("entities") of one physical
 * CPU, FIFO.  The caller reports every transition with the TSC value it
 * happened at; the policy picks, and charges every cycle to exactly one of
 * guest (the running entity), hypervisor or idle, so that for a CPU
 * guest + hypervisor + idle == elapsed, exactly.  When the running entity
 * halts before its slice ends, the rest of the slice is "donated": the
 * cycles the following entities run until that slice would have ended are
 * credited to them in a ledger (donor -> recipient), through a callback.
 * What a donor is counted as giving is the time that actually passed in
 * its donation while it was the open one, so the donations of one CPU
 * never add up to more than its elapsed time.
 * Hypervisor time is charged to whoever caused it: from a vCPU's VM exit
 * until the next pick, to that vCPU (its emulation, hypercalls, console
 * output and device requests); from a pick to the next entry, to the
 * picked vCPU (switching it in); from an idle CPU's wake-up to the pick,
 * to the vCPU picked then (it woke the CPU), or to no one if nothing is
 * picked.  Time with no vCPU (boot, all ended) and spans the caller marks
 * with sched_rq_hv_unattributed() (the boot CPU's chores) are
 * unattributed, and so is a dead entity's from the first transition that
 * sees it dead (its domain's teardown: its counters are final once its
 * domain's usage is reported).  So per CPU guest + hypervisor_attributed +
 * hypervisor_unattributed + idle == elapsed, and the entities'
 * hypervisor_cycles add up to hypervisor_attributed.  A wake-up's span is
 * counted unattributed until the pick moves it to the woken vCPU: the
 * unattributed counter may step back by that span.
 * Locking: none; each run queue belongs to one CPU (the caller serialises
 * wake-ups from other CPUs). */
#ifndef TALLY_SCHED_POLICY_H
#define TALLY_SCHED_POLICY_H

#include <tally/sched_timerq.h>
#include <tally/types.h>

enum sched_state {
	SCHED_RUNNABLE,		/* queued, or running */
	SCHED_BLOCKED,		/* halted; waits for sched_rq_wake() */
	SCHED_DEAD,		/* never picked again */
};

/* Per-vCPU counters; monotonic. */
struct sched_stats {
	uint64_t run_cycles;		/* TSC cycles in guest mode */
	uint64_t slices;		/* times picked to run */
	uint64_t preemptions;		/* slices ended by the timer */
	uint64_t halts;			/* times it blocked */
	uint64_t slices_cut_by_halt;	/* slices it ended early by blocking */
	uint64_t wakeups;		/* times it ran again after being woken from blocked */
	uint64_t donated_cycles;	/* slice time given up by halting, as it passed */
	uint64_t received_cycles;	/* time run on others' donated slices */
	uint64_t hypervisor_cycles;	/* hypervisor time charged to it (see above) */
};

struct sched_entity {
	unsigned int id;		/* the caller's global index, for the ledger */
	enum sched_state state;
	struct sched_entity *next, *prev;	/* queue links: any entity leaves in O(1) */
	bool queued;
	bool paused;			/* held off the CPU whatever its state */
	bool woken;			/* woken since it last ran: count it when picked */
	struct sched_stats stats;
	/* The caller's (kernel/sched.c), under its CPU's lock; the policy leaves them alone. */
	struct sched_timerq_node timer;	/* queued while halted with a timer, or to be rechecked */
	bool notified;			/* sent an event while not halted: recheck if it halts */
};

enum sched_mode {
	SCHED_MODE_HYPERVISOR,
	SCHED_MODE_GUEST,
	SCHED_MODE_IDLE,
};

/*
 * Per-CPU counters; guest + hypervisor + idle == now - start at every
 * transition, and hypervisor == hv_attributed + hv_unattributed.
 */
struct sched_cpu_stats {
	uint64_t start;			/* TSC when accounting began */
	uint64_t guest_cycles, hypervisor_cycles, idle_cycles;
	uint64_t hv_attributed_cycles;	/* hypervisor time charged to an entity */
	uint64_t hv_unattributed_cycles;	/* hypervisor time charged to no one */
	uint64_t switches;		/* picks of an entity other than the previous one */
};

/* Ledger callback: @recipient ran @cycles of time @donor gave up by halting. */
typedef void (*sched_ledger_fn)(void *ctx, unsigned int donor, unsigned int recipient,
				uint64_t cycles);

#define SCHED_HV_UNATTRIBUTED	1u	/* hv_chores_cycles to take from hv_owner's share */
#define SCHED_HV_WAKING		2u	/* after an idle wake-up, until the pick */

struct sched_rq {
	struct sched_entity *head, *tail;	/* runnable and waiting */
	struct sched_entity *current;		/* picked last (maybe no longer runnable) */
	uint64_t slice_cycles;
	uint64_t slice_end;			/* TSC when current's slice is over */
	enum sched_mode mode;
	uint64_t mode_since;			/* TSC of the last transition */
	struct sched_cpu_stats stats;
	struct sched_entity *donor;		/* whose halted slice is being given away */
	uint64_t donation_end;			/* TSC when that slice would have ended */
	sched_ledger_fn ledger;
	void *ledger_ctx;
	struct sched_entity *hv_owner;		/* charged for hypervisor time (NULL: no one) */
	unsigned int hv_flags;			/* SCHED_HV_*: hv_owner is not charged now */
	uint64_t hv_wake_cycles;		/* SCHED_HV_WAKING's span so far, unattributed */
	uint64_t hv_chores_cycles;		/* marked no one's, not yet charged */
};

/* An empty queue with @slice_cycles per slice, accounting from @now (hypervisor mode). */
void sched_rq_init(struct sched_rq *rq, uint64_t slice_cycles, uint64_t now,
		   sched_ledger_fn ledger, void *ledger_ctx);

/* Queue runnable @se at the tail (a new vCPU); ignored if queued already or not runnable. */
void sched_rq_add(struct sched_rq *rq, struct sched_entity *se);

/*
 * At @now (hypervisor mode), choose what runs next: the current entity, if
 * still runnable, goes behind the others; the head of the queue gets a
 * fresh slice ending at @now + slice_cycles.  Returns NULL when nothing is
 * runnable (the caller idles; current becomes NULL).  Counts slices,
 * preemptions (current still running and its slice over at @now) and
 * switches (an entity other than current; after idle, any entity).
 */
struct sched_entity *sched_rq_pick(struct sched_rq *rq, uint64_t now);

/* True when the current entity's slice is over at @now, or no entity is running. */
bool sched_rq_slice_over(const struct sched_rq *rq, uint64_t now);

/* The current entity halts at @now: it leaves the CPU and donates the rest of its slice. */
void sched_rq_block(struct sched_rq *rq, uint64_t now);

/*
 * Blocked @se becomes runnable (queued at the tail unless paused); other
 * states: no-op.  Safe from another CPU under the caller's lock: it
 * touches only the queue and @se's state, never the counters, which the
 * run queue's own CPU alone writes (its wake-up is counted when picked).
 * A donation @se made stays open until @se is picked.
 */
void sched_rq_wake(struct sched_rq *rq, struct sched_entity *se);

/*
 * Hold @se off the CPU (its domain is paused): it leaves the queue and is
 * not picked, queued or woken onto the queue until sched_rq_unpause();
 * its blocked/runnable state still changes as usual.  If it is current it
 * stays so until the next pick (sched_rq_slice_over() is then true).
 * Unpausing queues it again if it is runnable.  Both are idempotent.
 */
void sched_rq_pause(struct sched_rq *rq, struct sched_entity *se);
void sched_rq_unpause(struct sched_rq *rq, struct sched_entity *se);

/*
 * @se is gone (its domain ended): never picked again, removed from the
 * queue; an open donation of its credits no one from now on and closes at
 * the next transition.  Safe from another CPU under the caller's lock (it
 * leaves the accounting alone).  If it is current, rq->current still
 * points at it (and guest time is still charged to it) until the next
 * pick, so it must stay allocated until then.
 */
void sched_rq_remove(struct sched_rq *rq, struct sched_entity *se);

/*
 * Mode transitions at @now: each charges the time since the previous
 * transition to the mode being left (guest time also to the current
 * entity, and to the ledger while a donation is open).
 */
void sched_rq_enter_idle(struct sched_rq *rq, uint64_t now);
void sched_rq_exit_idle(struct sched_rq *rq, uint64_t now);

/* Bring the CPU counters up to @now without a transition (for a consistent read). */
void sched_rq_account_now(struct sched_rq *rq, uint64_t now);

/* Any transition at @now into @mode (the general form of the four above). */
void sched_rq_transition(struct sched_rq *rq, uint64_t now, enum sched_mode mode);

/*
 * Guest entry and exit happen on every VM exit, so their common case is
 * inline: no donation open and time moving forward.  Anything else takes
 * the general path, which gives the same result.
 */
static inline void sched_rq_exit_guest(struct sched_rq *rq, uint64_t now)
{
	uint64_t cycles = now - rq->mode_since;

	if (rq->donor || now <= rq->mode_since || rq->mode != SCHED_MODE_GUEST) {
		sched_rq_transition(rq, now, SCHED_MODE_HYPERVISOR);
	} else {
		rq->stats.guest_cycles += cycles;
		if (rq->current)
			rq->current->stats.run_cycles += cycles;
		rq->mode_since = now;
		rq->mode = SCHED_MODE_HYPERVISOR;
	}
	rq->hv_owner = rq->current;	/* its exit handling is its own */
}

static inline void sched_rq_enter_guest(struct sched_rq *rq, uint64_t now)
{
	uint64_t cycles = now - rq->mode_since;

	if (rq->donor || now <= rq->mode_since || rq->mode != SCHED_MODE_HYPERVISOR ||
	    rq->hv_flags || !rq->hv_owner || rq->hv_owner->state == SCHED_DEAD) {
		sched_rq_transition(rq, now, SCHED_MODE_GUEST);
		return;
	}
	rq->stats.hypervisor_cycles += cycles;
	rq->stats.hv_attributed_cycles += cycles;
	rq->hv_owner->stats.hypervisor_cycles += cycles;
	rq->mode_since = now;
	rq->mode = SCHED_MODE_GUEST;
}

/*
 * [@from, @to) of hypervisor time is no entity's (the boot CPU's chores):
 * it goes to the unattributed part when the next transition charges the
 * current span.  Only the part inside that span counts; idle time stays
 * idle.  Inline and without a transition: it runs at every tick.
 */
static inline void sched_rq_hv_unattributed(struct sched_rq *rq, uint64_t from, uint64_t to)
{
	if (rq->mode != SCHED_MODE_HYPERVISOR)
		return;
	if (from < rq->mode_since)
		from = rq->mode_since;
	if (to <= from)
		return;
	rq->hv_chores_cycles += to - from;
	rq->hv_flags |= SCHED_HV_UNATTRIBUTED;
}

#endif
