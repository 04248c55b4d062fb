/* SPDX-License-Identifier: MIT */
/* Unit tests: ISA IRQs through MADT overrides to I/O APIC entries (arch/x86_64/host/ioapic_route.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/ioapic.h>
#include <tally/errno.h>

/* The overrides QEMU's and Bochs' tables carry: the PIT on GSI 2, SCI level triggered. */
static struct acpi_info pc_tables(void)
{
	struct acpi_info a = { 0 };

	a.overrides[a.override_count++] = (struct acpi_override){ 0, 2, 0 };
	a.overrides[a.override_count++] =
		(struct acpi_override){ 9, 9, ACPI_INTI_ACTIVE_HIGH | ACPI_INTI_LEVEL };
	return a;
}

static void expect_route(const struct acpi_info *a, unsigned int irq, uint32_t gsi,
			 bool active_low, bool level)
{
	struct ioapic_isa_route r;

	assert_int_equal(ioapic_isa_route(a, irq, &r), 0);
	assert_int_equal(r.gsi, gsi);
	assert_int_equal(r.active_low, active_low);
	assert_int_equal(r.level, level);
}

/* No override: the ISA IRQ is the GSI of the same number, edge, active high. */
static void test_identity(void **state)
{
	struct acpi_info none = { 0 }, pc = pc_tables();

	(void)state;
	expect_route(&none, 3, 3, false, false);
	expect_route(&none, 4, 4, false, false);
	expect_route(&pc, 3, 3, false, false);
	expect_route(&pc, 15, 15, false, false);
}

static void test_overrides(void **state)
{
	struct acpi_info a = pc_tables();

	(void)state;
	expect_route(&a, 0, 2, false, false);
	expect_route(&a, 9, 9, false, true);
	/* A UART moved and inverted by the firmware. */
	a.overrides[a.override_count++] =
		(struct acpi_override){ 3, 20, ACPI_INTI_ACTIVE_LOW | ACPI_INTI_LEVEL };
	expect_route(&a, 3, 20, true, true);
	a.overrides[a.override_count++] =
		(struct acpi_override){ 4, 4, ACPI_INTI_ACTIVE_HIGH | ACPI_INTI_EDGE };
	expect_route(&a, 4, 4, false, false);
}

static void test_refused(void **state)
{
	struct acpi_info a = pc_tables();
	struct ioapic_isa_route r;

	(void)state;
	/* GSI 2 belongs to IRQ 0 now: IRQ 2 has nowhere to go. */
	assert_int_equal(ioapic_isa_route(&a, 2, &r), -EBUSY);
	assert_int_equal(ioapic_isa_route(&a, 16, &r), -EINVAL);
	assert_int_equal(ioapic_isa_route(&a, ~0u, &r), -EINVAL);
	/* The reserved polarity (10b) and trigger (10b) encodings. */
	a.overrides[a.override_count++] = (struct acpi_override){ 3, 3, 0x2 };
	assert_int_equal(ioapic_isa_route(&a, 3, &r), -EINVAL);
	a.overrides[a.override_count - 1].flags = 0x8;
	assert_int_equal(ioapic_isa_route(&a, 3, &r), -EINVAL);
}

static void test_rte(void **state)
{
	struct ioapic_isa_route isa = { 3, false, false }, inverted = { 20, true, true };
	uint64_t rte = ~0ull;

	(void)state;
	/* Fixed delivery, physical destination, unmasked: only the vector and the APIC ID. */
	assert_int_equal(ioapic_rte(&isa, 0x30, 0, &rte), 0);
	assert_int_equal(rte, 0x30);
	assert_int_equal(ioapic_rte(&isa, 0x31, 7, &rte), 0);
	assert_int_equal(rte, 0x0700000000000031ull);
	assert_int_equal(ioapic_rte(&inverted, 0xFE, IOAPIC_RTE_DEST_MAX, &rte), 0);
	assert_int_equal(rte, 0xFE0000000000A0FEull);
	assert_false(rte & IOAPIC_RTE_MASKED);
}

/* 0xFF is the broadcast ID, and x2APIC IDs do not fit the 8-bit field. */
static void test_rte_destination_range(void **state)
{
	struct ioapic_isa_route isa = { 3, false, false };
	uint64_t rte = 0x1234;

	(void)state;
	assert_int_equal(ioapic_rte(&isa, 0x30, 0xFF, &rte), -ERANGE);
	assert_int_equal(ioapic_rte(&isa, 0x30, 0x100, &rte), -ERANGE);
	assert_int_equal(ioapic_rte(&isa, 0x30, UINT32_MAX, &rte), -ERANGE);
	assert_int_equal(rte, 0x1234);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rte),
		cmocka_unit_test(test_rte_destination_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
