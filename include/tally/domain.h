/* SPDX-License-Identifier: MIT */
/* Domains (virtual machines) and their vCPUs.
 *
 * Design: domains are created at boot from the boot modules, and at run
 * time from template modules (tally/domain_runtime.h); they live in a table
 * sized once at boot, a run-time domain's entry emptied at its end.  Each vCPU belongs to one physical CPU for its whole
 * life; only that CPU runs it, changes its state or destroys its domain
 * (a domain's secondary vCPUs wait for a SIPI from its first).
 * Locking: domain_lock guards the table and each domain's state; a vCPU's
 * fields are its physical CPU's alone. */
#ifndef TALLY_DOMAIN_H
#define TALLY_DOMAIN_H

#include <tally/boot_info.h>
#include <tally/domain_config.h>
#include <tally/hcall_args.h>
#include <tally/ratelimit.h>
#include <tally/sched_policy.h>
#include <tally/vioapic.h>
#include <tally/vuart.h>
#include <tally/vfwcfg.h>
#include <tally/vpci.h>
#include <tally/vrtc.h>
#include <arch/vcpu.h>

enum domain_state {
	DOMAIN_RUNNING,
	DOMAIN_DEAD,		/* exited or destroyed; its memory is free again */
};

enum vcpu_state {
	VCPU_RUNNABLE,		/* on its CPU's run queue (or running) */
	VCPU_BLOCKED,		/* executed HLT; waits for a wake-up */
	VCPU_WAIT_SIPI,		/* secondary vCPU not started by the guest yet */
	VCPU_DEAD,
};

/* A metric the guest reported about itself (memory in use, say): never measured by Tally. */
#define DOMAIN_MAX_METRICS	16
#define DOMAIN_METRIC_NAME_MAX	32

struct domain_metric {
	char name[DOMAIN_METRIC_NAME_MAX];
	int64_t value;
	uint32_t unit;			/* TALLY_UNIT_* */
	uint32_t trust;			/* enum metric_trust: against Tally's figures */
	bool used;
};

struct domain;
struct domain_final;

struct vcpu {
	struct domain *domain;
	unsigned int id;		/* within the domain */
	unsigned int pcpu;		/* the physical CPU that runs it */
	enum vcpu_state state;
	struct sched_entity se;		/* its place in its CPU's run queue, and its counters */
	uint64_t counter_updates;	/* updates of its counters (their generation) */
	bool released;			/* dead, and its CPU let go of its VMCS */
	struct arch_vcpu arch;
	/*
	 * Its place on its CPU's list of every vCPU placed there (kernel/sched.c),
	 * last: a restart reinitialises the fields above, never these, as other
	 * CPUs may be walking the list.
	 */
	struct vcpu *placed_next;
	bool placed;
};

struct domain {
	unsigned int id;		/* 1, 2, ... in module order */
	char name[DOMAIN_NAME_MAX];
	enum domain_state state;
	bool control;			/* the control domain (at most one) */
	bool agent;			/* `agent`: its user mode may publish metrics */
	hpa_t ram;			/* one block, guest-physical 0 .. ram_bytes */
	uint64_t ram_bytes;
	struct guest_mem mem;		/* the same, as hypercalls read and write it */
	unsigned int vcpu_count;
	struct vcpu *vcpus[DOMAIN_MAX_VCPUS];
	struct arch_domain arch;	/* EPT */
	struct vuart uart;
	struct vioapic ioapic;		/* its I/O APIC (drivers/vdev/virq.c) */
	struct spinlock ioapic_lock;	/* ioapic: device models and vCPUs, any CPU */
	unsigned int unreleased;	/* dying: vCPUs their CPUs have not released yet */
	uint64_t io_unhandled;		/* accesses to ports no device claims */
	uint64_t sleep_ignored;		/* ACPI sleep requests other than S5 (drivers/vdev/vpm.c) */
	struct vrtc rtc;		/* its CMOS clock (drivers/vdev/vrtc.c) */
	struct vfwcfg fwcfg;		/* its fw_cfg selector (drivers/vdev/vfwcfg.c) */
	struct vpci pci;		/* its PCI CONFIG_ADDRESS (drivers/vdev/vpci.c) */
	struct vnet *net;		/* its NIC (drivers/vdev/vnet.c), or NULL */
	struct vblk *blk;		/* its disk (drivers/vdev/vblk.c), or NULL */
	const struct boot_module *disk_image;	/* its `disk_of=` module, or NULL */
	bool paused;			/* by the control domain: no vCPU runs */
	struct domain_metric metrics[DOMAIN_MAX_METRICS];	/* guest-reported */
	uint64_t console_dropped;	/* guest console lines over the rate limit or the ring */
	struct ratelimit console_limit;	/* its console lines (kernel/log.c) */
	struct ratelimit log_limit;	/* Tally's lines it caused (log_guest()) */
	/* Its lifecycle (kernel/domain.c): what it was made from, so that it can restart. */
	const struct boot_module *module;	/* its kernel's boot module */
	const struct boot_module *initrd;	/* its `initrd_of=` module, or NULL */
	unsigned int module_index;	/* @module's place on the loader's list */
	enum domain_on_reboot on_reboot;
	uint64_t max_run_tsc;		/* `max_run_s=`: the TSC at which it ends; 0: never */
	uint64_t created_tsc;		/* this life's start, for the bill (kernel/bill_report.c) */
	uint64_t ended_tsc;		/* this life's end; 0 while it lives */
	uint64_t hv_cycles_base;	/* domain_hypervisor_cycles() of its earlier lives */
	bool restarting;		/* `on_reboot=restart`: recreated once its vCPUs are released */
	unsigned int restarts;		/* lives so far after the first */
	struct domain_final *final;	/* its devices' counters at its last end (domain_counters.c) */
	bool quiet;			/* `hush`: only its usage line of its routine lines */
};

