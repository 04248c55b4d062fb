/* SPDX-License-Identifier: MIT */
/* Driving the per-CPU scheduling policy from VM exits, ticks and idle (see tally/sched.h). */
#include <tally/arch.h>
#include <tally/debugkeys.h>
#include <tally/domain.h>
#include <tally/emu_exit.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/options.h>
#include <tally/percpu.h>
#include <tally/sched.h>

static unsigned int next_placement;
static int all_done_reported;
/* ledger[donor][recipient]: cycles; each CPU adds only for its own vCPUs. */
static uint64_t ledger[SCHED_LEDGER_SIZE][SCHED_LEDGER_SIZE];

static void ledger_add(void *ctx, unsigned int donor, unsigned int recipient, uint64_t cycles)
{
	(void)ctx;
	if (donor < SCHED_LEDGER_SIZE && recipient < SCHED_LEDGER_SIZE)
		__atomic_fetch_add(&ledger[donor][recipient], cycles, __ATOMIC_RELAXED);
}

uint64_t sched_ledger(unsigned int donor, unsigned int recipient)
{
	if (donor >= SCHED_LEDGER_SIZE || recipient >= SCHED_LEDGER_SIZE)
		return 0;
	return __atomic_load_n(&ledger[donor][recipient], __ATOMIC_RELAXED);
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

void sched_enqueue(struct vcpu *v)
{
	struct sched_percpu *s = &percpu_area[v->pcpu].sched;

	v->se.id = (v->domain->id - 1) * DOMAIN_MAX_VCPUS + v->id;
	v->se.state = SCHED_RUNNABLE;
	s->vcpus++;
	sched_rq_add(&s->rq, &v->se);
}

void sched_block(struct vcpu *v)
{
	v->state = VCPU_BLOCKED;
	sched_rq_block(&local()->rq, arch_read_tsc());
}

void sched_remove(struct vcpu *v)
{
	v->state = VCPU_DEAD;
	sched_rq_remove(&percpu_area[v->pcpu].sched.rq, &v->se);
}

void sched_tick(void)
{
	struct percpu *cpu = this_cpu();

	cpu->sched.need_resched = true;
	if (cpu->id == 0)
		debugkeys_poll();
}

bool sched_should_switch(void)
{
	struct sched_percpu *s = local();

	return !s->current || s->current->state != VCPU_RUNNABLE || s->need_resched ||
	       sched_rq_slice_over(&s->rq, arch_read_tsc());
}

void sched_guest_exit(void)
{
	sched_rq_exit_guest(&local()->rq, arch_read_tsc());
}

void sched_guest_enter(void)
{
	sched_rq_enter_guest(&local()->rq, arch_read_tsc());
}

void sched_log_cpu_accounting(void)
{
	for (unsigned int i = 0; i < percpu_count; i++) {
		const struct sched_rq *rq = &percpu_area[i].sched.rq;
		const struct sched_cpu_stats *st = &rq->stats;

		/* Up to the CPU's last transition, where its counters add up exactly. */
		log_info("sched: cpu%u accounted_cycles=%lu guest_cycles=%lu hypervisor_cycles=%lu "
			 "idle_cycles=%lu switches=%lu", i, rq->mode_since - st->start,
			 st->guest_cycles, st->hypervisor_cycles, st->idle_cycles, st->switches);
	}
}

/* Every domain has ended: say so once, and leave the emulator if asked. */
static __noreturn void all_done(void)
{
	if (__atomic_exchange_n(&all_done_reported, 1, __ATOMIC_ACQ_REL) == 0) {
		log_info("tally: all domains ended");
		/* Every domain's RAM, EPT and VMCSs are back: compare with "before domains". */
		log_info("mem: free_kib=%lu after all domains ended", mem_free_bytes() / KIB);
		sched_rq_account_now(&local()->rq, arch_read_tsc());
		sched_log_cpu_accounting();
		if (options.exit_when_done) {
			log_info("tally: exit code=0");
			emu_exit(EMU_EXIT_OK);
		}
	}
	arch_halt_forever();
}

static struct vcpu *vcpu_of(struct sched_entity *se)
{
	return (struct vcpu *)((char *)se - __builtin_offsetof(struct vcpu, se));
}

struct vcpu *sched_pick_next(void)
{
	struct sched_percpu *s = local();
	struct sched_entity *se;

	s->need_resched = false;
	while (!(se = sched_rq_pick(&s->rq, arch_read_tsc()))) {
		s->current = NULL;
		if (!domain_alive_count())
			all_done();
		sched_rq_enter_idle(&s->rq, arch_read_tsc());
		arch_idle();
		sched_rq_exit_idle(&s->rq, arch_read_tsc());
	}
	s->current = vcpu_of(se);
	return s->current;
}

void sched_init(void)
{
	uint64_t slice = arch_tsc_khz() * options.sched_slice_ms, now = arch_read_tsc();

	for (unsigned int i = 0; i < percpu_count; i++)
		sched_rq_init(&percpu_area[i].sched.rq, slice, now, ledger_add, NULL);
}

void sched_run(void)
{
	arch_timer_set_periodic(options.sched_slice_ms);
	arch_vcpu_run_first(sched_pick_next());
}
