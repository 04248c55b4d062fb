/* SPDX-License-Identifier: MIT */
/* A domain's counters in the public layout, for hypercalls, the stream and the console. */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/sched.h>
#include <tally/string.h>

/* What one vCPU contributes, copied while its CPU updates none of it. */
struct vcpu_sample {
	struct sched_stats stats;
	uint64_t updates;
	uint64_t io;
	uint64_t exits[TALLY_EXIT_REASONS];
};

static void sample_vcpu(const struct vcpu *v, struct vcpu_sample *out)
{
	uint64_t seq;

	do {
		seq = sched_counters_read_begin(v->pcpu);
		out->stats = v->se.stats;
		out->updates = v->counter_updates;
		out->io = arch_vcpu_io_accesses(v);
		arch_vcpu_copy_exits(v, out->exits, TALLY_EXIT_REASONS);
	} while (sched_counters_read_retry(v->pcpu, seq));
}

void vcpu_counters(const struct vcpu *v, struct tally_vcpu_counters *out)
{
	struct vcpu_sample s;

	sample_vcpu(v, &s);
	out->domain_id = v->domain->id;
	out->vcpu_id = v->id;
	out->pcpu = v->pcpu;
	out->generation = s.updates;
	out->cpu_cycles = s.stats.run_cycles;
	out->cpu_ns = s.stats.run_cycles * 1000000 / arch_tsc_khz();
	out->slices = s.stats.slices;
	out->preemptions = s.stats.preemptions;
	out->halts = s.stats.halts;
	out->wakeups = s.stats.wakeups;
	out->donated_cycles = s.stats.donated_cycles;
	out->received_cycles = s.stats.received_cycles;
	for (unsigned int r = 0; r < TALLY_EXIT_REASONS; r++) {
		out->exits_by_reason[r] = s.exits[r];
		out->exits_total += s.exits[r];
	}
	out->io_port_accesses = s.io;
}

void domain_counters(const struct domain *d, struct tally_counters *out)
{
	struct vcpu_sample s;

	out->domain_id = d->id;
	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		sample_vcpu(d->vcpus[i], &s);
		out->generation += s.updates;
		out->cpu_cycles += s.stats.run_cycles;
		out->slices += s.stats.slices;
		out->halts += s.stats.halts;
		out->wakeups += s.stats.wakeups;
		out->io_port_accesses += s.io;
		for (unsigned int r = 0; r < TALLY_EXIT_REASONS; r++) {
			out->exits_by_reason[r] += s.exits[r];
			out->exits_total += s.exits[r];
		}
	}
	out->cpu_ns = out->cpu_cycles * 1000000 / arch_tsc_khz();
	out->mem_allocated_bytes = d->ram_bytes;
}
