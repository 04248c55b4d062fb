/* SPDX-License-Identifier: MIT */
/* Where a domain's structures live: its slot, and the domain table (kernel/domain_slot.c).
 *
 * Design: nothing here is sized by a domain count.  The table is one
 * allocation of a pointer per boot module, made once at boot: domains come
 * only from boot modules, so it never grows and a walk from another CPU never
 * sees it move.  Each domain's struct domain, both banks of its vCPUs and
 * its devices' final counters are one page-rounded block of its own, kept
 * for the run: an ended domain stays listed (DOMAIN_LIST, top, usage lines)
 * with its counters; what its life used (RAM, EPT, VMCS, devices) is freed
 * when it ends. */
#ifndef TALLY_DOMAIN_SLOT_H
#define TALLY_DOMAIN_SLOT_H

#include <tally/domain.h>

/*
 * Two banks, a life's vCPUs in one: a restarted domain's new vCPUs are not
 * the structures its dead ones left, which their CPUs' run queues may still
 * name as current until their next pick (kernel/sched_policy.c).
 */
#define DOMAIN_VCPU_BANKS	2

struct domain_slot {
	struct domain d;
	bool restart_pending;		/* freed, waiting to be rebuilt */
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
 * A zeroed table of @n domain pointers followed by @n flags (*@claimed);
 * NULL for @n = 0, or after a line saying so if memory is short.
 */
struct domain **domain_table_alloc(unsigned int n, bool **claimed);
/* Log what Tally allocated for @d beyond its RAM: `domain: dN NAME overhead_bytes=N (...)`. */
void domain_log_overhead(struct domain *d);

#endif
