/* SPDX-License-Identifier: MIT */
/*
 * Tally's guest ABI: what a guest may rely on.  Self-contained C (fixed-width
 * types only), so a guest can include it as it is.
 */
#ifndef TALLY_PUBLIC_TALLY_H
#define TALLY_PUBLIC_TALLY_H

#include <stdint.h>

/*
 * CPUID.1:ECX bit 31 is set under Tally.  Leaf 0x40000000 returns the
 * highest hypervisor leaf in EAX and the signature "TallyTally\0\0" in
 * EBX, ECX, EDX (as the bytes of those registers in that order).
 */
#define TALLY_CPUID_BASE		0x40000000u
#define TALLY_CPUID_SIGNATURE_EBX	0x6c6c6154u	/* "Tall" */
#define TALLY_CPUID_SIGNATURE_ECX	0x6c615479u	/* "yTal" */
#define TALLY_CPUID_SIGNATURE_EDX	0x0000796cu	/* "ly\0\0" */

/*
 * I/O ports every domain has: a 16550 UART whose output Tally prints as
 * whole lines prefixed with the domain's name, and QEMU's isa-debug-exit:
 * writing v (any width) ends the domain with exit code (v << 1) | 1.
 */
#define TALLY_PORT_UART			0x3F8u
#define TALLY_PORT_DEBUG_EXIT		0xF4u

/*
 * Hypercalls: VMCALL from ring 0 of the guest.
 *
 *   RAX = call number (TALLY_HC_*)
 *   RDI, RSI, RDX, R10, R8 = arguments 0 to 4 (unused ones are ignored)
 *   RAX = result: >= 0 on success, a negative -TALLY_E* code on failure
 *
 * Tally changes no other guest register.  Pointers are guest-physical
 * addresses in the caller's own memory.  A failed call changes nothing:
 * no byte of guest memory is written when the result is negative.
 * Every call is refused from guest user mode (CPL > 0) with -TALLY_EACCES:
 * the guest's kernel decides what its programs may ask.  The exception: in
 * a domain started with the module option "agent", ABI_VERSION and
 * PUBLISH_METRIC work from user mode too (docs/AGENT.md).  Calls marked
 * "control only" are refused with -TALLY_EPERM unless the caller is the
 * control domain (module command line "role=control").
 */
#define TALLY_ABI_VERSION_MAJOR		1	/* incompatible changes */
#define TALLY_ABI_VERSION_MINOR		4	/* additions only (1: VCPU_ and CPU_COUNTERS,
						 * 2: NET_ and DISK_COUNTERS,
						 * 3: DOMAIN_LIST_FROM,
						 * 4: DOMAIN_CREATE) */

/* Error codes (returned negated), with Linux's values. */
#define TALLY_EPERM	1	/* not allowed: not the control domain */
#define TALLY_ENOENT	2	/* no such domain */
#define TALLY_E2BIG	7	/* length or count above the call's limit */
#define TALLY_ENOMEM	12	/* not enough memory (or no free domain table entry) */
#define TALLY_EACCES	13	/* called from guest user mode (CPL > 0) */
#define TALLY_EFAULT	14	/* a pointer reaches outside the caller's memory */
#define TALLY_EEXIST	17	/* the name is taken */
#define TALLY_EINVAL	22	/* bad argument: misaligned, too small, bad value */
#define TALLY_ENOSPC	28	/* no room left (the metric table is full) */
#define TALLY_ERANGE	34	/* value out of range */
#define TALLY_ENOSYS	38	/* unknown call number */

/*
 * TALLY_HC_ABI_VERSION(info_gpa)
 *   info_gpa: 0, or a struct tally_abi_info to fill (8-byte aligned).
 *   Result:   (TALLY_ABI_VERSION_MAJOR << 16) | TALLY_ABI_VERSION_MINOR.
 *   Errors:   -EFAULT, -EINVAL (misaligned).  Anyone may call.
 */
#define TALLY_HC_ABI_VERSION		0
/*
 * TALLY_HC_DOMAIN_INFO(info_gpa, len)
 *   Fills the struct tally_domain_info at info_gpa (8-byte aligned, len >=
 *   its size) for the calling domain.  Result: bytes written.
 *   Errors:   -EFAULT, -EINVAL (misaligned or len too small).  Anyone.
 */
