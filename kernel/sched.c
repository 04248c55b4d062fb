/* SPDX-License-Identifier: MIT */
/* Driving the per-CPU scheduling policy from VM exits, ticks and idle (see tally/sched.h). */
#include <tally/arch.h>
#include <tally/bill.h>
#include <tally/debugkeys.h>
#include <tally/domain.h>
#include <tally/domain_slot.h>
#include <tally/exit_status.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/metrics_stream.h>
#include <tally/top.h>
#include <tally/options.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/sched_account.h>
#include <tally/sched_ledger.h>
#include <tally/sched_timers.h>

static unsigned int next_placement;
static int all_done_reported;
/* The pairs that met, from every CPU (each adds only for its own vCPUs). */
static struct sched_ledger_slot ledger_slots[SCHED_LEDGER_SLOTS];
static struct sched_ledger ledger = { ledger_slots, SCHED_LEDGER_SLOTS, 0 };

static void ledger_add(void *ctx __unused, unsigned int donor, unsigned int recipient,
		       uint64_t cycles)
{
	sched_ledger_add(&ledger, donor, recipient, cycles);
}

uint64_t sched_ledger(unsigned int donor, unsigned int recipient)
{
	return sched_ledger_get(&ledger, donor, recipient);
}

bool sched_ledger_pair(unsigned int i, unsigned int *donor, unsigned int *recipient,
		       uint64_t *cycles)
{
	return sched_ledger_at(&ledger, i, donor, recipient, cycles);
}

uint64_t sched_ledger_dropped(void)
{
	return __atomic_load_n(&ledger.dropped_cycles, __ATOMIC_RELAXED);
}

static struct sched_percpu *local(void)
{
	return &this_cpu()->sched;
}

int sched_place(unsigned int pin, unsigned int *pcpu)
{
	if (pin != DOMAIN_NO_PIN) {
		if (pin >= percpu_count || !percpu_area[pin].online)
			return -EINVAL;
		*pcpu = pin;
		return 0;
	}
	do {
		*pcpu = next_placement++ % percpu_count;
	} while (!percpu_area[*pcpu].online);
	return 0;
}

/* The newest vCPU placed on @s's CPU (the links behind it never change): any CPU. */
static struct vcpu *first_placed(const struct sched_percpu *s)
{
	return __atomic_load_n(&s->placed, __ATOMIC_ACQUIRE);
}

/* Another CPU changed this one's queue: make it look (from idle, or at its next exit). */
static void kick(unsigned int pcpu)
{
	if (pcpu != this_cpu()->id)
		arch_kick_cpu(pcpu);
}

void sched_attach(struct vcpu *v)
{
	struct sched_percpu *s = &percpu_area[v->pcpu].sched;
	unsigned long flags;

	sched_timers_reserve(s);
	flags = spin_lock_irqsave(&s->lock);

	v->se.id = (v->domain->id - 1) * DOMAIN_MAX_VCPUS + v->id;
	v->se.state = SCHED_BLOCKED;
	sched_timerq_remove(&s->timers, &v->se.timer);
	v->se.notified = false;
	/* A restarted domain (on_reboot=restart) brings back vCPUs placed here before. */
	if (!v->placed) {
		v->placed_next = s->placed;
		v->placed = true;
		__atomic_store_n(&s->placed, v, __ATOMIC_RELEASE);	/* after its link */
		s->vcpus++;
	}
	spin_unlock_irqrestore(&s->lock, flags);
}

void sched_enqueue(struct vcpu *v)
{
	struct sched_percpu *s = &percpu_area[v->pcpu].sched;
	unsigned long flags = spin_lock_irqsave(&s->lock);

	v->state = VCPU_RUNNABLE;
	v->se.state = SCHED_RUNNABLE;
	sched_timer_cancel(s, v);
	sched_rq_add(&s->rq, &v->se);
	spin_unlock_irqrestore(&s->lock, flags);
}

void sched_start(struct vcpu *v)
{
	sched_enqueue(v);
	kick(v->pcpu);
}

void sched_wake(struct vcpu *v)
{
	struct sched_percpu *s = &percpu_area[v->pcpu].sched;
	unsigned long flags = spin_lock_irqsave(&s->lock);
	bool woke = v->state == VCPU_BLOCKED;

	if (woke) {
		v->state = VCPU_RUNNABLE;
		sched_timer_cancel(s, v);
		sched_rq_wake(&s->rq, &v->se);
		/*
		 * Rotate the queue now rather than at the slice's end: the woken
		 * vCPU waits behind the others, not a slice behind the current.
		 */
		if (s->current)
			s->need_resched = true;
	}
	spin_unlock_irqrestore(&s->lock, flags);
	if (woke)
		kick(v->pcpu);
}

