/* SPDX-License-Identifier: MIT */
/* Inside the virtual local APIC: the register file both interfaces (MSR, MMIO) share. */
#ifndef VDEV_VLAPIC_REGS_H
#define VDEV_VLAPIC_REGS_H

#include <tally/vlapic.h>

/* x2APIC logical IDs: cluster in LDR bits 31:16, a member bit in 15:0 (SDM 11.12.10.2). */
#define LDR_CLUSTER_SHIFT	16
#define LDR_MEMBERS		0xFFFFu

/* Read register @msr (its x2APIC number) whatever the mode: 0 with *@val, or -EINVAL. */
int vlapic_reg_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val);

/* Write register @msr (not the ICR) whatever the mode, as vlapic_msr_write() checks it. */
int vlapic_reg_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
		     struct vlapic_action *act);

/* Write the 64-bit ICR @val and say what it sends; @xapic: 8-bit destination in bits 63:56. */
int vlapic_icr_send(struct vlapic *l, uint64_t val, bool xapic, struct vlapic_action *act);

/* Registers to their reset values (SDM 11.4.7.1); ID, IA32_APIC_BASE and counters kept. */
void vlapic_reset_registers(struct vlapic *l);

/* Record @esr_bits in ESR and raise the LVT error vector if unmasked (SDM 11.5.3). */
void vlapic_raise_error(struct vlapic *l, uint32_t esr_bits);

/* The x2APIC logical ID of x2APIC ID @id (SDM 11.12.10.2). */
uint32_t vlapic_x2apic_ldr(uint32_t id);

/* The timer (vlapic_timer.c), for the register file. */
/* LVT timer mode bits 18:17: VLAPIC_TIMER_*. */
uint32_t vlapic_timer_mode(const struct vlapic *l);
/* Stop the timer; IA32_TSC_DEADLINE reads 0 again. */
void vlapic_timer_disarm(struct vlapic *l);
/* The current-count register at TSC @now: ticks left, rounded up, 0 if stopped. */
uint32_t vlapic_timer_current(const struct vlapic *l, uint64_t now);
/* Writes of the initial count, the divide configuration and IA32_TSC_DEADLINE: 0 or -EINVAL. */
int vlapic_initial_write(struct vlapic *l, uint32_t val, uint64_t now);
int vlapic_divide_write(struct vlapic *l, uint32_t val, uint64_t now);
int vlapic_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t now);

#endif