#define TALLY_HC_DOMAIN_INFO		1
/*
 * TALLY_HC_DOMAIN_COUNTERS(counters_gpa, len)
 *   Fills the struct tally_counters at counters_gpa (8-byte aligned, len >=
 *   its size) with a snapshot of the calling domain's counters.
 *   Result: bytes written.  Errors: -EFAULT, -EINVAL.  Anyone.
 */
#define TALLY_HC_DOMAIN_COUNTERS	2
/*
 * TALLY_HC_DOMAIN_LIST(array_gpa, capacity)
 *   Fills up to capacity struct tally_domain_info entries (8-byte aligned
 *   array) with every domain, in id order.  capacity may be 0 (array_gpa is
 *   then ignored) to ask for the count.  Result: the number of domains,
 *   which may exceed capacity (then only capacity entries are written).
 *   Errors: -E2BIG (capacity > TALLY_DOMAIN_LIST_MAX), -EFAULT, -EINVAL.
 *   Control only.
 */
#define TALLY_HC_DOMAIN_LIST		3
/*
 * TALLY_HC_DOMAIN_COUNTERS_OF(domain_id, counters_gpa, len)
 *   As TALLY_HC_DOMAIN_COUNTERS for any domain.  Result: bytes written.
 *   Errors: -ENOENT, -EFAULT, -EINVAL.  Control only.
 */
#define TALLY_HC_DOMAIN_COUNTERS_OF	4
/*
 * TALLY_HC_PUBLISH_METRIC(name_gpa, value, unit)
 *   Sets the calling domain's guest-reported metric name_gpa (a
 *   NUL-terminated string of 1 to TALLY_METRIC_NAME_MAX - 1 characters from
 *   A-Z a-z 0-9 _ . : -) to value (int64_t) in unit (TALLY_UNIT_*),
 *   creating it if new.  Result: 0.
 *   Errors: -EFAULT, -E2BIG (name not terminated within
 *   TALLY_METRIC_NAME_MAX bytes), -EINVAL (empty name, bad character or
 *   unit), -ENOSPC (the domain has TALLY_METRICS_MAX metrics).  Anyone.
 */
#define TALLY_HC_PUBLISH_METRIC		5
/*
 * TALLY_HC_CONSOLE_WRITE(buf_gpa, len)
 *   Writes len bytes at buf_gpa to Tally's console, tagged with the
 *   domain's name (and rate-limited).  len 0 writes nothing.
 *   Result: len.  Errors: -E2BIG (len > TALLY_CONSOLE_WRITE_MAX), -EFAULT.
 *   Anyone.
 */
#define TALLY_HC_CONSOLE_WRITE		6
/*
 * TALLY_HC_YIELD()
 *   Gives up the rest of the calling vCPU's slice.  Result: 0.  Anyone.
 */
#define TALLY_HC_YIELD			7
/*
 * TALLY_HC_DOMAIN_PAUSE(domain_id), TALLY_HC_DOMAIN_UNPAUSE(domain_id),
 * TALLY_HC_DOMAIN_DESTROY(domain_id)
 *   Stop scheduling, resume, or end another domain.  Result: 0.  PAUSE
 *   returns once none of the domain's vCPUs runs, so its counters stand
 *   still until UNPAUSE; pausing a paused domain or unpausing a running one
 *   does nothing.  A paused domain's timers wait: it takes their interrupts
 *   when unpaused.  When the control domain ends, Tally unpauses the rest.
 *   Errors: -ENOENT (no such domain, or it has ended), -EINVAL (the caller
 *   itself).  Control only.
 */
#define TALLY_HC_DOMAIN_PAUSE		8
#define TALLY_HC_DOMAIN_UNPAUSE		9
#define TALLY_HC_DOMAIN_DESTROY		10
/*
 * TALLY_HC_VCPU_COUNTERS(domain_id, array_gpa, capacity)      (ABI 1.1)
 *   Fills up to capacity struct tally_vcpu_counters entries (8-byte aligned
 *   array), one per vCPU of the domain in vCPU order, each one snapshot.
 *   capacity may be 0 (array_gpa is then ignored).  Result: the domain's
 *   number of vCPUs, which may exceed capacity.
 *   Errors: -ENOENT, -EPERM (another domain's, unless the caller is the
 *   control domain), -E2BIG (capacity > TALLY_VCPU_LIST_MAX), -EFAULT,
 *   -EINVAL.  Anyone, for its own domain.
 */
