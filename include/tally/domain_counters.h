/* SPDX-License-Identifier: MIT */
/* A domain's counters in the public layout (struct tally_counters).
 *
 * Design: only a vCPU's own physical CPU writes its counters, inside an
 * update bracketed by that CPU's sequence count (tally/sched.h), so a
 * reader copies them lock-free and copies again if an update overlapped.
 * Each vCPU's part is one moment; a domain with vCPUs on several CPUs is
 * the sum of such parts taken one after another.  The generation is the
 * number of updates in the snapshot, so equal generations mean equal
 * counters.  The NIC's and disk's counters (tally/vnet.h, tally/vblk.h)
 * are read under their devices' locks, one moment each; their packets and
 * requests count in the generation. */
#ifndef TALLY_DOMAIN_COUNTERS_H
#define TALLY_DOMAIN_COUNTERS_H

#include <public/tally.h>

struct domain;
struct vblk_snapshot;
struct vcpu;
struct vnet_snapshot;

/* Add up @d's counters into @out (zeroed by the caller): one snapshot; only device locks. */
void domain_counters(const struct domain *d, struct tally_counters *out);

/*
 * TSC cycles of hypervisor time charged to @d (tally/sched_policy.h) over
 * its whole life: all vCPUs, ended ones and earlier lives included; any
 * CPU, no locks (each vCPU's part is one moment).
 */
uint64_t domain_hypervisor_cycles(const struct domain *d);

/* @v's counters into @out (zeroed by the caller): one snapshot, no locks. */
void vcpu_counters(const struct vcpu *v, struct tally_vcpu_counters *out);

/* Keep @d's NIC's and disk's counters as they are now: its life is ending (domain_log_usage()). */
void domain_counters_keep_devices(const struct domain *d);

/* The bytes domain.c keeps in each domain's slot for d->final (its devices' last counters). */
uint64_t domain_counters_final_bytes(void);

/* @d's NIC's counters: live, else as its last life kept them; 0 or -ENOENT (never had one). */
int domain_counters_net(const struct domain *d, struct vnet_snapshot *out);

/* @d's disk's counters, as domain_counters_net(). */
int domain_counters_disk(const struct domain *d, struct vblk_snapshot *out);

#endif
