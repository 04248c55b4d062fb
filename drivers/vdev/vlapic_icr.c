/* SPDX-License-Identifier: MIT */
/* The virtual local APIC's interrupt command register: what a write sends (SDM 11.6.1, 11.12.9). */
#include <tally/vlapic.h>
#include <tally/errno.h>

#include "vlapic_regs.h"

/* Valid delivery-mode and shorthand pairs, Pentium 4 onwards (SDM 11.6.1), of those modelled. */
static bool icr_valid(uint32_t mode, uint32_t shorthand)
{
	switch (mode) {
	case VLAPIC_ICR_FIXED:
		return true;
	case VLAPIC_ICR_LOWEST:
		return shorthand == VLAPIC_ICR_NO_SHORTHAND || shorthand == VLAPIC_ICR_ALL_BUT_SELF;
	case VLAPIC_ICR_NMI:
	case VLAPIC_ICR_INIT:
	case VLAPIC_ICR_STARTUP:
		return shorthand == VLAPIC_ICR_NO_SHORTHAND || shorthand == VLAPIC_ICR_ALL_BUT_SELF;
	default:
		return false;	/* SMI, reserved */
	}
}

/*
 * The destination of an IPI, or false if it reaches nobody: the IDs that
 * collide with the VLAPIC_DEST_* codes belong to no vCPU.  In xAPIC mode
 * the destination is ICR bits 63:56 and 0xFF is the broadcast.
 */
static bool icr_dest(uint64_t icr, bool xapic, uint32_t *dest)
{
	uint32_t id = (uint32_t)(icr >> VLAPIC_ICR_DEST_SHIFT);

	if (xapic) {
		id = (uint32_t)(icr >> XAPIC_DEST_SHIFT);
		if (id == XAPIC_BROADCAST)
			id = VLAPIC_BROADCAST_ID;
	}

	switch ((icr & VLAPIC_ICR_SHORTHAND) >> VLAPIC_ICR_SHORTHAND_SHIFT) {
	case VLAPIC_ICR_SELF:
		*dest = VLAPIC_DEST_SELF;
		return true;
	case VLAPIC_ICR_ALL:
		*dest = VLAPIC_DEST_ALL;
		return true;
	case VLAPIC_ICR_ALL_BUT_SELF:
		*dest = VLAPIC_DEST_ALL_BUT_SELF;
		return true;
	}
	*dest = id == VLAPIC_BROADCAST_ID ? VLAPIC_DEST_ALL : id;
	return id == VLAPIC_BROADCAST_ID || id < VLAPIC_DEST_ALL;
}

/*
 * What a valid ICR value sends.  A fixed IPI with an illegal vector sets
 * ESR instead; an INIT level de-assert (level trigger, level 0) is a no-op.
 */
static enum vlapic_action_kind icr_kind(struct vlapic *l, uint64_t icr, uint32_t mode)
{
	switch (mode) {
	case VLAPIC_ICR_FIXED:
	case VLAPIC_ICR_LOWEST:
		if ((icr & VLAPIC_ICR_VECTOR) >= VLAPIC_FIRST_VECTOR)
			return VLAPIC_ACTION_IPI;
		vlapic_raise_error(l, VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
		return VLAPIC_ACTION_NONE;
	case VLAPIC_ICR_NMI:
		return VLAPIC_ACTION_NMI;
	case VLAPIC_ICR_INIT:
		if ((icr & VLAPIC_ICR_TRIGGER_LEVEL) && !(icr & VLAPIC_ICR_LEVEL_ASSERT))
			return VLAPIC_ACTION_NONE;
		return VLAPIC_ACTION_INIT;
	default:
		return VLAPIC_ACTION_SIPI;
	}
}

int vlapic_icr_send(struct vlapic *l, uint64_t val, bool xapic, struct vlapic_action *act)
{
	uint32_t mode = (uint32_t)((val & VLAPIC_ICR_MODE) >> VLAPIC_ICR_MODE_SHIFT);
	uint32_t shorthand = (uint32_t)((val & VLAPIC_ICR_SHORTHAND) >> VLAPIC_ICR_SHORTHAND_SHIFT);
	uint32_t dest;

	if ((val & VLAPIC_ICR_RESERVED) || !icr_valid(mode, shorthand))
		return -EINVAL;
	l->icr = val & ~VLAPIC_ICR_DELIVERY_STATUS;
	if (!icr_dest(val, xapic, &dest))
		return 0;
	act->kind = icr_kind(l, val, mode);
	if (act->kind == VLAPIC_ACTION_NONE)
		return 0;
	act->dest = dest;
	act->logical = (val & VLAPIC_ICR_DEST_LOGICAL) && dest < VLAPIC_DEST_ALL;
	act->lowest = mode == VLAPIC_ICR_LOWEST;
	act->level = act->kind == VLAPIC_ACTION_IPI && (val & VLAPIC_ICR_TRIGGER_LEVEL);
	if (act->kind == VLAPIC_ACTION_IPI || act->kind == VLAPIC_ACTION_SIPI)
		act->vector = (uint8_t)(val & VLAPIC_ICR_VECTOR);
	return 0;
}
