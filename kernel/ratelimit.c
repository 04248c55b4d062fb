/* SPDX-License-Identifier: MIT */
/* Token bucket (see tally/ratelimit.h): credit grows with the clock up to a burst's worth. */
#include <tally/ratelimit.h>

/* @a + @b, or UINT64_MAX if that overflows. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* @a * @b, or UINT64_MAX if that overflows. */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* Ticks one event costs: a burst-only rule never refills, so any cost of 1 tick will do. */
static uint64_t event_cost(const struct ratelimit_rule *rule, uint64_t hz)
{
	uint64_t cost = rule->per_s ? hz / rule->per_s : 1;

	return cost ? cost : 1;		/* more events a second than ticks: one a tick */
}

/* Let an event pass: hand over the count of those refused before it. */
static bool pass(struct ratelimit *rl, uint64_t *suppressed)
{
	if (suppressed)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

bool ratelimit_allow(struct ratelimit *rl, const struct ratelimit_rule *rule, uint64_t now,
		     uint64_t hz, uint64_t *suppressed)
{
	uint64_t cost, cap;

	if (!hz)		/* no clock to measure a rate by: the bucket starts with one */
		return pass(rl, suppressed);
	cost = event_cost(rule, hz);
	cap = mul_sat(cost, rule->burst);
	if (!rl->started) {
		rl->credit = cap;
		rl->last = now;
		rl->started = true;
	} else if (now > rl->last) {
		if (rule->per_s)
			rl->credit = MIN(cap, add_sat(rl->credit, now - rl->last));
		rl->last = now;
	}
	if (rl->credit < cost) {
		rl->suppressed++;
		rl->suppressed_total++;
		return false;
	}
	rl->credit -= cost;
	return pass(rl, suppressed);
}
