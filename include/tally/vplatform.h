/* SPDX-License-Identifier: MIT */
/*
 * The virtual PC every domain sees: where its devices and firmware tables
 * live, once, by name.  The loaders, the ACPI table generator and the
 * device models all read these; docs/PLATFORM.md is the table a guest
 * author reads.
 *
 * Guest-physical layout:
 *   [0, VPLATFORM_EBDA_BASE)                 RAM (usable)
 *   [VPLATFORM_EBDA_BASE, 1 MiB)              RAM reported reserved: the
 *                                             ACPI tables live in
 *                                             [VPLATFORM_ACPI_BASE, +VPLATFORM_ACPI_SIZE)
 *   [1 MiB, RAM end)                          RAM (usable)
 *   [VPLATFORM_DEVICE_BASE, 4 GiB)            device window: never RAM, the
 *                                             I/O APIC and local APIC pages
 *                                             are emulated (MMIO exits)
 */
#ifndef TALLY_VPLATFORM_H
#define TALLY_VPLATFORM_H

#include <tally/types.h>

/* Low memory, as a PC BIOS reports it. */
#define VPLATFORM_EBDA_BASE	0x9FC00ull	/* conventional memory ends: 639 KiB */
#define VPLATFORM_HIGH_MEMORY	0x100000ull	/* 1 MiB */

/* ACPI tables: the RSDP first, where an OS scans for it (ACPI 6.4, 5.2.5.1). */
#define VPLATFORM_ACPI_BASE	0xE0000ull
#define VPLATFORM_ACPI_SIZE	0x10000ull

/* The device window below 4 GiB: no RAM is mapped there. */
#define VPLATFORM_DEVICE_BASE	0xFEC00000ull
#define VPLATFORM_DEVICE_END	0x100000000ull
#define VPLATFORM_IOAPIC_BASE	0xFEC00000ull	/* I/O APIC, one page */
#define VPLATFORM_IOAPIC_ID	0		/* its ID in the MADT (I/O APIC IDs are their own space) */
#define VPLATFORM_IOAPIC_PINS	24
#define VPLATFORM_LAPIC_BASE	0xFEE00000ull	/* each vCPU's local APIC page (xAPIC mode) */
#define VPLATFORM_VIRTIO_BASE	0xFED00000ull	/* virtio-mmio slots (drivers/vdev/virtio_mmio.c) */
#define VPLATFORM_VIRTIO_SLOT_SIZE 0x1000ull	/* one page per device */
#define VPLATFORM_VIRTIO_SLOTS	2
#define VPLATFORM_VIRTIO_NET_SLOT 0		/* the NIC, with `net=` */
#define VPLATFORM_VIRTIO_BLK_SLOT 1		/* the disk, with `disk=` or `disk_of=` */
#define VPLATFORM_MMIO_TEST_BASE 0xFEF00000ull	/* the MMIO test device, with Tally's `mmio_test` only */

/* Ports. */
#define VPLATFORM_RTC_PORT	0x70		/* CMOS index, data at +1 */
#define VPLATFORM_KBC_PORT	0x64		/* keyboard controller: 0xFE pulses reset */
#define VPLATFORM_UART_PORT	0x3F8		/* COM1 */
#define VPLATFORM_FWCFG_PORT	0x510		/* QEMU fw_cfg selector, data at +1 */
#define VPLATFORM_PM_PORT	0x600		/* ACPI sleep control (+0) and status (+1) */
#define VPLATFORM_RESET_PORT	0xCF9		/* reset control register; FADT RESET_REG */
#define VPLATFORM_RESET_VALUE	0x06		/* full reset, as the FADT tells the OS */

/* ISA interrupts on the I/O APIC (identity-mapped GSIs, but IRQ 0 on GSI 2). */
#define VPLATFORM_TIMER_IRQ	0		/* ISA IRQ 0 (the PIT's) ... */
#define VPLATFORM_TIMER_GSI	2		/* ... arrives on GSI 2: a MADT override */
#define VPLATFORM_UART_GSI	4
#define VPLATFORM_RTC_GSI	8
#define VPLATFORM_VIRTIO_GSI	16		/* + slot: level-triggered, active high */
#define VPLATFORM_SCI_GSI	9		/* the FADT's SCI_INT; no event raises it */

/* The S5 (soft-off) sleep type the DSDT's \_S5 object gives the OS. */
#define VPLATFORM_SLP_TYP_S5	5

#endif
