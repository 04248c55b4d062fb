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
 * Print one line for domain @d: "control: LEADdN NAME: STATE, N vCPUs, N MiB
 * RAM, CPU time S.UUUUUU s, N VM exits", with STATE in words (dead, paused
 * or running, and "control domain") and every figure whole; without the
 * counters if @c is NULL.
 */
void control_show_domain(const char *lead, const struct tally_domain_info *d,
			 const struct tally_counters *c);

/*
 * Print a made-up domain whose CPU time in µs and exits pass 2^32, and an
 * unknown flag, through control_show_domain(): a test sees them whole.
 */
void control_format_check(void);

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

/*
 * List every domain with DOMAIN_LIST_FROM @size at a time, check it is one
 * DOMAIN_LIST's (ids, names, order, count), print the count and the number
 * of calls; then check bad and edge arguments' exact results.
 */
void control_page_check(uint32_t size);

/*
 * Check DOMAIN_CREATE's refusals, then @cycles times: create @copies
 * copies of template @tmpl, see them all live in one DOMAIN_LIST_FROM
 * (ids distinct, none given again at once), destroy them.
 */
void control_runtime_cycles(const char *tmpl, uint32_t cycles, uint32_t copies);

#endif
