/* SPDX-License-Identifier: MIT */
/* The hypervisor side of the hypercall hooks (tally/hcall.h): domains, counters, metrics.
 *
 * Locking: domain information is read without locks (the table is fixed;
 * a domain's fields other than its state and pause flag never change after
 * creation, and those are single words);
 * counters are read as a snapshot under their CPUs' sequence counts
 * (tally/domain_counters.h), a NIC's and a disk's under their devices'
 * locks. */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/errno.h>
#include <tally/hcall.h>
#include <tally/hcall_devices.h>
#include <tally/hcall_host.h>
#include <tally/log.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/string.h>
#include <tally/vblk.h>
#include <tally/vnet.h>

/*
 * The public limits (public/tally.h) and Tally's own must agree: a name
 * copied out must fit, and every domain, vCPU, CPU and metric Tally keeps
 * must fit in one list a guest may ask for.
 */
_Static_assert(DOMAIN_NAME_MAX == TALLY_DOMAIN_NAME_MAX, "domain name lengths differ");
_Static_assert(DOMAIN_METRIC_NAME_MAX == TALLY_METRIC_NAME_MAX, "metric name lengths differ");
_Static_assert(DOMAIN_MAX_METRICS == TALLY_METRICS_MAX, "metric counts differ");
_Static_assert(DOMAIN_MAX <= TALLY_DOMAIN_LIST_MAX, "a DOMAIN_LIST cannot hold every domain");
_Static_assert(DOMAIN_MAX_VCPUS <= TALLY_VCPU_LIST_MAX, "a VCPU_COUNTERS cannot hold every vCPU");
_Static_assert(MAX_CPUS <= TALLY_CPU_LIST_MAX, "a CPU_COUNTERS cannot hold every CPU");

static struct domain *live_domain(uint32_t id)
{
	return id >= 1 ? domain_at(id - 1) : NULL;
}

static int host_domain_info(void *hv __unused, uint32_t id, struct tally_domain_info *out)
{
	const struct domain *d = live_domain(id);
	struct vblk_snapshot disk;

	if (!d)
		return -ENOENT;
	out->domain_id = d->id;
	out->vcpus = d->vcpu_count;
	out->mem_bytes = d->ram_bytes;
	out->disk_bytes = domain_counters_disk(d, &disk) ? 0 : disk.bytes;
	out->flags = (d->state == DOMAIN_DEAD ? TALLY_DOMAIN_DEAD : 0) |
		     (d->paused ? TALLY_DOMAIN_PAUSED : 0) |
		     (d->control ? TALLY_DOMAIN_CONTROL : 0);
	str_copy(out->name, d->name, sizeof(out->name));
	return 0;
}

static int host_domain_counters(void *hv __unused, uint32_t id, struct tally_counters *out)
{
	const struct domain *d = live_domain(id);

	if (!d)
		return -ENOENT;
	domain_counters(d, out);
	return 0;
}

static int host_net_counters(void *hv __unused, uint32_t id, struct tally_net_counters *out)
{
	const struct domain *d = live_domain(id);
	struct vnet_snapshot s;

	if (!d || domain_counters_net(d, &s))
		return -ENOENT;
	hcall_devices_net(&s, out);
	return 0;
}

static int host_disk_counters(void *hv __unused, uint32_t id, struct tally_disk_counters *out)
{
	const struct domain *d = live_domain(id);
	struct vblk_snapshot s;

	if (!d || domain_counters_disk(d, &s))
		return -ENOENT;
	hcall_devices_disk(&s, out);
	return 0;
}

/* Ended domains keep their vCPUs and final counters, so they are read as any other. */
static int host_vcpu_counters(void *hv __unused, uint32_t id, uint32_t vcpu,
			      struct tally_vcpu_counters *out)
{
	const struct domain *d = live_domain(id);

	if (!d || vcpu >= d->vcpu_count)
		return -ENOENT;
	vcpu_counters(d->vcpus[vcpu], out);
	return 0;
}

static uint32_t host_cpu_count(void *hv __unused)
{
	return percpu_count;
}

static void host_cpu_counters(void *hv __unused, uint32_t cpu, struct tally_cpu_counters *out)
{
	struct sched_cpu_stats st;

	out->generation = sched_cpu_stats_snapshot(cpu, &st);
	out->vcpus = percpu_area[cpu].sched.vcpus;
	out->guest_cycles = st.guest_cycles;
	out->hypervisor_cycles = st.hypervisor_cycles;
	out->idle_cycles = st.idle_cycles;
	out->switches = st.switches;
}

