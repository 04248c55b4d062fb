/* SPDX-License-Identifier: MIT */
/* Unit tests: round robin, exact CPU accounting and the donation ledger (kernel/sched_policy.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/sched_policy.h>

#define SLICE		1000		/* cycles per slice in the scripted cases */
#define NENT		6		/* entities in every test world */
#define NONE		(-1)		/* "no entity" in expectations */
#define MAX_STEPS	24
#define MAX_LEDGER	4

/* ------------------------------------------------------------ the world */

struct ledger_rec {
	unsigned int donor, recipient;
	uint64_t cycles;
};

struct world {
	struct sched_rq rq;
	struct sched_entity e[NENT];
	struct ledger_rec rec[MAX_LEDGER];
	unsigned int nrec;		/* callbacks so far (records kept: MAX_LEDGER) */
	uint64_t credited;		/* sum of all callback cycles */
	uint64_t credited_from[NENT], credited_to[NENT];
};

/* One world at a time: tests run one after the other. */
static struct world world;

static void ledger_cb(void *ctx, unsigned int donor, unsigned int recipient, uint64_t cycles)
{
	struct world *w = ctx;

	assert_ptr_equal(w, &world);
	assert_true(donor < NENT && recipient < NENT);
	assert_int_not_equal(donor, recipient);
	assert_true(cycles > 0);
	if (w->nrec < MAX_LEDGER)
		w->rec[w->nrec] = (struct ledger_rec){ donor, recipient, cycles };
	w->nrec++;
	w->credited += cycles;
	w->credited_from[donor] += cycles;
	w->credited_to[recipient] += cycles;
}

/* A world whose first @queued entities are runnable and queued in id order at @now. */
static struct world *world_init(unsigned int queued, uint64_t slice, uint64_t now)
{
	struct world *w = &world;

	memset(w, 0, sizeof(*w));
	sched_rq_init(&w->rq, slice, now, ledger_cb, w);
	for (unsigned int i = 0; i < NENT; i++) {
		w->e[i].id = i;
		w->e[i].state = SCHED_RUNNABLE;
		if (i < queued)
			sched_rq_add(&w->rq, &w->e[i]);
	}
	return w;
}

static uint64_t cpu_total(const struct world *w)
{
	return w->rq.stats.guest_cycles + w->rq.stats.hypervisor_cycles + w->rq.stats.idle_cycles;
}

/*
 * guest + hypervisor + idle == elapsed, hypervisor split exactly into
 * attributed + unattributed, and the entities' hypervisor time adds up
 * to the attributed part (a wake-up's span waits in the unattributed).
 */
static void check_identity(const struct world *w, uint64_t now)
{
	const struct sched_cpu_stats *st = &w->rq.stats;
	uint64_t charged = 0;

	assert_int_equal(cpu_total(w), now - st->start);
	assert_int_equal(st->guest_cycles + st->hv_attributed_cycles +
			 st->hv_unattributed_cycles + st->idle_cycles, now - st->start);
	for (unsigned int i = 0; i < NENT; i++)
		charged += w->e[i].stats.hypervisor_cycles;
	assert_int_equal(charged, st->hv_attributed_cycles);
	assert_true(w->rq.hv_wake_cycles <= st->hv_unattributed_cycles);
}

/* Queue links agree with the flags, and only runnable entities wait. */
static void check_queue(const struct world *w)
{
	unsigned int linked = 0, flagged = 0;
	const struct sched_entity *last = NULL;

	for (const struct sched_entity *se = w->rq.head; se; se = se->next) {
		assert_true(++linked <= NENT);
		assert_true(se->queued);
		assert_false(se->paused);
		assert_int_equal(se->state, SCHED_RUNNABLE);
		last = se;
	}
	assert_ptr_equal(w->rq.tail, last);
	for (unsigned int i = 0; i < NENT; i++)
		flagged += w->e[i].queued;
	assert_int_equal(linked, flagged);
}

/* Received == credited through the callback <= donated, per entity and in total. */
static void check_ledger_sums(const struct world *w)
{
	uint64_t received = 0, donated = 0;

	for (unsigned int i = 0; i < NENT; i++) {
		const struct sched_stats *s = &w->e[i].stats;

		assert_int_equal(s->received_cycles, w->credited_to[i]);
		assert_true(w->credited_from[i] <= s->donated_cycles);
		assert_true(s->received_cycles <= s->run_cycles);
		received += s->received_cycles;
		donated += s->donated_cycles;
	}
	assert_int_equal(received, w->credited);
	assert_true(w->credited <= donated);
}

/* All the donations add up to no more than the time that passed (each cycle is given once). */
static void check_donations_bounded(const struct world *w, uint64_t now)
{
	uint64_t donated = 0;

	for (unsigned int i = 0; i < NENT; i++)
		donated += w->e[i].stats.donated_cycles;
	assert_true(donated <= now - w->rq.stats.start);
}

static int entity_index(const struct world *w, const struct sched_entity *se)
{
	return se ? (int)(se - w->e) : NONE;
}

/* ------------------------------------------------------ scripted cases */

enum op { OP_END, OP_ADD, OP_PICK, OP_BLOCK, OP_WAKE, OP_REMOVE,
	  OP_GUEST, OP_EXIT, OP_IDLE, OP_UNIDLE };

/* One call at time @t; for OP_PICK, @id is the entity expected (NONE: idle). */
struct step {
	enum op op;
	uint64_t t;
	int id;
};

struct scenario {
	const char *name;
	unsigned int queued;			/* entities 0..queued-1 added at 0 */
	struct step steps[MAX_STEPS];
	bool counts;				/* check the counters below */
	uint64_t slices[NENT], preemptions[NENT], switches;
	bool donations;				/* check the ledger below */
	struct ledger_rec ledger[MAX_LEDGER];
	unsigned int nledger;
	uint64_t donated[NENT];
	int open_donor;				/* donor after the last step */
	uint64_t idle;				/* idle cycles at the end */
};

