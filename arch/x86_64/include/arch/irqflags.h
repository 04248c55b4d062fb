/* SPDX-License-Identifier: MIT */
/* RFLAGS.IF: CLI, STI, PUSHF, and arch_irq_save()/arch_irq_restore() inline for spinlocks. */
#ifndef ARCH_IRQFLAGS_H
#define ARCH_IRQFLAGS_H

#include <tally/types.h>

#define RFLAGS_IF		(1ull << 9)

static inline uint64_t read_rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }

/* Current interrupt state, then interrupts off. */
static inline unsigned long arch_irq_save(void)
{
	unsigned long flags = read_rflags();

	irq_disable();
	return flags;
}

/* Restore a state returned by arch_irq_save(). */
static inline void arch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		irq_enable();
}

#endif
