/* SPDX-License-Identifier: MIT */
/* Unit tests for drivers/vdev/vacpi.c: each table's fields and checksums, the DSDT's AML, errors, a round trip through drivers/host/acpi.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <tally/acpi.h>
#include <tally/errno.h>
#include <tally/string.h>
#include <tally/vacpi.h>
#include <tally/vplatform.h>

#include "shim.h"

#define RAM_BYTES	(2 * MIB)
#define CANARY		0xA5
#define WIN_END		(VPLATFORM_ACPI_BASE + VPLATFORM_ACPI_SIZE)
#define MADT_FIXED_LEN	(12 + 2 * 10 + 6)	/* I/O APIC, two overrides, NMI */

static uint8_t *ram;
static uint64_t rsdp_gpa;

static int setup(void **state)
{
	(void)state;
	ram = malloc(RAM_BYTES);
	assert_non_null(ram);
	memset(ram, CANARY, RAM_BYTES);
	rsdp_gpa = 0;
	shim_log_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static uint8_t sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* Nothing outside [VPLATFORM_ACPI_BASE, WIN_END) changed. */
static void assert_outside_untouched(void)
{
	for (uint64_t i = 0; i < RAM_BYTES; i++) {
		if (i == VPLATFORM_ACPI_BASE)
			i = WIN_END;
		if (i < RAM_BYTES && ram[i] != CANARY)
			fail_msg("byte 0x%llx outside the window changed", (unsigned long long)i);
	}
}

static int build(unsigned int vcpus, const struct vacpi_device *devs, unsigned int n)
{
	struct vacpi_config cfg = { .vcpu_count = vcpus, .devices = devs, .device_count = n };

	return vacpi_build(ram, RAM_BYTES, &cfg, &rsdp_gpa);
}

static const struct acpi_rsdp *rsdp(void)
{
	return (const void *)(ram + rsdp_gpa);
}

static const struct acpi_sdt_header *xsdt_entry(unsigned int i)
{
	uint64_t pa;

	memcpy(&pa, ram + rsdp()->xsdt_address + sizeof(struct acpi_sdt_header) + 8 * i, 8);
	assert_true(pa >= VPLATFORM_ACPI_BASE && pa < WIN_END);
	return (const void *)(ram + pa);
}

static const struct acpi_fadt *fadt(void)
{
	return (const void *)xsdt_entry(0);
}

static const struct acpi_madt *madt(void)
{
	return (const void *)xsdt_entry(1);
}

static const struct acpi_sdt_header *dsdt(void)
{
	return (const void *)(ram + fadt()->x_dsdt);
}

static void assert_header(const struct acpi_sdt_header *h, const char *sig, uint32_t len,
			  uint8_t rev)
{
	assert_memory_equal(h->signature, sig, 4);
	assert_int_equal(h->length, len);
	assert_int_equal(h->revision, rev);
	assert_int_equal(sum(h, h->length), 0);
	assert_memory_equal(h->oem_id, "TALLY ", 6);
	assert_memory_equal(h->oem_table_id, "TALLYVM ", 8);
	assert_int_equal((uintptr_t)h % 16, (uintptr_t)ram % 16);	/* 16-aligned in guest */
}

/* ---------------------------------------------------------------- tables */

static void test_rsdp(void **state)
{
	(void)state;
	assert_int_equal(build(1, NULL, 0), 0);
	assert_int_equal(rsdp_gpa, VPLATFORM_ACPI_BASE);
	assert_memory_equal(rsdp()->signature, "RSD PTR ", 8);
	assert_int_equal(rsdp()->revision, 2);
	assert_int_equal(rsdp()->length, 36);
	assert_int_equal(sum(rsdp(), 20), 0);
	assert_int_equal(sum(rsdp(), 36), 0);
	assert_int_equal(rsdp()->rsdt_address, 0);
	assert_int_equal(rsdp()->xsdt_address % 16, 0);
	assert_int_equal(acpi_rsdp_check(rsdp(), 36), 0);
	assert_outside_untouched();
}

static void test_xsdt(void **state)
{
	const struct acpi_sdt_header *x;

	(void)state;
	assert_int_equal(build(2, NULL, 0), 0);
	x = (const void *)(ram + rsdp()->xsdt_address);
	assert_header(x, "XSDT", 36 + 2 * 8, 1);
	assert_memory_equal(xsdt_entry(0)->signature, "FACP", 4);
	assert_memory_equal(xsdt_entry(1)->signature, "APIC", 4);
}

static void assert_io_byte_gas(const struct acpi_gas *g, uint16_t port)
{
	assert_int_equal(g->space_id, ACPI_GAS_SPACE_IO);
	assert_int_equal(g->bit_width, 8);
	assert_int_equal(g->bit_offset, 0);
	assert_int_equal(g->access_size, ACPI_GAS_ACCESS_BYTE);
	assert_int_equal(g->address, port);
}

static void test_fadt(void **state)
{
	const struct acpi_fadt *f;
	static const uint8_t zero_gas[12];

	(void)state;
	assert_int_equal(build(2, NULL, 0), 0);
	f = fadt();
	assert_header(&f->header, "FACP", 276, 6);
	assert_int_equal(f->minor_version, 4);
	assert_int_equal(f->flags, (1u << 0) | (1u << 10) | (1u << 20));	/* WBINVD, RESET_REG_SUP, HW_REDUCED */
	assert_int_equal(f->iapc_boot_arch, (1u << 2) | (1u << 3));	/* no VGA, no MSI; RTC present */
	assert_int_equal(f->sci_int, 9);
	assert_int_equal(f->dsdt, 0);
	assert_int_equal(f->firmware_ctrl, 0);
	assert_int_equal(f->x_firmware_ctrl, 0);
	assert_int_equal(f->smi_cmd, 0);
	assert_int_equal(f->pm1a_evt_blk, 0);
	assert_int_equal(f->pm1a_cnt_blk, 0);
	assert_int_equal(f->pm_tmr_blk, 0);
	assert_memory_equal(&f->x_pm1a_cnt_blk, zero_gas, 12);
	assert_io_byte_gas(&f->reset_reg, 0xCF9);
	assert_int_equal(f->reset_value, 0x06);
	assert_io_byte_gas(&f->sleep_control_reg, 0x600);
	assert_io_byte_gas(&f->sleep_status_reg, 0x601);
	assert_memory_equal(dsdt()->signature, "DSDT", 4);
}

static void assert_madt(unsigned int vcpus)
{
	const struct acpi_madt *m = madt();
	const uint8_t *e = (const uint8_t *)(m + 1);
	static const uint8_t tail[] = {
		1, 12, 0, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0,	/* I/O APIC 0 at 0xFEC00000, GSI 0 */
		2, 10, 0, 0, 2, 0, 0, 0, 0x00, 0x00,	/* ISA IRQ 0 -> GSI 2, conforming */
		2, 10, 0, 9, 9, 0, 0, 0, 0x0D, 0x00,	/* ISA IRQ 9 -> GSI 9, level, active high */
		4, 6, 0xFF, 0x05, 0x00, 1,		/* NMI on LINT1 of all, edge, high */
	};

	assert_header(&m->header, "APIC", 44 + 8 * vcpus + MADT_FIXED_LEN, 5);
	assert_int_equal(m->lapic_address, 0xFEE00000u);
	assert_int_equal(m->flags, 0);	/* no PCAT_COMPAT */
	for (unsigned int i = 0; i < vcpus; i++, e += 8) {
		const uint8_t want[8] = { 0, 8, (uint8_t)i, (uint8_t)i, 1, 0, 0, 0 };

		assert_memory_equal(e, want, 8);
	}
	assert_memory_equal(e, tail, sizeof(tail));
}

static void test_madt_1_2_8(void **state)
{
	static const unsigned int counts[] = { 1, 2, 8 };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(counts); i++) {
		assert_int_equal(build(counts[i], NULL, 0), 0);
		assert_madt(counts[i]);
		assert_outside_untouched();
	}
}

