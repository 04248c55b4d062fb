/* SPDX-License-Identifier: MIT */
/* Unit tests: the virtual I/O APIC: registers, edge and level pins, Remote IRR, masking, EOI (drivers/vdev/vioapic.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/vioapic.h>

#include "shim.h"

#define PIN		4
#define VEC		0x34
#define DEST		2
#define LOW_RTE(pin)	(VIOAPIC_REG_REDIR + 2 * (pin))
#define HIGH_RTE(pin)	(VIOAPIC_REG_REDIR + 2 * (pin) + 1)

static uint32_t reg_rd(struct vioapic *io, uint32_t reg)
{
	assert_int_equal(vioapic_mmio_write(io, VIOAPIC_IOREGSEL, 4, reg), 0);
	return vioapic_mmio_read(io, VIOAPIC_IOWIN, 4);
}

static uint32_t reg_wr(struct vioapic *io, uint32_t reg, uint32_t val)
{
	vioapic_mmio_write(io, VIOAPIC_IOREGSEL, 4, reg);
	return vioapic_mmio_write(io, VIOAPIC_IOWIN, 4, val);
}

/* Program @pin: @low (vector, mode, trigger, mask) and destination @dest. */
static uint32_t program(struct vioapic *io, unsigned int pin, uint32_t low, uint8_t dest)
{
	reg_wr(io, HIGH_RTE(pin), (uint32_t)dest << 24);
	return reg_wr(io, LOW_RTE(pin), low);
}

static struct vioapic fresh(void)
{
	struct vioapic io;

	memset(&io, 0, sizeof(io));
	vioapic_init(&io, 0);
	return io;
}

static void test_reset_and_ids(void **state)
{
	struct vioapic io = fresh();

	(void)state;
	assert_int_equal(reg_rd(&io, VIOAPIC_REG_ID), 0);
	assert_int_equal(reg_rd(&io, VIOAPIC_REG_VERSION), (23u << 16) | 0x20);
	for (unsigned int p = 0; p < VIOAPIC_PINS; p++) {
		assert_int_equal(reg_rd(&io, LOW_RTE(p)), VIOAPIC_RTE_MASKED);
		assert_int_equal(reg_rd(&io, HIGH_RTE(p)), 0);
	}
	/* ID bits 27:24 writable; version and arbitration read-only. */
	reg_wr(&io, VIOAPIC_REG_ID, 0xFFFFFFFF);
	assert_int_equal(reg_rd(&io, VIOAPIC_REG_ID), 0x0F000000);
	assert_int_equal(reg_rd(&io, VIOAPIC_REG_ARB), 0x0F000000);
	reg_wr(&io, VIOAPIC_REG_VERSION, 0);
	assert_int_equal(reg_rd(&io, VIOAPIC_REG_VERSION), (23u << 16) | 0x20);
	/* Past the last entry and between ARB and the table: reserved, 0. */
	assert_int_equal(reg_rd(&io, LOW_RTE(VIOAPIC_PINS)), 0);
	assert_int_equal(reg_rd(&io, 0x05), 0);
	/* IOREGSEL keeps 8 bits; other sizes and offsets read 0. */
	vioapic_mmio_write(&io, VIOAPIC_IOREGSEL, 4, 0x1FF);
	assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_IOREGSEL, 4), 0xFF);
	assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_IOREGSEL, 1), 0);
	assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_EOIR, 4), 0);
	assert_int_equal(vioapic_mmio_read(&io, 0x20, 4), 0);
}

/* Writable bits only; Remote IRR and delivery status are read-only. */
static void test_entry_bits(void **state)
{
	struct vioapic io = fresh();

	(void)state;
	reg_wr(&io, LOW_RTE(PIN), 0xFFFFFFFF);
	assert_int_equal(reg_rd(&io, LOW_RTE(PIN)), 0x1AFFF);
	reg_wr(&io, HIGH_RTE(PIN), 0xFFFFFFFF);
	assert_int_equal(reg_rd(&io, HIGH_RTE(PIN)), 0xFF000000);
	assert_int_equal(reg_rd(&io, LOW_RTE(PIN)), 0x1AFFF);	/* the other half kept */
}