#define PICK(t, id)	{ OP_PICK, t, id }
#define BLOCK(t)	{ OP_BLOCK, t, 0 }
#define WAKE(t, id)	{ OP_WAKE, t, id }
#define ADD(t, id)	{ OP_ADD, t, id }
#define REMOVE(t, id)	{ OP_REMOVE, t, id }
#define GUEST(t)	{ OP_GUEST, t, 0 }
#define EXIT(t)		{ OP_EXIT, t, 0 }
#define IDLE(t)		{ OP_IDLE, t, 0 }
#define UNIDLE(t)	{ OP_UNIDLE, t, 0 }

static void run_step(struct world *w, const struct step *st)
{
	struct sched_entity *se = st->id == NONE ? NULL : &w->e[st->id];

	switch (st->op) {
	case OP_ADD:	sched_rq_add(&w->rq, se); break;
	case OP_PICK:
		assert_int_equal(entity_index(w, sched_rq_pick(&w->rq, st->t)), st->id);
		assert_int_equal(entity_index(w, w->rq.current), st->id);
		break;
	case OP_BLOCK:	sched_rq_block(&w->rq, st->t); break;
	case OP_WAKE:	sched_rq_wake(&w->rq, se); break;
	case OP_REMOVE:	sched_rq_remove(&w->rq, se); break;
	case OP_GUEST:	sched_rq_enter_guest(&w->rq, st->t); break;
	case OP_EXIT:	sched_rq_exit_guest(&w->rq, st->t); break;
	case OP_IDLE:	sched_rq_enter_idle(&w->rq, st->t); break;
	case OP_UNIDLE:	sched_rq_exit_idle(&w->rq, st->t); break;
	case OP_END:	break;
	}
}

static void check_counts(const struct world *w, const struct scenario *sc)
{
	for (unsigned int i = 0; i < NENT; i++) {
		assert_int_equal(w->e[i].stats.slices, sc->slices[i]);
		assert_int_equal(w->e[i].stats.preemptions, sc->preemptions[i]);
	}
	assert_int_equal(w->rq.stats.switches, sc->switches);
}

static void check_donations(const struct world *w, const struct scenario *sc)
{
	assert_int_equal(w->nrec, sc->nledger);
	for (unsigned int i = 0; i < sc->nledger; i++) {
		assert_int_equal(w->rec[i].donor, sc->ledger[i].donor);
		assert_int_equal(w->rec[i].recipient, sc->ledger[i].recipient);
		assert_int_equal(w->rec[i].cycles, sc->ledger[i].cycles);
	}
	for (unsigned int i = 0; i < NENT; i++)
		assert_int_equal(w->e[i].stats.donated_cycles, sc->donated[i]);
	assert_int_equal(entity_index(w, w->rq.donor), sc->open_donor);
	assert_int_equal(w->rq.stats.idle_cycles, sc->idle);
}

static void test_scenario(void **state)
{
	const struct scenario *sc = *state;
	struct world *w = world_init(sc->queued, SLICE, 0);
	uint64_t now = 0;

	for (const struct step *st = sc->steps; st->op != OP_END; st++) {
		assert_true(st->t >= now);
		now = st->t;
		run_step(w, st);
		check_queue(w);
		check_ledger_sums(w);
		/* Adding, removing and waking take no time stamp, so they account nothing. */
		if (st->op != OP_ADD && st->op != OP_REMOVE && st->op != OP_WAKE)
			check_identity(w, now);
		check_donations_bounded(w, w->rq.mode_since);
	}
	sched_rq_account_now(&w->rq, now);
	check_identity(w, now);
	if (sc->counts)
		check_counts(w, sc);
	if (sc->donations)
		check_donations(w, sc);
}

