/* SPDX-License-Identifier: MIT */
/* Where a domain's structures live: its slot, and the domain table (kernel/domain_slot.c).
 *
 * Design: nothing here is sized by a fixed domain count.  The table is one
 * allocation made once at boot, an entry per MiB of free memory (no more
 * domains can live at once), so it never grows and a walk from another CPU
 * never sees it move.  Each domain's struct domain, both banks of its vCPUs and
 * its devices' final counters are one page-rounded block of its own, kept
 * for the run: an ended boot domain stays listed (DOMAIN_LIST, top, usage
 * lines) with its counters; what its life used (RAM, EPT, VMCS, devices)
 * is freed when it ends.
 *
 * A domain created at run time (kernel/domain_runtime.c) gives its slot
 * back too, or a thousand create/destroy cycles would fill memory and the
 * table.  Its end, in order: each vCPU, when its own CPU releases it,
 * leaves that CPU's placed list (its run cycles go to the CPU's departed
 * sum, so the CPU's split still adds up); the last one prints the final
 * usage lines, clears the table entry and hands the slot to
 * domain_slot_retire().  Readers take no lock (top, the metrics stream,
 * debug keys, hypercalls, sched_cpu_time_now() walks on any CPU): they
 * skip empty entries, and a pointer read before the entry was cleared
 * must stay good.  So the memory goes only after a grace period: every
 * CPU counts its quiescent passes (sched_pick_next() once its current
 * vCPU is replaced; a CPU waiting idle holds nothing at all), a batch of
 * retired slots notes every CPU's count when it starts waiting, and is
 * freed once each CPU has passed once more or rests.  Boot domains keep
 * their slots: an ended one stays listed for the run. */
#ifndef TALLY_DOMAIN_SLOT_H
#define TALLY_DOMAIN_SLOT_H

#include <tally/domain.h>
#include <tally/sched_timerq.h>

/*
 * Two banks, a life's vCPUs in one: a restarted domain's new vCPUs are not
 * the structures its dead ones left, which their CPUs' run queues may still
 * name as current until their next pick (kernel/sched_policy.c).
 */
#define DOMAIN_VCPU_BANKS	2

struct domain_slot {
	struct domain d;
	struct domain_slot *restart_next; /* in the restart queue (kernel/domain.c) */
	struct domain_slot *retire_next; /* waiting for its grace period (domain_slot.c) */
	bool runtime;			/* created at run time: the slot is freed at its end */
	struct sched_timerq_node deadline; /* max_run_s= (tally/domain_deadline.h) */
	unsigned int vcpus;		/* per bank */
	hpa_t pa;			/* the slot's own allocation */
	uint64_t bytes;
	struct vcpu banks[];		/* DOMAIN_VCPU_BANKS * vcpus */
};

/* The slot that holds @d. */
static inline struct domain_slot *domain_slot_of(struct domain *d)
{
	return (struct domain_slot *)((char *)d - __builtin_offsetof(struct domain_slot, d));
}

/* vCPU @i of bank @bank (a life's number, taken modulo the banks) in @d's slot. */
static inline struct vcpu *domain_slot_vcpu(struct domain *d, unsigned int bank, unsigned int i)
{
	struct domain_slot *s = domain_slot_of(d);

	return &s->banks[(bank % DOMAIN_VCPU_BANKS) * s->vcpus + i];
}

/* A zeroed slot for a domain of @vcpus vCPUs; NULL (a line naming @label) if memory is short. */
struct domain_slot *domain_slot_alloc(unsigned int vcpus, const char *label);
/* Give back a slot whose domain was never listed. */
void domain_slot_free(struct domain_slot *s);
/*
 * The domain table's size: one entry per MiB of free memory (a domain has
 * at least DOMAIN_MIN_MEM_MIB), at least one per boot module, at most
 * DOMAIN_TABLE_MAX (ids stay far from overflowing vCPU numbers).
 */
unsigned int domain_table_capacity(unsigned int modules);
/*
 * A zeroed table of @n domain pointers followed by @modules flags
 * (*@claimed, one per boot module); NULL after a line saying so if memory
 * is short.
 */
struct domain **domain_table_alloc(unsigned int n, unsigned int modules, bool **claimed);
/*
 * Free @s once no CPU can hold a pointer into it (the design above): its
 * table entry is cleared and its vCPUs have left their placed lists.
 */
void domain_slot_retire(struct domain_slot *s);
/* At a quiescent point of this CPU (sched.c): free the batches whose grace period is over. */
void domain_slot_reap(void);
/* This CPU resting (all domains ended): wait out every retired slot's grace and free it. */
void domain_slot_reap_all(void);
/* Slots retired and not yet freed, for the checks. */
unsigned int domain_slot_retired(void);
/* Log what Tally allocated for @d beyond its RAM: `domain: dN NAME overhead_bytes=N (...)`. */
void domain_log_overhead(struct domain *d);

#endif