#define TALLY_HC_VCPU_COUNTERS		11
/*
 * TALLY_HC_CPU_COUNTERS(array_gpa, capacity)                  (ABI 1.1)
 *   Fills up to capacity struct tally_cpu_counters entries (8-byte aligned
 *   array), one per physical CPU Tally runs on, in CPU order.  capacity may
 *   be 0.  Result: the number of CPUs, which may exceed capacity.
 *   Errors: -E2BIG (capacity > TALLY_CPU_LIST_MAX), -EFAULT, -EINVAL.
 *   Control only.
 */
#define TALLY_HC_CPU_COUNTERS		12
/*
 * TALLY_HC_NET_COUNTERS(domain_id, buf_gpa, len)              (ABI 1.2)
 *   Fills the struct tally_net_counters at buf_gpa (8-byte aligned, len >=
 *   its size) with one snapshot of the domain's NIC: its switch port's
 *   counters and its virtio device's errors (an ended domain's: as it
 *   ended).  Result: bytes written.
 *   Errors: -EPERM (another domain's, unless the caller is the control
 *   domain), -ENOENT (no such domain, or it has no NIC), -EFAULT, -EINVAL.
 *   Anyone, for its own domain.
 */
#define TALLY_HC_NET_COUNTERS		13
/*
 * TALLY_HC_DISK_COUNTERS(domain_id, buf_gpa, len)             (ABI 1.2)
 *   Fills the struct tally_disk_counters at buf_gpa (8-byte aligned, len >=
 *   its size) with one snapshot of the domain's disk.  Result: bytes
 *   written.  Errors: -EPERM, -ENOENT (no such domain, or it has no
 *   disk), -EFAULT, -EINVAL, as NET_COUNTERS.  Anyone, for its own domain.
 */
#define TALLY_HC_DISK_COUNTERS		14
/*
 * TALLY_HC_DOMAIN_LIST_FROM(first_id, array_gpa, capacity)     (ABI 1.3)
 *   As DOMAIN_LIST for the domains whose id is >= first_id: fills up to
 *   capacity entries with them, in id order.  Result: how many domains
 *   have an id >= first_id, which may exceed capacity.  Domain ids start
 *   at 1, so there may be more domains than one call holds: a caller pages
 *   with first_id = the last id written + 1 until the result <= capacity.
 *   Errors: -E2BIG (capacity > TALLY_DOMAIN_LIST_MAX), -EFAULT, -EINVAL
 *   (also first_id 0).  Control only.
 */
#define TALLY_HC_DOMAIN_LIST_FROM	15
/*
 * TALLY_HC_DOMAIN_CREATE(req_gpa, len)                         (ABI 1.4)
 *   req_gpa: a struct tally_domain_create (8-byte aligned), len its size.
 *   A new domain from the template module template_name (a boot module
 *   with the word `template`), named name, with options (Tally's module
 *   options, such as "type=t1.small mem=8") overriding the template's; it
 *   starts at once.  Result: the new domain's id.  It ends as any other
 *   (TALLY_HC_DOMAIN_DESTROY), and its id then lists nothing; an id is
 *   given again only after every other free one.  Errors: -ENOENT (no such
 *   template), -EEXIST (a live domain has that name), -EINVAL (len is not
 *   the struct's size, a string not NUL-terminated, a bad name or option),
 *   -ENOMEM (memory short, or the domain table full), -EFAULT.
 *   Control only.
 */
#define TALLY_HC_DOMAIN_CREATE		16
#define TALLY_HC_COUNT			17	/* numbers >= this: -ENOSYS */

/* Limits. */
#define TALLY_DOMAIN_NAME_MAX		32	/* bytes, NUL included */
#define TALLY_DOMAIN_LIST_MAX		256	/* entries per DOMAIN_LIST(_FROM) */
#define TALLY_VCPU_LIST_MAX		256	/* entries per VCPU_COUNTERS */
#define TALLY_CPU_LIST_MAX		256	/* entries per CPU_COUNTERS */
#define TALLY_METRIC_NAME_MAX		32	/* bytes, NUL included */
#define TALLY_METRICS_MAX		16	/* per domain */
#define TALLY_CONSOLE_WRITE_MAX		256	/* bytes per CONSOLE_WRITE */
#define TALLY_EXIT_REASONS		65	/* basic VM-exit reasons 0..64 (SDM Appendix C) */
#define TALLY_NET_GROUP_MAX		16	/* isolation group name bytes, NUL included */
#define TALLY_NET_MAC_LEN		6