/* ---------------------------------------------------------------- DSDT AML */

/* \_S5 and \_SB.COM1, in the encoding ACPI 6.5 chapter 20 gives. */
static const uint8_t aml_s5[] = {
	0x08, '\\', '_', 'S', '5', '_',		/* Name(\_S5, */
	0x12, 0x08, 0x04,			/* Package(4) { */
	0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00,	/* 5, 5, Zero, Zero } */
};
static const uint8_t aml_com1[] = {
	0x5B, 0x82, 0x2B, 'C', 'O', 'M', '1',		/* Device(COM1) */
	0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x05, 0x01,	/* EisaId("PNP0501") */
	0x08, '_', 'U', 'I', 'D', 0x01,			/* One */
	0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0A, 0x0D,	/* Buffer(13) */
	0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08,	/* IO(Decode16, 0x3F8, 0x3F8, 1, 8) */
	0x22, 0x10, 0x00,				/* IRQNoFlags() {4} */
	0x79, 0x00,					/* EndTag */
};
static const uint8_t aml_vr00[] = {
	0x5B, 0x82, 0x3B, 'V', 'R', '0', '0',
	0x08, '_', 'H', 'I', 'D', 0x0D, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00,
	0x08, '_', 'U', 'I', 'D', 0x0A, 0x07,
	0x08, '_', 'C', 'R', 'S', 0x11, 0x1A, 0x0A, 0x17,
	0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xB0, 0xFE, 0x00, 0x02, 0x00, 0x00,	/* Memory32Fixed */
	0x89, 0x06, 0x00, 0x01, 0x01, 0x10, 0x00, 0x00, 0x00,	/* Interrupt(Consumer, Level, High) {16} */
	0x79, 0x00,
};

