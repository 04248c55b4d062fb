/* SPDX-License-Identifier: MIT */
/* The virtual local APIC's modes: IA32_APIC_BASE, the xAPIC MMIO page, and destination matching. */
#include <arch/cpu.h>
#include <tally/vlapic.h>
#include <tally/errno.h>

#include "vlapic_regs.h"

/*
 * Choices where the SDM leaves room:
 * - The base cannot move: a write of IA32_APIC_BASE with another address is
 *   refused (#GP, -EPERM so that the caller can say why).  Nothing known
 *   to boot under Tally relocates it; every vCPU's page is at the default.
 * - Outside xAPIC mode the page behaves as a globally disabled xAPIC's
 *   (SDM 11.12.2): not decoded, reads all ones, stores dropped (11.4.3:
 *   the processor is as one without an APIC; nothing answers the bus).
 * - Register accesses other than 32-bit ones at a register's start are
 *   model-specific (SDM 11.4.1): loads return the register's bytes at that
 *   offset (bytes 4-15 of a slot read 0); such stores are dropped.
 * - The xAPIC ID register is read-only (writable on some older CPUs only).
 * - A store of a value the register refuses (reserved bits) is dropped
 *   whole, where hardware would ignore just the reserved bits.
 */

#define BASE_KNOWN	(APIC_BASE_ADDR_MASK | APIC_BASE_ENABLE | APIC_BASE_EXTD | APIC_BASE_BSP)
#define MMIO_UNDECODED	0xFFFFFFFFu	/* a load nothing answers */
#define BITS_PER_BYTE	8
#define REG_BYTES	4
#define ICR_LOW_HALF	0xFFFFFFFFull
#define ICR_HIGH_SHIFT	32
#define XAPIC_ICR_DEST_MASK 0xFF000000u	/* ICR_HIGH bits 31:24; 23:0 reserved */

enum vlapic_mode vlapic_mode(const struct vlapic *l)
{
	if (!(l->apic_base & APIC_BASE_ENABLE))
		return VLAPIC_MODE_DISABLED;
	return (l->apic_base & APIC_BASE_EXTD) ? VLAPIC_MODE_X2APIC : VLAPIC_MODE_XAPIC;
}

uint64_t vlapic_base_read(const struct vlapic *l)
{
	return l->apic_base;
}

/* The mode @val asks for, or -1 for the invalid EN = 0, EXTD = 1 (SDM 11.12.5). */
static int base_mode(uint64_t val)
{
	if (!(val & APIC_BASE_ENABLE))
		return (val & APIC_BASE_EXTD) ? -1 : VLAPIC_MODE_DISABLED;
	return (val & APIC_BASE_EXTD) ? VLAPIC_MODE_X2APIC : VLAPIC_MODE_XAPIC;
}

/* Figure 11-26: x2APIC -> xAPIC and disabled -> x2APIC go only through the other state. */
static bool transition_legal(enum vlapic_mode from, int to)
{
	if (to < 0)
		return false;
	if (from == VLAPIC_MODE_X2APIC && to == VLAPIC_MODE_XAPIC)
		return false;
	return !(from == VLAPIC_MODE_DISABLED && to == VLAPIC_MODE_X2APIC);
}

int vlapic_base_write(struct vlapic *l, uint64_t val)
{
	enum vlapic_mode from = vlapic_mode(l);
	int to = base_mode(val);

	if ((val & ~BASE_KNOWN) || !transition_legal(from, to))
		return -EINVAL;
	if ((val & APIC_BASE_ADDR_MASK) != APIC_BASE_DEFAULT)
		return -EPERM;
	l->apic_base = (val & ~APIC_BASE_BSP) | (l->apic_base & APIC_BASE_BSP);
	/* Leaving for disabled resets the registers; the ID stays (SDM 11.12.5.1). */
	if (to == VLAPIC_MODE_DISABLED && from != VLAPIC_MODE_DISABLED)
		vlapic_reset_registers(l);
	return 0;
}

/* ------------------------------------------------ the xAPIC page */

/* Register @reg (a 16-byte-aligned offset) as a 32-bit value. */
static uint32_t xapic_reg(struct vlapic *l, uint32_t reg, uint64_t now)
{
	uint64_t val = 0;

	switch (reg) {
	case XAPIC_ID:
		return (l->id & XAPIC_BROADCAST) << XAPIC_ID_SHIFT;
	case XAPIC_LDR:
		return l->xapic_ldr;
	case XAPIC_DFR:
		return l->xapic_dfr;
	case XAPIC_ICR_LOW:
		return (uint32_t)l->icr;
	case XAPIC_ICR_HIGH:
		return (uint32_t)(l->icr >> ICR_HIGH_SHIFT);
	case XAPIC_SELF_IPI:
		return 0;		/* x2APIC only */
	}
	if (vlapic_reg_read(l, MSR_X2APIC_FIRST + (reg >> XAPIC_REG_SHIFT), now, &val))
		return 0;		/* reserved or write-only */
	return (uint32_t)val;
}

