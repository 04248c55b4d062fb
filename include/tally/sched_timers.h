/* SPDX-License-Identifier: MIT */
/* The halted vCPUs' timers of each CPU: kernel/sched.c's helpers around its timer heap (kernel/sched_timers.c).
 *
 * Design: see "Timers" in docs/ARCHITECTURE.md; struct sched_percpu's
 * timers (a sched_timerq) hold the deadlines, timers_next its earliest.
 * Locking: the functions marked "lock held" need the CPU's sched lock. */
#ifndef TALLY_SCHED_TIMERS_H
#define TALLY_SCHED_TIMERS_H

#include <tally/sched.h>

/* Room in @s's timer queue for one more vCPU (outside its lock: this allocates). */
void sched_timers_reserve(struct sched_percpu *s);
/* After a change to @s's timer queue (its lock held): the lock-free copy of its earliest. */
void sched_timers_publish(struct sched_percpu *s);
/* @v (on @s, lock held) no longer waits for a timer to wake it. */
void sched_timer_cancel(struct sched_percpu *s, struct vcpu *v);
/* Halted @v (on @s, lock held) waits for its timer, or for a look at @deadline if earlier. */
void sched_timer_arm(struct sched_percpu *s, struct vcpu *v, uint64_t deadline);
/* Wake @s's halted vCPUs (this CPU's) whose timers are due at @now or that were to be looked at. */
void sched_wake_due(struct sched_percpu *s, uint64_t now);
/* Every domain ended: give every CPU's timer slots back. */
void sched_timers_release_all(void);

#endif
