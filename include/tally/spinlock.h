/* SPDX-License-Identifier: MIT */
/* Ticket spinlocks: FIFO-fair, taken with interrupts off. */
#ifndef TALLY_SPINLOCK_H
#define TALLY_SPINLOCK_H

#include <tally/arch.h>

struct spinlock {
	volatile uint32_t next;
	volatile uint32_t owner;
};

#define SPINLOCK_INIT	{ 0, 0 }

/* Disable interrupts and take @lock; returns the interrupt state to restore. */
static inline unsigned long spin_lock_irqsave(struct spinlock *lock)
{
	unsigned long flags = arch_irq_save();
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
	return flags;
}

/* Release @lock and restore the interrupt state @flags. */
static inline void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags)
{
	__atomic_store_n(&lock->owner, lock->owner + 1, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

/* Take @lock only if it is free right now; interrupts as for spin_lock_irqsave(). */
static inline bool spin_trylock_irqsave(struct spinlock *lock, unsigned long *flags)
{
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
	uint32_t expected = owner;

	*flags = arch_irq_save();
	if (__atomic_compare_exchange_n(&lock->next, &expected, owner + 1, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return true;
	arch_irq_restore(*flags);
	return false;
}

#endif