static const struct vacpi_device virtio0 = {
	.name = "VR00", .hid = "LNRO0005", .uid = 7, .mmio_count = 1,
	.mmio = { { 0xFEB00000, 0x200 } }, .has_irq = true, .gsi = 16, .level = true,
};

static void test_dsdt_com1_and_s5(void **state)
{
	const uint8_t *aml;
	static const uint8_t scope[] = { 0x10, 0x33, '\\', '_', 'S', 'B', '_' };

	(void)state;
	assert_int_equal(build(1, NULL, 0), 0);
	assert_header(dsdt(), "DSDT", 36 + sizeof(aml_s5) + sizeof(scope) + sizeof(aml_com1), 2);
	aml = (const uint8_t *)(dsdt() + 1);
	assert_memory_equal(aml, aml_s5, sizeof(aml_s5));
	assert_memory_equal(aml + sizeof(aml_s5), scope, sizeof(scope));
	assert_memory_equal(aml + sizeof(aml_s5) + sizeof(scope), aml_com1, sizeof(aml_com1));
}

static void test_dsdt_device_list(void **state)
{
	const uint8_t *aml;
	/* 111 bytes of scope body: a two-byte PkgLength of 113 (20.2.4). */
	static const uint8_t scope[] = { 0x10, 0x41, 0x07, '\\', '_', 'S', 'B', '_' };
	struct vacpi_device edge = virtio0;

	(void)state;
	assert_int_equal(build(2, &virtio0, 1), 0);
	assert_int_equal(dsdt()->length,
			 36 + sizeof(aml_s5) + sizeof(scope) + sizeof(aml_com1) + sizeof(aml_vr00));
	aml = (const uint8_t *)(dsdt() + 1) + sizeof(aml_s5);
	assert_memory_equal(aml, scope, sizeof(scope));
	aml += sizeof(scope) + sizeof(aml_com1);
	assert_memory_equal(aml, aml_vr00, sizeof(aml_vr00));
	assert_int_equal(sum(dsdt(), dsdt()->length), 0);

	/* Edge-triggered: the flags byte gains bit 1 (ACPI 6.5, 6.4.3.6). */
	edge.level = false;
	assert_int_equal(build(2, &edge, 1), 0);
	aml = (const uint8_t *)(dsdt() + 1) + sizeof(aml_s5) + sizeof(scope) + sizeof(aml_com1);
	assert_int_equal(aml[sizeof(aml_vr00) - 11 + 3], 0x03);
	assert_outside_untouched();
}