/* Units of a published metric. */
#define TALLY_UNIT_NONE			0
#define TALLY_UNIT_BYTES		1
#define TALLY_UNIT_COUNT		2
#define TALLY_UNIT_PERCENT		3
#define TALLY_UNIT_NANOSECONDS		4
#define TALLY_UNIT_PER_SECOND		5
#define TALLY_UNIT_COUNT_OF_UNITS	6

/*
 * Structures passed through memory: every one starts with its size in bytes
 * and layout version, which Tally fills in.  Later minor ABI versions only
 * append fields (size grows); a guest reads the fields it knows.
 */
#define TALLY_ABI_INFO_VERSION		1
#define TALLY_DOMAIN_INFO_VERSION	1
#define TALLY_COUNTERS_VERSION		1
#define TALLY_VCPU_COUNTERS_VERSION	1
#define TALLY_CPU_COUNTERS_VERSION	1
#define TALLY_NET_COUNTERS_VERSION	1
#define TALLY_DISK_COUNTERS_VERSION	1

/* Bits of tally_abi_info.features. */
#define TALLY_FEATURE_CONTROL		(1ull << 0)	/* caller is the control domain */
#define TALLY_FEATURE_METRICS		(1ull << 1)	/* PUBLISH_METRIC works */
#define TALLY_FEATURE_CONSOLE		(1ull << 2)	/* CONSOLE_WRITE works */

struct tally_abi_info {
	uint32_t size;			/* sizeof(struct tally_abi_info) */
	uint32_t version;		/* TALLY_ABI_INFO_VERSION */
	uint16_t major;			/* TALLY_ABI_VERSION_MAJOR */
	uint16_t minor;			/* TALLY_ABI_VERSION_MINOR */
	uint32_t nr_calls;		/* TALLY_HC_COUNT */
	uint64_t features;		/* TALLY_FEATURE_* */
};
_Static_assert(sizeof(struct tally_abi_info) == 24, "tally_abi_info layout");

/* Bits of tally_domain_info.flags. */
#define TALLY_DOMAIN_CONTROL		(1u << 0)	/* the control domain */
#define TALLY_DOMAIN_PAUSED		(1u << 1)	/* paused by the control domain */
#define TALLY_DOMAIN_DEAD		(1u << 2)	/* ended; counters are final */

/* TALLY_HC_DOMAIN_CREATE's request: three NUL-terminated strings. */
#define TALLY_DOMAIN_OPTIONS_MAX	128	/* bytes, NUL included */
struct tally_domain_create {
	char template_name[TALLY_DOMAIN_NAME_MAX];
	char name[TALLY_DOMAIN_NAME_MAX];
	char options[TALLY_DOMAIN_OPTIONS_MAX];
};
_Static_assert(sizeof(struct tally_domain_create) == 192, "tally_domain_create layout");

struct tally_domain_info {
	uint32_t size;			/* sizeof(struct tally_domain_info) */
	uint32_t version;		/* TALLY_DOMAIN_INFO_VERSION */
	uint32_t domain_id;
	uint32_t vcpus;
	uint64_t mem_bytes;		/* guest memory mapped by its EPT */
	uint64_t disk_bytes;		/* virtual disk size (0: no disk) */
	uint32_t flags;			/* TALLY_DOMAIN_* */
	uint32_t _pad0;			/* zero */
	char name[TALLY_DOMAIN_NAME_MAX];	/* NUL-terminated */
};
_Static_assert(sizeof(struct tally_domain_info) == 72, "tally_domain_info layout");

/*
 * One domain's measured counters, summed over its vCPUs.  Every value is
 * monotonic (mem_allocated_bytes aside).  Each vCPU's counters are read as
 * one moment, never half-updated (a domain with vCPUs on several CPUs
 * is the sum of such reads, taken one after another).  generation counts
 * the updates the snapshot contains, so two snapshots of a domain with
 * equal generations are identical.  A running vCPU's time is counted up to
 * its last VM exit.  The network fields are the domain's NIC's (zero
 * without one): frames without the virtio header and FCS that the switch
 * took from it (tx) and delivered to it (rx).  The disk fields count the
 * requests its disk answered OK and their data bytes (zero without one).
 */
