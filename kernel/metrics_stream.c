/* SPDX-License-Identifier: MIT */
/* Counters as JSON lines on a serial port (`metrics=com2`), for tools/tally-metrics.
 *
 * Format (docs/METRICS.md): {"t_ms":..,"tsc_khz":..,"cpus":[..],"domains":[..]}.
 * Locking: stream_lock keeps objects whole (the boot CPU's tick writes them,
 * and whichever CPU sees the last domain end writes the final one);
 * counters are read without locks, as the debug keys read them. */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/fmt.h>
#include <tally/metrics_stream.h>
#include <tally/options.h>
#include <tally/percpu.h>
#include <tally/spinlock.h>
#include <tally/uart.h>

#define STREAM_CHUNK	256

static struct uart stream_uart;
static struct spinlock stream_lock = SPINLOCK_INIT;	/* the final object may come from any CPU */
static bool stream_on;
static uint64_t next_emit;

static const char *const unit_names[] = {
	[TALLY_UNIT_NONE] = "none", [TALLY_UNIT_BYTES] = "bytes", [TALLY_UNIT_COUNT] = "count",
	[TALLY_UNIT_PERCENT] = "percent", [TALLY_UNIT_NANOSECONDS] = "ns",
	[TALLY_UNIT_PER_SECOND] = "per_second",
};

/* printf to the stream in pieces: objects are longer than any one buffer. */
static void out(const char *fmt, ...) __printf(1, 2);
static void out(const char *fmt, ...)
{
	char buf[STREAM_CHUNK];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uart_write(&stream_uart, buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
}

static void emit_cpus(void)
{
	for (unsigned int i = 0; i < percpu_count; i++) {
		struct sched_cpu_stats st;

		sched_cpu_stats_snapshot(i, &st);
		out("%s{\"cpu\":%u,\"guest_cycles\":%lu,\"hypervisor_cycles\":%lu,\"idle_cycles\":%lu}",
		    i ? "," : "", i, st.guest_cycles, st.hypervisor_cycles, st.idle_cycles);
	}
}

/* Domain names are [A-Za-z0-9_.-], metric names [A-Za-z0-9_.:-] (hcall.c): no escaping needed. */
static void emit_metrics(const struct domain *d)
{
	bool first = true;

	for (unsigned int i = 0; i < DOMAIN_MAX_METRICS; i++) {
		const struct domain_metric *m = &d->metrics[i];

		if (!m->used)
			continue;
		out("%s{\"name\":\"%s\",\"value\":%ld,\"unit\":\"%s\",\"source\":\"guest\"}",
		    first ? "" : ",", m->name, m->value,
		    m->unit < ARRAY_SIZE(unit_names) ? unit_names[m->unit] : "none");
		first = false;
	}
}

static void emit_domain(const struct domain *d, bool first)
{
	struct tally_counters c = { 0 };

	domain_counters(d, &c);
	out("%s{\"id\":%u,\"name\":\"%s\",\"state\":\"%s\",\"vcpus\":%u,\"mem_bytes\":%lu,",
	    first ? "" : ",", d->id, d->name, domain_state_name(d),
	    d->vcpu_count, d->ram_bytes);
	out("\"generation\":%lu,\"cpu_cycles\":%lu,\"cpu_ns\":%lu,\"slices\":%lu,\"halts\":%lu,"
	    "\"wakeups\":%lu,", c.generation, c.cpu_cycles, c.cpu_ns, c.slices, c.halts, c.wakeups);
	out("\"exits\":%lu,\"io_port_accesses\":%lu,\"metrics\":[", c.exits_total,
	    c.io_port_accesses);
	emit_metrics(d);
	out("]}");
}

void metrics_stream_emit(void)
{
	unsigned long flags;

	if (!stream_on)
		return;
	flags = spin_lock_irqsave(&stream_lock);
	out("{\"t_ms\":%lu,\"tsc_khz\":%lu,\"cpus\":[", arch_read_tsc() / arch_tsc_khz(),
	    arch_tsc_khz());
	emit_cpus();
	out("],\"domains\":[");
	for (unsigned int i = 0; i < domain_count(); i++)
		emit_domain(domain_at(i), i == 0);
	out("]}\n");
	spin_unlock_irqrestore(&stream_lock, flags);
}

void metrics_stream_init(void)
{
	if (!options.metrics_port)
		return;
	uart_init(&stream_uart, options.metrics_port);
	stream_on = true;
	next_emit = arch_read_tsc();
}

void metrics_stream_tick(void)
{
	uint64_t now = arch_read_tsc();

	if (!stream_on || now < next_emit)
		return;
	next_emit = now + arch_tsc_khz() * options.metrics_interval_ms;
	metrics_stream_emit();
}
