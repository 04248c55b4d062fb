/* SPDX-License-Identifier: MIT */
/* The serial console: whole lines into a ring the UART's transmit interrupt drains.
 *
 * Design: every line (Tally's log, a guest's console line) is one UART
 * record, queued whole, so no CPU waits ~87 us a byte on the line while
 * the ring has room.  Output is written synchronously only before the I/O
 * APIC is up (early boot), when there is none (`acpi=off`), and for a
 * panic, which first sends what is queued.  Guest lines leave
 * CONSOLE_TALLY_RESERVE bytes free, so a guest that floods the console
 * cannot crowd out Tally's own lines; a guest line that does not fit is
 * dropped whole and counted (here and by the caller, per domain), and the
 * next line that fits is preceded by `console: N lines dropped (output
 * ring full)`, at most once a second.  A Tally line is never dropped: when
 * even the reserve is full its writer sends queued bytes itself until the
 * line fits (kernel/console_room.c decides), and the wait is counted.
 * A guest's partial line may stay open on the console, continued in place
 * by its domain's later pieces; any other line ends it first
 * (kernel/console_seq.c), so a record never mixes two origins in a line.
 * Locking: the UART's lock (uart_record_begin) orders lines from all CPUs
 * and guards the counters; a Tally line waiting for room sends bytes under
 * it, interrupts off, so that it works on any CPU, even the one the UART's
 * interrupt goes to, and other writers wait behind it; with
 * `console_timestamps` the stamp is taken under it, so stamps never go
 * back down the console; a panic bypasses it once the other CPUs have
 * stopped (a stopped writer's open record is not sent). */
#include <tally/arch.h>
#include <tally/console.h>
#include <tally/console_room.h>
#include <tally/console_seq.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/options.h>
#include <tally/percpu.h>
#include <tally/string.h>
#include <tally/uart.h>

/*
 * ~5.7 s of line at 115200 baud: a burst of boot lines, a key's answer or
 * several guests' bursts wait here while the line catches up.
 */
#define CONSOLE_RING_SIZE	(64 * KIB)
/* Room only Tally's own lines may take (a few hundred of them). */
#define CONSOLE_TALLY_RESERVE	(16 * KIB)
#define CONSOLE_STAMP_MAX	24	/* "[12345678901.123456] " */
#define CONSOLE_NOTICE_MAX	96
#define CONSOLE_NOTICES_PER_S	1

static struct uart console_uart;
static char console_ring[CONSOLE_RING_SIZE];
static uint64_t boot_tsc;		/* time zero of the stamps and of uptimes */
static struct console_seq seq;		/* whose guest line is open (under the UART's lock) */

/* Lines dropped, and Tally's lines that waited, for want of room (under the UART's lock). */
static struct {
	uint64_t tally, guests;
	uint64_t unreported;		/* since the last notice */
	uint64_t next_notice;		/* TSC */
	uint64_t tally_waits;		/* Tally's lines that sent queued bytes to fit */
	uint64_t tally_wait_tsc;	/* TSC ticks those waits took */
} dropped;

void console_init_early(void)
{
	boot_tsc = arch_read_tsc();
	uart_init(&console_uart, UART_COM1);
}

uint64_t console_boot_tsc(void)
{
	return boot_tsc;
}

/* Single CPU, polled: before the domains and the I/O APIC exist. */
void console_set_port(uint16_t port)
{
	uart_init(&console_uart, port);
}

void console_start_irq(void)
{
	int err = uart_start_irq_tx(&console_uart, console_ring, sizeof(console_ring));

	if (err < 0)
		log_warn("console: no interrupt for port %#x (error %d): output is written "
			 "synchronously, ~87 us of the CPU per byte", console_uart.port, err);
	else
		log_info("console: port %#x interrupt-driven, %lu KiB ring", console_uart.port,
			 CONSOLE_RING_SIZE / KIB);
}

/*
 * "[    12.345678] " into @buf: seconds since boot, as Linux and Xen print
 * them; zero until the TSC is calibrated, since its rate is unknown before.
 */
static size_t format_stamp(char *buf, size_t size)
{
	uint64_t khz = arch_tsc_khz(), cycles = arch_read_tsc() - boot_tsc;
	int n;

	if (!khz)
		n = fmt_snprintf(buf, size, "[%5u.%06u] ", 0, 0);
	else
		n = fmt_snprintf(buf, size, "[%5lu.%06lu] ", cycles / (khz * 1000),
				 cycles % (khz * 1000) * 1000 / khz);
	return (size_t)MIN(n, (int)size - 1);
}

/*
 * A write rendered into one buffer, to go into the record in one call:
 * a closing newline, the stamp, a tag of up to a log line, the text.
 */
#define CONSOLE_RENDER_MAX	(1 + CONSOLE_STAMP_MAX + 2 * CONSOLE_LINE_MAX)

struct render {
	char buf[CONSOLE_RENDER_MAX];
	size_t len;
};

static void render_put(void *ctx, const char *s, size_t len)
{
	struct render *r = ctx;

	len = MIN(len, sizeof(r->buf) - r->len);	/* callers keep within CONSOLE_LINE_MAX */
	memcpy(r->buf + r->len, s, len);
	r->len += len;
}

static void render_stamp(void *ctx)
{
	struct render *r = ctx;

	if (options.console_timestamps)
		r->len += format_stamp(r->buf + r->len, sizeof(r->buf) - r->len);
}

/* Ring bytes @len bytes of @line take: the UART sends each "\n" as "\r\n". */
static size_t wire_len(const char *line, size_t len)
{
	size_t n = len;

	for (size_t i = 0; i < len; i++)
		n += line[i] == '\n';
	return n;
}