static void test_dsdt_device_without_irq(void **state)
{
	struct vacpi_device d = virtio0;
	const uint8_t *aml;

	(void)state;
	d.has_irq = false;
	d.mmio_count = 2;
	d.mmio[1] = (struct vacpi_mmio){ 0xFEB01000, 0x1000 };
	assert_int_equal(build(1, &d, 1), 0);
	/* After a scope header of 8 bytes: name, _HID, _UID, _CRS of 2 Memory32Fixed and the end. */
	aml = (const uint8_t *)(dsdt() + 1) + sizeof(aml_s5) + 8 + sizeof(aml_com1);
	assert_int_equal(aml[2], 1 + 4 + 15 + 7 + 5 + 1 + 1 + 2 + 12 * 2 + 2);
	assert_int_equal(aml[38], 0x86);
	assert_int_equal(aml[50], 0x86);
	assert_int_equal(aml[62], 0x79);
	assert_int_equal(aml[63], 0x00);
}

/* ---------------------------------------------------------------- round trip */

static const void *ram_read(uint64_t pa, uint64_t len, void *ctx)
{
	(void)ctx;
	if (pa + len < pa || pa + len > RAM_BYTES)
		return NULL;
	return ram + pa;
}

static void test_host_parser_round_trip(void **state)
{
	struct acpi_info info;
	uint64_t found;

	(void)state;
	memset(ram, 0, RAM_BYTES);	/* no EBDA pointer: the scan goes to 0xE0000 */
	assert_int_equal(build(8, &virtio0, 1), 0);
	assert_int_equal(acpi_find_rsdp(ram_read, NULL, &found), 0);
	assert_int_equal(found, VPLATFORM_ACPI_BASE);
	assert_int_equal(acpi_parse(ram + found, 36, ram_read, NULL, &info), 0);
	assert_int_equal(shim_log_count(LOG_WARN) + shim_log_count(LOG_ERR), 0);
	assert_int_equal(info.revision, 2);
	assert_true(info.xsdt);
	assert_int_equal(info.lapic_address, VPLATFORM_LAPIC_BASE);
	assert_int_equal(info.cpu_count, 8);
	for (unsigned int i = 0; i < 8; i++) {
		assert_int_equal(info.cpus[i].apic_id, i);
		assert_int_equal(info.cpus[i].acpi_uid, i);
	}
	assert_int_equal(info.ioapic_count, 1);
	assert_int_equal(info.ioapics[0].address, VPLATFORM_IOAPIC_BASE);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.override_count, 2);
	assert_int_equal(info.overrides[0].source, 0);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.overrides[0].flags, 0);
	assert_int_equal(info.overrides[1].source, 9);
	assert_int_equal(info.overrides[1].gsi, 9);
	assert_int_equal(info.overrides[1].flags, ACPI_INTI_ACTIVE_HIGH | ACPI_INTI_LEVEL);
	assert_int_equal(info.table_count, 3);	/* XSDT, FADT, MADT */
	assert_int_equal(info.tables[0].pa, rsdp()->xsdt_address);
	assert_int_equal(info.tables[1].len, 276);
}

/* ---------------------------------------------------------------- limits and errors */

static void test_largest_config_fits(void **state)
{
	static struct vacpi_device devs[VACPI_MAX_DEVICES];
	static char names[VACPI_MAX_DEVICES][5];

	(void)state;
	for (unsigned int i = 0; i < VACPI_MAX_DEVICES; i++) {
		snprintf(names[i], sizeof(names[i]), "D%03u", i % 1000);
		devs[i] = virtio0;
		devs[i].name = names[i];
		devs[i].uid = 0xFFFFFFFFu;
		devs[i].mmio_count = VACPI_DEVICE_MAX_MMIO;
		for (unsigned int m = 0; m < VACPI_DEVICE_MAX_MMIO; m++)
			devs[i].mmio[m] = (struct vacpi_mmio){ 0xFFFFF000, 0x1000 };
	}
	assert_int_equal(build(VACPI_MAX_VCPUS, devs, VACPI_MAX_DEVICES), 0);
	assert_madt(VACPI_MAX_VCPUS);
	assert_int_equal(sum(dsdt(), dsdt()->length), 0);
	assert_true((const uint8_t *)dsdt() + dsdt()->length <= ram + WIN_END);
	assert_outside_untouched();
}

