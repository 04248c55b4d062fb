/* SPDX-License-Identifier: MIT */
/* Test-guest external interrupts: handlers for vectors 32-255, registered at run time. */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include "x86.h"

#define IRQ_VECTOR_FIRST	X86_EXCEPTIONS	/* 0-31 are exceptions (trap.h) */
#define IRQ_VECTORS		256
#define X86_EFLAGS_IF		(1u << 9)

/*
 * A handler runs on the interrupted CPU's stack with interrupts off (the
 * IDT holds interrupt gates).  It must EOI its APIC itself if the
 * interrupt came from one (x2apic_eoi()): the library cannot tell a
 * spurious vector from a real one.
 */
typedef void (*irq_handler_fn)(uint32_t vector);

/* Entry stubs for vectors 32-255 (irqs.asm), for desc.c's IDT; index = vector - 32. */
extern const uint32_t irq_stubs[IRQ_VECTORS - IRQ_VECTOR_FIRST];

/*
 * Make @fn the handler of @vector (32-255), replacing any earlier one;
 * NULL removes it.  False if @vector is an exception vector.
 */
bool irq_register(uint32_t vector, irq_handler_fn fn);

/* Run the handler of @vector; an interrupt nobody registered ends the test with ERROR. */
void irq_dispatch(uint32_t vector);

static inline void irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

/* Whether EFLAGS.IF is set on this CPU. */
static inline bool irq_enabled(void)
{
	uint32_t flags;

	asm volatile("pushf; pop %0" : "=r"(flags));
	return flags & X86_EFLAGS_IF;
}

/*
 * Enable interrupts and halt until one arrives, returning with IF set.
 * One asm statement: STI holds interrupts off until the instruction after
 * it (SDM Vol. 2B, STI), so an interrupt that is already pending wakes the
 * HLT instead of slipping in between and leaving the CPU halted.  Check
 * the wake-up condition with interrupts disabled, then call this.
 */
static inline void sti_hlt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

#endif