/* Which entity runs, in what order, and what is counted. */
static const struct scenario sched_cases[] = {
	{ "round robin of three", 3,
	  { PICK(0, 0), PICK(1000, 1), PICK(2000, 2), PICK(3000, 0), PICK(4000, 1),
	    PICK(5000, 2) },
	  .counts = true, .slices = { 2, 2, 2 }, .preemptions = { 2, 2, 1 }, .switches = 6 },
	{ "one entity continues with fresh slices", 1,
	  { PICK(0, 0), PICK(1000, 0), PICK(2500, 0), PICK(2600, 0) },
	  .counts = true, .slices = { 4 }, .preemptions = { 2 }, .switches = 1 },
	{ "empty queue: idle", 0,
	  { PICK(0, NONE), IDLE(0), UNIDLE(50), PICK(50, NONE) },
	  .counts = true, .slices = { 0 }, .preemptions = { 0 }, .switches = 0 },
	{ "blocked entity is skipped", 3,
	  { PICK(0, 0), BLOCK(100), PICK(100, 1), PICK(1100, 2), PICK(2100, 1),
	    PICK(3100, 2) },
	  .counts = true, .slices = { 1, 2, 2 }, .preemptions = { 0, 2, 1 }, .switches = 5 },
	{ "last runnable blocks: idle, then woken", 1,
	  { PICK(0, 0), BLOCK(100), PICK(100, NONE), WAKE(400, 0), PICK(400, 0) },
	  .counts = true, .slices = { 2 }, .preemptions = { 0 }, .switches = 2 },
	{ "woken entity waits behind those already waiting", 4,
	  { PICK(0, 0), BLOCK(100), PICK(100, 1), WAKE(200, 0), PICK(1100, 2),
	    PICK(2100, 3), PICK(3100, 0), PICK(4100, 1) },
	  .counts = true, .slices = { 2, 2, 1, 1 }, .preemptions = { 1, 1, 1, 1 }, .switches = 6 },
	{ "waking a runnable or dead entity does nothing", 2,
	  { WAKE(0, 1), REMOVE(0, 0), WAKE(0, 0), PICK(0, 1), PICK(1000, 1) },
	  .counts = true, .slices = { 0, 2 }, .preemptions = { 0, 1 }, .switches = 1 },
	{ "remove the queued head", 3,
	  { REMOVE(0, 0), PICK(0, 1), PICK(1000, 2), PICK(2000, 1) },
	  .counts = true, .slices = { 0, 2, 1 }, .preemptions = { 0, 1, 1 }, .switches = 3 },
	{ "remove a queued middle entity", 3,
	  { PICK(0, 0), REMOVE(10, 1), PICK(1000, 2), PICK(2000, 0), PICK(3000, 2) },
	  .counts = true, .slices = { 2, 0, 2 }, .preemptions = { 2, 0, 1 }, .switches = 4 },
	{ "remove the queued tail, then add behind the new tail", 3,
	  { REMOVE(0, 2), ADD(0, 3), PICK(0, 0), PICK(1000, 1), PICK(2000, 3),
	    PICK(3000, 0) },
	  .counts = true, .slices = { 2, 1, 0, 1 }, .preemptions = { 1, 1, 0, 1 }, .switches = 4 },
	{ "remove the current entity: never requeued", 2,
	  { PICK(0, 0), REMOVE(100, 0), PICK(100, 1), PICK(1100, 1), PICK(2100, 1) },
	  .counts = true, .slices = { 1, 3 }, .preemptions = { 0, 2 }, .switches = 2 },
	{ "remove the only, current entity: idle", 1,
	  { PICK(0, 0), REMOVE(5, 0), PICK(5, NONE), ADD(6, 0), PICK(6, NONE) },
	  .counts = true, .slices = { 1 }, .preemptions = { 0 }, .switches = 1 },
	{ "forced pick before the slice ends: no preemption", 2,
	  { PICK(0, 0), PICK(999, 1), PICK(1998, 0), PICK(2998, 1) },
	  .counts = true, .slices = { 2, 2 }, .preemptions = { 1, 0 }, .switches = 4 },
	{ "blocked and woken before the pick: no preemption", 2,
	  { PICK(0, 0), BLOCK(100), WAKE(100, 0), PICK(5000, 1), PICK(6000, 0) },
	  .counts = true, .slices = { 2, 1 }, .preemptions = { 0, 1 }, .switches = 3 },
	{ "current re-added by the caller: not queued twice", 2,
	  { PICK(0, 0), ADD(10, 0), ADD(10, 0), PICK(1000, 1), PICK(2000, 0),
	    PICK(3000, 1) },
	  .counts = true, .slices = { 2, 2 }, .preemptions = { 1, 1 }, .switches = 4 },
};

