/* SPDX-License-Identifier: MIT */
/* The console's xentop-like table of domains (debug key `t`, and `top_interval_s=`). */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/log.h>
#include <tally/options.h>
#include <tally/top.h>

static uint64_t last_tsc;
static uint64_t last_cycles[DOMAIN_MAX];
static uint64_t next_table;

static const char *const unit_names[] = {
	[TALLY_UNIT_NONE] = "", [TALLY_UNIT_BYTES] = "B", [TALLY_UNIT_COUNT] = "",
	[TALLY_UNIT_PERCENT] = "%", [TALLY_UNIT_NANOSECONDS] = "ns",
	[TALLY_UNIT_PER_SECOND] = "/s",
};

/* Guest-reported metrics, labelled as such: Tally cannot see inside the guest. */
static void print_metrics(const struct domain *d)
{
	for (unsigned int i = 0; i < DOMAIN_MAX_METRICS; i++) {
		const struct domain_metric *m = &d->metrics[i];

		if (m->used)
			log_info("        guest-reported %s=%ld%s", m->name, m->value,
				 m->unit < ARRAY_SIZE(unit_names) ? unit_names[m->unit] : "");
	}
}

void top_print(void)
{
	uint64_t now = arch_read_tsc(), khz = arch_tsc_khz();
	uint64_t span = now > last_tsc ? now - last_tsc : 1;

	log_info("top: DOM NAME             STATE   VCPUS  CPU%%    CPU(s)  MEM(MiB)     EXITS       IO");
	for (unsigned int i = 0; i < domain_count(); i++) {
		const struct domain *d = domain_at(i);
		struct tally_counters c = { 0 };
		uint64_t share;

		domain_counters(d, &c);
		/* Per mille of one CPU since the last table. */
		share = (c.cpu_cycles - last_cycles[i]) * 1000 / span;
		last_cycles[i] = c.cpu_cycles;
		log_info("top: d%-2u %-16s %-7s %5u %3lu.%lu %9lu.%02lu %9lu %9lu %8lu", d->id,
			 d->name, domain_state_name(d), d->vcpu_count,
			 share / 10, share % 10, c.cpu_cycles / khz / 1000,
			 c.cpu_cycles / khz / 10 % 100, d->ram_bytes / MIB, c.exits_total,
			 c.io_port_accesses);
		print_metrics(d);
	}
	last_tsc = now;
}

void top_tick(void)
{
	uint64_t now = arch_read_tsc();

	if (!options.top_interval_s)
		return;
	if (!next_table)
		next_table = now + arch_tsc_khz() * 1000 * options.top_interval_s;
	if (now < next_table)
		return;
	next_table = now + arch_tsc_khz() * 1000 * options.top_interval_s;
	top_print();
}