bool sched_note_event(struct vcpu *v)
{
	struct sched_percpu *s = &percpu_area[v->pcpu].sched;
	unsigned long flags = spin_lock_irqsave(&s->lock);
	bool halted = v->state == VCPU_BLOCKED;

	/*
	 * Under the lock sched_block() takes: either it sees the flag, or
	 * this sees the vCPU halted and the caller wakes it.  Without it a
	 * vCPU that halts as the event comes would wait for its timer.
	 */
	if (!halted)
		v->se.notified = true;
	spin_unlock_irqrestore(&s->lock, flags);
	if (!halted)
		kick(v->pcpu);
	return !halted;
}

void sched_block(struct vcpu *v)
{
	struct sched_percpu *s = local();
	unsigned long flags = spin_lock_irqsave(&s->lock);

	v->state = VCPU_BLOCKED;
	/* An event came since the HLT's check: look at once (deadline 1 is always due). */
	sched_timer_arm(s, v, v->se.notified ? 1 : 0);
	v->se.notified = false;
	s->path_kind = SCHED_PATH_HLT;
	sched_counters_begin(s);
	sched_rq_block(&s->rq, arch_read_tsc());
	v->counter_updates++;
	sched_counters_end(s);
	spin_unlock_irqrestore(&s->lock, flags);
}

void sched_remove(struct vcpu *v)
{
	struct sched_percpu *s = &percpu_area[v->pcpu].sched;
	unsigned long flags = spin_lock_irqsave(&s->lock);

	v->state = VCPU_DEAD;
	sched_timer_cancel(s, v);
	sched_rq_remove(&s->rq, &v->se);
	/* After the state: whoever sees the flag sees the vCPU dead. */
	__atomic_store_n(&s->dead_pending, true, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&s->lock, flags);
	kick(v->pcpu);		/* so that its CPU releases it soon */
}

/* Let go of this CPU's dead vCPUs (their domains ended, maybe on another CPU). */
static void release_dead(struct sched_percpu *s)
{
	/*
	 * Only after a sched_remove(): every pick would otherwise walk all
	 * placed vCPUs.  A plain load first (no locked exchange per pick);
	 * a removal after the exchange sets the flag again.
	 */
	if (!__atomic_load_n(&s->dead_pending, __ATOMIC_RELAXED) ||
	    !__atomic_exchange_n(&s->dead_pending, false, __ATOMIC_ACQUIRE))
		return;
	for (struct vcpu *v = first_placed(s); v; v = v->placed_next)
		if (v->state == VCPU_DEAD && !v->released)
			domain_release_vcpu(v);
}

uint64_t sched_next_event(void)
{
	struct sched_percpu *s = local();
	struct vcpu *cur = s->current;
	uint64_t own = UINT64_MAX, next, d;

	if (cur) {
		own = s->rq.slice_end;
		d = arch_vcpu_timer_event(cur, false);
		if (d && d < own)
			own = d;
	}
	next = MIN(own, domain_next_deadline());	/* a max_run_s= end */
	/*
	 * Only a halted vCPU's timer can need this CPU now, and only those
	 * are queued: one waiting for its turn takes the interrupt when it
	 * runs, and a paused one's waits for it.  Another's past deadline
	 * armed here would stop the running vCPU before its first
	 * instruction, again and again until its slice ended.
	 */
	next = MIN(next, __atomic_load_n(&s->timers_next, __ATOMIC_RELAXED));
	s->own_event = own;
	return next;
}

/* Wake this CPU's halted vCPUs whose timers fired or that have interrupts to take. */
/* TSC of the boot CPU's last chores (boot_cpu_chores()); written by CPU 0 only. */
static uint64_t chores_last;

/* The boot CPU's periodic chores, at each tick or slice end. */
static void boot_cpu_chores(const struct percpu *cpu)
{
	struct sched_percpu *s = local();
	bool resting = s->resting;	/* a tick while idle: the chores hold domain pointers */

	if (cpu->id != 0)
		return;
	if (resting)
		__atomic_store_n(&s->resting, false, __ATOMIC_SEQ_CST);
	chores_last = arch_read_tsc();
	debugkeys_poll();
	metrics_stream_tick();
	top_tick();
	/* Tally's own upkeep, whichever vCPU's exit it interrupts: no one's to pay. */
	sched_rq_hv_unattributed(&s->rq, chores_last, arch_read_tsc());
	if (resting)
		__atomic_store_n(&s->resting, true, __ATOMIC_SEQ_CST);
}

