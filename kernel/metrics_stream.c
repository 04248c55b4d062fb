/* SPDX-License-Identifier: MIT */
/* Counters as JSON lines on a serial port (`metrics=com2`), for tools/tally-metrics.
 *
 * Format (docs/METRICS.md): {"t_ms":..,"tsc_khz":..,"dropped":..,"cpus":[..],"domains":[..]}.
 * Design: each object is one UART record, queued whole in a ring that the
 * UART's interrupt drains, or dropped whole (and counted) when the ring is
 * full; without an I/O APIC the UART is written synchronously.  The
 * console's lines go the same way (kernel/console.c, drivers/host/uart.c).
 * Locking: stream_lock orders objects (the boot CPU's tick writes them,
 * and whichever CPU sees the last domain end writes the final one);
 * counters are read without locks, as the debug keys read them; a NIC's
 * and a disk's counters under their devices' locks (one moment each). */
#include <tally/arch.h>
#include <tally/bill.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/metric_check.h>
#include <tally/metrics_stream.h>
#include <tally/options.h>
#include <tally/percpu.h>
#include <tally/spinlock.h>
#include <tally/uart.h>
#include <tally/vblk.h>
#include <tally/virtq.h>
#include <tally/vnet.h>

#define STREAM_CHUNK	256

/*
 * Objects waiting for the line, which carries ~11.5 KB/s.  An object is
 * ~360 bytes a domain without devices (its bill ~110), ~90 a guest metric,
 * ~470 a NIC and ~350 a disk: 16 domains with both and a few metrics are
 * ~21 KiB, 1000 bare domains ~360 KiB, so one object of a thousand domains
 * fits.  A
 * burst waits here (under Bochs the interrupt may wait until the boot CPU
 * idles); a stream that outruns the line loses whole objects instead of
 * the boot CPU's time, and the tick waits for room for one more (below).
 */
#define STREAM_RING_SIZE	(384 * KIB)

static struct uart stream_uart;
static char stream_ring[STREAM_RING_SIZE];
static struct spinlock stream_lock = SPINLOCK_INIT;	/* the final object may come from any CPU */
static bool stream_on;			/* until the final object */
static uint64_t next_emit;
static size_t object_bytes;		/* of the object being written */
static size_t last_object_bytes;	/* of the last one: the room the next needs */

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
	n = MIN(n, (int)sizeof(buf) - 1);
	object_bytes += (size_t)n;
	uart_record_write(&stream_uart, buf, (size_t)n);
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
		out("%s{\"name\":\"%s\",\"value\":%ld,\"unit\":\"%s\",\"source\":\"guest\","
		    "\"trust\":\"%s\"}", first ? "" : ",", m->name, m->value,
		    m->unit < ARRAY_SIZE(unit_names) ? unit_names[m->unit] : "none",
		    metric_trust_name(m->trust));
		first = false;
	}
}

/* Ring errors by cause (virtq_error_name() keys) and the device's state changes. */
static void emit_virtio_errors(const struct virtio_errors *e)
{
	out("\"ring_errors\":{");
	for (unsigned int c = VIRTQ_ERR_RING; c < VIRTQ_ERR_COUNT; c++)
		out("%s\"%s\":%lu", c == VIRTQ_ERR_RING ? "" : ",",
		    virtq_error_name((enum virtq_error)c), e->by_cause[c]);
	out("},\"needs_reset\":%lu,\"bad_register\":%lu,\"resets\":%lu", e->needs_reset,
	    e->bad_register, e->resets);
}

/* The NIC's counters (docs/METRICS.md): frames and bytes, drops by cause; "net":null without. */
static void emit_net(const struct domain *d)
{
	struct vnet_snapshot n;
	const struct vswitch_counters *c = &n.c;

	if (domain_counters_net(d, &n)) {
		out(",\"net\":null");
		return;
	}
	out(",\"net\":{\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"group\":\"%s\",", n.mac[0],
	    n.mac[1], n.mac[2], n.mac[3], n.mac[4], n.mac[5], n.group);
	out("\"tx_packets\":%lu,\"tx_bytes\":%lu,\"tx_broadcast_packets\":%lu,"
	    "\"tx_multicast_packets\":%lu,", c->tx_packets, c->tx_bytes, c->tx_broadcast,
	    c->tx_multicast);
	out("\"rx_packets\":%lu,\"rx_bytes\":%lu,\"rx_broadcast_packets\":%lu,"
	    "\"rx_multicast_packets\":%lu,\"drop_packets\":{", c->rx_packets, c->rx_bytes,
	    c->rx_broadcast, c->rx_multicast);
	for (unsigned int why = 0; why < VSWITCH_DROP_COUNT; why++)
		out("%s\"%s\":%lu", why ? "," : "", vswitch_drop_name((enum vswitch_drop)why),
		    c->drops[why]);
	out("},\"errors\":%lu,", c->errors);
	emit_virtio_errors(&n.errors);
	out("}");
}

