/* SPDX-License-Identifier: MIT */
/* Round-robin run queue and exact CPU accounting for one CPU (see tally/sched_policy.h). */
#include <tally/sched_policy.h>

/* ------------------------------------------------------------ the queue */

/* Paused entities never enter the queue; sched_rq_unpause() puts them back. */
static void queue_push(struct sched_rq *rq, struct sched_entity *se)
{
	if (se->paused)
		return;
	se->next = NULL;
	se->prev = rq->tail;
	se->queued = true;
	if (rq->tail)
		rq->tail->next = se;
	else
		rq->head = se;
	rq->tail = se;
}

static struct sched_entity *queue_pop(struct sched_rq *rq)
{
	struct sched_entity *se = rq->head;

	if (!se)
		return NULL;
	rq->head = se->next;
	if (rq->head)
		rq->head->prev = NULL;
	else
		rq->tail = NULL;
	se->next = NULL;
	se->queued = false;
	return se;
}

/* Takes queued @se out of the queue wherever it is (a pause, a removal): no walk. */
static void queue_unlink(struct sched_rq *rq, struct sched_entity *se)
{
	if (se->prev)
		se->prev->next = se->next;
	else
		rq->head = se->next;
	if (se->next)
		se->next->prev = se->prev;
	else
		rq->tail = se->prev;
	se->next = se->prev = NULL;
	se->queued = false;
}

/* ------------------------------------------------------- the accounting */

static void donation_close(struct sched_rq *rq)
{
	rq->donor = NULL;
	rq->donation_end = 0;
}

/*
 * [@from, @to) passes while a donation is open: the part before the
 * donation ends is time the donor gave up, counted now that it has passed
 * and only while it stays the open one (a later halt replaces it, the
 * donor running again closes it), so every cycle is given once at most;
 * and the part the current entity runs in guest mode is credited to it.
 * The donor's own time is never credited back to it, nor time after it died.
 */
static void donation_account(struct sched_rq *rq, uint64_t from, uint64_t to)
{
	struct sched_entity *recipient = rq->current, *donor = rq->donor;
	uint64_t cycles;

	if (!donor || donor->state == SCHED_DEAD || from >= rq->donation_end)
		return;
	cycles = MIN(to, rq->donation_end) - from;
	donor->stats.donated_cycles += cycles;
	if (rq->mode != SCHED_MODE_GUEST || !recipient || recipient == donor)
		return;
	recipient->stats.received_cycles += cycles;
	if (rq->ledger)
		rq->ledger(rq->ledger_ctx, donor->id, recipient->id, cycles);
}

/*
 * Hypervisor time, to whoever caused it (tally/sched_policy.h).  A wake-up's
 * span waits, unattributed, for the pick to name the woken entity.
 */
static void charge_hypervisor(struct sched_rq *rq, uint64_t cycles)
{
	rq->stats.hypervisor_cycles += cycles;
	if (rq->hv_flags & SCHED_HV_UNATTRIBUTED) {
		uint64_t chores = MIN(rq->hv_chores_cycles, cycles);

		rq->stats.hv_unattributed_cycles += chores;
		cycles -= chores;
		rq->hv_chores_cycles = 0;
		rq->hv_flags &= ~SCHED_HV_UNATTRIBUTED;
	}
	if (!rq->hv_flags && rq->hv_owner && rq->hv_owner->state != SCHED_DEAD) {
		rq->stats.hv_attributed_cycles += cycles;
		rq->hv_owner->stats.hypervisor_cycles += cycles;
		return;
	}
	rq->stats.hv_unattributed_cycles += cycles;
	if (rq->hv_flags & SCHED_HV_WAKING)
		rq->hv_wake_cycles += cycles;
}

/* The wake-up's span is @woken's (NULL: nothing was picked, it stays no one's). */
static void wake_settle(struct sched_rq *rq, struct sched_entity *woken)
{
	uint64_t cycles = rq->hv_wake_cycles;

	if (!(rq->hv_flags & SCHED_HV_WAKING))
		return;
	if (woken) {
		rq->stats.hv_unattributed_cycles -= cycles;
		rq->stats.hv_attributed_cycles += cycles;
		woken->stats.hypervisor_cycles += cycles;
	}
	rq->hv_flags &= ~SCHED_HV_WAKING;
	rq->hv_wake_cycles = 0;
}

/* Charges [@from, @to) to the mode the CPU is in. */
static void charge_mode(struct sched_rq *rq, uint64_t from, uint64_t to)
{
	uint64_t cycles = to - from;

	switch (rq->mode) {
	case SCHED_MODE_GUEST:
		rq->stats.guest_cycles += cycles;
		if (rq->current)
			rq->current->stats.run_cycles += cycles;
		break;
	case SCHED_MODE_IDLE:
		rq->stats.idle_cycles += cycles;
		break;
	case SCHED_MODE_HYPERVISOR:
	default:
		charge_hypervisor(rq, cycles);
		break;
	}
}

/*
 * Brings the counters up to @now.  A @now behind the last transition (a
 * TSC read on another CPU, say) charges nothing and does not move the
 * clock back, so no cycle is ever counted twice.
 */
static void account_to(struct sched_rq *rq, uint64_t now)
{
	if (now > rq->mode_since) {
		donation_account(rq, rq->mode_since, now);
		charge_mode(rq, rq->mode_since, now);
		rq->mode_since = now;
	}
	if (rq->donor && (rq->mode_since >= rq->donation_end || rq->donor->state == SCHED_DEAD))
		donation_close(rq);
}

static void transition(struct sched_rq *rq, uint64_t now, enum sched_mode mode)
{
	account_to(rq, now);
	rq->mode = mode;
}

/* ------------------------------------------------------------ the policy */

