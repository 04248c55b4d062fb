/* SPDX-License-Identifier: MIT */
/* arch_irq_save()/arch_irq_restore() inline: every spinlock of the switch path takes them. */
#ifndef ARCH_IRQFLAGS_H
#define ARCH_IRQFLAGS_H

#include <arch/cpu.h>

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
