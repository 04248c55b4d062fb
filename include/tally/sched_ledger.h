/* SPDX-License-Identifier: MIT */
/* The donation ledger: cycles each vCPU ran of slices another gave up (pure logic; kernel/sched_ledger.c).
 *
 * Design: only the pairs that ever met are kept, in an open-addressing
 * hash table of fixed size (the caller's array), so the ledger's size no
 * longer grows with the square of the vCPUs Tally may run.  A pair is
 * looked for in at most SCHED_LEDGER_PROBES slots from its hash: every
 * add is O(1); what finds no slot is counted in dropped_cycles (the
 * vCPUs' own donated/received totals still have it).  Chosen over
 * per-vCPU totals alone because the console's key 'c' names each pair.
 * Locking: none needed; adds from several CPUs claim slots with an atomic
 * compare-and-swap and add with atomic adds; readers may see an add late. */
#ifndef TALLY_SCHED_LEDGER_H
#define TALLY_SCHED_LEDGER_H

#include <tally/types.h>

#define SCHED_LEDGER_PROBES	32

struct sched_ledger_slot {
	uint64_t key;		/* (donor + 1) << 32 | recipient; 0: free */
	uint64_t cycles;
};

struct sched_ledger {
	struct sched_ledger_slot *slots;	/* the caller's, zeroed */
	unsigned int size;			/* a power of two */
	uint64_t dropped_cycles;		/* adds that found no slot */
};

/* A ledger over @size (a power of two) zeroed @slots. */
void sched_ledger_init(struct sched_ledger *l, struct sched_ledger_slot *slots, unsigned int size);
/* Credit @cycles to the pair @donor -> @recipient; false (and counted as dropped) if no slot. */
bool sched_ledger_add(struct sched_ledger *l, unsigned int donor, unsigned int recipient,
		      uint64_t cycles);
/* The cycles of the pair @donor -> @recipient so far (0 if it never met). */
uint64_t sched_ledger_get(const struct sched_ledger *l, unsigned int donor, unsigned int recipient);
/* Slot @i's pair and cycles, for listing them all: false if @i is free or out of range. */
bool sched_ledger_at(const struct sched_ledger *l, unsigned int i, unsigned int *donor,
		     unsigned int *recipient, uint64_t *cycles);

#endif
