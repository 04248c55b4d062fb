/* SPDX-License-Identifier: MIT */
/* The running domains' max_run_s= deadlines in a min-heap (see tally/domain_deadline.h). */
#include <tally/arch.h>
#include <tally/domain_deadline.h>
#include <tally/domain_slot.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/sched_timerq.h>

static struct sched_timerq heap;
static unsigned int reserved;		/* domains created with a deadline */
static hpa_t slots_pa;
static uint64_t slots_bytes;
/* heap's earliest, for readers without the lock (every VM entry's timer arming) */
static uint64_t earliest = UINT64_MAX;

/* After every change to the heap, under the lock. */
static void publish(void)
{
	__atomic_store_n(&earliest, sched_timerq_next(&heap), __ATOMIC_RELEASE);
}

/* Move the heap onto a page-rounded array of at least @n slots. */
static int grow(unsigned int n, const char *label)
{
	uint64_t bytes = ALIGN_UP((uint64_t)n * sizeof(struct sched_timerq_node *), PAGE_SIZE);
	struct sched_timerq_node **old;
	hpa_t pa, old_pa = slots_pa;
	uint64_t old_bytes = slots_bytes;
	unsigned long flags;

	if (mem_alloc(bytes, PAGE_SIZE, 0, &pa) < 0) {
		log_err("%s: no memory for a queue of %u max_run_s deadlines; not created", label, n);
		return -ENOMEM;
	}
	flags = domain_table_lock();
	old = sched_timerq_grow(&heap, arch_phys_to_virt(pa.raw, bytes),
				(unsigned int)(bytes / sizeof(struct sched_timerq_node *)));
	slots_pa = pa;
	slots_bytes = bytes;
	domain_table_unlock(flags);
	if (old)
		mem_free(old_pa, old_bytes);
	/* Kept for the run, like the domain table: counted with the domains' records. */
	domain_records_note((int64_t)bytes - (int64_t)old_bytes);
	return 0;
}

int domain_deadline_reserve(const char *label)
{
	/* Domains are created on one CPU, one at a time: no race on @reserved. */
	if (reserved == heap.capacity && grow(reserved ? 2 * reserved : 1, label) < 0)
		return -ENOMEM;
	reserved++;
	return 0;
}

void domain_deadline_arm(struct domain *d)
{
	if (!d->max_run_tsc)
		return;
	/* Cannot be full: each domain reserved its slot when first created. */
	sched_timerq_set(&heap, &domain_slot_of(d)->deadline, d->max_run_tsc);
	publish();
	__atomic_store_n(&domain_sched_hint, true, __ATOMIC_RELEASE);
}

void domain_deadline_disarm(struct domain *d)
{
	struct sched_timerq_node *n = &domain_slot_of(d)->deadline;

	if (!sched_timerq_queued(n))
		return;
	sched_timerq_remove(&heap, n);
	publish();
}

struct domain *domain_deadline_pop_due(uint64_t now)
{
	struct sched_timerq_node *n = sched_timerq_first(&heap);

	if (!n || n->deadline > now)
		return NULL;
	sched_timerq_remove(&heap, n);
	publish();
	return &((struct domain_slot *)((char *)n -
					__builtin_offsetof(struct domain_slot, deadline)))->d;
}

uint64_t domain_deadline_next(void)
{
	return __atomic_load_n(&earliest, __ATOMIC_ACQUIRE);
}
