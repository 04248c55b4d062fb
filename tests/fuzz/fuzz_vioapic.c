/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a domain's virtual I/O APIC: register accesses, input lines, EOIs (drivers/vdev/vioapic.c).
 *
 * Input: operations, each an op byte (low bits: the operation) and a
 * second byte, then for stores a 32-bit value.  After each one: entries
 * hold only writable bits and Remote IRR (only on level entries), loads
 * change nothing, every pin reported due fires, and a pin fires only when
 * due by the rules (unmasked; edge, or level asserted and not in service).
 */
#include <string.h>

#include <tally/vioapic.h>

#include "harness.h"
#include "shim.h"

enum op {
	OP_LINE,	/* byte: pin (bits 4:0) and level (bit 7) */
	OP_STORE,	/* byte: offset (0, 0x10 or 0x40 by bits 1:0; else raw), value */
	OP_LOAD,	/* byte: offset as for OP_STORE */
	OP_EOI,		/* byte: vector (the local APIC's broadcast) */
	OP_SELECT,	/* byte: IOREGSEL, then a store of the value to IOWIN */
	OP_COUNT
};

#define OP_KIND		0x07
#define PIN_MASK	0x1F
#define LEVEL_BIT	0x80
#define MAX_OPS		96

static struct vioapic io;

static uint32_t offset_of(uint32_t b)
{
	static const uint32_t offsets[] = { VIOAPIC_IOREGSEL, VIOAPIC_IOWIN, VIOAPIC_EOIR };

	return (b & 3) < 3 ? offsets[b & 3] : b;
}

static void check_state(const struct vioapic *a)
{
	for (unsigned int p = 0; p < VIOAPIC_PINS; p++) {
		uint64_t e = a->redir[p];

		FUZZ_CHECK(!(e & ~(VIOAPIC_RTE_WRITABLE | VIOAPIC_RTE_REMOTE_IRR)));
		FUZZ_CHECK(!(e & VIOAPIC_RTE_REMOTE_IRR) || (e & VIOAPIC_RTE_LEVEL));
	}
	FUZZ_CHECK(!(a->asserted >> VIOAPIC_PINS) && !(a->id & ~VIOAPIC_ID_MASK));
	FUZZ_CHECK(a->regsel <= VIOAPIC_REGSEL_MASK);
}

/* The model's trigger mode: NMI delivery is edge-only whatever the trigger bit (82093AA, IOREDTBL). */
static bool model_level(uint64_t e)
{
	return (e & VIOAPIC_RTE_LEVEL) &&
	       ((e & VIOAPIC_RTE_MODE) >> VIOAPIC_RTE_MODE_SHIFT) != VIOAPIC_MODE_NMI;
}

/* Fire every pin in @due: each must go, and a level one is then in service. */
static void fire_all(uint32_t due)
{
	struct vioapic_msg m;

	FUZZ_CHECK(!(due >> VIOAPIC_PINS));
	for (unsigned int p = 0; p < VIOAPIC_PINS; p++) {
		uint64_t e = io.redir[p];

		if (!(due & (1u << p)))
			continue;
		FUZZ_CHECK(!(e & VIOAPIC_RTE_MASKED));
		FUZZ_CHECK(vioapic_fire(&io, p, &m));
		FUZZ_CHECK(m.vector == (e & VIOAPIC_RTE_VECTOR) && m.level == model_level(e));
		if (m.level)
			FUZZ_CHECK((io.redir[p] & VIOAPIC_RTE_REMOTE_IRR) && !vioapic_fire(&io, p, &m));
	}
}

static void op_line(uint32_t b)
{
	unsigned int pin = b & PIN_MASK;
	bool level = b & LEVEL_BIT;
	bool was = pin < VIOAPIC_PINS && (io.asserted & (1u << pin));
	uint64_t e = pin < VIOAPIC_PINS ? io.redir[pin] : 0;
	uint32_t due = vioapic_set_irq(&io, pin, level);

	FUZZ_CHECK(!due || due == 1u << pin);
	if (due && !model_level(e))
		FUZZ_CHECK(level && !was);	/* an edge only on the rise */
	if (due && model_level(e))
		FUZZ_CHECK(level && !(e & VIOAPIC_RTE_REMOTE_IRR));
	fire_all(due);
}

static void op_load(uint32_t offset)
{
	struct vioapic before = io;

	(void)vioapic_mmio_read(&io, offset, 4);
	FUZZ_CHECK(!memcmp(&before, &io, sizeof(io)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	vioapic_init(&io, 0);
	for (unsigned int i = 0; i < MAX_OPS && in.size; i++) {
		unsigned int op = fuzz_take(&in, 1);
		uint32_t b = fuzz_take(&in, 1);

		switch ((op & OP_KIND) % OP_COUNT) {
		case OP_LINE:
			op_line(b);
			break;
		case OP_STORE:
			fire_all(vioapic_mmio_write(&io, offset_of(b), 4, (uint32_t)fuzz_take(&in, 4)));
			break;
		case OP_LOAD:
			op_load(offset_of(b));
			break;
		case OP_EOI:
			fire_all(vioapic_eoi(&io, (uint8_t)b));
			break;
		default:
			vioapic_mmio_write(&io, VIOAPIC_IOREGSEL, 4, b);
			fire_all(vioapic_mmio_write(&io, VIOAPIC_IOWIN, 4, (uint32_t)fuzz_take(&in, 4)));
			break;
		}
		check_state(&io);
	}
	return 0;
}
