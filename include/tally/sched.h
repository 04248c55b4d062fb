/* SPDX-License-Identifier: MIT */
/* Round-robin scheduling of vCPUs on each physical CPU.
 *
 * Design: every physical CPU has its own run queue of the vCPUs pinned to
 * it and switches to the next one on each timer tick.  A vCPU that halts
 * leaves the queue; one that dies is never picked again.
 * Locking: a run queue is touched only by its own CPU (vCPUs are queued on
 * the boot CPU before the others start scheduling), with interrupts off. */
#ifndef TALLY_SCHED_H
#define TALLY_SCHED_H

#include <tally/types.h>

struct vcpu;

struct sched_percpu {
	struct vcpu *current;		/* loaded on this CPU (NULL: none yet) */
	struct vcpu *head, *tail;	/* runnable vCPUs waiting for a turn */
	bool need_resched;		/* the slice is over */
	unsigned int vcpus;		/* vCPUs ever placed here */
};

/* Default time slice; `sched_slice_ms=` may change it. */
#define SCHED_SLICE_MS		10

/* CPU for a new vCPU: @pin if given and online, else the next in turn; -EINVAL for a bad pin. */
int sched_place(unsigned int pin, unsigned int *pcpu);
/* Queue runnable @v on its CPU (before scheduling starts, or on that CPU). */
void sched_enqueue(struct vcpu *v);
/* Timer tick on this CPU: the running vCPU's slice is over. */
void sched_tick(void);
/* True when the current vCPU must stop: slice over, halted or dead. */
bool sched_should_switch(void);
/*
 * The vCPU to run next on this CPU (maybe the current one again), made
 * current.  Idles until one is runnable; when every domain has ended it
 * reports so and never returns.
 */
struct vcpu *sched_pick_next(void);
/* Start scheduling on this CPU: never returns. */
__noreturn void sched_run(void);

#endif
