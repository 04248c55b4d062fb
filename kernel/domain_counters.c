/* SPDX-License-Identifier: MIT */
/* A domain's counters in the public layout, for hypercalls, the stream and the console. */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>

void domain_counters(const struct domain *d, struct tally_counters *out)
{
	struct domain *dd = (struct domain *)d;	/* the read count is bookkeeping */

	out->domain_id = d->id;
	out->generation = __atomic_add_fetch(&dd->counter_reads, 1, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		const struct vcpu *v = d->vcpus[i];

		out->cpu_cycles += v->se.stats.run_cycles;
		out->slices += v->se.stats.slices;
		out->halts += v->se.stats.halts;
		out->wakeups += v->se.stats.wakeups;
		arch_vcpu_add_exits(v, out->exits_by_reason, TALLY_EXIT_REASONS);
	}
	for (unsigned int r = 0; r < TALLY_EXIT_REASONS; r++)
		out->exits_total += out->exits_by_reason[r];
	out->cpu_ns = out->cpu_cycles * 1000000 / arch_tsc_khz();
	out->io_port_accesses = d->io_accesses;
	out->mem_allocated_bytes = d->ram_bytes;
}
