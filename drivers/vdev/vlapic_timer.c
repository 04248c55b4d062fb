/* SPDX-License-Identifier: MIT */
/* A guest's local APIC timer: count, divide, one-shot, periodic and TSC deadline (SDM 11.5.4). */
#include <tally/errno.h>
#include <tally/vlapic.h>

#include "vlapic_regs.h"

/* Divide value: bit 3 moves next to bits 1:0 to form n; divisor 2^(n+1), n = 7 meaning 1. */
#define DIVIDE_LOW		0x3u
#define DIVIDE_HIGH		0x8u
#define DIVIDE_HIGH_SHIFT	1
#define DIVIDE_CODES		8

uint32_t vlapic_timer_mode(const struct vlapic *l)
{
	return (l->lvt_timer & VLAPIC_LVT_TIMER_MODE) >> VLAPIC_LVT_TIMER_MODE_SHIFT;
}

static uint64_t timer_divisor(uint32_t config)
{
	uint32_t n = ((config & DIVIDE_HIGH) >> DIVIDE_HIGH_SHIFT) | (config & DIVIDE_LOW);

	return 1ull << ((n + 1) % DIVIDE_CODES);
}

/* TSC cycles from a load of the initial count to zero, at least the minimum period. */
static uint64_t timer_period(const struct vlapic *l)
{
	uint64_t cycles = (uint64_t)l->timer_initial * timer_divisor(l->timer_divide_config);

	return cycles < l->min_period ? l->min_period : cycles;
}

/* @tsc + @delta, saturating, so that a deadline never wraps to 0 ("not armed"). */
static uint64_t tsc_add(uint64_t tsc, uint64_t delta)
{
	return tsc + delta < tsc ? UINT64_MAX : tsc + delta;
}

/* Load the count from the initial count at @now (0: the timer stops). */
static void timer_load(struct vlapic *l, uint64_t now)
{
	l->timer_start_tsc = now;
	l->deadline = l->timer_initial ? tsc_add(now, timer_period(l)) : 0;
}

void vlapic_timer_disarm(struct vlapic *l)
{
	l->deadline = 0;
	l->tsc_deadline_msr = 0;	/* it reads 0 once fired or disarmed */
}

/* A periodic timer's first deadline strictly after @now (its deadline has passed). */
static uint64_t periodic_next(const struct vlapic *l, uint64_t now)
{
	uint64_t period = timer_period(l);
	uint64_t passed = (now - l->deadline) / period + 1;

	return tsc_add(l->deadline, passed * period);
}

/* The current-count register at @now: ticks left, rounded up, 0 if stopped. */
uint32_t vlapic_timer_current(const struct vlapic *l, uint64_t now)
{
	uint64_t next = l->deadline, div, left;

	if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE || !next || !l->timer_initial)
		return 0;
	if (now >= next) {
		if (vlapic_timer_mode(l) != VLAPIC_TIMER_PERIODIC)
			return 0;
		next = periodic_next(l, now);
	}
	div = timer_divisor(l->timer_divide_config);
	left = (next - now + div - 1) / div;
	return left > l->timer_initial ? l->timer_initial : (uint32_t)left;
}

static void timer_fire(struct vlapic *l)
{
	l->timer_expiries++;
	if (!(l->lvt_timer & VLAPIC_LVT_MASKED))
		vlapic_accept(l, (uint8_t)(l->lvt_timer & VLAPIC_LVT_VECTOR));
}

void vlapic_set_min_period(struct vlapic *l, uint64_t cycles)
{
	l->min_period = cycles;
}

bool vlapic_timer_update(struct vlapic *l, uint64_t now)
{
	if (!l->deadline || now < l->deadline)
		return false;
	timer_fire(l);
	if (vlapic_timer_mode(l) == VLAPIC_TIMER_PERIODIC && l->timer_initial) {
		l->deadline = periodic_next(l, now);
		l->timer_start_tsc = l->deadline - timer_period(l);
	} else {
		vlapic_timer_disarm(l);
	}
	return true;
}

/* In TSC-deadline mode the initial count is ignored (SDM 11.5.4.1). */
int vlapic_initial_write(struct vlapic *l, uint32_t val, uint64_t now)
{
	if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE)
		return 0;
	vlapic_timer_update(l, now);
	l->timer_initial = val;
	timer_load(l, now);
	return 0;
}

/* A running count keeps the ticks it has left, now at the new rate. */
int vlapic_divide_write(struct vlapic *l, uint32_t val, uint64_t now)
{
	uint32_t left;

	if (val & ~VLAPIC_DIVIDE_MASK)
		return -EINVAL;
	vlapic_timer_update(l, now);
	left = vlapic_timer_current(l, now);
	l->timer_divide_config = val;
	if (left)
		l->deadline = tsc_add(now, left * timer_divisor(val));
	return 0;
}

/* Outside TSC-deadline mode the MSR ignores writes (SDM 11.5.4.1); 0 disarms. */
int vlapic_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t now)
{
	if (vlapic_timer_mode(l) != VLAPIC_TIMER_TSC_DEADLINE)
		return 0;
	vlapic_timer_update(l, now);
	l->tsc_deadline_msr = val;
	l->deadline = val;
	l->timer_start_tsc = now;
	return 0;
}
