/* SPDX-License-Identifier: MIT */
/* The console's xentop-like table of domains (debug key `t`, and `top_interval_s=`).
 *
 * Design: each table reads the TSC once; every CPU's time up to then and
 * the run cycles of the vCPUs on it are read as one moment
 * (sched_cpu_time_now()), so the cycles the domains, Tally and idle took
 * since the last table add up to the CPUs' time, and their CPU% column to
 * 100 per CPU.  With many domains the table shows those that took the
 * most CPU since the last one, in id order, and one line for the rest.
 * This file decides the figures; kernel/top_format.c lays them out.
 * Every line starts with `top:` (docs/ARCHITECTURE.md).
 * Locking: none.  Only the boot CPU prints tables (from its tick and its
 * debug keys), so the state below is its alone. */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/metric_check.h>
#include <tally/options.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/top.h>
#include <tally/top_format.h>
#include <tally/vblk.h>
#include <tally/vnet.h>

/* Room for a table line after "[cN] top: " and an optional timestamp (log lines hold 256). */
#define TOP_LINE_MAX	230

enum top_col { COL_DOM, COL_NAME, COL_STATE, COL_VCPUS, COL_CPU, COL_TIME, COL_MEM,
	       COL_EXITS, COL_IO, COL_NETTX, COL_NETRX, COL_VBD_RD, COL_VBD_WR, COL_COUNT };

static const struct top_column columns[COL_COUNT] = {
	[COL_DOM] = { "DOM", TOP_ALIGN_LEFT }, [COL_NAME] = { "NAME", TOP_ALIGN_LEFT },
	[COL_STATE] = { "STATE", TOP_ALIGN_LEFT }, [COL_VCPUS] = { "VCPUS", TOP_ALIGN_RIGHT },
	[COL_CPU] = { "CPU%", TOP_ALIGN_RIGHT }, [COL_TIME] = { "TIME", TOP_ALIGN_RIGHT },
	[COL_MEM] = { "MEM", TOP_ALIGN_RIGHT }, [COL_EXITS] = { "EXITS", TOP_ALIGN_RIGHT },
	[COL_IO] = { "IO", TOP_ALIGN_RIGHT },
	/* xentop's: KiB the NIC sent and received, requests the disk read and wrote. */
	[COL_NETTX] = { "NETTX(k)", TOP_ALIGN_RIGHT }, [COL_NETRX] = { "NETRX(k)", TOP_ALIGN_RIGHT },
	[COL_VBD_RD] = { "VBD_RD", TOP_ALIGN_RIGHT }, [COL_VBD_WR] = { "VBD_WR", TOP_ALIGN_RIGHT },
};
_Static_assert(COL_COUNT <= TOP_MAX_COLUMNS, "the table has more columns than a row holds");

/*
 * Figures by slot: Tally's own time, idle time, then domain id + 1.  The
 * table shows at most TOP_DOMAIN_ROWS domains, those with the most CPU since
 * the last table, and sums up the rest in one line.
 */
#define ROW_TALLY	0
#define ROW_IDLE	1
#define ROW_DOMAINS	2
#define TOP_DOMAIN_ROWS	24

/* One table's figures: cycles to `now` per slot, and the shares since the last table. */
struct top_sample {
	uint64_t now;
	uint64_t *cycles;
	uint32_t *share;		/* per mille of one CPU */
	unsigned int slots;		/* ROW_DOMAINS + domains */
	unsigned int online;		/* CPUs */
	unsigned int cpus;		/* of those, the ones keeping accounts */
};

/* Per slot, from Tally's memory: grown (rarely: domains come at boot) to the domain count. */
struct top_slots {
	hpa_t pa;
	uint64_t bytes;
	unsigned int n;
	uint64_t *cycles, *last, *parts, *scratch;
	uint32_t *share;
};

static struct top_slots slots;
static struct top_row rows[TOP_DOMAIN_ROWS + ROW_DOMAINS];	/* static: much for a CPU stack */
static unsigned int shown[TOP_DOMAIN_ROWS];	/* domain indexes of the rows, by id */
static const struct domain *shown_d[TOP_DOMAIN_ROWS];	/* their domains, read once */
static uint64_t next_table;

/* Room for @n slots, keeping the last table's cycles; false if memory is short. */
static bool slots_reserve(unsigned int n)
{
	struct top_slots g = { .n = n };
	uint64_t *base;

	if (n <= slots.n)
		return true;
	g.bytes = ALIGN_UP((uint64_t)n * (4 * sizeof(uint64_t) + sizeof(uint32_t)), PAGE_SIZE);
	if (mem_alloc(g.bytes, PAGE_SIZE, 0, &g.pa) < 0)
		return false;
	base = arch_phys_to_virt(g.pa.raw, g.bytes);
	g.cycles = base;
	g.last = base + n;
	g.parts = base + 2 * n;
	g.scratch = base + 3 * n;
	g.share = (uint32_t *)(base + 4 * n);
	for (unsigned int i = 0; i < n; i++)
		g.last[i] = i < slots.n ? slots.last[i] : 0;
	if (slots.n) {
		mem_free(slots.pa, slots.bytes);
		domain_records_note(-(int64_t)slots.bytes);
	}
	domain_records_note((int64_t)g.bytes);	/* kept for the run, as the domains' records */
	slots = g;
	return true;
}