/* The donation ledger (slice 1000 everywhere). */
static const struct scenario donation_cases[] = {
	{ "rest of the slice credited to the next entity", 2,
	  { PICK(0, 0), GUEST(0), EXIT(300), BLOCK(300), PICK(300, 1), GUEST(310),
	    EXIT(1200) },
	  .donations = true, .ledger = { { 0, 1, 690 } }, .nledger = 1,
	  .donated = { 700 }, .open_donor = NONE },
	{ "still open while the recipient runs inside it", 2,
	  { PICK(0, 0), GUEST(0), EXIT(300), BLOCK(300), PICK(300, 1), GUEST(300),
	    EXIT(700) },
	  .donations = true, .ledger = { { 0, 1, 400 } }, .nledger = 1,
	  .donated = { 400 }, .open_donor = 0 },
	{ "expires at donation_end across several entries", 2,
	  { PICK(0, 0), GUEST(0), EXIT(300), BLOCK(300), PICK(300, 1), GUEST(310),
	    EXIT(800), GUEST(850), EXIT(1100), GUEST(1150), EXIT(1300) },
	  .donations = true, .ledger = { { 0, 1, 490 }, { 0, 1, 150 } }, .nledger = 2,
	  .donated = { 700 }, .open_donor = NONE },
	{ "idle time is not credited", 1,
	  { PICK(0, 0), GUEST(0), EXIT(200), BLOCK(200), PICK(200, NONE), IDLE(200),
	    UNIDLE(500), ADD(500, 1), PICK(500, 1), GUEST(510), EXIT(1500) },
	  .donations = true, .ledger = { { 0, 1, 490 } }, .nledger = 1,
	  .donated = { 800 }, .open_donor = NONE, .idle = 300 },
	{ "idle past donation_end closes it", 1,
	  { PICK(0, 0), GUEST(0), EXIT(200), BLOCK(200), PICK(200, NONE), IDLE(200),
	    UNIDLE(1200), ADD(1200, 1), PICK(1200, 1), GUEST(1200), EXIT(1500) },
	  .donations = true, .nledger = 0, .donated = { 800 }, .open_donor = NONE,
	  .idle = 1000 },
	{ "a recipient halting replaces the donation", 3,
	  { PICK(0, 0), GUEST(0), EXIT(300), BLOCK(300), PICK(300, 1), GUEST(300),
	    EXIT(400), BLOCK(400), PICK(400, 2), GUEST(400), EXIT(1500) },
	  .donations = true, .ledger = { { 0, 1, 100 }, { 1, 2, 900 } }, .nledger = 2,
	  .donated = { 100, 900 }, .open_donor = NONE },
	{ "the donor running again closes it", 2,
	  { PICK(0, 0), GUEST(0), EXIT(300), BLOCK(300), PICK(300, 1), GUEST(300),
	    EXIT(400), WAKE(400, 0), PICK(400, 0), GUEST(400), EXIT(500), PICK(500, 1),
	    GUEST(500), EXIT(900) },
	  .donations = true, .ledger = { { 0, 1, 100 } }, .nledger = 1,
	  .donated = { 100 }, .open_donor = NONE },
	{ "a woken donor still waiting keeps it open", 3,
	  { PICK(0, 0), GUEST(0), EXIT(300), BLOCK(300), PICK(300, 1), GUEST(300),
	    EXIT(350), WAKE(350, 0), GUEST(350), EXIT(600), PICK(600, 2), GUEST(600),
	    EXIT(1200) },
	  .donations = true, .ledger = { { 0, 1, 50 }, { 0, 1, 250 }, { 0, 2, 400 } },
	  .nledger = 3, .donated = { 700 }, .open_donor = NONE },
	{ "halting when the slice is over donates nothing", 2,
	  { PICK(0, 0), GUEST(0), EXIT(1000), BLOCK(1000), PICK(1000, 1), GUEST(1000),
	    EXIT(1500) },
	  .donations = true, .nledger = 0, .open_donor = NONE },
	{ "removing the donor closes it", 2,
	  { PICK(0, 0), GUEST(0), EXIT(300), BLOCK(300), PICK(300, 1), REMOVE(300, 0),
	    GUEST(300), EXIT(700) },
	  .donations = true, .nledger = 0, .donated = { 0 }, .open_donor = NONE },
	/* Another CPU removes the donor while the recipient runs: no credit, closed at the exit. */
	{ "the donor removed while the recipient runs", 2,
	  { PICK(0, 0), GUEST(0), EXIT(300), BLOCK(300), PICK(300, 1), GUEST(300), REMOVE(500, 0),
	    EXIT(700), PICK(700, 1) },
	  .donations = true, .nledger = 0, .donated = { 0 }, .open_donor = NONE },
	/* Each halt gives up the rest of a fresh slice, but only the time that passes counts. */
	{ "a donor woken and halting again gives its time once", 2,
	  { PICK(0, 0), GUEST(0), EXIT(100), BLOCK(100), PICK(100, 1), GUEST(100), EXIT(150),
	    WAKE(150, 0), PICK(150, 0), GUEST(150), EXIT(160), BLOCK(160), PICK(160, 1),
	    GUEST(160), EXIT(200), WAKE(200, 0), PICK(200, 0), GUEST(200), EXIT(210),
	    BLOCK(210), PICK(210, 1), GUEST(210), EXIT(2000) },
	  .donations = true, .ledger = { { 0, 1, 50 }, { 0, 1, 40 }, { 0, 1, 990 } },
	  .nledger = 3, .donated = { 1080 }, .open_donor = NONE },
	/* Time in hypervisor and idle mode inside the donation is given up too, not credited. */
	{ "idle inside the donation counts as given", 1,
	  { PICK(0, 0), GUEST(0), EXIT(200), BLOCK(200), PICK(210, NONE), IDLE(210),
	    UNIDLE(600), WAKE(600, 0), PICK(600, 0), GUEST(600), EXIT(700) },
	  .donations = true, .nledger = 0, .donated = { 400 }, .open_donor = NONE,
	  .idle = 390 },
};

/* -------------------------------------------------- focused unit cases */

static void test_init(void **state)
{
	struct world *w = world_init(0, SLICE, 12345);

	(void)state;
	assert_int_equal(w->rq.mode, SCHED_MODE_HYPERVISOR);
	assert_int_equal(w->rq.stats.start, 12345);
	assert_int_equal(w->rq.mode_since, 12345);
	assert_null(w->rq.head);
	assert_null(w->rq.current);
	assert_null(w->rq.donor);
	sched_rq_account_now(&w->rq, 12345);
	assert_int_equal(cpu_total(w), 0);
	sched_rq_account_now(&w->rq, 12400);
	assert_int_equal(w->rq.stats.hypervisor_cycles, 55);
}

static void test_add_ignores_queued_and_not_runnable(void **state)
{
	struct world *w = world_init(1, SLICE, 0);

	(void)state;
	sched_rq_add(&w->rq, &w->e[0]);
	w->e[1].state = SCHED_BLOCKED;
	sched_rq_add(&w->rq, &w->e[1]);
	w->e[2].state = SCHED_DEAD;
	sched_rq_add(&w->rq, &w->e[2]);
	check_queue(w);
	assert_ptr_equal(w->rq.head, &w->e[0]);
	assert_ptr_equal(w->rq.tail, &w->e[0]);
}

static void test_slice_over(void **state)
{
	struct world *w = world_init(2, SLICE, 0);

	(void)state;
	assert_true(sched_rq_slice_over(&w->rq, 0));		/* nothing picked */
	sched_rq_pick(&w->rq, 100);
	assert_false(sched_rq_slice_over(&w->rq, 100));
	assert_false(sched_rq_slice_over(&w->rq, 100 + SLICE - 1));
	assert_true(sched_rq_slice_over(&w->rq, 100 + SLICE));
	sched_rq_block(&w->rq, 200);
	assert_true(sched_rq_slice_over(&w->rq, 200));		/* blocked current */
}

static void test_slice_end_saturates(void **state)
{
	struct world *w = world_init(1, SLICE, UINT64_MAX - 10);

	(void)state;
	sched_rq_pick(&w->rq, UINT64_MAX - 10);
	assert_int_equal(w->rq.slice_end, UINT64_MAX);
	assert_false(sched_rq_slice_over(&w->rq, UINT64_MAX - 1));
	assert_true(sched_rq_slice_over(&w->rq, UINT64_MAX));
}

