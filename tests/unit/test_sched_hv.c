/* SPDX-License-Identifier: MIT */
/* Unit tests: hypervisor time charged to the vCPU that caused it (kernel/sched_policy.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/sched_policy.h>

#define SLICE	1000
#define NENT	3
#define STEPS	100000

static struct sched_rq rq;
static struct sched_entity e[NENT];

/* @queued entities runnable and queued in id order, accounting from @now. */
static void setup(unsigned int queued, uint64_t now)
{
	memset(e, 0, sizeof(e));
	sched_rq_init(&rq, SLICE, now, NULL, NULL);
	for (unsigned int i = 0; i < NENT; i++) {
		e[i].id = i;
		e[i].state = SCHED_RUNNABLE;
		if (i < queued)
			sched_rq_add(&rq, &e[i]);
	}
}

/* The split adds up exactly at @now, and the entities' shares to the attributed part. */
static void check_split(uint64_t now)
{
	const struct sched_cpu_stats *st = &rq.stats;
	uint64_t charged = 0;

	assert_int_equal(st->guest_cycles + st->hv_attributed_cycles + st->hv_unattributed_cycles +
			 st->idle_cycles, now - st->start);
	assert_int_equal(st->hv_attributed_cycles + st->hv_unattributed_cycles,
			 st->hypervisor_cycles);
	for (unsigned int i = 0; i < NENT; i++)
		charged += e[i].stats.hypervisor_cycles;
	assert_int_equal(charged, st->hv_attributed_cycles);
}

/* Boot time before the first pick is no one's; the entry after a pick is the picked one's. */
static void test_boot_unattributed_switch_in_charged(void **state)
{
	(void)state;
	setup(2, 0);
	assert_ptr_equal(sched_rq_pick(&rq, 100), &e[0]);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 100);
	sched_rq_enter_guest(&rq, 130);
	assert_int_equal(e[0].stats.hypervisor_cycles, 30);
	check_split(130);
}

/* Exit to pick: the exiting vCPU's; pick to entry: the incoming one's. */
static void test_exit_to_exiting_tail_to_incoming(void **state)
{
	(void)state;
	setup(2, 0);
	sched_rq_pick(&rq, 0);
	sched_rq_enter_guest(&rq, 20);
	sched_rq_exit_guest(&rq, 1000);
	assert_ptr_equal(sched_rq_pick(&rq, 1030), &e[1]);	/* preempted */
	sched_rq_enter_guest(&rq, 1080);
	assert_int_equal(e[0].stats.hypervisor_cycles, 20 + 30);
	assert_int_equal(e[1].stats.hypervisor_cycles, 50);
	/* An exit handled without a switch stays the exiting one's, entry included. */
	sched_rq_exit_guest(&rq, 1500);
	sched_rq_enter_guest(&rq, 1570);
	assert_int_equal(e[1].stats.hypervisor_cycles, 50 + 70);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 0);
	check_split(1570);
}

/* Idle wake-up to entry: the woken one's, though no one was known at the wake-up. */
static void test_wakeup_charged_to_woken(void **state)
{
	(void)state;
	setup(1, 0);
	sched_rq_pick(&rq, 0);
	sched_rq_enter_guest(&rq, 0);
	sched_rq_exit_guest(&rq, 300);
	sched_rq_block(&rq, 310);
	assert_null(sched_rq_pick(&rq, 320));
	assert_int_equal(e[0].stats.hypervisor_cycles, 20);	/* its HLT's exit */
	sched_rq_enter_idle(&rq, 330);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 10);	/* nothing on the CPU */
	sched_rq_exit_idle(&rq, 800);
	sched_rq_wake(&rq, &e[0]);
	sched_rq_account_now(&rq, 840);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 10 + 40);	/* not known yet */
	check_split(840);
	assert_ptr_equal(sched_rq_pick(&rq, 850), &e[0]);
	sched_rq_enter_guest(&rq, 900);
	assert_int_equal(e[0].stats.hypervisor_cycles, 20 + 50 + 50);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 10);
	check_split(900);
}

/* A wake-up that finds nothing to run is no one's. */
static void test_spurious_wakeup_unattributed(void **state)
{
	(void)state;
	setup(0, 0);
	assert_null(sched_rq_pick(&rq, 0));
	sched_rq_enter_idle(&rq, 0);
	sched_rq_exit_idle(&rq, 500);
	assert_null(sched_rq_pick(&rq, 530));
	sched_rq_enter_idle(&rq, 540);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 40);
	assert_int_equal(rq.stats.hv_attributed_cycles, 0);
	/* The next wake-up starts its own span: the old one is not carried into it. */
	sched_rq_exit_idle(&rq, 600);
	sched_rq_add(&rq, &e[2]);
	assert_ptr_equal(sched_rq_pick(&rq, 610), &e[2]);
	assert_int_equal(e[2].stats.hypervisor_cycles, 10);
	check_split(610);
}

