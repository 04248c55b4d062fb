/* SPDX-License-Identifier: MIT */
/*
 * ACPI table layouts, described once by name: the host parser
 * (drivers/host/acpi.c) reads them from the firmware, the per-domain
 * generator (drivers/vdev/vacpi.c) writes them for guests.
 */
#ifndef TALLY_ACPI_TABLES_H
#define TALLY_ACPI_TABLES_H

#include <tally/types.h>

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
	ACPI_MADT_LAPIC_NMI = 4,
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

struct acpi_madt_lapic_nmi {		/* ACPI 6.5, 5.2.12.7 */
	struct acpi_madt_entry h;
	uint8_t acpi_uid;		/* ACPI_MADT_ALL_PROCESSORS: every one */
	uint16_t flags;			/* MPS INTI flags, ACPI_INTI_* */
	uint8_t lint;			/* the local APIC's LINT0 or LINT1 */
} __packed;

#define ACPI_MADT_ALL_PROCESSORS	0xFF

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

/* MPS INTI flags of an interrupt source override (ACPI 6.5, 5.2.12.5; MPS 1.4, Table 4-10). */
#define ACPI_INTI_POLARITY_MASK		0x3	/* 0: as the bus says (ISA: high) */
#define ACPI_INTI_ACTIVE_HIGH		0x1
#define ACPI_INTI_ACTIVE_LOW		0x3
#define ACPI_INTI_TRIGGER_MASK		0xC	/* 0: as the bus says (ISA: edge) */
#define ACPI_INTI_EDGE			0x4
#define ACPI_INTI_LEVEL			0xC


/* Generic Address Structure (ACPI 6.5, 5.2.3.2). */
struct acpi_gas {
	uint8_t space_id;		/* ACPI_GAS_SPACE_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;		/* ACPI_GAS_ACCESS_* */
	uint64_t address;
} __packed;

#define ACPI_GAS_SPACE_MEMORY		0
#define ACPI_GAS_SPACE_IO		1
#define ACPI_GAS_ACCESS_BYTE		1

/* Fixed ACPI Description Table, signature "FACP" (ACPI 6.5, 5.2.9, table 5.9). */
struct acpi_fadt {
	struct acpi_sdt_header header;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;	/* ACPI_FADT_BOOT_* */
	uint8_t reserved1;
	uint32_t flags;			/* ACPI_FADT_* */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __packed;

_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT of ACPI 6.5, table 5.9");

/* FADT IA-PC Boot Architecture Flags (ACPI 6.5, table 5.10). */
#define ACPI_FADT_BOOT_LEGACY_DEVICES	(1u << 0)
#define ACPI_FADT_BOOT_8042		(1u << 1)
#define ACPI_FADT_BOOT_NO_VGA		(1u << 2)
#define ACPI_FADT_BOOT_NO_MSI		(1u << 3)
#define ACPI_FADT_BOOT_NO_ASPM		(1u << 4)
#define ACPI_FADT_BOOT_NO_CMOS_RTC	(1u << 5)

/* FADT Fixed Feature Flags (ACPI 6.5, table 5.11). */
#define ACPI_FADT_WBINVD		(1u << 0)
#define ACPI_FADT_RESET_REG_SUP		(1u << 10)
#define ACPI_FADT_HW_REDUCED_ACPI	(1u << 20)

/*
 * The hardware-reduced sleep registers (ACPI 6.5, 4.8.3.7 and 4.8.3.8):
 * SLP_TYP and SLP_EN in the control register, WAK_STS in the status one.
 */
#define ACPI_SLEEP_TYP_SHIFT		2
#define ACPI_SLEEP_TYP_MASK		(0x7u << ACPI_SLEEP_TYP_SHIFT)
#define ACPI_SLEEP_EN			(1u << 5)
#define ACPI_SLEEP_WAK_STS		(1u << 7)

#endif