static void test_block_counts(void **state)
{
	struct world *w = world_init(2, SLICE, 0);
	const struct sched_stats *a = &w->e[0].stats;

	(void)state;
	sched_rq_block(&w->rq, 0);			/* nothing current: no-op */
	assert_int_equal(a->halts, 0);
	sched_rq_pick(&w->rq, 0);
	sched_rq_block(&w->rq, 250);
	assert_int_equal(w->e[0].state, SCHED_BLOCKED);
	assert_int_equal(a->halts, 1);
	assert_int_equal(a->slices_cut_by_halt, 1);
	assert_int_equal(a->donated_cycles, 0);		/* counted as the time passes */
	sched_rq_block(&w->rq, 260);			/* already blocked: no-op */
	assert_int_equal(a->halts, 1);
	assert_int_equal(a->donated_cycles, 10);
	sched_rq_wake(&w->rq, &w->e[0]);
	sched_rq_wake(&w->rq, &w->e[0]);		/* runnable now: no-op */
	assert_int_equal(a->wakeups, 0);		/* counted when it runs again */
	sched_rq_block(&w->rq, 300);			/* woken before the pick: no-op */
	assert_int_equal(w->e[0].state, SCHED_RUNNABLE);
	assert_int_equal(a->halts, 1);
	assert_int_equal(a->donated_cycles, 50);
	assert_ptr_equal(sched_rq_pick(&w->rq, 300), &w->e[1]);
	assert_int_equal(a->wakeups, 0);
	assert_ptr_equal(sched_rq_pick(&w->rq, 1300), &w->e[0]);
	assert_int_equal(a->donated_cycles, 750);	/* the whole rest of its slice, by 1000 */
	assert_int_equal(a->wakeups, 1);
	sched_rq_block(&w->rq, 2300);			/* at the slice end: no cut */
	assert_int_equal(a->halts, 2);
	assert_int_equal(a->slices_cut_by_halt, 1);
	assert_int_equal(a->donated_cycles, 750);
}

/* A paused entity is never picked, woken onto the queue or re-queued until unpaused. */
static void test_pause(void **state)
{
	struct world *w = world_init(3, SLICE, 0);
	struct sched_rq *rq = &w->rq;
	const struct sched_stats *b = &w->e[1].stats;

	(void)state;
	assert_ptr_equal(sched_rq_pick(rq, 0), &w->e[0]);
	sched_rq_pause(rq, &w->e[1]);			/* queued: leaves the queue */
	assert_false(w->e[1].queued);
	check_queue(w);
	assert_ptr_equal(sched_rq_pick(rq, 1000), &w->e[2]);
	assert_ptr_equal(sched_rq_pick(rq, 2000), &w->e[0]);
	sched_rq_pause(rq, &w->e[0]);			/* current: its slice is over at once */
	assert_true(sched_rq_slice_over(rq, 2001));
	assert_ptr_equal(sched_rq_pick(rq, 2001), &w->e[2]);
	assert_false(w->e[0].queued);			/* not put back behind the others */
	assert_int_equal(w->e[0].stats.preemptions, 1);	/* at 1000 only: a pause is none */
	assert_ptr_equal(sched_rq_pick(rq, 3001), &w->e[2]);	/* the only one left */
	sched_rq_pause(rq, &w->e[0]);			/* again: no-op */
	sched_rq_unpause(rq, &w->e[1]);
	sched_rq_unpause(rq, &w->e[1]);			/* again: queued once */
	check_queue(w);
	assert_ptr_equal(sched_rq_pick(rq, 4001), &w->e[1]);
	assert_int_equal(b->slices, 1);
	/* Blocked while paused: the wake-up makes it runnable, not queued. */
	sched_rq_block(rq, 4500);
	sched_rq_pause(rq, &w->e[1]);
	sched_rq_wake(rq, &w->e[1]);
	assert_int_equal(w->e[1].state, SCHED_RUNNABLE);
	assert_false(w->e[1].queued);
	assert_ptr_equal(sched_rq_pick(rq, 4500), &w->e[2]);
	sched_rq_unpause(rq, &w->e[1]);
	sched_rq_unpause(rq, &w->e[0]);
	assert_ptr_equal(sched_rq_pick(rq, 5500), &w->e[1]);
	assert_int_equal(b->wakeups, 1);
	assert_ptr_equal(sched_rq_pick(rq, 6500), &w->e[0]);
	check_queue(w);
}

/* Pausing the current entity and unpausing it before the next pick: it just goes on. */
static void test_pause_current_undone(void **state)
{
	struct world *w = world_init(2, SLICE, 0);
	struct sched_rq *rq = &w->rq;

	(void)state;
	assert_ptr_equal(sched_rq_pick(rq, 0), &w->e[0]);
	sched_rq_pause(rq, &w->e[0]);
	sched_rq_unpause(rq, &w->e[0]);
	assert_false(w->e[0].queued);			/* still on the CPU */
	assert_false(sched_rq_slice_over(rq, 10));
	assert_ptr_equal(sched_rq_pick(rq, 1000), &w->e[1]);
	assert_ptr_equal(sched_rq_pick(rq, 2000), &w->e[0]);
	check_queue(w);
}

/* The next entity starts as soon as the current one halts; idle only when none is runnable. */
static void test_work_conservation(void **state)
{
	struct world *w = world_init(2, SLICE, 0);
	struct sched_rq *rq = &w->rq;

	(void)state;
	assert_ptr_equal(sched_rq_pick(rq, 0), &w->e[0]);
	sched_rq_enter_guest(rq, 0);
	sched_rq_exit_guest(rq, 300);
	sched_rq_block(rq, 300);
	assert_ptr_equal(sched_rq_pick(rq, 300), &w->e[1]);
	sched_rq_enter_guest(rq, 300);
	sched_rq_exit_guest(rq, 500);
	sched_rq_block(rq, 500);
	assert_null(sched_rq_pick(rq, 500));
	sched_rq_enter_idle(rq, 500);
	sched_rq_exit_idle(rq, 800);
	sched_rq_wake(rq, &w->e[0]);
	assert_ptr_equal(sched_rq_pick(rq, 800), &w->e[0]);
	sched_rq_enter_guest(rq, 800);
	sched_rq_exit_guest(rq, 1800);
	check_identity(w, 1800);
	assert_int_equal(rq->stats.idle_cycles, 300);
	assert_int_equal(rq->stats.hypervisor_cycles, 0);
	assert_int_equal(rq->stats.guest_cycles, 1500);
	assert_int_equal(w->e[0].stats.run_cycles, 1300);
	assert_int_equal(w->e[1].stats.run_cycles, 200);
}