/* @p written as @how into @r, from the sequence's state now; the state it leaves in @next. */
static size_t render_piece(struct render *r, const struct console_piece *p, enum console_how how,
			   struct console_seq *next)
{
	const struct console_out to_render = { render_put, render_stamp, r };

	*next = seq;
	r->len = 0;
	console_seq_write(next, p, how, &to_render);
	return wire_len(r->buf, r->len);
}

/* Say how many lines were lost, once a second, if it fits in @room: true if said. */
static bool put_drop_notice(size_t room)
{
	uint64_t now = arch_read_tsc();
	char notice[CONSOLE_NOTICE_MAX];
	struct console_piece p = { .text = notice };
	struct console_seq next;
	struct render r;
	int n;

	if (!dropped.unreported || now < dropped.next_notice)
		return false;
	n = fmt_snprintf(notice, sizeof(notice), "[c%u] console: %lu lines dropped "
			 "(output ring full)\n", this_cpu()->id, dropped.unreported);
	p.len = (size_t)MIN(n, (int)sizeof(notice) - 1);
	if (render_piece(&r, &p, CONSOLE_NEW, &next) > room)
		return false;
	uart_record_write(&console_uart, r.buf, r.len);
	seq = next;
	dropped.unreported = 0;
	dropped.next_notice = now + arch_tsc_khz() * 1000 / CONSOLE_NOTICES_PER_S;
	return true;
}

static void count_dropped(enum console_origin origin)
{
	if (origin == CONSOLE_GUEST)
		dropped.guests++;
	else
		dropped.tally++;
	dropped.unreported++;
}

/* Send queued bytes until @len more fit: the line's time, spent by Tally's writer. */
static size_t wait_room(size_t len)
{
	uint64_t start = arch_read_tsc();
	size_t room = uart_record_wait_room(&console_uart, len);

	dropped.tally_waits++;
	dropped.tally_wait_tsc += arch_read_tsc() - start;
	return room;
}

/*
 * Under the lock: write @p as @how if it fits (a guest's leaving the
 * reserve), after making room for Tally's; else count it.
 */
static bool put_piece(const struct console_piece *p, enum console_how how,
		      enum console_origin origin)
{
	size_t room = uart_record_room(&console_uart);
	struct console_seq next;
	struct render r;
	size_t len = render_piece(&r, p, how, &next);
	size_t need = (origin == CONSOLE_GUEST ? CONSOLE_TALLY_RESERVE : 0) + len;
	enum console_fit fit = console_room_fit(origin, room, len, CONSOLE_RING_SIZE,
						CONSOLE_TALLY_RESERVE);

	if (fit == CONSOLE_FIT_WAIT)
		room = wait_room(len);
	if (fit == CONSOLE_FIT_DROP || room < need) {
		count_dropped(origin);
		return false;
	}
	/* Not inside a guest's open line: the notice ends it, so the piece is rendered again. */
	if (how == CONSOLE_NEW && put_drop_notice(room - need))
		render_piece(&r, p, how, &next);
	uart_record_write(&console_uart, r.buf, r.len);
	seq = next;
	return true;
}

bool console_write_line(const char *line, size_t len, enum console_origin origin)
{
	const struct console_piece p = { .text = line, .len = len };
	unsigned long flags = uart_record_begin(&console_uart);
	bool fits = put_piece(&p, CONSOLE_NEW, origin);

	/* Measured above, so the record cannot overflow: it is queued whole. */
	uart_record_end(&console_uart, flags);
	return fits;
}

enum console_result console_write_guest(const struct console_piece *p,
					bool (*may_start)(void *ctx), void *ctx)
{
	unsigned long flags = uart_record_begin(&console_uart);
	enum console_how how = console_seq_how(&seq, p);
	enum console_result res = CONSOLE_WRITTEN;

	/* Only a new console line costs the guest a token: the open one is decided here. */
	if (how == CONSOLE_NEW && !may_start(ctx))
		res = CONSOLE_REFUSED;
	else if (how != CONSOLE_NOTHING && !put_piece(p, how, CONSOLE_GUEST))
		res = CONSOLE_DROPPED;
	uart_record_end(&console_uart, flags);
	return res;
}

void console_write_unlocked(const char *line, size_t len)
{
	char stamp[CONSOLE_STAMP_MAX];

	if (seq.open)
		uart_write(&console_uart, "\n", 1);	/* end a guest's open line */
	seq.open = 0;
	if (options.console_timestamps)
		uart_write(&console_uart, stamp, format_stamp(stamp, sizeof(stamp)));
	uart_write(&console_uart, line, len);
}

void console_panic(void)
{
	uart_panic_flush(&console_uart);
}

void console_kick(void)
{
	if (uart_tx_pending(&console_uart))
		uart_kick(&console_uart, arch_read_tsc());
}

void console_report_dropped(void)
{
	uint64_t khz = arch_tsc_khz();
	uint64_t wait_tsc = __atomic_load_n(&dropped.tally_wait_tsc, __ATOMIC_RELAXED);

	log_info("console: tally_lines_dropped=%lu guest_lines_dropped=%lu tally_waits=%lu "
		 "tally_wait_us=%lu", __atomic_load_n(&dropped.tally, __ATOMIC_RELAXED),
		 __atomic_load_n(&dropped.guests, __ATOMIC_RELAXED),
		 __atomic_load_n(&dropped.tally_waits, __ATOMIC_RELAXED),
		 khz ? wait_tsc * 1000 / khz : 0);
}

int console_getc(void)
{
	return uart_getc(&console_uart);
}

void console_flush(void)
{
	uart_flush(&console_uart);
}
