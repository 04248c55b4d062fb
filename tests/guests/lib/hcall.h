/* SPDX-License-Identifier: MIT */
/* Test-guest hypercalls: the VMCALL primitive, and a typed wrapper per call of <public/tally.h>. */
#ifndef GUEST_HCALL_H
#define GUEST_HCALL_H

#include <stdint.h>
#include <public/tally.h>

/*
 * Hypercall @nr with arguments 0 to 2 in EDI, ESI, EDX; the result (>= 0,
 * or -TALLY_E*) comes back in EAX.  Outside 64-bit mode Tally reads only
 * the low halves of those registers and passes 0 for arguments 3 and 4,
 * so no call needs more.  Use it directly only to send what the typed
 * wrappers cannot express (bad lengths and pointers, unknown numbers);
 * inline, so that a timing loop is one VMCALL per turn.
 */
static inline int32_t tally_hcall(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2)
{
	uint32_t eax = nr;

	asm volatile("vmcall" : "+a"(eax) : "D"(a0), "S"(a1), "d"(a2) : "memory");
	return (int32_t)eax;
}

/*
 * The typed wrappers pass pointers as guest-physical addresses: the guests
 * run with paging off, so an address is its own GPA.  Each returns what
 * the call returns; include/public/tally.h lists the results and errors.
 */

/* ABI_VERSION: (major << 16) | minor, and fills *@info (8-byte aligned) unless it is NULL. */
int32_t tally_abi_version(struct tally_abi_info *info);

/* DOMAIN_INFO: fills *@info for the calling domain; bytes written. */
int32_t tally_domain_info(struct tally_domain_info *info);

/* DOMAIN_COUNTERS: a snapshot of the calling domain's counters in *@c; bytes written. */
int32_t tally_domain_counters(struct tally_counters *c);

/* DOMAIN_LIST (control only): up to @capacity entries at @list; the number of domains. */
int32_t tally_domain_list(struct tally_domain_info *list, uint32_t capacity);

/*
 * DOMAIN_LIST_FROM (control only): up to @capacity entries at @list of the
 * domains whose id >= @first_id; how many such domains there are.
 */
int32_t tally_domain_list_from(uint32_t first_id, struct tally_domain_info *list,
			       uint32_t capacity);

/* DOMAIN_COUNTERS_OF (control only): domain @id's counters in *@c; bytes written. */
int32_t tally_domain_counters_of(uint32_t id, struct tally_counters *c);

/* VCPU_COUNTERS: up to @capacity vCPUs of domain @id (its own, or any for control); vCPUs. */
int32_t tally_vcpu_counters(uint32_t id, struct tally_vcpu_counters *list, uint32_t capacity);

/* CPU_COUNTERS (control only): up to @capacity physical CPUs' time; the number of CPUs. */
int32_t tally_cpu_counters(struct tally_cpu_counters *list, uint32_t capacity);

/* NET_COUNTERS: domain @id's NIC (its own, or any for control) in *@c; bytes written. */
int32_t tally_net_counters(uint32_t id, struct tally_net_counters *c);

/* DISK_COUNTERS: domain @id's disk (its own, or any for control) in *@c; bytes written. */
int32_t tally_disk_counters(uint32_t id, struct tally_disk_counters *c);

/*
 * PUBLISH_METRIC: set the metric @name to @value in @unit (TALLY_UNIT_*); 0.
 * The ABI's value is an int64_t in RSI, but a 32-bit guest has only ESI,
 * which Tally zero-extends: this library can publish 0 to UINT32_MAX, and
 * no negative value, so it takes a uint32_t rather than pretend otherwise.
 */
int32_t tally_publish_metric(const char *name, uint32_t value, uint32_t unit);

/* CONSOLE_WRITE: @len bytes at @buf to Tally's console, tagged with the domain's name; @len. */
int32_t tally_console_write(const char *buf, uint32_t len);

/* YIELD: give up the rest of this vCPU's slice; 0. */
int32_t tally_yield(void);

/* DOMAIN_PAUSE (control only): stop scheduling domain @id; 0. */
int32_t tally_domain_pause(uint32_t id);

/* DOMAIN_UNPAUSE (control only): schedule the paused domain @id again; 0. */
int32_t tally_domain_unpause(uint32_t id);

/* DOMAIN_DESTROY (control only): end domain @id; 0. */
int32_t tally_domain_destroy(uint32_t id);

#endif