/* A TSC read behind the last transition charges nothing and never underflows. */
static void test_clock_backwards(void **state)
{
	struct world *w = world_init(1, SLICE, 1000);
	struct sched_rq *rq = &w->rq;

	(void)state;
	sched_rq_pick(rq, 1000);
	sched_rq_enter_guest(rq, 2000);
	sched_rq_exit_guest(rq, 1500);
	assert_int_equal(rq->stats.guest_cycles, 0);
	assert_int_equal(w->e[0].stats.run_cycles, 0);
	assert_int_equal(rq->mode, SCHED_MODE_HYPERVISOR);
	assert_int_equal(rq->mode_since, 2000);
	sched_rq_account_now(rq, 10);
	check_identity(w, 2000);
	sched_rq_account_now(rq, 2500);
	check_identity(w, 2500);
	assert_int_equal(rq->stats.hypervisor_cycles, 1500);
}

static void test_no_ledger_callback(void **state)
{
	struct sched_rq rq;
	struct sched_entity e[2] = { { .id = 7 }, { .id = 9 } };

	(void)state;
	sched_rq_init(&rq, SLICE, 0, NULL, NULL);
	sched_rq_add(&rq, &e[0]);
	sched_rq_add(&rq, &e[1]);
	sched_rq_pick(&rq, 0);
	sched_rq_block(&rq, 400);
	sched_rq_pick(&rq, 400);
	sched_rq_enter_guest(&rq, 400);
	sched_rq_exit_guest(&rq, 2000);
	assert_int_equal(e[1].stats.received_cycles, 600);
	assert_int_equal(e[0].stats.donated_cycles, 600);
}

/* ------------------------------------------------- simulated-clock runs */

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rng_state;

static uint64_t rnd(uint64_t bound)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return bound ? rng_state % bound : 0;
}

#define FAIR_SLICE	10000
#define FAIR_PICKS	3000
#define ENTRY_COST	100		/* pick to VM entry, plus up to ENTRY_JITTER */
#define ENTRY_JITTER	50
#define TIMER_LATENCY	200		/* slice end to VM exit, at most */
#define EXIT_COST	100		/* VM exit to the next pick, at most */
#define SHARE_TOLERANCE	0.001
#define HALT_PERCENT	10		/* the halter runs this much of its slice */

static double share(const struct world *w, unsigned int i)
{
	return (double)w->e[i].stats.run_cycles / (double)w->rq.stats.guest_cycles;
}

/*
 * Runs the current entity for one slice from the pick at @now: entry, guest
 * time until the slice ends (or @run cycles when @run is not 0, after which
 * it halts), exit.  Returns the time of the next pick.
 */
static uint64_t run_slice(struct world *w, uint64_t now, uint64_t run)
{
	now += ENTRY_COST + rnd(ENTRY_JITTER);
	sched_rq_enter_guest(&w->rq, now);
	now = run ? now + run : w->rq.slice_end + rnd(TIMER_LATENCY);
	sched_rq_exit_guest(&w->rq, now);
	check_identity(w, now);
	now += rnd(EXIT_COST);
	if (run)
		sched_rq_block(&w->rq, now);
	return now;
}

static void test_fair_cpu_bound(void **state)
{
	struct world *w = world_init(3, FAIR_SLICE, 0);
	uint64_t now = 0, preemptions = 0;

	(void)state;
	rng_state = 0x5eed1;
	for (unsigned int n = 0; n < FAIR_PICKS; n++) {
		assert_ptr_equal(sched_rq_pick(&w->rq, now), &w->e[n % 3]);
		now = run_slice(w, now, 0);
	}
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(w->e[i].stats.slices, FAIR_PICKS / 3);
		assert_true(share(w, i) > 1.0 / 3 - SHARE_TOLERANCE);
		assert_true(share(w, i) < 1.0 / 3 + SHARE_TOLERANCE);
		preemptions += w->e[i].stats.preemptions;
	}
	assert_int_equal(preemptions, FAIR_PICKS - 1);	/* the last slice has not ended */
	assert_int_equal(w->rq.stats.switches, FAIR_PICKS);
	assert_int_equal(w->rq.stats.idle_cycles, 0);
}

/*
 * Entity 0 halts after HALT_PERCENT of each slice and is woken while the
 * next one runs: the other two absorb its time, with no idle, and entity 1
 * (always next after it) receives its donations.
 */
