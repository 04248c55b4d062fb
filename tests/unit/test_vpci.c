/* SPDX-License-Identifier: MIT */
/* Unit tests: the PCI host bridge and configuration mechanism #1 (drivers/vdev/vpci.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/vio.h>
#include <tally/vpci.h>

#include "shim.h"

void arch_cpu_relax(void)
{
}

#define CFG(bus, dev, fn, reg) \
	(PCI_CONFIG_ENABLE | (bus) << 16 | (dev) << 11 | (fn) << 8 | (reg))

static uint32_t cfg_read(struct vpci *p, uint32_t address, unsigned int offset, unsigned int size)
{
	vpci_port_write(p, PCI_CONFIG_ADDRESS_PORT, 4, address);
	return vpci_port_read(p, (uint16_t)(PCI_CONFIG_DATA_PORT + offset), size);
}

static void test_host_bridge_header(void **state)
{
	struct vpci p = { 0 };

	(void)state;
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0x00), 0, 4), 0x00081B36);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0x00), 0, 2), 0x1B36);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0x00), 2, 2), 0x0008);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0x08), 0, 4), 0x06000000);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0x08), 2, 2), PCI_CLASS_BRIDGE_HOST);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0x08), 3, 1), 0x06);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, PCI_COMMAND), 0, 4), 0);	/* command, status */
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0x0C), 2, 1), 0);		/* header type 0 */
	for (unsigned int bar = 0x10; bar <= 0x24; bar += 4)
		assert_int_equal(cfg_read(&p, CFG(0, 0, 0, bar), 0, 4), 0);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0xFC), 0, 4), 0);
}

/* What Linux's pci_check_type1() does: the address register reads back. */
static void test_address_register(void **state)
{
	struct vpci p = { 0 };

	(void)state;
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_ADDRESS_PORT, 4), 0);	/* at reset */
	vpci_port_write(&p, PCI_CONFIG_ADDRESS_PORT, 4, 0x80000000);
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_ADDRESS_PORT, 4), 0x80000000);
	vpci_port_write(&p, PCI_CONFIG_ADDRESS_PORT, 4, 0x80FFFFFF);	/* bits 1:0 read 0 */
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_ADDRESS_PORT, 4), 0x80FFFFFC);
	/* A byte or word at 0xCF8 is not CONFIG_ADDRESS: dropped, reads all ones. */
	vpci_port_write(&p, PCI_CONFIG_ADDRESS_PORT, 1, 0);
	vpci_port_write(&p, PCI_CONFIG_ADDRESS_PORT, 2, 0);
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_ADDRESS_PORT, 4), 0x80FFFFFC);
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_ADDRESS_PORT, 1), 0xFF);
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_ADDRESS_PORT, 2), 0xFFFF);
}

static void test_empty_functions(void **state)
{
	struct vpci p = { 0 };

	(void)state;
	assert_int_equal(cfg_read(&p, CFG(0, 1, 0, 0), 0, 4), 0xFFFFFFFF);
	assert_int_equal(cfg_read(&p, CFG(0, 31, 7, 0), 0, 4), 0xFFFFFFFF);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 1, 0), 0, 4), 0xFFFFFFFF);	/* function 1 */
	assert_int_equal(cfg_read(&p, CFG(1, 0, 0, 0), 0, 4), 0xFFFFFFFF);	/* bus 1 */
	assert_int_equal(cfg_read(&p, CFG(255, 0, 0, 0), 0, 2), 0xFFFF);
	/* Enable clear: no configuration cycle. */
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0) & ~PCI_CONFIG_ENABLE, 0, 4), 0xFFFFFFFF);
	/* Reserved bits 30:24 (AMD's extended register number): no such register. */
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0) | 1u << 24, 0, 4), 0xFFFFFFFF);
	assert_int_equal(vpci_config_dword(0, 0, 256), 0xFFFFFFFF);
}

/* Offsets within the data window, and a dword that runs past 0xCFF. */
static void test_data_offsets(void **state)
{
	struct vpci p = { 0 };

	(void)state;
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0), 1, 1), 0x1B);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0), 3, 1), 0x00);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0), 1, 2), 0x081B);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0), 2, 4), 0xFFFF0008);
	assert_int_equal(cfg_read(&p, CFG(0, 0, 0, 0), 3, 4), 0xFFFFFF00);
	assert_int_equal(vpci_port_read(&p, 0xCFA, 1), 0xFF);	/* not ours */
}

/* Writes to the read-only header change nothing; the address survives them. */
static void test_writes_ignored(void **state)
{
	struct vpci p = { 0 };

	(void)state;
	vpci_port_write(&p, PCI_CONFIG_ADDRESS_PORT, 4, CFG(0, 0, 0, 0x10));
	vpci_port_write(&p, PCI_CONFIG_DATA_PORT, 4, 0xFFFFFFFF);	/* BAR sizing */
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_DATA_PORT, 4), 0);
	vpci_port_write(&p, PCI_CONFIG_ADDRESS_PORT, 4, CFG(0, 0, 0, PCI_COMMAND));
	vpci_port_write(&p, PCI_CONFIG_DATA_PORT, 2, 0x7);
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_DATA_PORT, 2), 0);
	vpci_port_write(&p, PCI_CONFIG_ADDRESS_PORT, 4, CFG(0, 0, 0, 0));
	vpci_port_write(&p, PCI_CONFIG_DATA_PORT, 4, 0x12345678);
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_DATA_PORT, 4), 0x00081B36);
	assert_int_equal(vpci_port_read(&p, PCI_CONFIG_ADDRESS_PORT, 4), CFG(0, 0, 0, 0));
}

/* Through the port table: both ranges claimed, 0xCF9 left to the reset register. */
static void test_registered_ports(void **state)
{
	struct domain d = { 0 };
	struct vcpu v = { .domain = &d };

	(void)state;
	vio_reset();
	assert_int_equal(vpci_register(), 0);
	vio_port_out(&v, PCI_CONFIG_ADDRESS_PORT, 4, 0x80000000);
	assert_int_equal(vio_port_in(&v, PCI_CONFIG_ADDRESS_PORT, 4), 0x80000000);
	assert_int_equal(vio_port_in(&v, 0xCFE, 2), 0x0008);
	assert_int_equal(d.io_unhandled, 0);
	assert_int_equal(vio_port_in(&v, 0xCF9, 1), 0xFF);	/* unclaimed here */
	assert_int_equal(d.io_unhandled, 1);
	assert_int_equal(vpci_register(), -EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_bridge_header),
		cmocka_unit_test(test_address_register),
		cmocka_unit_test(test_empty_functions),
		cmocka_unit_test(test_data_offsets),
		cmocka_unit_test(test_writes_ignored),
		cmocka_unit_test(test_registered_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
