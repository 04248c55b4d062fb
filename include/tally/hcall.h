/* SPDX-License-Identifier: MIT */
/* Hypercall dispatcher (pure logic): checks a call, then runs it through hooks.
 *
 * Design: a table indexed by call number gives each call's handler and
 * whether only the control domain may make it.  hcall_dispatch() checks, in
 * order: the number (-ENOSYS), the caller's privilege level (-EACCES: every
 * call is kernel-only, but for ABI_VERSION and PUBLISH_METRIC in a domain
 * with the `agent` option), the control-domain requirement (-EPERM),
 * then the handler checks its own arguments and calls back into the
 * hypervisor through struct hcall_ops, so this file runs under host unit
 * tests.  The ABI itself is include/public/tally.h.
 *
 * Locking: none here; each hook does its own. */
#ifndef TALLY_HCALL_H
#define TALLY_HCALL_H

#include <public/tally.h>
#include <tally/hcall_args.h>

/*
 * What a dispatched call may ask of the hypervisor.  @hv is hcall_ctx.hv.
 * Hooks that take a domain id return -ENOENT when there is no such domain.
 */
struct hcall_ops {
	/* Fill @out (already zeroed) for domain @id; 0 or -ENOENT. */
	int (*domain_info)(void *hv, uint32_t id, struct tally_domain_info *out);
	/* Fill @out (already zeroed) with one consistent snapshot; 0 or -ENOENT. */
	int (*domain_counters)(void *hv, uint32_t id, struct tally_counters *out);
	/* Fill @out (already zeroed) with vCPU @vcpu of domain @id, one snapshot; 0 or -ENOENT. */
	int (*vcpu_counters)(void *hv, uint32_t id, uint32_t vcpu,
			     struct tally_vcpu_counters *out);
	/* How many physical CPUs there are. */
	uint32_t (*cpu_count)(void *hv);
	/* Fill @out (already zeroed) for physical CPU @cpu (below cpu_count()), one snapshot. */
	void (*cpu_counters)(void *hv, uint32_t cpu, struct tally_cpu_counters *out);
	/*
	 * Store up to @max ids of the domains whose id is >= @first, in id
	 * order, into @ids; returns how many such domains exist.
	 */
	uint32_t (*domain_list)(void *hv, uint32_t first, uint32_t *ids, uint32_t max);
	/* Set guest-reported metric @name of domain @id; 0 or -ENOSPC. */
	int (*publish_metric)(void *hv, uint32_t id, const char *name, int64_t value,
			      uint32_t unit);
	/* Print @len bytes of @buf for domain @id. */
	void (*console_write)(void *hv, uint32_t id, const char *buf, uint32_t len);
	/* End the calling vCPU's slice. */
	void (*yield)(void *hv);
	/* Pause, unpause or destroy domain @id; 0 or a negative code. */
	int (*domain_pause)(void *hv, uint32_t id);
	int (*domain_unpause)(void *hv, uint32_t id);
	int (*domain_destroy)(void *hv, uint32_t id);
	/* A domain from @req (strings NUL-terminated): 0 and *@id, or a negative code. */
	int (*domain_create)(void *hv, const struct tally_domain_create *req, uint32_t *id);
	/* Fill @out (already zeroed) with domain @id's NIC, one snapshot; 0 or -ENOENT (no NIC). */
	int (*net_counters)(void *hv, uint32_t id, struct tally_net_counters *out);
	/* Fill @out (already zeroed) with domain @id's disk, one snapshot; 0 or -ENOENT (no disk). */
	int (*disk_counters)(void *hv, uint32_t id, struct tally_disk_counters *out);
};

/* The caller of one hypercall. */
struct hcall_ctx {
	uint32_t domain_id;		/* the calling domain */
	bool is_control;		/* it is the control domain */
	uint8_t cpl;			/* guest privilege level at the VMCALL */
	bool user_metrics;		/* `agent`: CPL 3 may publish metrics (hcall.c) */
	const struct guest_mem *mem;	/* the caller's memory */
	const struct hcall_ops *ops;
	void *hv;			/* passed to every hook */
};

/* Number of argument registers (RDI, RSI, RDX, R10, R8). */
#define HCALL_NR_ARGS	5

/* Run hypercall @nr with @args for @ctx's caller; the value for the guest's RAX. */
int64_t hcall_dispatch(const struct hcall_ctx *ctx, uint64_t nr,
		       const uint64_t args[HCALL_NR_ARGS]);

#endif