static void test_fair_with_halter(void **state)
{
	struct world *w = world_init(3, FAIR_SLICE, 0);
	const uint64_t halt_run = FAIR_SLICE * HALT_PERCENT / 100;
	uint64_t now = 0;
	double expect;

	(void)state;
	rng_state = 0x5eed2;
	for (unsigned int n = 0; n < FAIR_PICKS; n++) {
		struct sched_entity *se = sched_rq_pick(&w->rq, now);

		assert_non_null(se);
		if (w->e[0].state == SCHED_BLOCKED)
			sched_rq_wake(&w->rq, &w->e[0]);
		now = run_slice(w, now, se == &w->e[0] ? halt_run : 0);
	}
	expect = (double)HALT_PERCENT / (HALT_PERCENT + 2 * 100);
	assert_true(share(w, 0) > expect - 2 * SHARE_TOLERANCE);
	assert_true(share(w, 0) < expect + 2 * SHARE_TOLERANCE);
	for (unsigned int i = 1; i < 3; i++) {
		assert_true(share(w, i) > (1 - share(w, 0)) / 2 - SHARE_TOLERANCE);
		assert_true(share(w, i) < (1 - share(w, 0)) / 2 + SHARE_TOLERANCE);
	}
	assert_int_equal(w->rq.stats.idle_cycles, 0);
	assert_int_equal(w->e[0].stats.halts, FAIR_PICKS / 3);
	assert_int_equal(w->e[0].stats.slices_cut_by_halt, FAIR_PICKS / 3);
	check_ledger_sums(w);
	assert_int_equal(w->credited_to[1], w->credited);
	assert_int_equal(w->credited_to[2], 0);
	/* Only the entry after each halt is lost between donation and credit. */
	assert_true(w->credited + FAIR_PICKS / 3 * (ENTRY_COST + ENTRY_JITTER) >=
		    w->e[0].stats.donated_cycles);
}

#define PINGPONG_ROUNDS	1000
#define PINGPONG_RUN	20		/* guest cycles before each wake-and-halt */

/*
 * Two entities wake each other and halt at once, over and over (a
 * two-vCPU guest's IPI ping-pong): every halt cuts a fresh slice, but the
 * donations add up to no more than the time that passed, and each donor's
 * to no more than the time until it ran again or another halt took over.
 */
static void test_halt_pingpong_donations(void **state)
{
	struct world *w = world_init(2, FAIR_SLICE, 0);
	uint64_t now = 0;

	(void)state;
	for (unsigned int n = 0; n < PINGPONG_ROUNDS; n++) {
		struct sched_entity *se = sched_rq_pick(&w->rq, now);

		assert_ptr_equal(se, &w->e[n % 2]);
		sched_rq_enter_guest(&w->rq, now += ENTRY_COST);
		sched_rq_exit_guest(&w->rq, now += PINGPONG_RUN);
		sched_rq_wake(&w->rq, &w->e[(n + 1) % 2]);
		sched_rq_block(&w->rq, now += EXIT_COST);
		check_donations_bounded(w, now);
		check_ledger_sums(w);
	}
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(w->e[i].stats.halts, PINGPONG_ROUNDS / 2);
		/* Given: from each halt to the other's halt, one entry and run later. */
		assert_true(w->e[i].stats.donated_cycles <=
			    PINGPONG_ROUNDS / 2 * (ENTRY_COST + PINGPONG_RUN + EXIT_COST));
		assert_int_equal(w->e[i].stats.received_cycles, PINGPONG_RUN * (PINGPONG_ROUNDS / 2) -
				 (i == 0 ? PINGPONG_RUN : 0));
	}
}

#define SIM_STEPS	200000
#define SIM_HV_STEP	64		/* the clock advance in hypervisor mode, at most */

enum sim_op { SIM_PICK, SIM_BLOCK, SIM_WAKE, SIM_REMOVE, SIM_REVIVE, SIM_GUEST,
	      SIM_EXIT, SIM_IDLE, SIM_UNIDLE, SIM_PAUSE, SIM_UNPAUSE, SIM_ACCOUNT, SIM_OPS };

static bool on_cpu(const struct world *w)
{
	const struct sched_entity *cur = w->rq.current;

	return cur && cur->state == SCHED_RUNNABLE && !cur->queued && !cur->paused;
}

/* One random call that a CPU loop could make; returns false when it does not apply now. */
static bool sim_step(struct world *w, enum sim_op op, uint64_t now)
{
	struct sched_rq *rq = &w->rq;
	struct sched_entity *se = &w->e[rnd(NENT)];
	bool hv = rq->mode == SCHED_MODE_HYPERVISOR;

	switch (op) {
	case SIM_PICK:
		if (!hv)
			return false;
		se = sched_rq_pick(rq, now);
		if (!se)
			assert_null(rq->head);		/* idle only when nothing waits */
		else
			assert_false(se->paused);
		return true;
	case SIM_BLOCK:
		if (!hv || !on_cpu(w))
			return false;
		sched_rq_block(rq, now);
		return true;
	case SIM_WAKE:
		sched_rq_wake(rq, se);		/* from any mode, e.g. another CPU */
		return true;
	case SIM_REMOVE:
		if (!hv || rnd(8))
			return false;
		sched_rq_remove(rq, se);
		return true;
	case SIM_REVIVE:
		if (se->state != SCHED_DEAD || se == rq->current)
			return false;
		se->state = SCHED_RUNNABLE;
		sched_rq_add(rq, se);
		return true;
	case SIM_GUEST:
		if (!hv || !on_cpu(w))
			return false;
		sched_rq_enter_guest(rq, now);
		return true;
	case SIM_EXIT:
		if (rq->mode != SCHED_MODE_GUEST)
			return false;
		sched_rq_exit_guest(rq, now);
		return true;
	case SIM_IDLE:
		if (!hv || rq->current)
			return false;
		sched_rq_enter_idle(rq, now);
		return true;
	case SIM_UNIDLE:
		if (rq->mode != SCHED_MODE_IDLE)
			return false;
		sched_rq_exit_idle(rq, now);
		return true;
	case SIM_PAUSE:
		if (rnd(8))				/* rare, so donations still happen */
			return false;
		sched_rq_pause(rq, se);			/* from any mode, e.g. another CPU */
		return true;
	case SIM_UNPAUSE:
		sched_rq_unpause(rq, se);
		return true;
	default:
		sched_rq_account_now(rq, now);
		return true;
	}
}