static void test_edge(void **state)
{
	struct vioapic io = fresh();
	struct vioapic_msg m;

	(void)state;
	assert_int_equal(program(&io, PIN, VEC, DEST), 0);
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 1u << PIN);
	assert_true(vioapic_fire(&io, PIN, &m));
	assert_int_equal(m.vector, VEC);
	assert_int_equal(m.dest, DEST);
	assert_int_equal(m.mode, VIOAPIC_MODE_FIXED);
	assert_false(m.level);
	assert_false(m.logical);
	/* Held high: no new edge; low then high again: one more. */
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 0);
	assert_int_equal(vioapic_set_irq(&io, PIN, false), 0);
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 1u << PIN);
	assert_int_equal(reg_rd(&io, LOW_RTE(PIN)) & VIOAPIC_RTE_REMOTE_IRR, 0);
	/* A masked edge is lost, and unmasking does not bring it back. */
	vioapic_set_irq(&io, PIN, false);
	program(&io, PIN, VEC | VIOAPIC_RTE_MASKED, DEST);
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 0);
	assert_int_equal(program(&io, PIN, VEC, DEST), 0);
	assert_int_equal(io.deliveries, 1);
}

/*
 * NMI delivery mode is edge-only whatever the trigger bit (82093AA 3.2.4):
 * a level-programmed NMI pin fires once per rising edge, never sets Remote
 * IRR (no EOI would clear it), and its message is not level-triggered.
 */
static void test_nmi_pin_is_edge(void **state)
{
	struct vioapic io = fresh();
	struct vioapic_msg m;
	uint32_t nmi_level = (VIOAPIC_MODE_NMI << VIOAPIC_RTE_MODE_SHIFT) | VIOAPIC_RTE_LEVEL;

	(void)state;
	assert_int_equal(program(&io, PIN, nmi_level, DEST), 0);
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 1u << PIN);
	assert_true(vioapic_fire(&io, PIN, &m));
	assert_int_equal(m.mode, VIOAPIC_MODE_NMI);
	assert_false(m.level);
	assert_int_equal(reg_rd(&io, LOW_RTE(PIN)) & VIOAPIC_RTE_REMOTE_IRR, 0);
	/* Held high: nothing more (a level pin would re-fire); a new edge: one more. */
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 0);
	assert_int_equal(vioapic_set_irq(&io, PIN, false), 0);
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 1u << PIN);
	assert_int_equal(reg_rd(&io, LOW_RTE(PIN)) & VIOAPIC_RTE_REMOTE_IRR, 0);
	assert_int_equal(vioapic_eoi(&io, 0), 0);	/* nothing in service to retire */
}

static void test_level_remote_irr_eoi(void **state)
{
	struct vioapic io = fresh();
	struct vioapic_msg m;
	uint32_t level = VEC | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_LOGICAL | (VIOAPIC_MODE_LOWEST << 8);

	(void)state;
	program(&io, PIN, level, 0x0C);
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 1u << PIN);
	assert_true(vioapic_fire(&io, PIN, &m));
	assert_true(m.level);
	assert_true(m.logical);
	assert_int_equal(m.mode, VIOAPIC_MODE_LOWEST);
	assert_int_equal(m.dest, 0x0C);
	assert_true(reg_rd(&io, LOW_RTE(PIN)) & VIOAPIC_RTE_REMOTE_IRR);
	/* In service: neither a re-assertion nor a second fire delivers. */
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 0);
	assert_false(vioapic_fire(&io, PIN, &m));
	/* A write of the entry keeps Remote IRR. */
	program(&io, PIN, level, 0x0C);
	assert_true(reg_rd(&io, LOW_RTE(PIN)) & VIOAPIC_RTE_REMOTE_IRR);
	/* EOI of another vector: nothing; of ours, still asserted: again. */
	assert_int_equal(vioapic_eoi(&io, VEC + 1), 0);
	assert_int_equal(vioapic_eoi(&io, VEC), 1u << PIN);
	assert_int_equal(reg_rd(&io, LOW_RTE(PIN)) & VIOAPIC_RTE_REMOTE_IRR, 0);
	assert_true(vioapic_fire(&io, PIN, &m));
	/* De-asserted by the device, then EOI through the EOI register: nothing more. */
	assert_int_equal(vioapic_set_irq(&io, PIN, false), 0);
	assert_int_equal(vioapic_mmio_write(&io, VIOAPIC_EOIR, 4, VEC), 0);
	assert_int_equal(reg_rd(&io, LOW_RTE(PIN)) & VIOAPIC_RTE_REMOTE_IRR, 0);
	assert_int_equal(io.deliveries, 2);
}

