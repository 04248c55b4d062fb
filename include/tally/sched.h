/* SPDX-License-Identifier: MIT */
/* vCPU scheduling on each physical CPU: the policy in sched_policy.h, driven by exits and ticks.
 *
 * Design: every physical CPU has its own run queue of the vCPUs placed on
 * it and runs them round-robin, a slice each (`sched_slice_ms=`, default
 * 10 ms); a vCPU that halts leaves the queue and its unused slice goes to
 * the next one at once.  Every TSC cycle of a CPU is charged to a guest,
 * to Tally or to idle, at each VM entry, VM exit and idle transition.
 * Locking: a run queue is touched only by its own CPU, with interrupts
 * off (vCPUs are queued on the boot CPU before the others schedule). */
#ifndef TALLY_SCHED_H
#define TALLY_SCHED_H

#include <tally/domain_config.h>
#include <tally/sched_policy.h>
#include <tally/spinlock.h>

struct vcpu;

/*
 * Path lengths Tally measures on itself (TSC cycles; Bochs instructions):
 * a VM exit of a slice's end to the entry of the next vCPU; an HLT exit to
 * the entry of another vCPU or to idle; an idle wake-up to the entry of the
 * woken vCPU.
 */
enum sched_path_kind {
	SCHED_PATH_NONE,
	SCHED_PATH_PREEMPT,
	SCHED_PATH_HLT,
	SCHED_PATH_WAKE,
	SCHED_PATH_KINDS,
};

struct sched_path_stats {
	uint64_t count, total, min;
};

struct sched_percpu {
	struct spinlock lock;		/* rq: its CPU, and wake-ups from others */
	/*
	 * Odd while this CPU updates the counters of its run queue or of a
	 * vCPU placed on it (only this CPU ever writes them, with interrupts
	 * off): a reader on another CPU retries until it saw none begin.
	 */
	uint64_t counters_seq;
	struct sched_rq rq;
	/*
	 * The halted vCPUs' timer deadlines (and vCPUs to look at again, at
	 * deadline 1), under the lock; timers_next mirrors its earliest for
	 * lock-free peeks.  Slots: one per vCPU attached, grown at attach.
	 */
	struct sched_timerq timers;
	uint64_t timers_next;
	/*
	 * Every vCPU that lives here, both structures of a restarted domain's
	 * (kernel/domain_slot.h), linked through vcpu.placed_next: pushed
	 * under the lock, never removed, so other CPUs walk it without one.
	 */
	struct vcpu *placed;
	struct vcpu *current;		/* loaded on this CPU (NULL: none yet) */
	bool need_resched;		/* the timer said the slice is over */
	bool timers_changed;		/* recompute the next event before entry */
	/*
	 * The running vCPU's own next event (its slice's end, its timer),
	 * as of the last arming; the timer fires at the earliest of it and
	 * the halted vCPUs' wake-ups.  A timer exit before it is Tally's.
	 */
	uint64_t own_event;
	bool entry_empty;		/* entered with the event already due: ran nothing */
	bool dead_pending;		/* a vCPU here died: release_dead() has work */
	enum sched_path_kind path_kind;	/* the path being measured */
	uint64_t path_start;
	struct vcpu *path_from;		/* the vCPU that exited */
	struct sched_path_stats paths[SCHED_PATH_KINDS];
	unsigned int vcpus;		/* vCPUs placed here and not detached */
	/*
	 * Grace periods for freed domain slots (tally/domain_slot.h): passes
	 * through a point holding no domain pointer, and whether it waits idle.
	 */
	uint64_t quiescent;
	bool resting;
	uint64_t departed_cycles;	/* run cycles of the vCPUs detached from here */
};

#define SCHED_SLICE_MS		10
/*
 * The donation ledger's pairs (64 KiB; a pair is two vCPUs of one CPU
 * that met): vCPU numbers are (domain id - 1) * max vCPUs + vCPU.
 */
#define SCHED_LEDGER_SLOTS	4096

/* Empty run queues for every CPU, accounting from now; before any vCPU is queued. */
void sched_init(void);
/* CPU for a new vCPU: @pin if given and online, else the next in turn; -EINVAL for a bad pin. */
int sched_place(unsigned int pin, unsigned int *pcpu);
/* Queue runnable @v on its CPU (before scheduling starts, or on that CPU). */
void sched_enqueue(struct vcpu *v);
/* @v halted: it leaves its CPU until woken; the rest of its slice is given away. */
void sched_block(struct vcpu *v);
/* Make halted @v runnable (from any CPU); its CPU is kicked if it is another. */
void sched_wake(struct vcpu *v);
/*
 * @v was sent an event (an interrupt, NMI or INIT, recorded in @v first),
 * from any CPU.  False if @v is halted: the caller wakes it if the event
 * ends its HLT.  Else true: @v is looked at again if it halts before
 * taking the event, and its CPU is kicked if it is another.
 */
