/* SPDX-License-Identifier: MIT */
/* I/O APIC (Intel 82093AA): registers, the routing of ISA IRQs, and the driver. */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <tally/acpi.h>

/* Memory-mapped access: write a register index to IOREGSEL, then use IOWIN. */
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_MMIO_SIZE	0x20

/* Registers behind the window (82093AA data sheet, 3.2). */
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_REDTBL(n)	(0x10 + 2 * (n))	/* low dword; the high one follows */
#define IOAPIC_VERSION_MAX_ENTRY(v)	(((v) >> 16) & 0xFF)

/* Redirection table entry (82093AA data sheet, 3.2.4). */
#define IOAPIC_RTE_VECTOR_MASK		0xFFull
#define IOAPIC_RTE_DELIVERY_FIXED	(0ull << 8)
#define IOAPIC_RTE_DEST_PHYSICAL	(0ull << 11)
#define IOAPIC_RTE_ACTIVE_LOW		(1ull << 13)
#define IOAPIC_RTE_LEVEL		(1ull << 15)
#define IOAPIC_RTE_MASKED		(1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT		56
#define IOAPIC_RTE_DEST_MAX		0xFE	/* 8 bits, and 0xFF is a broadcast */

#define ISA_IRQS		16

/* Where an ISA IRQ arrives once the firmware's overrides are applied. */
struct ioapic_isa_route {
	uint32_t gsi;
	bool active_low;
	bool level;
};

/*
 * Resolve ISA IRQ @irq through @acpi's interrupt source overrides (none:
 * GSI @irq, edge, active high).  Returns 0, or -EINVAL for an IRQ above 15
 * or reserved polarity/trigger flags, -EBUSY when the identity GSI was
 * given to another IRQ by an override.
 */
int ioapic_isa_route(const struct acpi_info *acpi, unsigned int irq, struct ioapic_isa_route *out);
/*
 * The redirection entry that delivers @route's input as @vector, fixed,
 * to the CPU with physical APIC ID @apic_id, unmasked.  Returns 0, or
 * -ERANGE when @apic_id does not fit the 8-bit destination.
 */
int ioapic_rte(const struct ioapic_isa_route *route, uint8_t vector, uint32_t apic_id,
	       uint64_t *rte);

/* Find the I/O APICs @acpi lists and mask every one of their inputs. */
void ioapic_init(const struct acpi_info *acpi);
/*
 * Deliver ISA IRQ @irq as @vector to the CPU with APIC ID @apic_id.
 * Returns 0, -ENODEV when no I/O APIC serves its GSI (or none was found),
 * or an error of ioapic_isa_route() or ioapic_rte().
 */
int ioapic_route_isa_irq(unsigned int irq, uint8_t vector, uint32_t apic_id);

#endif
