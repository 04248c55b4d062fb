/* SPDX-License-Identifier: MIT */
/* The donation ledger as a small lock-free hash table of vCPU pairs (see tally/sched_ledger.h). */
#include <tally/sched_ledger.h>

static uint64_t pair_key(unsigned int donor, unsigned int recipient)
{
	return ((uint64_t)donor + 1) << 32 | recipient;
}

/* Fibonacci hashing: the key's bits spread over the table's index. */
static unsigned int pair_home(const struct sched_ledger *l, uint64_t key)
{
	return (unsigned int)((key * 0x9e3779b97f4a7c15ull) >> 32) & (l->size - 1);
}

void sched_ledger_init(struct sched_ledger *l, struct sched_ledger_slot *slots, unsigned int size)
{
	l->slots = slots;
	l->size = size;
	l->dropped_cycles = 0;
}

bool sched_ledger_add(struct sched_ledger *l, unsigned int donor, unsigned int recipient,
		      uint64_t cycles)
{
	uint64_t key = pair_key(donor, recipient);
	unsigned int home = pair_home(l, key);

	for (unsigned int p = 0; p < SCHED_LEDGER_PROBES && p < l->size; p++) {
		struct sched_ledger_slot *s = &l->slots[(home + p) & (l->size - 1)];
		uint64_t seen = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);

		/* A free slot is claimed; losing the race to another pair moves on. */
		if (!seen && __atomic_compare_exchange_n(&s->key, &seen, key, false,
							 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			seen = key;
		if (seen == key) {
			__atomic_fetch_add(&s->cycles, cycles, __ATOMIC_RELAXED);
			return true;
		}
	}
	__atomic_fetch_add(&l->dropped_cycles, cycles, __ATOMIC_RELAXED);
	return false;
}

uint64_t sched_ledger_get(const struct sched_ledger *l, unsigned int donor, unsigned int recipient)
{
	uint64_t key = pair_key(donor, recipient);
	unsigned int home = pair_home(l, key);

	for (unsigned int p = 0; p < SCHED_LEDGER_PROBES && p < l->size; p++) {
		const struct sched_ledger_slot *s = &l->slots[(home + p) & (l->size - 1)];
		uint64_t seen = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);

		if (seen == key)
			return __atomic_load_n(&s->cycles, __ATOMIC_RELAXED);
		if (!seen)	/* slots are never freed: the pair would be here */
			return 0;
	}
	return 0;
}

bool sched_ledger_at(const struct sched_ledger *l, unsigned int i, unsigned int *donor,
		     unsigned int *recipient, uint64_t *cycles)
{
	uint64_t key;

	if (i >= l->size || !(key = __atomic_load_n(&l->slots[i].key, __ATOMIC_ACQUIRE)))
		return false;
	*donor = (unsigned int)(key >> 32) - 1;
	*recipient = (unsigned int)key;
	*cycles = __atomic_load_n(&l->slots[i].cycles, __ATOMIC_RELAXED);
	return true;
}