static void assert_refused(int err, unsigned int vcpus, const struct vacpi_device *d,
			   unsigned int n)
{
	memset(ram, CANARY, RAM_BYTES);
	assert_int_equal(build(vcpus, d, n), err);
	for (uint64_t i = 0; i < RAM_BYTES; i++)	/* not a byte written */
		if (ram[i] != CANARY)
			fail_msg("byte 0x%llx written", (unsigned long long)i);
}

static void test_bad_arguments(void **state)
{
	struct vacpi_config cfg = { .vcpu_count = 1 };

	(void)state;
	assert_int_equal(vacpi_build(NULL, RAM_BYTES, &cfg, &rsdp_gpa), -EINVAL);
	assert_int_equal(vacpi_build(ram, RAM_BYTES, NULL, &rsdp_gpa), -EINVAL);
	assert_int_equal(vacpi_build(ram, RAM_BYTES, &cfg, NULL), -EINVAL);
	assert_int_equal(vacpi_build(ram, WIN_END - 1, &cfg, &rsdp_gpa), -EINVAL);
	assert_int_equal(vacpi_build(ram, WIN_END, &cfg, &rsdp_gpa), 0);
	cfg.device_count = 1;	/* devices missing */
	assert_int_equal(vacpi_build(ram, RAM_BYTES, &cfg, &rsdp_gpa), -EINVAL);
	assert_refused(-EINVAL, 0, NULL, 0);
	assert_refused(-EINVAL, VACPI_MAX_VCPUS + 1, NULL, 0);
	assert_refused(-EINVAL, 1, &virtio0, VACPI_MAX_DEVICES + 1);
}

static void test_bad_devices(void **state)
{
	static const char *bad_names[] = { NULL, "", "vr00", "0VR", "VR000", "V-R", "COM1" };
	static const char *bad_hids[] = { NULL, "", "lnro0005", "LNRO00050", "LNRO 005" };
	struct vacpi_device d, two[2] = { virtio0, virtio0 };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_names); i++) {
		d = virtio0;
		d.name = bad_names[i];
		assert_refused(-EINVAL, 1, &d, 1);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_hids); i++) {
		d = virtio0;
		d.hid = bad_hids[i];
		assert_refused(-EINVAL, 1, &d, 1);
	}
	assert_refused(-EINVAL, 1, two, 2);	/* the same name twice */
	d = virtio0;
	d.gsi = VPLATFORM_IOAPIC_PINS;
	assert_refused(-EINVAL, 1, &d, 1);
	d.has_irq = false;	/* the pin is ignored without an interrupt */
	assert_int_equal(build(1, &d, 1), 0);
	d = virtio0;
	d.mmio_count = VACPI_DEVICE_MAX_MMIO + 1;
	assert_refused(-EINVAL, 1, &d, 1);
	d.mmio_count = 1;
	d.mmio[0].size = 0;
	assert_refused(-EINVAL, 1, &d, 1);
	d.mmio[0] = (struct vacpi_mmio){ 0xFFFFF000, 0x1001 };	/* crosses 4 GiB */
	assert_refused(-EINVAL, 1, &d, 1);
	d.mmio[0] = (struct vacpi_mmio){ 0x100000000ull, 0x1000 };
	assert_refused(-EINVAL, 1, &d, 1);
	d.name = "A";	/* short names are padded with '_' */
	d.mmio[0] = (struct vacpi_mmio){ 0xFFFFF000, 0x1000 };
	assert_int_equal(build(1, &d, 1), 0);
}

/* A second build over the first leaves no trace of it (a restarted domain). */
static void test_rebuild_clears_window(void **state)
{
	(void)state;
	assert_int_equal(build(8, &virtio0, 1), 0);
	assert_int_equal(build(1, NULL, 0), 0);
	assert_madt(1);
	for (const uint8_t *p = (const uint8_t *)dsdt() + dsdt()->length; p < ram + WIN_END; p++)
		assert_int_equal(*p, 0);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rsdp),
		T(test_xsdt),
		T(test_fadt),
		T(test_madt_1_2_8),
		T(test_dsdt_com1_and_s5),
		T(test_dsdt_device_list),
		T(test_dsdt_device_without_irq),
		T(test_host_parser_round_trip),
		T(test_largest_config_fits),
		T(test_bad_arguments),
		T(test_bad_devices),
		T(test_rebuild_clears_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
