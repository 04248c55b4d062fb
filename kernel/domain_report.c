/* SPDX-License-Identifier: MIT */
/* What a domain used, logged once when it ends: CPU time and counters, exits by reason,
 * its NIC's and disk's counters. */
#include <public/tally.h>
#include <tally/arch.h>
#include <tally/bill.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/metric_check.h>
#include <tally/sched.h>
#include <tally/vblk.h>
#include <tally/virtq.h>
#include <tally/vnet.h>

/* Entries of EXITS_LINE_CHARS at most per exits_by_reason line: log lines hold 256. */
#define EXITS_LINE_CHARS	160
/* Room for a device line's `key=N` words (log lines hold CONSOLE_LINE_MAX). */
#define DEVICE_WORDS_CHARS	224

/*
 * The domain's VM exits by basic reason (SDM Vol. 3D Appendix C numbers),
 * summed over its vCPUs, as `reason:count` words on one or more
 * `domain: dN NAME exits_by_reason` lines: make bench splits a boot's
 * exits by cause from them (tests/system/linux_bench.py).
 */
static void log_exit_reasons(const struct domain *d)
{
	uint64_t sum[TALLY_EXIT_REASONS] = { 0 }, one[TALLY_EXIT_REASONS];
	char words[EXITS_LINE_CHARS + 32];
	int n = 0;

	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		arch_vcpu_copy_exits(d->vcpus[i], one, TALLY_EXIT_REASONS);
		for (unsigned int r = 0; r < TALLY_EXIT_REASONS; r++)
			sum[r] += one[r];
	}
	for (unsigned int r = 0; r < TALLY_EXIT_REASONS; r++) {
		if (!sum[r])
			continue;
		n += fmt_snprintf(words + n, sizeof(words) - n, " %u:%lu", r, sum[r]);
		if (n >= EXITS_LINE_CHARS) {
			log_info("domain: d%u %s exits_by_reason%s", d->id, d->name, words);
			n = 0;
		}
	}
	if (n)
		log_info("domain: d%u %s exits_by_reason%s", d->id, d->name, words);
}

/*
 * `domain: dN NAME virtio-net ring=N ... resets=N`: a device's ring errors
 * by cause (the keys are virtq_error_name()'s), then its state changes.
 */
static void log_virtio_errors(const struct domain *d, const char *dev,
			      const struct virtio_errors *e)
{
	char words[DEVICE_WORDS_CHARS];
	int n = 0;

	for (unsigned int c = VIRTQ_ERR_RING; c < VIRTQ_ERR_COUNT; c++)
		n += fmt_snprintf(words + n, sizeof(words) - n, " %s=%lu",
				  virtq_error_name((enum virtq_error)c), e->by_cause[c]);
	log_info("domain: d%u %s %s%s needs_reset=%lu bad_register=%lu resets=%lu", d->id,
		 d->name, dev, words, e->needs_reset, e->bad_register, e->resets);
}

/*
 * The NIC's counters (tally/vswitch.h): frames and bytes as the switch took
 * and delivered them, then drops by cause (vswitch_drop_name() keys).  Three
 * `net` lines (sent, received, dropped): with a 31-character name and
 * 64-bit figures one would not fit a log line; the checks merge them.
 */
static void log_net(const struct domain *d)
{
	struct vnet_snapshot s;
	const struct vswitch_counters *c = &s.c;
	char words[DEVICE_WORDS_CHARS];
	int n = 0;

	if (domain_counters_net(d, &s))
		return;
	log_info("domain: d%u %s net mac=%02x:%02x:%02x:%02x:%02x:%02x group=%s tx_packets=%lu "
		 "tx_bytes=%lu tx_broadcast=%lu tx_multicast=%lu", d->id, d->name, s.mac[0],
		 s.mac[1], s.mac[2], s.mac[3], s.mac[4], s.mac[5], s.group, c->tx_packets,
		 c->tx_bytes, c->tx_broadcast, c->tx_multicast);
	log_info("domain: d%u %s net rx_packets=%lu rx_bytes=%lu rx_broadcast=%lu "
		 "rx_multicast=%lu", d->id, d->name, c->rx_packets, c->rx_bytes, c->rx_broadcast,
		 c->rx_multicast);
	for (unsigned int why = 0; why < VSWITCH_DROP_COUNT; why++)
		n += fmt_snprintf(words + n, sizeof(words) - n, " drop_%s=%lu",
				  vswitch_drop_name((enum vswitch_drop)why), c->drops[why]);
	log_info("domain: d%u %s net%s errors=%lu", d->id, d->name, words, c->errors);
	log_virtio_errors(d, "virtio-net", &s.errors);
}

/* The disk's size and request counters (tally/vblk.h). */
static void log_disk(const struct domain *d)
{
	struct vblk_snapshot s;
	const struct vblk_counters *c = &s.c;

	if (domain_counters_disk(d, &s))
		return;
	log_info("domain: d%u %s disk bytes=%lu ro=%u read_requests=%lu read_bytes=%lu "
		 "write_requests=%lu write_bytes=%lu flush_requests=%lu other_requests=%lu "
		 "ioerr=%lu unsupported=%lu", d->id, d->name, s.bytes, s.ro ? 1u : 0u,
		 c->read_requests, c->read_bytes, c->write_requests, c->write_bytes,
		 c->flush_requests, c->other_requests, c->ioerr, c->unsupported);
	log_virtio_errors(d, "virtio-blk", &s.errors);
}

void domain_log_usage(const struct domain *d)
{
	struct sched_stats sum = { 0 };
	uint64_t exits = 0, khz = arch_tsc_khz();

	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		const struct sched_stats *st = &d->vcpus[i]->se.stats;

		sum.run_cycles += st->run_cycles;
		sum.slices += st->slices;
		sum.preemptions += st->preemptions;
		sum.halts += st->halts;
		sum.wakeups += st->wakeups;
		sum.donated_cycles += st->donated_cycles;
		sum.received_cycles += st->received_cycles;
		sum.hypervisor_cycles += st->hypervisor_cycles;
		exits += arch_vcpu_exit_count(d->vcpus[i]);
	}
	log_info("domain: d%u %s cpu_us=%lu cpu_cycles=%lu hv_cycles=%lu slices=%lu "
		 "preemptions=%lu halts=%lu wakeups=%lu exits=%lu donated_us=%lu received_us=%lu",
		 d->id, d->name, sum.run_cycles * 1000 / khz, sum.run_cycles,
		 sum.hypervisor_cycles, sum.slices, sum.preemptions, sum.halts, sum.wakeups,
		 exits, sum.donated_cycles * 1000 / khz, sum.received_cycles * 1000 / khz);
	log_hush(d->quiet);	/* the bill still adds it to the total */
	log_exit_reasons(d);
	domain_counters_keep_devices(d);
	log_net(d);
	log_disk(d);
	bill_log_domain(d);	/* after keep_devices: its disk's and NIC's last counters */
	log_hush(false);
}

void domain_log_metrics(const struct domain *d, const char *prefix)
{
	for (unsigned int i = 0; i < DOMAIN_MAX_METRICS; i++)
		if (d->metrics[i].used)
			log_info("%s guest-reported metric %s=%ld unit=%u trust=%s", prefix,
				 d->metrics[i].name, d->metrics[i].value, d->metrics[i].unit,
				 metric_trust_name(d->metrics[i].trust));
}