void sched_rq_init(struct sched_rq *rq, uint64_t slice_cycles, uint64_t now,
		   sched_ledger_fn ledger, void *ledger_ctx)
{
	*rq = (struct sched_rq){
		.slice_cycles = slice_cycles,
		.mode = SCHED_MODE_HYPERVISOR,
		.mode_since = now,
		.stats = { .start = now },
		.ledger = ledger,
		.ledger_ctx = ledger_ctx,
	};
}

/* Queues @se at the tail; ignored unless it is runnable and not queued yet. */
void sched_rq_add(struct sched_rq *rq, struct sched_entity *se)
{
	if (se->state != SCHED_RUNNABLE || se->queued)
		return;
	queue_push(rq, se);
}

/*
 * Still on the CPU: runnable and not queued again since it was picked
 * (a blocked-then-woken or re-added current already waits in the queue).
 */
static bool current_on_cpu(const struct sched_rq *rq)
{
	return rq->current && rq->current->state == SCHED_RUNNABLE && !rq->current->queued &&
	       !rq->current->paused;
}

/* The current entity leaves the CPU at @now: behind the others if it may run again. */
static void put_current(struct sched_rq *rq, uint64_t now)
{
	if (!current_on_cpu(rq))
		return;
	if (now >= rq->slice_end)
		rq->current->stats.preemptions++;
	queue_push(rq, rq->current);
}

static uint64_t slice_end_from(const struct sched_rq *rq, uint64_t now)
{
	if (rq->slice_cycles > UINT64_MAX - now)
		return UINT64_MAX;
	return now + rq->slice_cycles;
}

/* Returns the entity to run from @now (NULL: idle); see tally/sched_policy.h. */
struct sched_entity *sched_rq_pick(struct sched_rq *rq, uint64_t now)
{
	struct sched_entity *next;

	account_to(rq, now);
	put_current(rq, now);
	next = queue_pop(rq);
	if (next) {
		next->stats.slices++;
		if (next->woken) {
			next->stats.wakeups++;
			next->woken = false;
		}
		if (next != rq->current)
			rq->stats.switches++;
		if (next == rq->donor)
			donation_close(rq);
		rq->slice_end = slice_end_from(rq, now);
	}
	wake_settle(rq, next);
	rq->current = next;
	rq->hv_owner = next;	/* switching it in is its own */
	return next;
}

/* True when nothing runnable is on the CPU, or its slice has ended by @now. */
bool sched_rq_slice_over(const struct sched_rq *rq, uint64_t now)
{
	return !current_on_cpu(rq) || now >= rq->slice_end;
}

/*
 * The running entity blocks at @now; the unused rest of its slice becomes
 * the open donation, counted as donated as it passes (donation_account()).
 * No-op when none is running (already blocked, or blocked and woken again
 * before the next pick: the wake-up is not lost).
 */
void sched_rq_block(struct sched_rq *rq, uint64_t now)
{
	struct sched_entity *se = rq->current;

	account_to(rq, now);
	if (!current_on_cpu(rq))
		return;
	se->state = SCHED_BLOCKED;
	se->stats.halts++;
	if (now >= rq->slice_end)
		return;
	se->stats.slices_cut_by_halt++;
	rq->donor = se;
	rq->donation_end = rq->slice_end;
}

/*
 * Blocked @se becomes runnable, behind those already waiting; anything else
 * is left alone.  No counter changes here (the caller may be another CPU):
 * the wake-up is counted when @se is picked.
 */
void sched_rq_wake(struct sched_rq *rq, struct sched_entity *se)
{
	if (se->state != SCHED_BLOCKED)
		return;
	se->state = SCHED_RUNNABLE;
	se->woken = true;
	queue_push(rq, se);
}

void sched_rq_pause(struct sched_rq *rq, struct sched_entity *se)
{
	se->paused = true;
	if (se->queued)
		queue_unlink(rq, se);
}

/*
 * Queued again if runnable, unless it is still current: a paused current
 * never left the CPU, and the next pick queues it as any current.
 */
void sched_rq_unpause(struct sched_rq *rq, struct sched_entity *se)
{
	if (!se->paused)
		return;
	se->paused = false;
	if (se->state == SCHED_RUNNABLE && !se->queued && rq->current != se)
		queue_push(rq, se);
}

/*
 * @se is dead from now on.  If it is current, rq->current keeps pointing at
 * it until the next pick, and if it is the donor, rq->donor until the next
 * transition closes the donation (a dead donor's time is credited to no
 * one), so it must stay allocated until then.  The donation is left to
 * the run queue's own CPU: this may run on another one, under the queue's
 * lock, while that CPU accounts without it.
 */
void sched_rq_remove(struct sched_rq *rq, struct sched_entity *se)
{
	se->state = SCHED_DEAD;
	if (se->queued)
		queue_unlink(rq, se);
}

/* Guest mode from @now (charges the time before to the mode left). */
void sched_rq_transition(struct sched_rq *rq, uint64_t now, enum sched_mode mode)
{
	transition(rq, now, mode);
}

/* Idle from @now (nothing runnable). */
void sched_rq_enter_idle(struct sched_rq *rq, uint64_t now)
{
	transition(rq, now, SCHED_MODE_IDLE);
	wake_settle(rq, NULL);
}

/* Hypervisor mode from @now, after an idle wait: the wake-up's, until the pick. */
void sched_rq_exit_idle(struct sched_rq *rq, uint64_t now)
{
	transition(rq, now, SCHED_MODE_HYPERVISOR);
	wake_settle(rq, NULL);
	rq->hv_flags |= SCHED_HV_WAKING;
}

/* Counters up to @now, mode unchanged. */
void sched_rq_account_now(struct sched_rq *rq, uint64_t now)
{
	account_to(rq, now);
}