bool sched_note_event(struct vcpu *v);
/* Start @v, which waited for a start-up IPI (from any CPU). */
void sched_start(struct vcpu *v);
/* Record that @v lives on its CPU (at creation, started or not). */
void sched_attach(struct vcpu *v);
/*
 * TSC of this CPU's next event: the running vCPU's own (its slice's end,
 * its timer, kept in own_event) or the timer that ends a halted vCPU's HLT.
 */
uint64_t sched_next_event(void);
/* @v (on this CPU) is gone for good. */
void sched_remove(struct vcpu *v);
/* The running vCPU gives up the rest of its slice (a guest's yield). */
void sched_yield(void);
/*
 * This CPU's timer fired (the LAPIC timer's interrupt, or a VMX-preemption
 * timer exit): if the running vCPU's slice is over it must stop, else a
 * halted vCPU whose timer is due wakes; the boot CPU does its chores.
 */
void sched_tick(void);
/*
 * The vCPU to run next on this CPU (maybe the current one again), made
 * current.  Idles until one is runnable; when every domain has ended it
 * reports so and never returns.
 */
struct vcpu *sched_pick_next(void);
/* A vCPU timer on this CPU was (re)programmed or fired: the next event may have moved. */
void sched_timers_changed(void);
/* Donation ledger entry: cycles vCPU @recipient ran of slices @donor gave up. */
uint64_t sched_ledger(unsigned int donor, unsigned int recipient);
/* Ledger slot @i (< SCHED_LEDGER_SLOTS): false if free, else its pair and cycles. */
bool sched_ledger_pair(unsigned int i, unsigned int *donor, unsigned int *recipient,
		       uint64_t *cycles);
/* Donated cycles no ledger slot was left for (only in the vCPUs' own totals). */
uint64_t sched_ledger_dropped(void);
/*
 * One line per CPU: guest, hypervisor and idle cycles, which add up to the
 * accounted time, and what its vCPUs donated (never more than that time).
 */
void sched_log_cpu_accounting(const char *prefix);
/*
 * Hold @v off its CPU until sched_unpause(), from any CPU.  Returns once
 * @v no longer runs (its CPU is kicked and has switched away), so its
 * counters stay still from then on.  Both are idempotent.
 */
void sched_pause(struct vcpu *v);
void sched_unpause(struct vcpu *v);

/*
 * Lock-free consistent reads of counters that CPU @cpu writes: take
 * seq = sched_counters_read_begin(cpu), copy, and start again while
 * sched_counters_read_retry(cpu, seq).  Never inside an update on @cpu.
 */
uint64_t sched_counters_read_begin(unsigned int cpu);
bool sched_counters_read_retry(unsigned int cpu, uint64_t seq);
/*
 * CPU @cpu's accounting, as of its last transition, read as one moment;
 * returns the number of counter updates on @cpu so far (its generation).
 */
uint64_t sched_cpu_stats_snapshot(unsigned int cpu, struct sched_cpu_stats *out);
/*
 * On @v's own CPU, once released: @v leaves its CPU's placed list for good
 * (a run-time domain's end), its run cycles added to the CPU's departed sum.
 */
void sched_detach(struct vcpu *v);
/* CPU @cpu's quiescent passes so far, and (*@resting) whether it now waits idle. */
uint64_t sched_quiescent_passes(unsigned int cpu, bool *resting);
/* Run cycles of the vCPUs detached from CPU @cpu (their domains' slots are gone). */
uint64_t sched_cpu_departed(unsigned int cpu);
/* This CPU holds no domain pointer but its current vCPU's: a grace period may end. */
void sched_quiescent(struct sched_percpu *s);
/* This CPU starts (@resting) or stops waiting with nothing at all in hand. */
void sched_rest(struct sched_percpu *s, bool resting);
/*
 * CPU @cpu's time up to @now (a TSC value), read as one moment: into @out
 * its guest, hypervisor and idle cycles with the time since its last
 * transition charged to the mode it is in, so that they add up to
 * @now - out->start; and into @dom_cycles[domain id - 1] (ids up to @n),
 * added, the run cycles to @now of each vCPU placed on @cpu, summed first
 * in @scratch (@n entries: a retried read adds nothing twice).  For tables
 * of CPU shares, whose rows then add up exactly.  False (and nothing
 * added) if @cpu keeps no accounting (before sched_init()).
 */
bool sched_cpu_time_now(unsigned int cpu, uint64_t now, struct sched_cpu_stats *out,
			uint64_t *dom_cycles, uint64_t *scratch, unsigned int n);

/* Start scheduling on this CPU: never returns. */
__noreturn void sched_run(void);

#endif
