/* SPDX-License-Identifier: MIT */
/* A domain's counters in the public layout (struct tally_counters). */
#ifndef TALLY_DOMAIN_COUNTERS_H
#define TALLY_DOMAIN_COUNTERS_H

#include <public/tally.h>

struct domain;

/*
 * Add up @d's counters into @out (zeroed by the caller).  Read without
 * locks while the domain runs: the generation number counts reads.
 */
void domain_counters(const struct domain *d, struct tally_counters *out);

#endif