static void check_entities(const struct world *w)
{
	uint64_t run = 0;

	for (unsigned int i = 0; i < NENT; i++) {
		const struct sched_stats *s = &w->e[i].stats;

		assert_true(s->preemptions + s->slices_cut_by_halt <= s->slices);
		assert_true(s->wakeups <= s->halts);
		run += s->run_cycles;
	}
	assert_int_equal(run, w->rq.stats.guest_cycles);
}

/* Random mix of every call: the identity and the ledger sums hold at every step. */
static void test_random_accounting(void **state)
{
	struct world *w = world_init(NENT / 2, SLICE, 77);
	uint64_t now = 77, applied = 0;

	(void)state;
	rng_state = 0x5eed3;
	for (unsigned int n = 0; n < SIM_STEPS; n++) {
		enum sim_op op = (enum sim_op)rnd(SIM_OPS);
		bool done;

		/* Hypervisor work is short; guest and idle stretches are long. */
		if (w->rq.mode == SCHED_MODE_HYPERVISOR)
			now += rnd(SIM_HV_STEP);
		else
			now += rnd(2 * SLICE);
		done = sim_step(w, op, now);
		applied += done;
		/* Every call with a time stamp accounts up to it. */
		if (done && op != SIM_REMOVE && op != SIM_REVIVE && op != SIM_WAKE &&
		    op != SIM_PAUSE && op != SIM_UNPAUSE)
			check_identity(w, now);
		else
			check_identity(w, w->rq.mode_since);
		check_queue(w);
		check_ledger_sums(w);
		check_entities(w);
		check_donations_bounded(w, w->rq.mode_since);
	}
	/* The run exercised what it claims to. */
	assert_true(applied > SIM_STEPS / 4);
	assert_true(w->nrec > SIM_STEPS / 200);
	assert_true(w->rq.stats.idle_cycles > 0 && w->rq.stats.switches > 0);
	assert_true(w->rq.stats.hv_attributed_cycles > 0 && w->rq.stats.hv_unattributed_cycles > 0);
	for (unsigned int i = 0; i < NENT; i++)
		assert_true(w->e[i].stats.halts > 0 && w->e[i].stats.received_cycles > 0);
}

#define CHAOS_STEPS	100000
#define CHAOS_BACK	32		/* the clock may step back this far */

/*
 * Any call in any mode, the clock sometimes stepping back: nothing is
 * counted twice or underflows, and the ledger still balances.
 */
static void test_random_chaos(void **state)
{
	struct world *w = world_init(NENT, SLICE, 0);
	uint64_t now = 0, latest = 0;
	struct sched_rq *rq = &w->rq;

	(void)state;
	rng_state = 0x5eed4;
	for (unsigned int n = 0; n < CHAOS_STEPS; n++) {
		struct sched_entity *se = &w->e[rnd(NENT)];

		now = rnd(4) ? now + rnd(SLICE) : now - MIN(rnd(CHAOS_BACK), now);
		latest = MAX(latest, now);
		switch (rnd(SIM_OPS)) {
		case SIM_PICK:		sched_rq_pick(rq, now); break;
		case SIM_BLOCK:		sched_rq_block(rq, now); break;
		case SIM_WAKE:		sched_rq_wake(rq, se); break;
		case SIM_REMOVE:	if (!rnd(8)) sched_rq_remove(rq, se); break;
		case SIM_REVIVE:	sim_step(w, SIM_REVIVE, now); break;
		case SIM_GUEST:		sched_rq_enter_guest(rq, now); break;
		case SIM_EXIT:		sched_rq_exit_guest(rq, now); break;
		case SIM_IDLE:		sched_rq_enter_idle(rq, now); break;
		case SIM_UNIDLE:	sched_rq_exit_idle(rq, now); break;
		case SIM_PAUSE:		sched_rq_pause(rq, se); break;
		case SIM_UNPAUSE:	sched_rq_unpause(rq, se); break;
		default:		sched_rq_account_now(rq, now); break;
		}
		assert_true(rq->mode_since <= latest);
		check_identity(w, rq->mode_since);
		check_queue(w);
		check_ledger_sums(w);
		check_donations_bounded(w, rq->mode_since);
	}
	sched_rq_account_now(rq, latest);
	check_identity(w, latest);
	assert_true(w->nrec > 0);
}

/* ------------------------------------------------------------------ main */

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_add_ignores_queued_and_not_runnable),
		cmocka_unit_test(test_slice_over),
		cmocka_unit_test(test_slice_end_saturates),
		cmocka_unit_test(test_block_counts),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_pause_current_undone),
		cmocka_unit_test(test_work_conservation),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_no_ledger_callback),
		cmocka_unit_test(test_fair_cpu_bound),
		cmocka_unit_test(test_fair_with_halter),
		cmocka_unit_test(test_halt_pingpong_donations),
		cmocka_unit_test(test_random_accounting),
		cmocka_unit_test(test_random_chaos),
	};
	static struct CMUnitTest tests[ARRAY_SIZE(fixed) + ARRAY_SIZE(sched_cases) +
				       ARRAY_SIZE(donation_cases)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[n++] = fixed[i];
	/* One cmocka test per scripted case, named after it. */
	for (size_t i = 0; i < ARRAY_SIZE(sched_cases); i++)
		tests[n++] = (struct CMUnitTest){ sched_cases[i].name, test_scenario, NULL, NULL,
						  (void *)&sched_cases[i] };
	for (size_t i = 0; i < ARRAY_SIZE(donation_cases); i++)
		tests[n++] = (struct CMUnitTest){ donation_cases[i].name, test_scenario, NULL, NULL,
						  (void *)&donation_cases[i] };
	/* What cmocka_run_group_tests() expands to, for an array filled at run time. */
	return _cmocka_run_group_tests("sched_policy", tests, n, NULL, NULL);
}
