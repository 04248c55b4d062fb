/* SPDX-License-Identifier: MIT */
/* ISA IRQ to I/O APIC input and redirection entry (pure logic, for unit tests). */
#include <arch/ioapic.h>
#include <tally/errno.h>

/*
 * One MPS INTI field: 0 ("as the bus says": ISA is active high, edge) and
 * @plain give false, @inverse true; the last encoding is reserved.
 */
static int inti_field(uint16_t field, uint16_t plain, uint16_t inverse, bool *out)
{
	if (field != 0 && field != plain && field != inverse)
		return -EINVAL;
	*out = field == inverse;
	return 0;
}

/* Read an override's MPS INTI flags (MPS 1.4, Table 4-10). */
static int inti_flags(uint16_t flags, struct ioapic_isa_route *out)
{
	if (inti_field(flags & ACPI_INTI_POLARITY_MASK, ACPI_INTI_ACTIVE_HIGH, ACPI_INTI_ACTIVE_LOW,
		       &out->active_low) < 0 ||
	    inti_field(flags & ACPI_INTI_TRIGGER_MASK, ACPI_INTI_EDGE, ACPI_INTI_LEVEL,
		       &out->level) < 0)
		return -EINVAL;
	return 0;
}

int ioapic_isa_route(const struct acpi_info *acpi, unsigned int irq, struct ioapic_isa_route *out)
{
	if (irq >= ISA_IRQS)
		return -EINVAL;
	for (unsigned int i = 0; i < acpi->override_count; i++) {
		const struct acpi_override *o = &acpi->overrides[i];

		if (o->source == irq) {
			out->gsi = o->gsi;
			return inti_flags(o->flags, out);
		}
	}
	/* Not overridden: identity mapped (ACPI 6.5, 5.2.12.5), unless another IRQ took the GSI. */
	for (unsigned int i = 0; i < acpi->override_count; i++)
		if (acpi->overrides[i].gsi == irq)
			return -EBUSY;
	out->gsi = irq;
	return inti_flags(0, out);
}

int ioapic_rte(const struct ioapic_isa_route *route, uint8_t vector, uint32_t apic_id,
	       uint64_t *rte)
{
	if (apic_id > IOAPIC_RTE_DEST_MAX)
		return -ERANGE;
	*rte = (vector & IOAPIC_RTE_VECTOR_MASK) | IOAPIC_RTE_DELIVERY_FIXED |
	       IOAPIC_RTE_DEST_PHYSICAL | (route->active_low ? IOAPIC_RTE_ACTIVE_LOW : 0) |
	       (route->level ? IOAPIC_RTE_LEVEL : 0) | ((uint64_t)apic_id << IOAPIC_RTE_DEST_SHIFT);
	return 0;
}
