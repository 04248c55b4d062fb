/* SPDX-License-Identifier: MIT */
/* The virtual local APIC's NMIs, INIT reset and LINT1 pin (see arch/vlapic.h). */
#include <tally/vlapic.h>

#include "vlapic_regs.h"

/*
 * Choices where the SDM leaves room:
 * - One NMI is latched at most: a second that arrives while one waits is
 *   merged with it, as a CPU holds one pending NMI (SDM 6.7.1); one that
 *   arrives while the guest's handler runs (NMI blocking) is latched and
 *   delivered after its IRET, as on hardware.
 * - NMIs to a vCPU in the wait-for-SIPI state are dropped: that state
 *   blocks them (SDM 26.6.2, activity states) and a later SIPI starts the
 *   CPU afresh, so Tally does not keep them for it.
 */

bool vlapic_nmi_accept(struct vlapic *l, bool waiting)
{
	if (waiting)
		return false;
	l->nmis++;
	if (l->nmi_pending) {
		l->nmis_merged++;
		return false;
	}
	l->nmi_pending = true;
	return true;
}

bool vlapic_nmi_take(struct vlapic *l)
{
	bool was = l->nmi_pending;

	l->nmi_pending = false;
	return was;
}

void vlapic_init_reset(struct vlapic *l)
{
	/* vlapic_reset_registers() keeps the ID, IA32_APIC_BASE and counters; the NMI latch goes. */
	vlapic_reset_registers(l);
	l->nmi_pending = false;
}

enum vlapic_lint_result vlapic_lint1_assert(struct vlapic *l)
{
	uint32_t lvt = l->lvt_lint1;
	uint32_t mode = (lvt & VLAPIC_LVT_DELIVERY_MODE) >> VLAPIC_LVT_MODE_SHIFT;

	if (vlapic_mode(l) == VLAPIC_MODE_DISABLED) {
		vlapic_nmi_accept(l, false);
		return VLAPIC_LINT_NMI;
	}
	if (lvt & VLAPIC_LVT_MASKED)
		return VLAPIC_LINT_NONE;
	if (mode == VLAPIC_LVT_MODE_NMI) {
		vlapic_nmi_accept(l, false);
		return VLAPIC_LINT_NMI;
	}
	if (mode != VLAPIC_LVT_MODE_FIXED)
		return VLAPIC_LINT_NONE;
	/* Level-triggered LINT entries would need remote IRR; the pin is pulsed (edge). */
	vlapic_accept_irq(l, (uint8_t)(lvt & VLAPIC_LVT_VECTOR), false);
	return VLAPIC_LINT_FIXED;
}
