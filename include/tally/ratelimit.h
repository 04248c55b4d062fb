/* SPDX-License-Identifier: MIT */
/* Token-bucket rate limiter for output a guest can trigger (pure logic: no clock, no locks). */
#ifndef TALLY_RATELIMIT_H
#define TALLY_RATELIMIT_H

#include <tally/types.h>

/* @burst events at once, then @per_s a second (0: the burst only, never refilled). */
struct ratelimit_rule {
	uint32_t burst;
	uint32_t per_s;
};

/*
 * Design: the bucket holds credit in clock ticks; an event costs
 * hz / per_s ticks, and the credit never exceeds @burst events' worth.  A
 * zeroed struct is a full bucket at its first use.  Refused events are
 * counted, and the next allowed one learns how many came before it.
 * Locking: none; the caller serialises.
 */
struct ratelimit {
	uint64_t credit;		/* ticks of credit at @last */
	uint64_t last;			/* clock when the credit was last brought up to date */
	uint64_t suppressed;		/* refused since the last allowed event */
	uint64_t suppressed_total;	/* refused in all */
	bool started;
};

/*
 * At clock @now (@hz ticks a second), take one event's credit from @rl under
 * @rule: true if the event may pass.  Then *@suppressed (if not NULL) gets
 * the number refused since the previous allowed event, and that count
 * starts again.  A clock that goes back adds no credit; @hz 0 (no clock
 * yet) lets every event pass.
 */
bool ratelimit_allow(struct ratelimit *rl, const struct ratelimit_rule *rule, uint64_t now,
		     uint64_t hz, uint64_t *suppressed);

#endif