/* The disk's size and requests (docs/METRICS.md); "disk":null without one. */
static void emit_disk(const struct domain *d)
{
	struct vblk_snapshot b;
	const struct vblk_counters *c = &b.c;

	if (domain_counters_disk(d, &b)) {
		out(",\"disk\":null");
		return;
	}
	out(",\"disk\":{\"size_bytes\":%lu,\"read_only\":%s,\"read_requests\":%lu,"
	    "\"read_bytes\":%lu,\"write_requests\":%lu,\"write_bytes\":%lu,", b.bytes,
	    b.ro ? "true" : "false", c->read_requests, c->read_bytes, c->write_requests,
	    c->write_bytes);
	out("\"flush_requests\":%lu,\"other_requests\":%lu,\"ioerr_requests\":%lu,"
	    "\"unsupported_requests\":%lu,", c->flush_requests, c->other_requests, c->ioerr,
	    c->unsupported);
	emit_virtio_errors(&b.errors);
	out("}");
}

/*
 * Its bill (tally/bill.h) in nano units, integers a JSON reader keeps
 * exact; its disk and NIC counters are those of "disk" and "net".  The
 * costs only with prices: ~110 bytes a domain without.
 */
static void emit_bill(const struct domain *d)
{
	const struct bill_prices *p = &options.prices;
	uint64_t trust[3];
	struct bill b;

	bill_of_domain(d, &b);
	bill_guest_trust(d, trust);
	out(",\"bill\":{\"vcpu_s\":%lu,\"hv_s\":%lu,\"life_s\":%lu,\"mem_gib_h\":%lu,"
	    "\"disk_gib_h\":%lu", b.vcpu_s, b.hv_s, b.life_s, b.mem_gib_h, b.disk_gib_h);
	out(",\"guest_consistent\":%lu,\"guest_contradicted\":%lu,\"guest_unchecked\":%lu",
	    trust[METRIC_CONSISTENT], trust[METRIC_CONTRADICTED], trust[METRIC_UNCHECKED]);
	if (p->vcpu_hour || p->gib_hour || p->disk_gib_hour || p->net_gib)
		out(",\"cost\":%lu,\"cost_vcpu\":%lu,\"cost_mem\":%lu,\"cost_disk\":%lu,"
		    "\"cost_net\":%lu", b.cost, b.cost_vcpu, b.cost_mem, b.cost_disk, b.cost_net);
	out("}");
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
	out("\"hypervisor_cycles\":%lu,", domain_hypervisor_cycles(d));
	out("\"exits\":%lu,\"io_port_accesses\":%lu,\"metrics\":[", c.exits_total,
	    c.io_port_accesses);
	emit_metrics(d);
	out("]");
	emit_net(d);
	emit_disk(d);
	emit_bill(d);
	out("}");
}

/* One object: a single UART record, so it goes on the wire whole or not at all. */
static void emit_object(void)
{
	unsigned long flags = uart_record_begin(&stream_uart);

	object_bytes = 0;
	out("{\"t_ms\":%lu,\"tsc_khz\":%lu,\"dropped\":%lu,\"cpus\":[",
	    arch_read_tsc() / arch_tsc_khz(), arch_tsc_khz(), uart_records_dropped(&stream_uart));
	emit_cpus();
	out("],\"domains\":[");
	for (unsigned int i = 0, n = 0; i < domain_count(); i++) {
		const struct domain *d = domain_at(i);	/* NULL: a run-time domain ended */

		if (d)
			emit_domain(d, n++ == 0);
	}
	out("]}\n");
	last_object_bytes = object_bytes;
	uart_record_end(&stream_uart, flags);
}

void metrics_stream_final(void)
{
	unsigned long flags = spin_lock_irqsave(&stream_lock);

	if (stream_on) {
		/* Whatever is queued, then this object polled: the emulator may stop next. */
		uart_flush(&stream_uart);
		emit_object();
		uart_flush(&stream_uart);
		__atomic_store_n(&stream_on, false, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&stream_lock, flags);
}

void metrics_stream_init(void)
{
	int err;

	if (!options.metrics_port)
		return;
	/* Two drivers on one UART would interleave JSON and console lines. */
	if (options.metrics_port == options.console_port) {
		log_warn("metrics: port %#x is the console's; no stream", options.metrics_port);
		return;
	}
	uart_init(&stream_uart, options.metrics_port);
	err = uart_start_irq_tx(&stream_uart, stream_ring, sizeof(stream_ring));
	if (err < 0)
		log_warn("metrics: no interrupt for port %#x (error %d): the stream is written "
			 "synchronously, ~87 us of the boot CPU per byte", options.metrics_port,
			 err);
	else
		log_info("metrics: port %#x interrupt-driven, %lu KiB ring", options.metrics_port,
			 STREAM_RING_SIZE / KIB);
	stream_on = true;
	next_emit = arch_read_tsc();
}

void metrics_stream_tick(void)
{
	uint64_t now = arch_read_tsc();
	unsigned long flags;

	if (!__atomic_load_n(&stream_on, __ATOMIC_RELAXED))	/* rechecked under the lock */
		return;
	uart_poll(&stream_uart);
	if (now < next_emit)
		return;
	/*
	 * Hundreds of domains make an object longer than the line carries in
	 * an interval: wait for the queue to drain rather than drop it whole.
	 */
	if (uart_record_room(&stream_uart) < last_object_bytes)
		return;
	next_emit = now + arch_tsc_khz() * options.metrics_interval_ms;
	flags = spin_lock_irqsave(&stream_lock);
	if (stream_on)
		emit_object();
	spin_unlock_irqrestore(&stream_lock, flags);
}