void sched_tick(void)
{
	struct percpu *cpu = this_cpu();
	struct sched_percpu *s = &cpu->sched;
	uint64_t now = arch_read_tsc();

	s->timers_changed = true;	/* what was armed is spent: arm the next event */
	/* The tick only ends a slice that is over; it must not cut a fresh one short. */
	if (sched_rq_slice_over(&s->rq, now)) {
		s->need_resched = true;
		if (s->current)		/* a slice's end, not an idle wake-up */
			s->path_kind = SCHED_PATH_PREEMPT;
	} else if (s->current) {
		sched_wake_due(s, now);	/* a halted vCPU's timer */
		/*
		 * A max_run_s= end is due: only a pick ends it, and until one the
		 * past deadline, armed again, would fire at every entry.
		 */
		if (now >= domain_next_deadline())
			s->need_resched = true;
	}
	boot_cpu_chores(cpu);
}

void sched_yield(void)
{
	local()->need_resched = true;
}

void sched_path_record(struct sched_percpu *s, uint64_t now)
{
	struct sched_path_stats *p = &s->paths[s->path_kind];
	uint64_t len = now - s->path_start;

	p->count++;
	p->total += len;
	if (!p->min || len < p->min)
		p->min = len;
	s->path_kind = SCHED_PATH_NONE;
}

void sched_timers_changed(void)
{
	local()->timers_changed = true;
}

/* count/average/minimum, for the paths line. */
#define PATH_FIGURES(p)	(p).count, (p).count ? (p).total / (p).count : 0, (p).min

/* What the vCPUs placed on CPU @s gave up by halting (no more than its elapsed time). */
static uint64_t cpu_donated(const struct sched_percpu *s)
{
	uint64_t sum = 0;

	for (const struct vcpu *v = first_placed(s); v; v = v->placed_next)
		sum += v->se.stats.donated_cycles;
	return sum;
}

void sched_log_cpu_accounting(const char *prefix)
{
	for (unsigned int i = 0; i < percpu_count; i++) {
		const struct sched_rq *rq = &percpu_area[i].sched.rq;
		const struct sched_path_stats *p = percpu_area[i].sched.paths;
		struct sched_cpu_stats st;
		uint64_t since, seq;

		/*
		 * Up to the CPU's last transition, where its counters add up
		 * exactly, read as one moment: another CPU may still be passing
		 * its last transitions.
		 */
		do {
			seq = sched_counters_read_begin(i);
			st = rq->stats;
			since = rq->mode_since;
		} while (sched_counters_read_retry(i, seq));
		/* Two lines: twenty-digit figures keep each within a console line. */
		log_info("%s: cpu%u accounted_cycles=%lu guest_cycles=%lu hypervisor_cycles=%lu "
			 "idle_cycles=%lu switches=%lu donated_cycles=%lu", prefix, i,
			 since - st.start, st.guest_cycles, st.hypervisor_cycles, st.idle_cycles,
			 st.switches, cpu_donated(&percpu_area[i].sched));
		log_info("%s: cpu%u hypervisor_attributed_cycles=%lu hypervisor_unattributed_cycles=%lu",
			 prefix, i, st.hv_attributed_cycles, st.hv_unattributed_cycles);
		log_info("%s: cpu%u paths preempt_switch=%lu/%lu/%lu hlt_block=%lu/%lu/%lu "
			 "wakeup=%lu/%lu/%lu", prefix, i,
			 PATH_FIGURES(p[SCHED_PATH_PREEMPT]), PATH_FIGURES(p[SCHED_PATH_HLT]),
			 PATH_FIGURES(p[SCHED_PATH_WAKE]));
		if (sched_cpu_departed(i))	/* run-time domains' vCPUs, gone with their slots */
			log_info("%s: cpu%u departed_cycles=%lu", prefix, i, sched_cpu_departed(i));
	}
}

/*
 * Every domain has ended: say so once, and leave the emulator if asked.
 * Otherwise the boot CPU goes on serving the debug keys on its tick, as
 * main.c does when there is nothing to run; the other CPUs rest.
 */
