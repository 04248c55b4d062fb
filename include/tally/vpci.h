/* SPDX-License-Identifier: MIT */
/* A minimal PCI host bridge: configuration mechanism #1, bus 0 device 0 only (docs/PLATFORM.md). */
#ifndef TALLY_VPCI_H
#define TALLY_VPCI_H

#include <tally/types.h>

/* Configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2). */
#define PCI_CONFIG_ADDRESS_PORT	0xCF8	/* 32-bit accesses only */
#define PCI_CONFIG_DATA_PORT	0xCFC	/* 0xCFC-0xCFF: bytes of the addressed dword */
#define PCI_CONFIG_DATA_PORTS	4
#define PCI_CONFIG_ENABLE	(1u << 31)
#define PCI_CONFIG_RESERVED	(0x7Fu << 24)	/* bits 30:24 (AMD's extended registers: none here) */
#define PCI_CONFIG_BUS_SHIFT	16
#define PCI_CONFIG_DEVFN_SHIFT	8		/* device 15:11, function 10:8 */
#define PCI_CONFIG_REG_MASK	0xFCu		/* bits 7:2: the dword; 1:0 read as 0 */
#define PCI_CONFIG_SPACE_SIZE	256

/* Configuration header registers (PCI 3.0, 6.1, type 0 header). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_CLASS_REVISION	0x08	/* revision 7:0, prog-if 15:8, sub-class 23:16, class 31:24 */
#define PCI_HEADER_TYPE		0x0E
#define PCI_CLASS_BRIDGE_HOST	0x0600	/* class 06 (bridge), sub-class 00 (host) */

/* The host bridge's IDs: Red Hat's generic host bridge, which no OS applies chipset quirks to. */
#define VPCI_HOST_VENDOR	0x1B36
#define VPCI_HOST_DEVICE	0x0008

/* One per domain (struct domain.pci), zero at creation as after reset. */
struct vpci {
	uint32_t address;	/* CONFIG_ADDRESS as written; any vCPU, atomically */
};

/* Dword @reg (a multiple of 4) of bus @bus device/function @devfn: all ones where no function is. */
uint32_t vpci_config_dword(unsigned int bus, unsigned int devfn, unsigned int reg);

/* IN of @size bytes from @port (0xCF8 or 0xCFC-0xCFF) of @p's domain. */
uint32_t vpci_port_read(struct vpci *p, uint16_t port, unsigned int size);

/* OUT of @size bytes of @value to @port of @p's domain: the address, or a write dropped. */
void vpci_port_write(struct vpci *p, uint16_t port, unsigned int size, uint32_t value);

/* Claim the configuration ports, at boot: 0 or vio_register_ports()'s error. */
int vpci_register(void);

#endif