static const char *const unit_names[] = {
	[TALLY_UNIT_NONE] = "", [TALLY_UNIT_BYTES] = "B", [TALLY_UNIT_COUNT] = "",
	[TALLY_UNIT_PERCENT] = "%", [TALLY_UNIT_NANOSECONDS] = "ns",
	[TALLY_UNIT_PER_SECOND] = "/s",
};

/* Every online CPU's split to one TSC reading, and each slot's share since the last table. */
static void take_sample(struct top_sample *s)
{
	unsigned int n = slots.n;

	*s = (struct top_sample){ .now = arch_read_tsc(), .cycles = slots.cycles,
				  .share = slots.share, .slots = n };
	for (unsigned int r = 0; r < n; r++)
		s->cycles[r] = 0;
	for (unsigned int i = 0; i < percpu_count; i++) {
		struct sched_cpu_stats st;

		if (!percpu_area[i].online)
			continue;
		s->online++;
		if (!sched_cpu_time_now(i, s->now, &st, s->cycles + ROW_DOMAINS, slots.scratch,
					n - ROW_DOMAINS))
			continue;
		s->cpus++;
		s->cycles[ROW_TALLY] += st.hypervisor_cycles;
		s->cycles[ROW_IDLE] += st.idle_cycles;
	}
	for (unsigned int r = 0; r < n; r++) {
		slots.parts[r] = s->cycles[r] > slots.last[r] ? s->cycles[r] - slots.last[r] : 0;
		slots.last[r] = s->cycles[r];
	}
	top_shares(slots.parts, n, s->cpus * 1000, s->share);
}

/* Hundredths of a second in @cycles of the TSC. */
static uint64_t centis(uint64_t cycles)
{
	uint64_t khz = arch_tsc_khz();

	return khz ? cycles / (khz * 10) : 0;	/* no rate before calibration */
}

/* The CPU share and CPU time cells, which every row has. */
static void fill_time(struct top_row *row, const struct top_sample *s, unsigned int r)
{
	if (!s->cpus) {		/* no CPU keeps accounts: no VMX, so no domains */
		top_row_set(row, COL_CPU, "-");
		top_row_set(row, COL_TIME, "-");
		return;
	}
	top_format_permille(row->cell[COL_CPU], TOP_CELL_MAX, s->share[r]);
	top_format_time(row->cell[COL_TIME], TOP_CELL_MAX, centis(s->cycles[r]), false);
}

static const char *state_word(const struct domain *d)
{
	if (d->state == DOMAIN_DEAD)
		return "ended";
	return d->paused ? "paused" : "running";
}

/*
 * The NIC and disk columns: whole KiB (rounded down, as xentop divides)
 * and requests; `-` for a domain without that device.
 */
static void fill_devices(struct top_row *row, const struct domain *d)
{
	struct vnet_snapshot n;
	struct vblk_snapshot b;

	if (domain_counters_net(d, &n)) {
		top_row_set(row, COL_NETTX, "-");
		top_row_set(row, COL_NETRX, "-");
	} else {
		fmt_snprintf(row->cell[COL_NETTX], TOP_CELL_MAX, "%lu", n.c.tx_bytes / KIB);
		fmt_snprintf(row->cell[COL_NETRX], TOP_CELL_MAX, "%lu", n.c.rx_bytes / KIB);
	}
	if (domain_counters_disk(d, &b)) {
		top_row_set(row, COL_VBD_RD, "-");
		top_row_set(row, COL_VBD_WR, "-");
	} else {
		fmt_snprintf(row->cell[COL_VBD_RD], TOP_CELL_MAX, "%lu", b.c.read_requests);
		fmt_snprintf(row->cell[COL_VBD_WR], TOP_CELL_MAX, "%lu", b.c.write_requests);
	}
}

static void fill_domain(struct top_row *row, const struct domain *d, const struct top_sample *s)
{
	struct tally_counters c = { 0 };

	domain_counters(d, &c);
	fmt_snprintf(row->cell[COL_DOM], TOP_CELL_MAX, "d%u", d->id);
	top_row_set(row, COL_NAME, d->name);
	top_row_set(row, COL_STATE, state_word(d));
	fmt_snprintf(row->cell[COL_VCPUS], TOP_CELL_MAX, "%u", d->vcpu_count);
	fill_time(row, s, ROW_DOMAINS + d->id - 1);
	top_format_size(row->cell[COL_MEM], TOP_CELL_MAX, d->ram_bytes);
	fmt_snprintf(row->cell[COL_EXITS], TOP_CELL_MAX, "%lu", c.exits_total);
	fmt_snprintf(row->cell[COL_IO], TOP_CELL_MAX, "%lu", c.io_port_accesses);
	fill_devices(row, d);
}

