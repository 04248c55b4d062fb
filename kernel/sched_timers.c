/* SPDX-License-Identifier: MIT */
/* The halted vCPUs' timers of each CPU, in a heap under the CPU's lock (see tally/sched_timers.h). */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/percpu.h>
#include <tally/sched_timers.h>

/* Swap in @slots (@capacity) if @s still needs them (its lock held); returns the array to free. */
static struct sched_timerq_node **timers_take_slots(struct sched_percpu *s,
						    struct sched_timerq_node **slots,
						    unsigned int capacity)
{
	if (!slots || capacity <= s->timers.capacity)
		return slots;
	return sched_timerq_grow(&s->timers, slots, capacity);
}

/* An array of @capacity timer slots for @s, doubled from its current one (NULL: no memory). */
static struct sched_timerq_node **timers_new_slots(const struct sched_percpu *s,
						   unsigned int *capacity)
{
	hpa_t pa;

	*capacity = s->timers.capacity ? 2 * s->timers.capacity
				       : PAGE_SIZE / sizeof(struct sched_timerq_node *);
	if (mem_alloc(*capacity * sizeof(struct sched_timerq_node *), PAGE_SIZE, 0, &pa) < 0) {
		log_err("sched: no memory for %u timer slots on cpu%u", *capacity,
			(unsigned int)(s - &percpu_area[0].sched));
		return NULL;
	}
	return arch_phys_to_virt(pa.raw, *capacity * sizeof(struct sched_timerq_node *));
}

static void timers_free_slots(struct sched_timerq_node **slots, unsigned int capacity)
{
	if (slots && capacity)
		mem_free(hpa((uint64_t)(uintptr_t)slots), capacity * sizeof(*slots));
}

/* Room in @s's timer queue for one more vCPU (outside its lock: this allocates). */
void sched_timers_reserve(struct sched_percpu *s)
{
	unsigned int capacity, old_capacity = s->timers.capacity;
	struct sched_timerq_node **slots, **old;
	unsigned long flags;

	if (__atomic_load_n(&s->vcpus, __ATOMIC_RELAXED) < old_capacity)
		return;
	slots = timers_new_slots(s, &capacity);
	flags = spin_lock_irqsave(&s->lock);
	old_capacity = s->timers.capacity;
	old = timers_take_slots(s, slots, capacity);
	spin_unlock_irqrestore(&s->lock, flags);
	if (old == slots)
		timers_free_slots(slots, capacity);	/* another grew it first */
	else
		timers_free_slots(old, old_capacity);
}

/* After a change to @s's timer queue (its lock held): the lock-free copy of its earliest. */
void sched_timers_publish(struct sched_percpu *s)
{
	__atomic_store_n(&s->timers_next, sched_timerq_next(&s->timers), __ATOMIC_RELAXED);
}

/* @v (on @s, lock held) no longer waits for a timer to wake it. */
void sched_timer_cancel(struct sched_percpu *s, struct vcpu *v)
{
	if (!sched_timerq_queued(&v->se.timer))
		return;
	sched_timerq_remove(&s->timers, &v->se.timer);
	sched_timers_publish(s);
}

/* Halted @v (on @s, lock held) waits for its timer, or for a look at @deadline if earlier. */
void sched_timer_arm(struct sched_percpu *s, struct vcpu *v, uint64_t deadline)
{
	uint64_t d = v->se.paused ? 0 : arch_vcpu_timer_event(v, true);

	if (!v->se.paused && deadline && (!d || deadline < d))
		d = deadline;
	if (!sched_timerq_set(&s->timers, &v->se.timer, d))
		log_err("sched: d%u vCPU %u: no timer slot; it waits for an interrupt",
			v->domain->id, v->id);
	sched_timers_publish(s);
}

static struct vcpu *vcpu_of_timer(struct sched_timerq_node *n)
{
	return (struct vcpu *)((char *)n - __builtin_offsetof(struct vcpu, se.timer));
}

/*
 * Wake this CPU's halted vCPUs whose timers are due or that have interrupts
 * to take: only those queued with a deadline up to @now are looked at.
 * One whose timer fired with nothing deliverable (a masked or blocked
 * vector) waits again for its next expiry, never before the next tick.
 */
void sched_wake_due(struct sched_percpu *s, uint64_t now)
{
	struct sched_timerq_node *n;
	unsigned long flags;

	if (__atomic_load_n(&s->timers_next, __ATOMIC_RELAXED) > now)
		return;		/* the common case: no lock */
	flags = spin_lock_irqsave(&s->lock);
	while ((n = sched_timerq_first(&s->timers)) && n->deadline <= now) {
		struct vcpu *v = vcpu_of_timer(n);

		sched_timerq_remove(&s->timers, n);
		sched_timers_publish(s);
		if (v->state != VCPU_BLOCKED || v->se.paused)
			continue;
		/* Its APIC lock is taken after this one elsewhere (INIT's block): not inside. */
		spin_unlock_irqrestore(&s->lock, flags);
		if (arch_vcpu_wakeup_due(v, now)) {
			sched_wake(v);
			flags = spin_lock_irqsave(&s->lock);
			continue;
		}
		flags = spin_lock_irqsave(&s->lock);
		if (v->state == VCPU_BLOCKED && !sched_timerq_queued(&v->se.timer)) {
			sched_timer_arm(s, v, 0);
			if (sched_timerq_queued(&v->se.timer) && v->se.timer.deadline <= now) {
				/* Not again in this loop: at the next look. */
				sched_timerq_set(&s->timers, &v->se.timer, now + 1);
				sched_timers_publish(s);
			}
		}
	}
	spin_unlock_irqrestore(&s->lock, flags);
}

/* Every domain ended, so no vCPU waits on a timer: give the slots back (free memory as at boot). */
void sched_timers_release_all(void)
{
	for (unsigned int i = 0; i < percpu_count; i++) {
		struct sched_percpu *s = &percpu_area[i].sched;
		unsigned long flags = spin_lock_irqsave(&s->lock);
		struct sched_timerq_node **slots = s->timers.heap;
		unsigned int capacity = s->timers.capacity;

		if (s->timers.count)
			slots = NULL;	/* cannot happen; keep them rather than lose a timer */
		else
			sched_timerq_init(&s->timers, NULL, 0);
		spin_unlock_irqrestore(&s->lock, flags);
		timers_free_slots(slots, capacity);
	}
}