static __noreturn void all_done(void)
{
	if (__atomic_exchange_n(&all_done_reported, 1, __ATOMIC_ACQ_REL) == 0) {
		log_info("tally: all domains ended");
		bill_log_total();
		sched_timers_release_all();
		sched_rest(local(), true);
		domain_slot_reap_all();		/* run-time domains' slots: all memory is back */
		/*
		 * Every domain's RAM, EPT and VMCSs are back: compare with "before
		 * domains".  Their records stay for the listings: counted as back.
		 */
		log_info("mem: free_kib=%lu after all domains ended",
			 (mem_free_bytes() + domain_records_bytes()) / KIB);
		log_info("mem: records_kib=%lu kept for the ended domains' listings",
			 domain_records_bytes() / KIB);
		sched_counters_begin(local());
		sched_rq_account_now(&local()->rq, arch_read_tsc());
		sched_counters_end(local());
		sched_log_cpu_accounting("sched");
		top_final();
		metrics_stream_final();	/* the final counters */
		if (options.exit_when_done)
			exit_status_leave();
	}
	sched_rest(local(), true);	/* for good: it holds no domain pointer any more */
	/* From here on the CPU only waits: its time is idle, not Tally's (the `t` table). */
	sched_counters_begin(local());
	sched_rq_enter_idle(&local()->rq, arch_read_tsc());
	sched_counters_end(local());
	if (this_cpu()->id != 0)
		arch_halt_forever();
	arch_timer_set_periodic(options.sched_slice_ms);
	for (;;)
		arch_wait_for_interrupt();
}

/* Nothing to run: sleep until the next event; a halted vCPU's block path ends here. */
static void idle(struct sched_percpu *s)
{
	uint64_t now = arch_read_tsc();

	if (s->path_kind == SCHED_PATH_HLT)
		sched_path_record(s, now);
	sched_counters_begin(s);
	sched_rq_enter_idle(&s->rq, now);
	sched_counters_end(s);
	sched_rest(s, true);
	arch_idle_until(sched_next_event());
	sched_rest(s, false);
	now = arch_read_tsc();
	sched_counters_begin(s);
	sched_rq_exit_idle(&s->rq, now);
	sched_counters_end(s);
	s->path_kind = SCHED_PATH_WAKE;
	s->path_start = now;
}

static struct vcpu *vcpu_of(struct sched_entity *se)
{
	return (struct vcpu *)((char *)se - __builtin_offsetof(struct vcpu, se));
}

/*
 * The boot CPU's chores when no tick ran them for a slice's length: a
 * guest that exits often has its slices ended at those exits, past their
 * end, before the timer fires, so sched_tick() may never come (typed keys,
 * top and the metrics stream would starve).  At most once per slice, as
 * the tick would.
 */
static inline void chores_if_due(struct sched_percpu *s, uint64_t now)
{
	if (now - chores_last >= s->rq.slice_cycles && this_cpu()->id == 0)
		boot_cpu_chores(this_cpu());
}

struct vcpu *sched_pick_next(void)
{
	struct sched_percpu *s = local();
	struct sched_entity *se;
	unsigned long flags;

	for (;;) {
		uint64_t now = arch_read_tsc();

		chores_if_due(s, now);
		release_dead(s);
		if (domain_sched_work_due())
			domain_sched_work(now);
		sched_wake_due(s, arch_read_tsc());
		flags = spin_lock_irqsave(&s->lock);
		sched_counters_begin(s);
		if (s->current)		/* maybe counted as preempted */
			s->current->counter_updates++;
		se = sched_rq_pick(&s->rq, arch_read_tsc());
		s->current = se ? vcpu_of(se) : NULL;
		if (se)			/* a slice, maybe a wake-up */
			s->current->counter_updates++;
		sched_counters_end(s);
		if (se)		/* a tick or wake-up while idle asked for this pick, not the next */
			s->need_resched = false;
		s->timers_changed = true;	/* a new slice, maybe another vCPU's VMCS */
		spin_unlock_irqrestore(&s->lock, flags);
		sched_quiescent(s);
		if (se)
			return s->current;
		if (!domain_alive_count())
			all_done();
		idle(s);
	}
}