/* Tally's own time or idle time: only the CPU figures apply. */
static void fill_cpu_row(struct top_row *row, const char *name, const struct top_sample *s,
			 unsigned int r)
{
	for (unsigned int col = 0; col < COL_COUNT; col++)
		top_row_set(row, col, "-");
	top_row_set(row, COL_NAME, name);
	fill_time(row, s, r);
}

/* Uptime, CPUs, memory, then the domains by state, as xentop's header. */
static void print_summary(const struct top_sample *s)
{
	unsigned int state[3] = { 0 }, listed;	/* running, paused, ended */
	char up[TOP_CELL_MAX], total[TOP_CELL_MAX], avail[TOP_CELL_MAX];

	top_format_time(up, sizeof(up), centis(s->now - log_boot_tsc()), true);
	top_format_size(total, sizeof(total), mem_usable_bytes());
	top_format_size(avail, sizeof(avail), mem_free_bytes());
	log_info("top: uptime %s, %u CPU%s online, memory %s total, %s free", up, s->online,
		 s->online == 1 ? "" : "s", total, avail);
	for (unsigned int i = 0; i < domain_count(); i++) {
		const struct domain *d = domain_at(i);

		if (d)		/* empty: a run-time domain ended (tally/domain_slot.h) */
			state[d->state == DOMAIN_DEAD ? 2 : d->paused ? 1 : 0]++;
	}
	listed = state[0] + state[1] + state[2];	/* not the table's emptied entries */
	log_info("top: %u domain%s: %u running, %u paused, %u ended", listed,
		 listed == 1 ? "" : "s", state[0], state[1], state[2]);
}

/* Guest-reported metrics, labelled as such and under their domain's NAME. */
static void print_metrics(const struct domain *d, unsigned int indent)
{
	char value[TOP_CELL_MAX];

	for (unsigned int i = 0; i < DOMAIN_MAX_METRICS; i++) {
		const struct domain_metric *m = &d->metrics[i];

		if (!m->used)
			continue;
		if (m->unit == TALLY_UNIT_BYTES && m->value >= 0)
			top_format_size(value, sizeof(value), (uint64_t)m->value);
		else
			fmt_snprintf(value, sizeof(value), "%ld%s", m->value,
				     m->unit < ARRAY_SIZE(unit_names) ? unit_names[m->unit] : "");
		log_info("top: %*sguest-reported %s=%s (%s)", indent, "", m->name, value,
			 metric_trust_name(m->trust));
	}
}

static void print_rows(const struct top_layout *l, unsigned int picked, unsigned int count)
{
	char line[TOP_LINE_MAX];

	top_layout_line(l, NULL, line, sizeof(line));
	log_info("top: %s", line);
	for (unsigned int i = 0; i < picked; i++) {
		top_layout_line(l, &rows[ROW_DOMAINS + i], line, sizeof(line));
		log_info("top: %s", line);
		print_metrics(shown_d[i], top_layout_offset(l, COL_NAME));
	}
	if (count > picked)
		log_info("top: ... and %u more domains", count - picked);
	for (unsigned int r = ROW_TALLY; r <= ROW_IDLE; r++) {
		top_layout_line(l, &rows[r], line, sizeof(line));
		log_info("top: %s", line);
	}
}

/*
 * Keep the picked rows whose table entries hold a domain (a run-time
 * domain's end empties its entry), each read once: the pointer stays good
 * until this CPU's next scheduling pass (tally/domain_slot.h).
 */
static unsigned int keep_listed(unsigned int picked)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < picked; i++) {
		const struct domain *d = domain_at(shown[i]);

		if (d) {
			shown[n] = shown[i];
			shown_d[n++] = d;
		}
	}
	return n;
}

/* The table's rows are one set: the boot CPU's tick and the last CPU's final table take turns. */
static struct spinlock table_lock = SPINLOCK_INIT;

static void print_table(void)
{
	unsigned int count = domain_count(), picked;
	struct top_layout layout;
	struct top_sample s;

	if (!slots_reserve(ROW_DOMAINS + count)) {
		log_warn("top: no memory for a table of %u domains", count);
		return;
	}
	take_sample(&s);
	/* The rows with the most CPU since the last table, in id order. */
	picked = keep_listed(top_pick_rows(s.share + ROW_DOMAINS, count, TOP_DOMAIN_ROWS, shown));
	top_layout_init(&layout, columns, COL_COUNT);
	for (unsigned int i = 0; i < picked; i++)
		fill_domain(&rows[ROW_DOMAINS + i], shown_d[i], &s);
	fill_cpu_row(&rows[ROW_TALLY], "Tally", &s, ROW_TALLY);
	fill_cpu_row(&rows[ROW_IDLE], "idle", &s, ROW_IDLE);
	for (unsigned int r = 0; r < ROW_DOMAINS + picked; r++)
		top_layout_fit(&layout, &rows[r]);
	print_summary(&s);
	print_rows(&layout, picked, count);
}

void top_print(void)
{
	unsigned long flags = spin_lock_irqsave(&table_lock);

	print_table();
	spin_unlock_irqrestore(&table_lock, flags);
}

void top_final(void)
{
	if (options.top_interval_s)
		top_print();
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
