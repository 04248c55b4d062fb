/* SPDX-License-Identifier: MIT */
/* Hypercalls from a running vCPU: the dispatcher over the hypervisor's hooks. */
#ifndef TALLY_HCALL_HOST_H
#define TALLY_HCALL_HOST_H

#include <tally/hcall.h>

struct vcpu;

/* The hooks (tally/hcall.h) over Tally's domains, counters and console. */
extern const struct hcall_ops hcall_host_ops;

/*
 * Hypercall @nr with @args from @v running at privilege @cpl: the result
 * for the guest's RAX (>= 0, or a negative TALLY_E* code).
 */
int64_t hcall_from_guest(struct vcpu *v, uint8_t cpl, uint64_t nr,
			 const uint64_t args[HCALL_NR_ARGS]);

#endif
