/* SPDX-License-Identifier: MIT */
/* What a domain used, logged once when it ends: CPU time and counters, exits by reason. */
#include <public/tally.h>
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/sched.h>

/* Entries of EXITS_LINE_CHARS at most per exits_by_reason line: log lines hold 256. */
#define EXITS_LINE_CHARS	160

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
		exits += arch_vcpu_exit_count(d->vcpus[i]);
	}
	log_info("domain: d%u %s cpu_us=%lu cpu_cycles=%lu slices=%lu preemptions=%lu halts=%lu "
		 "wakeups=%lu exits=%lu donated_us=%lu received_us=%lu", d->id, d->name,
		 sum.run_cycles * 1000 / khz, sum.run_cycles, sum.slices, sum.preemptions,
		 sum.halts, sum.wakeups, exits, sum.donated_cycles * 1000 / khz,
		 sum.received_cycles * 1000 / khz);
	log_exit_reasons(d);
}