uint32_t vlapic_mmio_read(struct vlapic *l, uint32_t offset, unsigned int size, uint64_t now)
{
	uint32_t byte = offset & XAPIC_REG_SLOT;

	(void)size;		/* the caller keeps the low @size bytes */
	if (vlapic_mode(l) != VLAPIC_MODE_XAPIC || offset >= VLAPIC_MMIO_SIZE)
		return MMIO_UNDECODED;
	if (byte >= REG_BYTES)
		return 0;
	return xapic_reg(l, offset & ~XAPIC_REG_SLOT, now) >> (byte * BITS_PER_BYTE);
}

/* A 32-bit store to register @reg: through the x2APIC register file where they agree. */
static void xapic_write(struct vlapic *l, uint32_t reg, uint32_t val, uint64_t now,
			struct vlapic_action *act)
{
	switch (reg) {
	case XAPIC_ID:
	case XAPIC_SELF_IPI:
		return;
	case XAPIC_LDR:
		l->xapic_ldr = val & XAPIC_LDR_MASK;
		return;
	case XAPIC_DFR:
		l->xapic_dfr = val | XAPIC_DFR_RESERVED;
		return;
	case XAPIC_ICR_HIGH:
		l->icr = (l->icr & ICR_LOW_HALF) | ((uint64_t)(val & XAPIC_ICR_DEST_MASK) << ICR_HIGH_SHIFT);
		return;
	case XAPIC_ICR_LOW:
		/* Writing the low half sends (SDM 11.6.1). */
		(void)vlapic_icr_send(l, (l->icr & ~ICR_LOW_HALF) |
				      (val & ~(uint32_t)VLAPIC_ICR_RESERVED), true, act);
		return;
	case XAPIC_EOI:
	case XAPIC_ESR:
		val = 0;	/* any value: the x2APIC interface alone insists on 0 */
		break;
	}
	(void)vlapic_reg_write(l, MSR_X2APIC_FIRST + (reg >> XAPIC_REG_SHIFT), val, now, act);
}

void vlapic_mmio_write(struct vlapic *l, uint32_t offset, unsigned int size, uint32_t val,
		       uint64_t now, struct vlapic_action *act)
{
	*act = (struct vlapic_action){ .kind = VLAPIC_ACTION_NONE };
	if (vlapic_mode(l) != VLAPIC_MODE_XAPIC || offset >= VLAPIC_MMIO_SIZE ||
	    size != REG_BYTES || (offset & XAPIC_REG_SLOT))
		return;
	xapic_write(l, offset, val, now, act);
}

/* ------------------------------------------------ destinations */

/* Logical destination @mda against this APIC's LDR in its model (SDM 11.6.2.2, 11.12.10.2). */
static bool logical_match(const struct vlapic *t, uint32_t mda)
{
	uint32_t ldr, lid;

	if (vlapic_mode(t) == VLAPIC_MODE_X2APIC) {
		ldr = vlapic_x2apic_ldr(t->id);
		return (mda >> LDR_CLUSTER_SHIFT) == (ldr >> LDR_CLUSTER_SHIFT) &&
		       (mda & ldr & LDR_MEMBERS);
	}
	lid = t->xapic_ldr >> XAPIC_LDR_SHIFT;
	mda &= XAPIC_BROADCAST;
	if ((t->xapic_dfr >> XAPIC_DFR_MODEL_SHIFT) == XAPIC_DFR_FLAT)
		return mda & lid;
	if ((t->xapic_dfr >> XAPIC_DFR_MODEL_SHIFT) != XAPIC_DFR_CLUSTER)
		return false;	/* a reserved model matches nothing */
	return (mda >> XAPIC_CLUSTER_SHIFT) == (lid >> XAPIC_CLUSTER_SHIFT) &&
	       (mda & lid & XAPIC_CLUSTER_MEMBERS);
}

bool vlapic_match(const struct vlapic *t, bool is_self, const struct vlapic_action *act)
{
	if (vlapic_mode(t) == VLAPIC_MODE_DISABLED)
		return false;
	switch (act->dest) {
	case VLAPIC_DEST_SELF:
		return is_self;
	case VLAPIC_DEST_ALL_BUT_SELF:
		return !is_self;
	case VLAPIC_DEST_ALL:
		return true;
	}
	if (act->logical)
		return logical_match(t, act->dest);
	return act->dest == t->id;
}