/* The chores are no one's, inside an exit's handling or a wake-up's span alike. */
static void test_chores_unattributed(void **state)
{
	(void)state;
	setup(1, 0);
	sched_rq_pick(&rq, 0);
	sched_rq_enter_guest(&rq, 0);
	sched_rq_exit_guest(&rq, 1000);
	sched_rq_hv_unattributed(&rq, 1010, 1110);
	check_split(1000);		/* nothing charged before the next transition */
	sched_rq_enter_guest(&rq, 1120);
	assert_int_equal(e[0].stats.hypervisor_cycles, 20);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 100);
	check_split(1120);
	/* Spent once: the next exit's handling is the vCPU's whole. */
	sched_rq_exit_guest(&rq, 1200);
	sched_rq_enter_guest(&rq, 1230);
	assert_int_equal(e[0].stats.hypervisor_cycles, 50);
	sched_rq_exit_guest(&rq, 1300);
	sched_rq_block(&rq, 1300);
	sched_rq_pick(&rq, 1300);
	sched_rq_enter_idle(&rq, 1300);
	/* Chores while idle leave idle time idle. */
	sched_rq_hv_unattributed(&rq, 1310, 1350);
	sched_rq_exit_idle(&rq, 1400);
	assert_int_equal(rq.stats.idle_cycles, 100);
	sched_rq_wake(&rq, &e[0]);
	/* Before the span's start counts from it; the wake-up's rest is the woken one's. */
	sched_rq_hv_unattributed(&rq, 1390, 1440);
	sched_rq_pick(&rq, 1460);
	sched_rq_enter_guest(&rq, 1460);
	assert_int_equal(e[0].stats.hypervisor_cycles, 50 + 20);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 100 + 40);
	check_split(1460);
}

/* A dead vCPU's counters are final: its domain's teardown after that is no one's. */
static void test_dead_owner_unattributed(void **state)
{
	(void)state;
	setup(2, 0);
	sched_rq_pick(&rq, 0);
	sched_rq_enter_guest(&rq, 0);
	sched_rq_exit_guest(&rq, 500);
	sched_rq_account_now(&rq, 520);
	sched_rq_remove(&rq, &e[0]);
	assert_ptr_equal(sched_rq_pick(&rq, 600), &e[1]);
	assert_int_equal(e[0].stats.hypervisor_cycles, 20);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 80);
	/* An entry with a dead owner (removed after the pick) takes the slow path too. */
	sched_rq_remove(&rq, &e[1]);
	sched_rq_enter_guest(&rq, 650);
	assert_int_equal(e[1].stats.hypervisor_cycles, 0);
	assert_int_equal(rq.stats.hv_unattributed_cycles, 130);
	check_split(650);
}

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rng = 0x5eedc0de;

static uint64_t rnd(uint64_t bound)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % bound;
}

/* One random CPU-loop call at @now, chores marks included. */
static void random_step(uint64_t now)
{
	struct sched_entity *se = &e[rnd(NENT)];

	switch (rnd(9)) {
	case 0: sched_rq_pick(&rq, now); break;
	case 1: sched_rq_block(&rq, now); break;
	case 2: sched_rq_wake(&rq, se); break;
	case 3: sched_rq_enter_guest(&rq, now); break;
	case 4: sched_rq_exit_guest(&rq, now); break;
	case 5: sched_rq_enter_idle(&rq, now); break;
	case 6: sched_rq_exit_idle(&rq, now); break;
	case 7: sched_rq_hv_unattributed(&rq, now - rnd(SLICE), now); break;
	default: sched_rq_account_now(&rq, now); break;
	}
}

/* Any mix of calls and marks: the split stays exact at every step. */
static void test_random_split(void **state)
{
	uint64_t now = 5;

	(void)state;
	setup(NENT, now);
	for (unsigned int n = 0; n < STEPS; n++) {
		now += rnd(SLICE);
		random_step(now);
		check_split(rq.mode_since);
	}
	for (unsigned int i = 0; i < NENT; i++)
		assert_true(e[i].stats.hypervisor_cycles > 0);
	assert_true(rq.stats.hv_unattributed_cycles > 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_unattributed_switch_in_charged),
		cmocka_unit_test(test_exit_to_exiting_tail_to_incoming),
		cmocka_unit_test(test_wakeup_charged_to_woken),
		cmocka_unit_test(test_spurious_wakeup_unattributed),
		cmocka_unit_test(test_chores_unattributed),
		cmocka_unit_test(test_dead_owner_unattributed),
		cmocka_unit_test(test_random_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
