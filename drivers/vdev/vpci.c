/* SPDX-License-Identifier: MIT */
/* A minimal PCI host bridge behind configuration mechanism #1, so that an OS finds a bus.
 *
 * Design: Linux probes for PCI configuration access at boot and calls its
 * absence fatal; a host bridge on bus 0 is the deliberate answer, and the
 * bus the next issue's virtio-pci devices will sit on.  Bus 0 device 0
 * function 0 is a host bridge (class 06/00) with a read-only header: no
 * BARs, no interrupt, no capabilities; every other function reads all
 * ones, as an empty slot does (a master abort, PCI 3.0, 6.1).  Writes to
 * configuration space change nothing, as writes to read-only registers
 * do.  Only a 32-bit access to 0xCF8 is CONFIG_ADDRESS; narrower ones
 * there are ordinary I/O (0xCF9 is the reset register, vpm.c).
 * Locking: none; the address is one 32-bit word, stored and loaded
 * atomically, as the hardware register is a single one. */
#include <tally/domain.h>
#include <tally/vio.h>
#include <tally/vpci.h>

#define ALL_ONES		0xFFFFFFFFu
#define DWORD			4
#define BYTE_BITS		8
#define HOST_BRIDGE_DEVFN	0		/* device 0, function 0 */

uint32_t vpci_config_dword(unsigned int bus, unsigned int devfn, unsigned int reg)
{
	if (bus != 0 || devfn != HOST_BRIDGE_DEVFN || reg >= PCI_CONFIG_SPACE_SIZE)
		return ALL_ONES;
	switch (reg) {
	case PCI_VENDOR_ID:
		return (uint32_t)VPCI_HOST_DEVICE << 16 | VPCI_HOST_VENDOR;
	case PCI_CLASS_REVISION:
		return (uint32_t)PCI_CLASS_BRIDGE_HOST << 16;	/* prog-if 0, revision 0 */
	default:
		/* Command and status 0, header type 0 (one function), no BARs. */
		return 0;
	}
}

static uint32_t size_mask(unsigned int size)
{
	return size >= DWORD ? ALL_ONES : (1u << (BYTE_BITS * size)) - 1;
}

/* The dword CONFIG_ADDRESS selects: all ones with the enable bit clear (no configuration cycle). */
static uint32_t selected_dword(uint32_t address)
{
	if (!(address & PCI_CONFIG_ENABLE) || (address & PCI_CONFIG_RESERVED))
		return ALL_ONES;
	return vpci_config_dword((address >> PCI_CONFIG_BUS_SHIFT) & 0xFF,
				 (address >> PCI_CONFIG_DEVFN_SHIFT) & 0xFF,
				 address & PCI_CONFIG_REG_MASK);
}

uint32_t vpci_port_read(struct vpci *p, uint16_t port, unsigned int size)
{
	uint32_t address = __atomic_load_n(&p->address, __ATOMIC_RELAXED);
	unsigned int shift;

	if (port == PCI_CONFIG_ADDRESS_PORT)
		return size == DWORD ? address : size_mask(size);
	if (port < PCI_CONFIG_DATA_PORT || port >= PCI_CONFIG_DATA_PORT + PCI_CONFIG_DATA_PORTS)
		return size_mask(size);
	/* Bytes past 0xCFF belong to other ports: nothing answers there. */
	shift = BYTE_BITS * (port - PCI_CONFIG_DATA_PORT);
	return ((selected_dword(address) >> shift) | (shift ? ALL_ONES << (32 - shift) : 0)) &
	       size_mask(size);
}

void vpci_port_write(struct vpci *p, uint16_t port, unsigned int size, uint32_t value)
{
	/* Bits 1:0 are read-only 0 (PCI 3.0, 3.2.2.3.2); data writes hit read-only registers. */
	if (port == PCI_CONFIG_ADDRESS_PORT && size == DWORD)
		__atomic_store_n(&p->address, value & ~3u, __ATOMIC_RELAXED);
}

static uint32_t pci_read(struct vcpu *v, uint16_t port, unsigned int size)
{
	return vpci_port_read(&v->domain->pci, port, size);
}

static void pci_write(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value)
{
	vpci_port_write(&v->domain->pci, port, size, value);
}

static const struct vio_port_ops pci_ops = {
	.name = "pci",
	.read = pci_read,
	.write = pci_write,
};

int vpci_register(void)
{
	int err = vio_register_ports(PCI_CONFIG_ADDRESS_PORT, 1, &pci_ops);

	if (!err)
		err = vio_register_ports(PCI_CONFIG_DATA_PORT, PCI_CONFIG_DATA_PORTS, &pci_ops);
	return err;
}
