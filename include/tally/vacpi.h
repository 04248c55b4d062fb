/* SPDX-License-Identifier: MIT */
/*
 * Per-domain ACPI tables: the firmware tables an OS reads to find the
 * vCPUs, the interrupt controllers, the power registers and the devices
 * of Tally's virtual platform (tally/vplatform.h, docs/PLATFORM.md).
 */
#ifndef TALLY_VACPI_H
#define TALLY_VACPI_H

#include <tally/types.h>

#define VACPI_MAX_VCPUS		255	/* xAPIC IDs 0..254 in MADT entries; 0xFF names none */
#define VACPI_MAX_DEVICES	32
#define VACPI_DEVICE_MAX_MMIO	4
#define VACPI_HID_MAX		8	/* an ACPI ID ("LNRO0005") or a PNP ID */

/* One MMIO range a device decodes; below 4 GiB (a Memory32Fixed descriptor). */
struct vacpi_mmio {
	uint64_t base;
	uint64_t size;
};

/* A device the DSDT describes under \_SB, after COM1. */
struct vacpi_device {
	const char *name;		/* its ACPI NameSeg: 1-4 of [A-Z0-9_], not a digit first */
	const char *hid;		/* _HID string, e.g. "LNRO0005" for virtio-mmio */
	uint32_t uid;			/* _UID */
	struct vacpi_mmio mmio[VACPI_DEVICE_MAX_MMIO];
	unsigned int mmio_count;
	bool has_irq;
	unsigned int gsi;		/* I/O APIC pin, < VPLATFORM_IOAPIC_PINS */
	bool level;			/* level-triggered (else edge), active high */
};

/* What a domain's tables describe. */
struct vacpi_config {
	unsigned int vcpu_count;	/* local APIC IDs 0 .. vcpu_count - 1 */
	const struct vacpi_device *devices;
	unsigned int device_count;
};

/*
 * Write the RSDP (at VPLATFORM_ACPI_BASE), XSDT, FADT, MADT and DSDT for
 * @cfg into [VPLATFORM_ACPI_BASE, +VPLATFORM_ACPI_SIZE) of the guest RAM
 * @ram (host view of guest-physical 0 .. @ram_bytes), and nothing outside
 * it.  Returns 0 with *@rsdp_gpa set; -EINVAL for a bad configuration or
 * RAM too small for the window; -ENOSPC if the tables do not fit.
 */
int vacpi_build(uint8_t *ram, uint64_t ram_bytes, const struct vacpi_config *cfg,
		uint64_t *rsdp_gpa);

#endif
