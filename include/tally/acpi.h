/* SPDX-License-Identifier: MIT */
/* What Tally reads from its firmware's ACPI tables (RSDP, RSDT/XSDT, MADT), and the parser. */
#ifndef TALLY_ACPI_H
#define TALLY_ACPI_H

#include <tally/acpi_tables.h>
#include <tally/types.h>

#define ACPI_MAX_CPUS		64
#define ACPI_MAX_IOAPICS	8
#define ACPI_MAX_OVERRIDES	16
#define ACPI_MAX_TABLES		32

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t acpi_uid;
};

struct acpi_ioapic {
	uint32_t id;
	uint64_t address;
	uint32_t gsi_base;
};

struct acpi_override {
	uint8_t source;			/* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;			/* polarity and trigger mode: ACPI_INTI_* */
};

struct acpi_table_range {
	uint64_t pa;
	uint64_t len;
};

/* What Tally learns from the firmware tables. */
struct acpi_info {
	uint8_t revision;		/* RSDP revision */
	bool xsdt;			/* root table was the XSDT */
	uint64_t lapic_address;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];	/* enabled or online-capable, MADT order */
	unsigned int cpu_count;
	unsigned int cpus_ignored;	/* enabled but beyond ACPI_MAX_CPUS */
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int ioapic_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned int override_count;
	struct acpi_table_range tables[ACPI_MAX_TABLES];	/* to keep from the allocator */
	unsigned int table_count;
};

/*
 * Validate an RSDP of @len bytes: signature, checksum, and for revision 2+
 * the length and extended checksum.  Returns 0 or -EINVAL.
 */
int acpi_rsdp_check(const void *rsdp, size_t len);

/*
 * Scan the BIOS areas (the EBDA's first KiB, then 0xE0000-0xFFFFF) for a
 * valid RSDP on a 16-byte boundary.  Returns 0 with *@pa set, or -ENOENT.
 */
int acpi_find_rsdp(phys_read_fn read, void *ctx, uint64_t *pa);

/*
 * Parse the tables reachable from the RSDP copy at @rsdp (@len bytes): the
 * XSDT when the revision and address allow it, else the RSDT, then the MADT.
 * Returns 0; -EINVAL for a bad RSDP or root table (checksum, signature,
 * length); -ENOENT when there is no valid MADT.  Bad MADT entries are
 * skipped and logged.
 */
int acpi_parse(const void *rsdp, size_t len, phys_read_fn read, void *ctx,
	       struct acpi_info *out);

#endif
