/* SPDX-License-Identifier: MIT */
/* power: what the guest reads from its ACPI tables, as an OS finds them. */
#ifndef POWER_ACPI_H
#define POWER_ACPI_H

#include <stdbool.h>
#include <stdint.h>

struct acpi_found {
	uint32_t rsdp;			/* where the RSDP was */
	unsigned int lapics;		/* enabled Processor Local APIC entries in the MADT */
	uint16_t sleep_control;		/* FADT SLEEP_CONTROL_REG (I/O port) */
	uint16_t sleep_status;		/* FADT SLEEP_STATUS_REG (I/O port) */
	uint16_t reset_port;		/* FADT RESET_REG (I/O port) */
	uint8_t reset_value;
	uint8_t slp_typ_s5;		/* the DSDT's \_S5 SLP_TYPa */
};

/* Find and check the tables (each failure reported); true if all of @out is set. */
bool acpi_read(struct acpi_found *out);

#endif