static uint32_t host_domain_list(void *hv __unused, uint32_t *ids, uint32_t max)
{
	for (uint32_t i = 0; i < domain_count() && i < max; i++)
		ids[i] = domain_at(i)->id;
	return domain_count();
}

static int host_publish_metric(void *hv __unused, uint32_t id, const char *name, int64_t value,
			       uint32_t unit)
{
	struct domain *d = live_domain(id);
	struct domain_metric *free_slot = NULL;

	if (!d)
		return -ENOENT;
	for (unsigned int i = 0; i < DOMAIN_MAX_METRICS; i++) {
		struct domain_metric *m = &d->metrics[i];

		if (m->used && !strcmp(m->name, name)) {
			free_slot = m;
			break;
		}
		if (!m->used && !free_slot)
			free_slot = m;
	}
	if (!free_slot)
		return -ENOSPC;
	/* Readers on other CPUs (stream, console) see a slot whole once it is used. */
	if (!free_slot->used) {
		str_copy(free_slot->name, name, sizeof(free_slot->name));
		free_slot->unit = unit;
		free_slot->value = value;
		__atomic_store_n(&free_slot->used, true, __ATOMIC_RELEASE);
		return 0;
	}
	free_slot->unit = unit;
	__atomic_store_n(&free_slot->value, value, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Guest text through the hypercall goes where its UART lines go: prefixed,
 * rate-limited, bytes shown as the UART shows them ('\r' dropped too).
 */
static void host_console_write(void *hv __unused, uint32_t id, const char *buf, uint32_t len)
{
	struct domain *d = live_domain(id);
	char line[VUART_LINE_MAX];
	uint32_t n = 0;

	if (!d)
		return;
	for (uint32_t i = 0; i < len; i++) {
		if (buf[i] == '\n' || n == sizeof(line) - 1) {
			line[n] = '\0';
			if (n)
				domain_console_line(d, line);
			n = 0;
			if (buf[i] == '\n')
				continue;
		}
		if (buf[i] != '\r')
			line[n++] = vuart_printable((uint8_t)buf[i]);
	}
	line[n] = '\0';
	if (n)
		domain_console_line(d, line);
}

static void host_yield(void *hv __unused)
{
	sched_yield();
}

/* The control domain @hv pauses or unpauses another (the dispatcher checked who and which). */
static int host_pause(void *hv, uint32_t id)
{
	struct domain *d = live_domain(id);

	return d ? domain_pause(d, hv) : -ENOENT;
}

static int host_unpause(void *hv, uint32_t id)
{
	struct domain *d = live_domain(id);

	return d ? domain_unpause(d, hv) : -ENOENT;
}

/* The control domain ends another (the dispatcher refused itself and non-control callers). */
static int host_destroy(void *hv, uint32_t id)
{
	struct domain *d = live_domain(id);

	if (!d || d->state == DOMAIN_DEAD)
		return -ENOENT;
	domain_destroy_by(d, hv);
	return 0;
}

const struct hcall_ops hcall_host_ops = {
	.domain_info = host_domain_info,
	.domain_counters = host_domain_counters,
	.vcpu_counters = host_vcpu_counters,
	.cpu_count = host_cpu_count,
	.cpu_counters = host_cpu_counters,
	.domain_list = host_domain_list,
	.publish_metric = host_publish_metric,
	.console_write = host_console_write,
	.yield = host_yield,
	.domain_pause = host_pause,
	.domain_unpause = host_unpause,
	.domain_destroy = host_destroy,
	.net_counters = host_net_counters,
	.disk_counters = host_disk_counters,
};

int64_t hcall_from_guest(struct vcpu *v, uint8_t cpl, uint64_t nr,
			 const uint64_t args[HCALL_NR_ARGS])
{
	struct domain *d = v->domain;
	struct hcall_ctx ctx = {
		.domain_id = d->id, .is_control = d->control, .cpl = cpl,
		.mem = &d->mem, .ops = &hcall_host_ops, .hv = d,	/* the caller, for control calls */
	};

	return hcall_dispatch(&ctx, nr, args);
}
