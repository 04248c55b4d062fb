/* SPDX-License-Identifier: MIT */
/* I/O APIC driver: every input masked, except the ISA IRQs a driver asks for.
 *
 * Tally takes no device interrupts but the ones routed here (the metrics
 * UART's), so init masks every redirection entry the firmware left.  The
 * registers sit in the identity-mapped low 4 GiB.
 * Locking: ioapic_lock keeps each IOREGSEL/IOWIN pair together. */
#include <arch/ioapic.h>
#include <tally/arch.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/spinlock.h>

struct ioapic {
	volatile uint32_t *mmio;
	uint32_t gsi_base;
	unsigned int entries;	/* redirection entries: inputs gsi_base .. + entries - 1 */
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int ioapic_count;
static const struct acpi_info *tables;	/* for the overrides */
static struct spinlock ioapic_lock = SPINLOCK_INIT;

static uint32_t ioapic_read(const struct ioapic *io, uint32_t reg)
{
	io->mmio[IOAPIC_REGSEL / sizeof(*io->mmio)] = reg;
	return io->mmio[IOAPIC_WINDOW / sizeof(*io->mmio)];
}

static void ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t value)
{
	io->mmio[IOAPIC_REGSEL / sizeof(*io->mmio)] = reg;
	io->mmio[IOAPIC_WINDOW / sizeof(*io->mmio)] = value;
}

/* Write entry @n: the destination half first, so the entry is never live half-written. */
static void ioapic_write_rte(const struct ioapic *io, unsigned int n, uint64_t rte)
{
	unsigned long flags = spin_lock_irqsave(&ioapic_lock);

	ioapic_write(io, IOAPIC_REG_REDTBL(n) + 1, (uint32_t)(rte >> 32));
	ioapic_write(io, IOAPIC_REG_REDTBL(n), (uint32_t)rte);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

void ioapic_init(const struct acpi_info *acpi)
{
	tables = acpi;
	for (unsigned int i = 0; i < acpi->ioapic_count; i++) {
		const struct acpi_ioapic *a = &acpi->ioapics[i];
		struct ioapic *io = &ioapics[ioapic_count];

		/* A bad table must not make Tally write into its own RAM. */
		if (mem_overlaps_ram(a->address, IOAPIC_MMIO_SIZE)) {
			log_warn("ioapic: id=%u at %#lx lies in RAM; ignored", a->id, a->address);
			continue;
		}
		io->mmio = arch_phys_to_virt(a->address, IOAPIC_MMIO_SIZE);
		if (!io->mmio) {
			log_warn("ioapic: id=%u at %#lx is not mapped; ignored", a->id, a->address);
			continue;
		}
		io->gsi_base = a->gsi_base;
		io->entries = IOAPIC_VERSION_MAX_ENTRY(ioapic_read(io, IOAPIC_REG_VERSION)) + 1;
		for (unsigned int n = 0; n < io->entries; n++)
			ioapic_write_rte(io, n, IOAPIC_RTE_MASKED);
		ioapic_count++;
	}
}

int ioapic_route_isa_irq(unsigned int irq, uint8_t vector, uint32_t apic_id)
{
	struct ioapic_isa_route route;
	uint64_t rte;
	int err;

	if (!tables)
		return -ENODEV;
	err = ioapic_isa_route(tables, irq, &route);
	if (err < 0)
		return err;
	err = ioapic_rte(&route, vector, apic_id, &rte);
	if (err < 0)
		return err;
	for (unsigned int i = 0; i < ioapic_count; i++) {
		const struct ioapic *io = &ioapics[i];

		if (route.gsi >= io->gsi_base && route.gsi - io->gsi_base < io->entries) {
			ioapic_write_rte(io, route.gsi - io->gsi_base, rte);
			return 0;
		}
	}
	return -ENODEV;
}
