/* SPDX-License-Identifier: MIT */
/* ACPI tables Tally reads (ACPI 6.5: RSDP, RSDT/XSDT, MADT) and their parser. */
#ifndef TALLY_ACPI_H
#define TALLY_ACPI_H

#include <tally/types.h>

#define ACPI_MAX_CPUS		64
#define ACPI_MAX_IOAPICS	8
#define ACPI_MAX_OVERRIDES	16
#define ACPI_MAX_TABLES		32

struct acpi_rsdp {			/* ACPI 6.5, 5.2.5.3 */
	char signature[8];		/* "RSD PTR " */
	uint8_t checksum;		/* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;		/* 0: ACPI 1.0, 2: 2.0 and later */
	uint32_t rsdt_address;
	uint32_t length;		/* revision >= 2 from here on */
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* over all @length bytes */
	uint8_t reserved[3];
} __packed;

/* The RSDP's length by revision: ACPI 1.0 ends before @length. */
#define ACPI_RSDP_V1_LEN	offsetof(struct acpi_rsdp, length)
#define ACPI_RSDP_V2_LEN	sizeof(struct acpi_rsdp)

struct acpi_sdt_header {		/* ACPI 6.5, 5.2.6 */
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

struct acpi_madt {			/* ACPI 6.5, 5.2.12 */
	struct acpi_sdt_header header;
	uint32_t lapic_address;
	uint32_t flags;
	/* followed by interrupt controller structures */
} __packed;

enum acpi_madt_type {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_INT_OVERRIDE = 2,
	ACPI_MADT_LAPIC_ADDR_OVERRIDE = 5,
	ACPI_MADT_X2APIC = 9,
};

struct acpi_madt_entry {
	uint8_t type;
	uint8_t length;
} __packed;

struct acpi_madt_lapic {
	struct acpi_madt_entry h;
	uint8_t acpi_uid;
	uint8_t apic_id;
	uint32_t flags;
} __packed;

struct acpi_madt_ioapic {
	struct acpi_madt_entry h;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

struct acpi_madt_override {
	struct acpi_madt_entry h;
	uint8_t bus;
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;
} __packed;

struct acpi_madt_lapic_addr {
	struct acpi_madt_entry h;
	uint16_t reserved;
	uint64_t address;
} __packed;

struct acpi_madt_x2apic {
	struct acpi_madt_entry h;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t acpi_uid;
} __packed;

#define ACPI_MADT_ENABLED		(1u << 0)
#define ACPI_MADT_ONLINE_CAPABLE	(1u << 1)

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

/* MPS INTI flags of an interrupt source override (ACPI 6.5, 5.2.12.5; MPS 1.4, Table 4-10). */
#define ACPI_INTI_POLARITY_MASK		0x3	/* 0: as the bus says (ISA: high) */
#define ACPI_INTI_ACTIVE_HIGH		0x1
#define ACPI_INTI_ACTIVE_LOW		0x3
#define ACPI_INTI_TRIGGER_MASK		0xC	/* 0: as the bus says (ISA: edge) */
#define ACPI_INTI_EDGE			0x4
#define ACPI_INTI_LEVEL			0xC

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
