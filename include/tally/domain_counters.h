/* SPDX-License-Identifier: MIT */
/* A domain's counters in the public layout (struct tally_counters).
 *
 * Design: only a vCPU's own physical CPU writes its counters, inside an
 * update bracketed by that CPU's sequence count (tally/sched.h), so a
 * reader copies them lock-free and copies again if an update overlapped.
 * Each vCPU's part is one moment; a domain with vCPUs on several CPUs is
 * the sum of such parts taken one after another.  The generation is the
 * number of updates in the snapshot, so equal generations mean equal
 * counters. */
#ifndef TALLY_DOMAIN_COUNTERS_H
#define TALLY_DOMAIN_COUNTERS_H

#include <public/tally.h>

struct domain;
struct vcpu;

/* Add up @d's counters into @out (zeroed by the caller): one snapshot, no locks. */
void domain_counters(const struct domain *d, struct tally_counters *out);

/* @v's counters into @out (zeroed by the caller): one snapshot, no locks. */
void vcpu_counters(const struct vcpu *v, struct tally_vcpu_counters *out);

#endif
