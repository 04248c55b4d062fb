/* SPDX-License-Identifier: MIT */
/* Domain slots and the domain table from Tally's memory (see tally/domain_slot.h). */
#include <tally/arch.h>
#include <tally/domain_counters.h>
#include <tally/domain_slot.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/spinlock.h>
#include <tally/vblk.h>
#include <tally/vnet.h>

static uint64_t records;	/* bytes: the table and every slot */

uint64_t domain_records_bytes(void)
{
	return __atomic_load_n(&records, __ATOMIC_RELAXED);
}

void domain_records_note(int64_t delta)
{
	__atomic_fetch_add(&records, (uint64_t)delta, __ATOMIC_RELAXED);
}

struct domain_slot *domain_slot_alloc(unsigned int vcpus, const char *label)
{
	uint64_t bytes = sizeof(struct domain_slot) +
			 DOMAIN_VCPU_BANKS * vcpus * sizeof(struct vcpu) +
			 domain_counters_final_bytes();
	struct domain_slot *s;
	hpa_t pa;

	bytes = ALIGN_UP(bytes, PAGE_SIZE);
	if (mem_alloc(bytes, PAGE_SIZE, 0, &pa) < 0) {
		log_err("%s: no memory for its %lu-byte domain structure; not created", label,
			bytes);
		return NULL;
	}
	arch_zero_memory(pa, bytes);
	s = arch_phys_to_virt(pa.raw, bytes);
	s->vcpus = vcpus;
	s->pa = pa;
	s->bytes = bytes;
	__atomic_fetch_add(&records, bytes, __ATOMIC_RELAXED);
	s->d.final = (struct domain_final *)&s->banks[DOMAIN_VCPU_BANKS * vcpus];
	return s;
}

void domain_slot_free(struct domain_slot *s)
{
	__atomic_fetch_sub(&records, s->bytes, __ATOMIC_RELAXED);
	mem_free(s->pa, s->bytes);
}

/*
 * Retired slots (tally/domain_slot.h): @incoming wait for a grace period
 * to start, @waiting for the one that started when every CPU's quiescent
 * count was @seen.  One batch at a time keeps one snapshot for all.
 */
static struct spinlock retire_lock = SPINLOCK_INIT;
static struct domain_slot *incoming, *waiting;
static uint64_t seen[MAX_CPUS];
static unsigned int retired;
static bool retire_pending;

void domain_slot_retire(struct domain_slot *s)
{
	unsigned long flags = spin_lock_irqsave(&retire_lock);

	s->retire_next = incoming;
	incoming = s;
	retired++;
	__atomic_store_n(&retire_pending, true, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&retire_lock, flags);
}

/* Has every CPU passed a quiescent point since @seen, or does it rest (holding nothing)? */
static bool grace_over(void)
{
	for (unsigned int i = 0; i < percpu_count; i++) {
		bool resting;

		if (percpu_area[i].online && sched_quiescent_passes(i, &resting) == seen[i] &&
		    !resting)
			return false;
	}
	return true;
}

/* Take the retired batch to free (NULL if none is due) and start the next one's grace. */
static struct domain_slot *take_due(void)
{
	unsigned long flags = spin_lock_irqsave(&retire_lock);
	struct domain_slot *done = NULL;

	if (waiting && grace_over()) {
		done = waiting;
		waiting = NULL;
	}
	if (!waiting && incoming) {
		waiting = incoming;
		incoming = NULL;
		for (unsigned int i = 0; i < percpu_count; i++) {
			bool resting;

			seen[i] = sched_quiescent_passes(i, &resting);
		}
	}
	for (struct domain_slot *s = done; s; s = s->retire_next)
		retired--;
	__atomic_store_n(&retire_pending, waiting || incoming, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&retire_lock, flags);
	return done;
}

static void free_batch(struct domain_slot *s)
{
	while (s) {
		struct domain_slot *next = s->retire_next;

		domain_slot_free(s);
		s = next;
	}
}

void domain_slot_reap(void)
{
	if (__atomic_load_n(&retire_pending, __ATOMIC_SEQ_CST))
		free_batch(take_due());
}

void domain_slot_reap_all(void)
{
	while (__atomic_load_n(&retire_pending, __ATOMIC_SEQ_CST)) {
		free_batch(take_due());
		arch_cpu_relax();	/* the others reach their next pass, or rest */
	}
}

unsigned int domain_slot_retired(void)
{
	return __atomic_load_n(&retired, __ATOMIC_RELAXED);
}

unsigned int domain_table_capacity(unsigned int modules)
{
	uint64_t n = mem_free_bytes() / (DOMAIN_MIN_MEM_MIB * MIB);

	return (unsigned int)MIN(MAX(n, (uint64_t)modules), (uint64_t)DOMAIN_TABLE_MAX);
}

struct domain **domain_table_alloc(unsigned int n, unsigned int modules, bool **claimed)
{
	uint64_t bytes = ALIGN_UP((uint64_t)n * sizeof(struct domain *) + modules * sizeof(bool),
				  PAGE_SIZE);
	struct domain **table;
	hpa_t pa;

	if (mem_alloc(bytes, PAGE_SIZE, 0, &pa) < 0) {
		log_err("domain: no memory for a table of %u domains; none created", n);
		return NULL;
	}
	arch_zero_memory(pa, bytes);
	table = arch_phys_to_virt(pa.raw, bytes);
	*claimed = (bool *)&table[n];
	__atomic_fetch_add(&records, bytes, __ATOMIC_RELAXED);
	return table;
}

/* mem_alloc() hands out whole pages: what a structure of @bytes really takes. */
static uint64_t pages_of(uint64_t bytes)
{
	return ALIGN_UP(bytes, PAGE_SIZE);
}

void domain_log_overhead(struct domain *d)
{
	struct arch_domain_overhead a = { 0 };
	uint64_t slot = domain_slot_of(d)->bytes;
	uint64_t nic = d->net ? pages_of(sizeof(struct vnet)) : 0;
	uint64_t disk = d->blk ? pages_of(sizeof(struct vblk)) : 0;

	arch_domain_overhead(d, &a);
	/* The disk's bytes are the guest's data, like its RAM: not overhead. */
	log_info("domain: d%u %s overhead_bytes=%lu (struct=%lu vmcs=%lu ept=%lu bitmaps=%lu "
		 "nic=%lu disk=%lu)", d->id, d->name,
		 slot + a.vmcs + a.ept + a.bitmaps + nic + disk, slot, a.vmcs, a.ept, a.bitmaps,
		 nic, disk);
}
