/* SPDX-License-Identifier: MIT */
/* Test-guest interrupt dispatch: one handler table for every CPU of the guest. */
#include <stddef.h>
#include "guest.h"
#include "irq.h"

/* Written before the interrupt can arrive; read by every CPU's dispatch. */
static irq_handler_fn volatile handlers[IRQ_VECTORS];

/* Make @fn the handler of @vector (32-255); false for an exception vector. */
bool irq_register(uint32_t vector, irq_handler_fn fn)
{
	if (vector < IRQ_VECTOR_FIRST || vector >= IRQ_VECTORS)
		return false;
	handlers[vector] = fn;
	return true;
}

/* Run the handler of @vector; an unregistered one ends the test with ERROR. */
void irq_dispatch(uint32_t vector)
{
	irq_handler_fn fn = vector < IRQ_VECTORS ? handlers[vector] : NULL;

	if (fn) {
		fn(vector);
		return;
	}
	guest_error("unexpected interrupt, vector %u", vector);
	guest_exit();
}
