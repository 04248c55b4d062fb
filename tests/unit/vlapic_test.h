/* SPDX-License-Identifier: MIT */
/* What the virtual local APIC's unit tests share (test_vlapic*.c). */
#ifndef TEST_VLAPIC_H
#define TEST_VLAPIC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/cpu.h>
#include <tally/vlapic.h>
#include <tally/errno.h>

#include "shim.h"

#define TEST_ID			5
#define T0			100000ull	/* an arbitrary TSC to start timers at */
#define TIMER_VECTOR		0x30
#define ERROR_VECTOR		0xEE
#define HIGH_BIT		(1ull << 32)
#define DRIFT_PERIODS		1000

#define LVT_TIMER(mode, vector)	(((uint32_t)(mode) << VLAPIC_LVT_TIMER_MODE_SHIFT) | (vector))
#define ICR(mode, shorthand, dest, vector) \
	(((uint64_t)(dest) << VLAPIC_ICR_DEST_SHIFT) | \
	 ((uint64_t)(shorthand) << VLAPIC_ICR_SHORTHAND_SHIFT) | \
	 ((uint64_t)(mode) << VLAPIC_ICR_MODE_SHIFT) | (vector))

/* ------------------------------------------------ helpers */

static inline uint64_t rd(struct vlapic *l, uint32_t msr, uint64_t now)
{
	uint64_t val = 0;

	assert_int_equal(vlapic_msr_read(l, msr, now, &val), 0);
	return val;
}

static inline struct vlapic_action wr(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now)
{
	struct vlapic_action act;

	assert_int_equal(vlapic_msr_write(l, msr, val, now, &act), 0);
	return act;
}

/* A write (@what, for the failure message) that must raise #GP and leave the APIC as it was. */
static inline void wr_gp(struct vlapic *l, const char *what, uint32_t msr, uint64_t val)
{
	struct vlapic before;
	struct vlapic_action act;
	int rc;

	memcpy(&before, l, sizeof(before));
	rc = vlapic_msr_write(l, msr, val, T0, &act);
	if (rc != -EINVAL)
		fail_msg("%s: MSR %#x <- %#llx: rc %d, want #GP", what, msr,
			 (unsigned long long)val, rc);
	assert_int_equal(act.kind, VLAPIC_ACTION_NONE);
	assert_memory_equal(&before, l, sizeof(before));
}

/* A fresh APIC in xAPIC mode (the power-on state), memset first for whole-struct comparisons. */
static inline void fresh_xapic(struct vlapic *l, uint32_t id)
{
	memset(l, 0, sizeof(*l));
	vlapic_init(l, id);
}

/* A fresh APIC switched to x2APIC mode, as a guest using the MSR interface does first. */
static inline void fresh(struct vlapic *l, uint32_t id)
{
	fresh_xapic(l, id);
	assert_int_equal(vlapic_base_write(l, vlapic_base_read(l) | APIC_BASE_EXTD), 0);
}

/* A fresh APIC, software-enabled, as a guest leaves it after setup. */
static inline void enabled(struct vlapic *l)
{
	fresh(l, TEST_ID);
	wr(l, MSR_X2APIC_SVR, VLAPIC_SVR_ENABLE | VLAPIC_SVR_RESET, 0);
}

#define irr_has(l, v)	bank_has((l)->irr, (v))
#define isr_has(l, v)	bank_has((l)->isr, (v))

static inline bool bank_has(const uint32_t *bank, uint8_t v)
{
	return bank[v / 32] & (1u << (v % 32));
}

/* Deliver @v as the CPU would: accept, check it is the one pending, ack. */
static inline void take(struct vlapic *l, uint8_t v)
{
	vlapic_accept(l, v);
	assert_int_equal(vlapic_pending_vector(l), v);
	vlapic_ack(l, v);
}

#endif
