/* SPDX-License-Identifier: MIT */
/* Device interrupt vectors: handed to drivers at boot, dispatched from trap_external_interrupt().
 *
 * Design: a fixed block of vectors below the PIC's and the local APIC's
 * own, one handler each.  Locking: handlers are registered on the boot
 * CPU before the device can raise the vector; the release/acquire pair on
 * @fn makes @ctx visible to whichever CPU takes the interrupt. */
#include <arch/trap.h>
#include <tally/arch.h>
#include <tally/errno.h>

static struct {
	void (*fn)(void *ctx);
	void *ctx;
} handlers[VEC_DEVICE_COUNT];

int arch_irq_register(void (*fn)(void *ctx), void *ctx)
{
	for (unsigned int i = 0; i < VEC_DEVICE_COUNT; i++) {
		if (handlers[i].fn)
			continue;
		handlers[i].ctx = ctx;
		__atomic_store_n(&handlers[i].fn, fn, __ATOMIC_RELEASE);
		return VEC_DEVICE_FIRST + (int)i;
	}
	return -ENOSPC;
}

void arch_irq_unregister(int vector)
{
	unsigned int i = (unsigned int)(vector - VEC_DEVICE_FIRST);

	if (i < VEC_DEVICE_COUNT)
		__atomic_store_n(&handlers[i].fn, NULL, __ATOMIC_RELEASE);
}

bool irq_dispatch(uint64_t vector)
{
	uint64_t i = vector - VEC_DEVICE_FIRST;
	void (*fn)(void *ctx);

	if (i >= VEC_DEVICE_COUNT)
		return false;
	fn = __atomic_load_n(&handlers[i].fn, __ATOMIC_ACQUIRE);
	if (!fn)
		return false;
	fn(handlers[i].ctx);
	return true;
}