void sched_pause(struct vcpu *v)
{
	struct sched_percpu *s = &percpu_area[v->pcpu].sched;
	unsigned long flags = spin_lock_irqsave(&s->lock);

	sched_rq_pause(&s->rq, &v->se);
	sched_timer_cancel(s, v);	/* a paused vCPU's timer waits for it */
	if (s->current == v)
		s->need_resched = true;
	spin_unlock_irqrestore(&s->lock, flags);
	if (v->pcpu == this_cpu()->id)
		return;		/* this CPU runs the caller: @v is not running */
	/* Its CPU switches away at its next exit, which the kick forces. */
	arch_kick_cpu(v->pcpu);
	while (__atomic_load_n(&s->current, __ATOMIC_ACQUIRE) == v && v->state != VCPU_DEAD)
		arch_cpu_relax();
}

void sched_unpause(struct vcpu *v)
{
	struct sched_percpu *s = &percpu_area[v->pcpu].sched;
	unsigned long flags = spin_lock_irqsave(&s->lock);

	sched_rq_unpause(&s->rq, &v->se);
	/* What came while it was paused is looked at now (deadline 1 is always due). */
	if (v->state == VCPU_BLOCKED)
		sched_timer_arm(s, v, 1);
	spin_unlock_irqrestore(&s->lock, flags);
	kick(v->pcpu);		/* it may be idle with @v runnable again */
}

uint64_t sched_counters_read_begin(unsigned int cpu)
{
	const struct sched_percpu *s = &percpu_area[cpu].sched;
	uint64_t seq;

	/* This CPU is never inside its own update here: no need to wait. */
	if (cpu == this_cpu()->id)
		return s->counters_seq;
	while ((seq = __atomic_load_n(&s->counters_seq, __ATOMIC_ACQUIRE)) & 1)
		arch_cpu_relax();
	return seq;
}

bool sched_counters_read_retry(unsigned int cpu, uint64_t seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* the copies before the second look */
	return __atomic_load_n(&percpu_area[cpu].sched.counters_seq, __ATOMIC_RELAXED) != seq;
}

uint64_t sched_cpu_stats_snapshot(unsigned int cpu, struct sched_cpu_stats *out)
{
	uint64_t seq;

	do {
		seq = sched_counters_read_begin(cpu);
		*out = percpu_area[cpu].sched.rq.stats;
	} while (sched_counters_read_retry(cpu, seq));
	return seq / 2;
}

void sched_init(void)
{
	uint64_t slice = arch_tsc_khz() * options.sched_slice_ms, now = arch_read_tsc();

	for (unsigned int i = 0; i < percpu_count; i++) {
		percpu_area[i].sched.lock = (struct spinlock)SPINLOCK_INIT;
		sched_timerq_init(&percpu_area[i].sched.timers, NULL, 0);
		percpu_area[i].sched.timers_next = UINT64_MAX;
		sched_rq_init(&percpu_area[i].sched.rq, slice, now, ledger_add, NULL);
	}
}

void sched_run(void)
{
	arch_timer_set_periodic(options.sched_slice_ms);
	arch_vcpu_run_first(sched_pick_next());
}

/* Charge @tail cycles of CPU time to @mode's bucket in @st. */
static void charge_tail(struct sched_cpu_stats *st, enum sched_mode mode, uint64_t tail)
{
	if (mode == SCHED_MODE_GUEST)
		st->guest_cycles += tail;
	else if (mode == SCHED_MODE_IDLE)
		st->idle_cycles += tail;
	else
		st->hypervisor_cycles += tail;
}

bool sched_cpu_time_now(unsigned int cpu, uint64_t now, struct sched_cpu_stats *out,
			uint64_t *dom_cycles, uint64_t *scratch, unsigned int n)
{
	const struct sched_percpu *s = &percpu_area[cpu].sched;
	uint64_t seq, tail;
	enum sched_mode mode;

	do {
		seq = sched_counters_read_begin(cpu);
		*out = s->rq.stats;
		mode = s->rq.mode;
		tail = now > s->rq.mode_since ? now - s->rq.mode_since : 0;
		for (unsigned int d = 0; d < n; d++)
			scratch[d] = 0;
		for (const struct vcpu *v = first_placed(s); v; v = v->placed_next) {
			unsigned int d = v->domain->id - 1;
			bool running = mode == SCHED_MODE_GUEST && s->rq.current == &v->se;

			if (d < n)
				scratch[d] += v->se.stats.run_cycles + (running ? tail : 0);
		}
	} while (sched_counters_read_retry(cpu, seq));
	/* No accounting before sched_init(), nor without VMX: nothing to split. */
	if (!out->start)
		return false;
	charge_tail(out, mode, tail);
	for (unsigned int d = 0; d < n; d++)
		dom_cycles[d] += scratch[d];
	return true;
}
