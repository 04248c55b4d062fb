/* SPDX-License-Identifier: MIT */
/* Round-robin vCPU scheduling per physical CPU (see tally/sched.h). */
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

	v->rq_next = NULL;
	if (s->tail)
		s->tail->rq_next = v;
	else
		s->head = v;
	s->tail = v;
}

static struct vcpu *dequeue(struct sched_percpu *s)
{
	struct vcpu *v = s->head;

	if (v) {
		s->head = v->rq_next;
		if (!s->head)
			s->tail = NULL;
		v->rq_next = NULL;
	}
	return v;
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
	struct sched_percpu *s = &this_cpu()->sched;

	return !s->current || s->current->state != VCPU_RUNNABLE || s->need_resched;
}

/* Every domain has ended: say so once, and leave the emulator if asked. */
static __noreturn void all_done(void)
{
	if (__atomic_exchange_n(&all_done_reported, 1, __ATOMIC_ACQ_REL) == 0) {
		log_info("tally: all domains ended");
		/* Every domain's RAM, EPT and VMCSs are back: compare with "before domains". */
		log_info("mem: free_kib=%lu after all domains ended", mem_free_bytes() / KIB);
		if (options.exit_when_done) {
			log_info("tally: exit code=0");
			emu_exit(EMU_EXIT_OK);
		}
	}
	arch_halt_forever();
}

struct vcpu *sched_pick_next(void)
{
	struct sched_percpu *s = &this_cpu()->sched;
	struct vcpu *next;

	s->need_resched = false;
	/* The current vCPU goes to the back of the queue if it can still run. */
	if (s->current && s->current->state == VCPU_RUNNABLE)
		sched_enqueue(s->current);
	while (!(next = dequeue(s))) {
		if (!domain_alive_count())
			all_done();
		arch_idle();
	}
	s->current = next;
	return next;
}

void sched_run(void)
{
	arch_timer_set_periodic(options.sched_slice_ms);
	arch_vcpu_run_first(sched_pick_next());
}
