/* SPDX-License-Identifier: MIT */
/* The virtual I/O APIC: registers, redirection table, edge and level pins (see tally/vioapic.h). */
#include <tally/vioapic.h>

/*
 * Choices where the datasheets leave room:
 * - An edge on a masked pin is lost (the ICH I/O APIC's behaviour); a
 *   level pin still asserted when unmasked delivers then.
 * - Delivery status always reads idle: messages reach the local APICs at
 *   once.  Remote IRR is set when a level pin's message is sent, whatever
 *   the APICs made of it, and cleared by an EOI with its vector (the local
 *   APIC's broadcast or the EOI register), or by the entry becoming edge.
 * - Accesses other than 32-bit ones at IOREGSEL, IOWIN or EOI are dropped
 *   (stores) or read 0 (82093AA 3.0: the registers are 32 bits wide).
 */

#define REG_BYTES	4
#define HALF_SHIFT	32
#define LOW_HALF	0xFFFFFFFFull

static uint64_t pin_bit(unsigned int pin)
{
	return 1ull << pin;
}

void vioapic_init(struct vioapic *io, uint32_t id)
{
	*io = (struct vioapic){ .id = (id << VIOAPIC_ID_SHIFT) & VIOAPIC_ID_MASK };
	for (unsigned int i = 0; i < VIOAPIC_PINS; i++)
		io->redir[i] = VIOAPIC_RTE_MASKED;
}

/*
 * Is entry @e level-triggered?  Not in NMI delivery mode, which the
 * 82093AA datasheet (3.2.4, IOREDTBL) defines as edge-only whatever the
 * trigger bit: an NMI has no EOI that would clear Remote IRR.
 */
static bool rte_level(uint64_t e)
{
	return (e & VIOAPIC_RTE_LEVEL) &&
	       ((e & VIOAPIC_RTE_MODE) >> VIOAPIC_RTE_MODE_SHIFT) != VIOAPIC_MODE_NMI;
}

/* A level pin asks for service while asserted, unmasked and not in service. */
static bool level_due(const struct vioapic *io, unsigned int pin)
{
	uint64_t e = io->redir[pin];

	return rte_level(e) && !(e & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR)) &&
	       (io->asserted & pin_bit(pin));
}

uint32_t vioapic_set_irq(struct vioapic *io, unsigned int pin, bool asserted)
{
	bool was;

	if (pin >= VIOAPIC_PINS)
		return 0;
	was = io->asserted & pin_bit(pin);
	if (asserted)
		io->asserted |= (uint32_t)pin_bit(pin);
	else
		io->asserted &= (uint32_t)~pin_bit(pin);
	if (rte_level(io->redir[pin]))
		return level_due(io, pin) ? (uint32_t)pin_bit(pin) : 0;
	if (asserted && !was && !(io->redir[pin] & VIOAPIC_RTE_MASKED))
		return (uint32_t)pin_bit(pin);
	return 0;
}

bool vioapic_fire(struct vioapic *io, unsigned int pin, struct vioapic_msg *msg)
{
	uint64_t e;

	if (pin >= VIOAPIC_PINS || (io->redir[pin] & VIOAPIC_RTE_MASKED))
		return false;
	e = io->redir[pin];
	if (rte_level(e) && !level_due(io, pin))
		return false;
	if (rte_level(e))
		io->redir[pin] |= VIOAPIC_RTE_REMOTE_IRR;
	*msg = (struct vioapic_msg){
		.vector = (uint8_t)(e & VIOAPIC_RTE_VECTOR),
		.mode = (uint8_t)((e & VIOAPIC_RTE_MODE) >> VIOAPIC_RTE_MODE_SHIFT),
		.dest = (uint8_t)(e >> VIOAPIC_RTE_DEST_SHIFT),
		.logical = e & VIOAPIC_RTE_LOGICAL,
		.level = rte_level(e),
	};
	io->deliveries++;
	return true;
}

uint32_t vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	uint32_t due = 0;

	for (unsigned int pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t *e = &io->redir[pin];

		if (!(*e & VIOAPIC_RTE_REMOTE_IRR) || (*e & VIOAPIC_RTE_VECTOR) != vector)
			continue;
		*e &= ~VIOAPIC_RTE_REMOTE_IRR;
		if (level_due(io, pin))
			due |= (uint32_t)pin_bit(pin);
	}
	return due;
}

/* ------------------------------------------------ registers */

static uint32_t reg_read(const struct vioapic *io, uint32_t reg)
{
	unsigned int pin = (reg - VIOAPIC_REG_REDIR) / 2;

	switch (reg) {
	case VIOAPIC_REG_ID:
	case VIOAPIC_REG_ARB:	/* arbitration ID: loaded from the ID (82093AA 3.2.3) */
		return io->id;
	case VIOAPIC_REG_VERSION:
		return ((VIOAPIC_PINS - 1) << VIOAPIC_MAX_REDIR_SHIFT) | VIOAPIC_VERSION;
	}
	if (reg < VIOAPIC_REG_REDIR || pin >= VIOAPIC_PINS)
		return 0;
	if ((reg - VIOAPIC_REG_REDIR) % 2)
		return (uint32_t)(io->redir[pin] >> HALF_SHIFT);
	return (uint32_t)io->redir[pin];
}

/* A store to a redirection entry's half; Remote IRR and delivery status are kept. */
static uint32_t redir_write(struct vioapic *io, unsigned int pin, bool high, uint32_t val)
{
	uint64_t e = io->redir[pin];
	uint64_t v = high ? (e & LOW_HALF) | ((uint64_t)val << HALF_SHIFT)
			  : (e & ~LOW_HALF) | val;

	v = (v & VIOAPIC_RTE_WRITABLE) | (e & VIOAPIC_RTE_REMOTE_IRR);
	if (!rte_level(v))
		v &= ~VIOAPIC_RTE_REMOTE_IRR;	/* undefined for edge pins: none in service */
	io->redir[pin] = v;
	return level_due(io, pin) ? (uint32_t)pin_bit(pin) : 0;
}

static uint32_t reg_write(struct vioapic *io, uint32_t reg, uint32_t val)
{
	unsigned int pin = (reg - VIOAPIC_REG_REDIR) / 2;

	if (reg == VIOAPIC_REG_ID) {
		io->id = val & VIOAPIC_ID_MASK;
		return 0;
	}
	if (reg < VIOAPIC_REG_REDIR || pin >= VIOAPIC_PINS)
		return 0;	/* version, arbitration: read-only; reserved */
	return redir_write(io, pin, (reg - VIOAPIC_REG_REDIR) % 2, val);
}

uint32_t vioapic_mmio_read(const struct vioapic *io, uint32_t offset, unsigned int size)
{
	if (size != REG_BYTES)
		return 0;
	if (offset == VIOAPIC_IOREGSEL)
		return io->regsel;
	if (offset == VIOAPIC_IOWIN)
		return reg_read(io, io->regsel);
	return 0;	/* the EOI register is write-only; the rest reserved */
}

uint32_t vioapic_mmio_write(struct vioapic *io, uint32_t offset, unsigned int size, uint32_t val)
{
	if (size != REG_BYTES)
		return 0;
	switch (offset) {
	case VIOAPIC_IOREGSEL:
		io->regsel = val & VIOAPIC_REGSEL_MASK;
		return 0;
	case VIOAPIC_IOWIN:
		return reg_write(io, io->regsel, val);
	case VIOAPIC_EOIR:
		return vioapic_eoi(io, (uint8_t)val);
	default:
		return 0;
	}
}