/* Hold the domain table still (no domain is freed meanwhile); returns the IRQ state. */
unsigned long domain_table_lock(void);
/* Release what domain_table_lock() took. */
void domain_table_unlock(unsigned long flags);

/* Create a domain for every boot module; each failure is logged and skipped. */
void domain_create_all(const struct boot_info *bi);

/* Domains created and not yet dead. */
unsigned int domain_alive_count(void);

/* Bytes of the domain table and records (tally/domain_slot.h), kept for the run. */
uint64_t domain_records_bytes(void);
/* Count @delta bytes another listing keeps per domain (top's figures) as records. */
void domain_records_note(int64_t delta);

/*
 * The domain table, for walks (audit, listings): entries 0..domain_count()-1,
 * NULL where a run-time domain ended; a pointer read stays good until this
 * CPU's next scheduling pass (tally/domain_slot.h).
 */
unsigned int domain_count(void);
struct domain *domain_at(unsigned int i);

/*
 * End @d because the guest asked to (debug-exit write of @value): log the
 * status as QEMU reports it, (value << 1) | 1, and the raw value.
 */
void domain_exit(struct domain *d, uint64_t value);

/*
 * End @d because its guest asked for S5 (soft off): "dN NAME powered off",
 * no exit-status bit.  Called on the CPU of the vCPU that asked.
 */
void domain_power_off(struct domain *d);

/*
 * The guest of @d reset its machine (@cause: "0xCF9", "keyboard controller",
 * "triple fault", ...): it ends as "rebooted (@cause)", or with
 * `on_reboot=restart` is recreated from its boot modules with the same id
 * and name.  Called on the CPU of the vCPU that asked.
 */
void domain_reboot(struct domain *d, const char *cause);

/*
 * The scheduler's call between two vCPUs (any CPU, none of its vCPUs
 * running): end every domain whose `max_run_s=` time is up at TSC @now
 * (EMU_EXIT_TIMED_OUT), and rebuild the domains waiting to restart.
 */
void domain_sched_work(uint64_t now);

/*
 * Set (never cleared) once some domain has a `max_run_s=` deadline or waits
 * to restart: until then the scheduler skips domain_sched_work(), which
 * most runs never need, on its every pass.
 */
extern bool domain_sched_hint;
static inline bool domain_sched_work_due(void)
{
	return __atomic_load_n(&domain_sched_hint, __ATOMIC_ACQUIRE);
}

/* The earliest `max_run_s=` deadline (a TSC value) of a running domain; UINT64_MAX if none. */
uint64_t domain_next_deadline(void);

/*
 * Destroy @d for a fault of its own: one log line with @reason, the guest
 * RIP and exit qualification, then its memory is scrubbed and freed.
 * Called on the CPU of the faulting vCPU; other domains are not touched.
 */
void domain_crash(struct domain *d, const char *reason, uint64_t rip, uint64_t qual);

/*
 * End @d for control domain @by, or for Tally's console if @by is NULL
 * (any CPU; its vCPUs stop where they run).
 */
void domain_destroy_by(struct domain *d, const struct domain *by);

/*
 * The control domain @by (NULL: Tally's console) stops scheduling @d
 * (returning once none of its vCPUs runs, so its counters stand still) or
 * lets it run again.  0, or
 * -ENOENT if @d has ended; pausing a paused domain (or unpausing a running
 * one) does nothing and returns 0.
 */
int domain_pause(struct domain *d, const struct domain *by);
int domain_unpause(struct domain *d, const struct domain *by);

/* On @v's own CPU, once @v is dead: drop its VMCS; the last vCPU frees the domain. */
void domain_release_vcpu(struct vcpu *v);

/*
 * Log @d's CPU use and counters summed over its vCPUs, and its exits by
 * reason (kernel/domain_report.c): once, when its last vCPU is released.
 */
void domain_log_usage(const struct domain *d);
/*
 * One line per guest-reported metric of @d after @prefix: `PREFIX
 * guest-reported metric NAME=V unit=U trust=T` (its end, the console's info).
 */
void domain_log_metrics(const struct domain *d, const char *prefix);

/* "running", "paused" or "dead", for the console and the stream. */
const char *domain_state_name(const struct domain *d);

/* A line the guest wrote to its UART: printed with the domain's name, rate-limited. */
void domain_console_line(struct domain *d, const char *line);

#endif