struct tally_counters {
	uint32_t size;			/* sizeof(struct tally_counters) */
	uint32_t version;		/* TALLY_COUNTERS_VERSION */
	uint32_t domain_id;
	uint32_t _pad0;			/* zero */
	uint64_t generation;
	uint64_t cpu_cycles;		/* TSC cycles spent running the guest */
	uint64_t cpu_ns;
	uint64_t slices;		/* times a vCPU was scheduled in */
	uint64_t halts;			/* HLT exits */
	uint64_t wakeups;		/* times a halted vCPU ran again after a wake-up */
	uint64_t exits_total;
	uint64_t exits_by_reason[TALLY_EXIT_REASONS];
	uint64_t io_port_accesses;
	uint64_t mem_allocated_bytes;	/* exactly what the EPT maps */
	uint64_t net_rx_bytes;
	uint64_t net_rx_packets;
	uint64_t net_tx_bytes;
	uint64_t net_tx_packets;
	uint64_t disk_read_requests;
	uint64_t disk_read_bytes;
	uint64_t disk_write_requests;
	uint64_t disk_write_bytes;
	uint64_t _reserved[8];		/* zero; room for later counters */
};
_Static_assert(sizeof(struct tally_counters) == 16 + 7 * 8 + TALLY_EXIT_REASONS * 8 + 18 * 8,
	       "tally_counters layout");

/*
 * One vCPU's counters (the parts of a domain's sum), read as one moment.
 * generation counts the vCPU's updates, as for a domain.
 */
struct tally_vcpu_counters {
	uint32_t size;			/* sizeof(struct tally_vcpu_counters) */
	uint32_t version;		/* TALLY_VCPU_COUNTERS_VERSION */
	uint32_t domain_id;
	uint32_t vcpu_id;		/* 0 .. vcpus - 1 */
	uint32_t pcpu;			/* the physical CPU that runs it */
	uint32_t _pad0;			/* zero */
	uint64_t generation;
	uint64_t cpu_cycles;		/* TSC cycles spent running it */
	uint64_t cpu_ns;
	uint64_t slices;		/* times it was scheduled in */
	uint64_t preemptions;		/* slices the timer ended */
	uint64_t halts;			/* HLT exits that blocked it */
	uint64_t wakeups;		/* times it ran again after a wake-up */
	uint64_t donated_cycles;	/* unused slice time it gave away by halting */
	uint64_t received_cycles;	/* time it ran on slices others gave away */
	uint64_t exits_total;
	uint64_t exits_by_reason[TALLY_EXIT_REASONS];
	uint64_t io_port_accesses;
	uint64_t _reserved[4];		/* zero; room for later counters */
};
_Static_assert(sizeof(struct tally_vcpu_counters) == 24 + 10 * 8 + TALLY_EXIT_REASONS * 8 + 5 * 8,
	       "tally_vcpu_counters layout");

/*
 * One physical CPU's time, read as one moment: every TSC cycle since
 * accounting began is guest, hypervisor or idle time, so the three add up
 * to the time it has accounted.  generation counts its updates.
 */
struct tally_cpu_counters {
	uint32_t size;			/* sizeof(struct tally_cpu_counters) */
	uint32_t version;		/* TALLY_CPU_COUNTERS_VERSION */
	uint32_t cpu;			/* Tally's CPU number */
	uint32_t vcpus;			/* vCPUs placed on it */
	uint64_t generation;
	uint64_t guest_cycles;		/* running vCPUs */
	uint64_t hypervisor_cycles;	/* in Tally: exits, switches, the console */
	uint64_t idle_cycles;		/* nothing to run */
	uint64_t switches;		/* picks of a vCPU other than the previous one */
	uint64_t _reserved[3];		/* zero */
};
_Static_assert(sizeof(struct tally_cpu_counters) == 16 + 8 * 8, "tally_cpu_counters layout");

/* Indices of tally_net_counters.drops: why the switch dropped a frame. */
#define TALLY_NET_DROP_SPOOFED		0	/* source MAC not the port's */
#define TALLY_NET_DROP_ISOLATION	1	/* destination in another isolation group */
#define TALLY_NET_DROP_TX_LIMIT		2	/* over the sender's tx rate limit */
#define TALLY_NET_DROP_RX_LIMIT		3	/* over the receiver's rx rate limit */
#define TALLY_NET_DROP_NO_BUFFER	4	/* the receiver had no (big enough) buffer */
#define TALLY_NET_DROP_OVERSIZE		5	/* longer than 1514 bytes */
#define TALLY_NET_DROP_MALFORMED	6	/* shorter than 14 bytes, or a bad virtio header */
#define TALLY_NET_DROP_CAUSES		7

