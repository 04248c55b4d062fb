/* SPDX-License-Identifier: MIT */
/* Routing a domain's device interrupts through its virtual I/O APIC (see tally/virq.h). */
#include <tally/domain.h>
#include <tally/spinlock.h>
#include <tally/virq.h>
#include <tally/vmmio.h>
#include <tally/vplatform.h>

/* Fire every pin in @due under the lock, then deliver outside it. */
static void fire_and_deliver(struct domain *d, uint32_t due, unsigned long flags)
{
	struct vioapic_msg msgs[VIOAPIC_PINS];
	unsigned int n = 0;

	for (unsigned int pin = 0; due && pin < VIOAPIC_PINS; pin++)
		if ((due & (1u << pin)) && vioapic_fire(&d->ioapic, pin, &msgs[n]))
			n++;
	spin_unlock_irqrestore(&d->ioapic_lock, flags);
	for (unsigned int i = 0; i < n; i++)
		arch_virq_deliver(d, &msgs[i]);
}

void virq_domain_init(struct domain *d)
{
	vioapic_init(&d->ioapic, VPLATFORM_IOAPIC_ID);
	d->ioapic_lock = (struct spinlock)SPINLOCK_INIT;
}

void domain_irq_set(struct domain *d, unsigned int gsi, bool asserted)
{
	unsigned long flags;

	if (gsi >= VIOAPIC_PINS)
		return;
	flags = spin_lock_irqsave(&d->ioapic_lock);
	fire_and_deliver(d, vioapic_set_irq(&d->ioapic, gsi, asserted), flags);
}

void domain_irq_eoi(struct domain *d, uint8_t vector)
{
	unsigned long flags = spin_lock_irqsave(&d->ioapic_lock);

	fire_and_deliver(d, vioapic_eoi(&d->ioapic, vector), flags);
}

static int ioapic_read(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *val)
{
	struct domain *d = v->domain;
	unsigned long flags = spin_lock_irqsave(&d->ioapic_lock);

	*val = vioapic_mmio_read(&d->ioapic, (uint32_t)(gpa - VPLATFORM_IOAPIC_BASE), size);
	spin_unlock_irqrestore(&d->ioapic_lock, flags);
	return 0;
}

static int ioapic_write(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t val)
{
	struct domain *d = v->domain;
	unsigned long flags = spin_lock_irqsave(&d->ioapic_lock);
	uint32_t due = vioapic_mmio_write(&d->ioapic, (uint32_t)(gpa - VPLATFORM_IOAPIC_BASE),
					  size, (uint32_t)val);

	fire_and_deliver(d, due, flags);
	return 0;
}

static const struct vmmio_ops ioapic_ops = {
	.name = "ioapic",
	.read = ioapic_read,
	.write = ioapic_write,
};

int virq_register(void)
{
	int err = vmmio_register(VPLATFORM_IOAPIC_BASE, VIOAPIC_MMIO_SIZE, &ioapic_ops);

	return err ? err : arch_virq_register();
}
