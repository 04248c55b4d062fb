/* SPDX-License-Identifier: MIT */
/* A domain's virtual I/O APIC (82093AA datasheet; the ICH's I/O APIC, version 0x20): pure model.
 *
 * Design: the model holds the registers and each pin's input level.  The
 * functions that may make pins deliver return the set of those pins (bit n
 * for pin n); the caller asks vioapic_fire() for each one's message (which
 * sets Remote IRR for a level pin) and hands the messages to the local
 * APICs.  Inputs are the devices' assertion, whatever the polarity bit
 * says (the models report assertion; polarity is stored and read back).
 * Locking: none here; the caller holds the domain's I/O APIC lock. */
#ifndef TALLY_VIOAPIC_H
#define TALLY_VIOAPIC_H

#include <tally/types.h>
#include <tally/vplatform.h>

#define VIOAPIC_PINS		VPLATFORM_IOAPIC_PINS
#define VIOAPIC_MMIO_SIZE	0x1000u

/* Memory-mapped registers (82093AA 3.0; ICH I/O APIC: EOI at 0x40 from version 0x20). */
#define VIOAPIC_IOREGSEL	0x00u
#define VIOAPIC_IOWIN		0x10u
#define VIOAPIC_EOIR		0x40u

/* Indirect registers through IOREGSEL (82093AA 3.1). */
#define VIOAPIC_REG_ID		0x00u
#define VIOAPIC_REG_VERSION	0x01u
#define VIOAPIC_REG_ARB		0x02u
#define VIOAPIC_REG_REDIR	0x10u		/* entry n: low 0x10 + 2n, high 0x11 + 2n */
#define VIOAPIC_ID_SHIFT	24		/* ID and arbitration ID in bits 27:24 */
#define VIOAPIC_ID_MASK		(0xFu << VIOAPIC_ID_SHIFT)
#define VIOAPIC_VERSION		0x20u
#define VIOAPIC_MAX_REDIR_SHIFT	16		/* version register bits 23:16 */
#define VIOAPIC_REGSEL_MASK	0xFFu

/* Redirection table entry (82093AA 3.2.4). */
#define VIOAPIC_RTE_VECTOR	0xFFull
#define VIOAPIC_RTE_MODE_SHIFT	8
#define VIOAPIC_RTE_MODE	(7ull << VIOAPIC_RTE_MODE_SHIFT)
#define VIOAPIC_MODE_FIXED	0
#define VIOAPIC_MODE_LOWEST	1
#define VIOAPIC_MODE_SMI	2
#define VIOAPIC_MODE_NMI	4
#define VIOAPIC_MODE_INIT	5
#define VIOAPIC_MODE_EXTINT	7
#define VIOAPIC_RTE_LOGICAL	(1ull << 11)
#define VIOAPIC_RTE_DELIVS	(1ull << 12)	/* delivery status: read-only, always idle here */
#define VIOAPIC_RTE_POLARITY_LOW (1ull << 13)
#define VIOAPIC_RTE_REMOTE_IRR	(1ull << 14)	/* read-only */
#define VIOAPIC_RTE_LEVEL	(1ull << 15)
#define VIOAPIC_RTE_MASKED	(1ull << 16)
#define VIOAPIC_RTE_DEST_SHIFT	56
#define VIOAPIC_RTE_DEST	(0xFFull << VIOAPIC_RTE_DEST_SHIFT)
#define VIOAPIC_RTE_WRITABLE	(VIOAPIC_RTE_VECTOR | VIOAPIC_RTE_MODE | VIOAPIC_RTE_LOGICAL | \
				 VIOAPIC_RTE_POLARITY_LOW | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED | \
				 VIOAPIC_RTE_DEST)

/* An interrupt message to the local APICs. */
struct vioapic_msg {
	uint8_t vector;
	uint8_t mode;		/* VIOAPIC_MODE_* */
	uint8_t dest;		/* APIC ID, or logical destination */
	bool logical;
	bool level;		/* the target sets TMR, its EOI comes back */
};

struct vioapic {
	uint32_t id;		/* ID register (bits 27:24) */
	uint32_t regsel;
	uint64_t redir[VIOAPIC_PINS];
	uint32_t asserted;	/* bit n: pin n's input is asserted */
	uint64_t deliveries;	/* counter: messages sent */
};

/* Reset state (82093AA 3.2.4): every entry masked, ID @id. */
void vioapic_init(struct vioapic *io, uint32_t id);

/* Set pin @pin's input; the pins due to deliver now (a rising edge, or a level one not in service). */
uint32_t vioapic_set_irq(struct vioapic *io, unsigned int pin, bool asserted);

/* Load of @size bytes at @offset in the page: the value (reserved offsets read 0). */
uint32_t vioapic_mmio_read(const struct vioapic *io, uint32_t offset, unsigned int size);

/*
 * Store of @val at @offset: IOREGSEL, IOWIN (the selected register) or the
 * EOI register; returns the pins due to deliver (unmasking an asserted
 * level pin, EOI).  Read-only registers and bits ignore stores.
 */
uint32_t vioapic_mmio_write(struct vioapic *io, uint32_t offset, unsigned int size, uint32_t val);

/* EOI of @vector (the local APIC's broadcast, or the EOI register): clear Remote IRR; pins due. */
uint32_t vioapic_eoi(struct vioapic *io, uint8_t vector);

/*
 * Pin @pin's message if it is due now (unmasked; edge, or level asserted
 * without Remote IRR): true, with *@msg, and Remote IRR set for a level
 * pin; false if it is not due any more.
 */
bool vioapic_fire(struct vioapic *io, unsigned int pin, struct vioapic_msg *msg);

#endif