/* Indices of ring_errors: malformed virtqueues and descriptor chains, by cause. */
#define TALLY_RING_ERR_RING		0	/* a ring outside the domain, or a bad size */
#define TALLY_RING_ERR_INDEX		1	/* a head or next index past the queue size */
#define TALLY_RING_ERR_LOOP		2	/* a chain longer than its table */
#define TALLY_RING_ERR_ADDR		3	/* a buffer outside the domain, or wrapping */
#define TALLY_RING_ERR_LEN		4	/* a zero-length buffer, or a chain over 4 GiB */
#define TALLY_RING_ERR_INDIRECT		5	/* a bad indirect descriptor */
#define TALLY_RING_ERR_ORDER		6	/* a readable descriptor after a writable one */
#define TALLY_RING_ERR_SEGS		7	/* too many segments */
#define TALLY_RING_ERR_AVAIL		8	/* avail.idx more than the queue size ahead */
#define TALLY_RING_ERR_CAUSES		9

/*
 * A domain's NIC, read as one moment (ABI 1.2).  tx: frames its guest sent
 * that the switch took; rx: frames delivered into its receive buffers;
 * bytes are Ethernet frames without the virtio header and FCS.  A dropped
 * frame counts at the port it belonged to: the sender's (spoofed,
 * isolation, tx limit, oversize, malformed) or the receiver's (rx limit, no
 * buffer).  A malformed ring puts the device in DEVICE_NEEDS_RESET until
 * the driver resets it (needs_reset counts those times).
 */
struct tally_net_counters {
	uint32_t size;			/* sizeof(struct tally_net_counters) */
	uint32_t version;		/* TALLY_NET_COUNTERS_VERSION */
	uint32_t domain_id;
	uint32_t _pad0;			/* zero */
	uint8_t mac[TALLY_NET_MAC_LEN];
	uint8_t _pad1[2];		/* zero */
	char group[TALLY_NET_GROUP_MAX];	/* isolation group, NUL-terminated */
	uint64_t tx_packets, tx_bytes, tx_broadcast, tx_multicast;
	uint64_t rx_packets, rx_bytes, rx_broadcast, rx_multicast;
	uint64_t drops[TALLY_NET_DROP_CAUSES];	/* by TALLY_NET_DROP_* */
	uint64_t errors;		/* ring and device errors (the detail follows) */
	uint64_t ring_errors[TALLY_RING_ERR_CAUSES];	/* by TALLY_RING_ERR_* */
	uint64_t needs_reset;		/* times the device entered DEVICE_NEEDS_RESET */
	uint64_t bad_register;		/* refused register accesses */
	uint64_t resets;		/* driver resets */
	uint64_t _reserved[4];		/* zero; room for later counters */
};
_Static_assert(sizeof(struct tally_net_counters) == 40 + 16 * 8 + TALLY_RING_ERR_CAUSES * 8 +
	       7 * 8, "tally_net_counters layout");

/* Bits of tally_disk_counters.flags. */
#define TALLY_DISK_RO			(1u << 0)	/* read-only (`disk_ro`) */

/*
 * A domain's disk, read as one moment (ABI 1.2).  Requests count when
 * answered OK, with their data bytes (sectors * 512); a request answered
 * with an I/O error (past the end, malformed) counts in ioerr only, one
 * refused as unsupported (unknown type, write to a read-only disk) in
 * unsupported only.
 */
struct tally_disk_counters {
	uint32_t size;			/* sizeof(struct tally_disk_counters) */
	uint32_t version;		/* TALLY_DISK_COUNTERS_VERSION */
	uint32_t domain_id;
	uint32_t flags;			/* TALLY_DISK_* */
	uint64_t disk_bytes;		/* its size */
	uint64_t read_requests, read_bytes;
	uint64_t write_requests, write_bytes;
	uint64_t flush_requests;
	uint64_t other_requests;	/* get-id */
	uint64_t ioerr;			/* requests answered VIRTIO_BLK_S_IOERR */
	uint64_t unsupported;		/* requests answered VIRTIO_BLK_S_UNSUPP */
	uint64_t ring_errors[TALLY_RING_ERR_CAUSES];	/* by TALLY_RING_ERR_* */
	uint64_t needs_reset, bad_register, resets;	/* as in tally_net_counters */
	uint64_t _reserved[4];		/* zero */
};
_Static_assert(sizeof(struct tally_disk_counters) == 24 + 8 * 8 + TALLY_RING_ERR_CAUSES * 8 +
	       7 * 8, "tally_disk_counters layout");

#endif