static void test_level_masking(void **state)
{
	struct vioapic io = fresh();
	struct vioapic_msg m;
	uint32_t level = VEC | VIOAPIC_RTE_LEVEL;

	(void)state;
	program(&io, PIN, level | VIOAPIC_RTE_MASKED, DEST);
	assert_int_equal(vioapic_set_irq(&io, PIN, true), 0);
	assert_false(vioapic_fire(&io, PIN, &m));
	/* Unmasking a pin still asserted delivers. */
	assert_int_equal(program(&io, PIN, level, DEST), 1u << PIN);
	assert_true(vioapic_fire(&io, PIN, &m));
	/* Masked while in service, EOI: nothing until unmasked. */
	program(&io, PIN, level | VIOAPIC_RTE_MASKED, DEST);
	assert_int_equal(vioapic_eoi(&io, VEC), 0);
	assert_int_equal(program(&io, PIN, level, DEST), 1u << PIN);
	/* Unmasking a pin no longer asserted: nothing. */
	assert_true(vioapic_fire(&io, PIN, &m));
	vioapic_set_irq(&io, PIN, false);
	vioapic_eoi(&io, VEC);
	program(&io, PIN, level | VIOAPIC_RTE_MASKED, DEST);
	assert_int_equal(program(&io, PIN, level, DEST), 0);
}

/* Switching a level pin in service to edge clears Remote IRR. */
static void test_level_to_edge(void **state)
{
	struct vioapic io = fresh();
	struct vioapic_msg m;

	(void)state;
	program(&io, PIN, VEC | VIOAPIC_RTE_LEVEL, DEST);
	vioapic_set_irq(&io, PIN, true);
	assert_true(vioapic_fire(&io, PIN, &m));
	program(&io, PIN, VEC, DEST);
	assert_int_equal(reg_rd(&io, LOW_RTE(PIN)) & VIOAPIC_RTE_REMOTE_IRR, 0);
}

/* Pins beyond the table and stray sizes are ignored. */
static void test_bad_inputs(void **state)
{
	struct vioapic io = fresh();
	struct vioapic before;
	struct vioapic_msg m;

	(void)state;
	before = io;
	assert_int_equal(vioapic_set_irq(&io, VIOAPIC_PINS, true), 0);
	assert_int_equal(vioapic_set_irq(&io, ~0u, true), 0);
	assert_false(vioapic_fire(&io, VIOAPIC_PINS, &m));
	assert_int_equal(vioapic_mmio_write(&io, VIOAPIC_IOWIN, 2, 0), 0);
	assert_int_equal(vioapic_mmio_write(&io, 0x800, 4, 0), 0);
	assert_memory_equal(&before, &io, sizeof(io));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_and_ids),
		cmocka_unit_test(test_entry_bits),
		cmocka_unit_test(test_edge),
		cmocka_unit_test(test_nmi_pin_is_edge),
		cmocka_unit_test(test_level_remote_irr_eoi),
		cmocka_unit_test(test_level_masking),
		cmocka_unit_test(test_level_to_edge),
		cmocka_unit_test(test_bad_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
