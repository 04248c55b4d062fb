/* SPDX-License-Identifier: MIT */
/* control: what its parts share. */
#ifndef GUEST_CONTROL_H
#define GUEST_CONTROL_H

#include "guest.h"

#define MAX_LISTED		16
#define MAX_VCPUS		8
#define MAX_CPUS		8
#define NO_SUCH_DOMAIN		999u

/*
 * Pause every other live domain of @list (@n entries, the caller is
 * @self), check that their counters stand still for @pause_ms and that
 * they run on once unpaused, and print each paused domain's counters.
 */
void control_pause_check(const struct tally_domain_info *list, int32_t n, uint32_t self,
			 uint32_t pause_ms);

/*
 * Pause domain @target, read its counters twice, unpause it, @rounds
 * times: each pair must be identical, and generations must never go back.
 */
void control_pause_storm(uint32_t target, uint32_t rounds);

#endif
