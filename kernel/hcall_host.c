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
#include <tally/domain_runtime.h>
#include <tally/errno.h>
#include <tally/hcall.h>
#include <tally/hcall_devices.h>
#include <tally/hcall_host.h>
#include <tally/log.h>
#include <tally/metric_check.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/string.h>
#include <tally/vblk.h>
#include <tally/vnet.h>

/*
 * The public limits (public/tally.h) and Tally's own must agree: a name
 * copied out must fit, and every vCPU, CPU and metric Tally keeps must fit
 * in one list a guest may ask for (domains page with DOMAIN_LIST_FROM).
 */
_Static_assert(DOMAIN_NAME_MAX == TALLY_DOMAIN_NAME_MAX, "domain name lengths differ");
_Static_assert(DOMAIN_METRIC_NAME_MAX == TALLY_METRIC_NAME_MAX, "metric name lengths differ");
_Static_assert(DOMAIN_MAX_METRICS == TALLY_METRICS_MAX, "metric counts differ");
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

/*
 * Domain id i + 1 is table entry i, so a page starts where it asks; the
 * entries of ended run-time domains are empty and skipped (counting the
 * rest walks the table from @first once).
 */
static uint32_t host_domain_list(void *hv __unused, uint32_t first, uint32_t *ids, uint32_t max)
{
	uint32_t count = domain_count(), n = 0;

	for (uint32_t i = first ? first - 1 : 0; i < count; i++) {
		const struct domain *d = domain_at(i);

		if (d && n < max)
			ids[n] = d->id;
		n += d != NULL;
	}
	return n;
}

/*
 * Each of @d's metrics against what Tally measured: a new figure can change
 * a sibling's verdict (mem_used against mem_total), so all are checked again.
 */
static void recheck_metrics(struct domain *d)
{
	struct metric_sample all[DOMAIN_MAX_METRICS];
	unsigned int slot[DOMAIN_MAX_METRICS], n = 0;
	struct metric_facts f = { .ram_bytes = d->ram_bytes };
	struct vblk_snapshot disk;

	if (!domain_counters_disk(d, &disk)) {
		f.disk_bytes = disk.bytes;
		f.disk_written_bytes = disk.c.write_bytes;
		f.disk_image_bytes = d->disk_image ? d->disk_image->size : 0;
	}
	for (unsigned int i = 0; i < DOMAIN_MAX_METRICS; i++) {
		if (!d->metrics[i].used)
			continue;
		all[n] = (struct metric_sample){ d->metrics[i].name, d->metrics[i].value,
						 d->metrics[i].unit };
		slot[n++] = i;
	}
	for (unsigned int i = 0; i < n; i++)
		__atomic_store_n(&d->metrics[slot[i]].trust, metric_check(all, n, i, &f),
				 __ATOMIC_RELAXED);
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
		free_slot->trust = METRIC_UNCHECKED;
		__atomic_store_n(&free_slot->used, true, __ATOMIC_RELEASE);
	} else {
		free_slot->unit = unit;
		__atomic_store_n(&free_slot->value, value, __ATOMIC_RELAXED);
	}
	recheck_metrics(d);
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

/* The control domain @hv makes a domain from a template; a full table is no room, as memory. */
static int host_create(void *hv, const struct tally_domain_create *req, uint32_t *id)
{
	unsigned int new_id;
	int err = domain_create_from_template(req->template_name, req->name, req->options, hv,
					      &new_id);

	if (err == -ENOSPC)
		return -ENOMEM;
	*id = new_id;
	return err;
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
	.domain_create = host_create,
	.net_counters = host_net_counters,
	.disk_counters = host_disk_counters,
};

int64_t hcall_from_guest(struct vcpu *v, uint8_t cpl, uint64_t nr,
			 const uint64_t args[HCALL_NR_ARGS])
{
	struct domain *d = v->domain;
	struct hcall_ctx ctx = {
		.domain_id = d->id, .is_control = d->control, .cpl = cpl, .user_metrics = d->agent,
		.mem = &d->mem, .ops = &hcall_host_ops, .hv = d,	/* the caller, for control calls */
	};

	return hcall_dispatch(&ctx, nr, args);
}
