/* SPDX-License-Identifier: MIT */
/* Log lines: "[cN] " prefix and level tag, one console line each; guests' lines rate-limited.
 *
 * Design: each call formats its line into a stack buffer and hands it to
 * the console whole (kernel/console.c), which queues it for the UART, so
 * lines from different CPUs never interleave and no CPU waits for the
 * line.  A line a guest can cause, and each guest console line, first
 * passes a token bucket of that domain (kernel/ratelimit.c): a guest that
 * loops on something Tally logs costs Tally a few lines, not the CPU.
 * A guest's partial line goes out in pieces (kernel/console_seq.c): only
 * a piece that starts a console line takes a token, one appended to the
 * domain's open line none, since a line's pieces add up to one line's
 * bytes at most (tally/vuart_line.h).
 * Locking: limit_lock serialises the domains' buckets (a domain's vCPUs
 * may print from several CPUs at once); the console orders the lines. */
#include <tally/arch.h>
#include <tally/console.h>
#include <tally/console_seq.h>
#include <tally/domain.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/panic.h>
#include <tally/percpu.h>
#include <tally/ratelimit.h>
#include <tally/spinlock.h>
#include <tally/string.h>

#define LOG_LINE_MAX	CONSOLE_LINE_MAX

/* Lines Tally prints because of what a guest did: a burst, then one a second. */
static const struct ratelimit_rule guest_log_rule = { .burst = 10, .per_s = 1 };
/* A guest's own console lines: a burst, then this many a second. */
static const struct ratelimit_rule guest_console_rule = { .burst = 200, .per_s = 100 };

static enum log_level max_level = LOG_INFO;
static struct spinlock limit_lock = SPINLOCK_INIT;

static const char *const level_tags[] = {
	[LOG_ERR] = "ERROR: ",
	[LOG_WARN] = "WARN: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

uint64_t log_boot_tsc(void)
{
	return console_boot_tsc();
}

void log_set_level(enum log_level level)
{
	max_level = level;
}

/* "[cN] TAG " at the start of @line; its length. */
static size_t start_line(char *line, enum log_level level)
{
	int n = fmt_snprintf(line, LOG_LINE_MAX, "[c%u] %s", this_cpu()->id, level_tags[level]);

	return (size_t)MIN(n, LOG_LINE_MAX - 1);
}

/* Append printf output to @line at @n (truncated to fit); the new length. */
static size_t append_v(char *line, size_t n, const char *fmt, va_list ap)
{
	int k = fmt_vsnprintf(line + n, LOG_LINE_MAX - n, fmt, ap);

	return MIN(n + (size_t)MAX(k, 0), (size_t)LOG_LINE_MAX - 1);
}

static size_t append(char *line, size_t n, const char *fmt, ...) __printf(3, 4);
static size_t append(char *line, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	n = append_v(line, n, fmt, ap);
	va_end(ap);
	return n;
}

/* End @line (@n bytes, at most LOG_LINE_MAX - 1) with its newline; the length. */
static size_t end_line(char *line, size_t n)
{
	n = MIN(n, (size_t)LOG_LINE_MAX - 1);
	line[n++] = '\n';
	return n;
}

/* To the console, or straight to the UART during a panic; false if it was dropped. */
static bool emit(const char *line, size_t len, enum console_origin origin)
{
	if (panic_in_progress()) {
		console_write_unlocked(line, len);
		return true;
	}
	return console_write_line(line, len, origin);
}

/* Per CPU: info lines held back for a `hush` domain (log_hush()). */
static bool hushed[MAX_CPUS];

void log_hush(bool on)
{
	hushed[this_cpu()->id] = on;
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n;

	if (level > max_level || (level == LOG_INFO && hushed[this_cpu()->id]))
		return;
	n = start_line(line, level);
	n = append_v(line, n, fmt, ap);
	emit(line, end_line(line, n), CONSOLE_TALLY);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

/* One event of @rl under @rule, now: whether it may pass, and how many were refused before. */
static bool limit_allows(struct ratelimit *rl, const struct ratelimit_rule *rule,
			 uint64_t *suppressed)
{
	unsigned long flags = spin_lock_irqsave(&limit_lock);
	bool ok = ratelimit_allow(rl, rule, arch_read_tsc(), arch_tsc_khz() * 1000, suppressed);

	spin_unlock_irqrestore(&limit_lock, flags);
	return ok;
}

void log_guest(struct domain *d, enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	uint64_t suppressed;
	va_list ap;
	size_t n;

	/* A line the loglevel hides costs the guest no credit. */
	if (level > max_level || !limit_allows(&d->log_limit, &guest_log_rule, &suppressed))
		return;
	n = start_line(line, level);
	va_start(ap, fmt);
	n = append_v(line, n, fmt, ap);
	va_end(ap);
	if (suppressed)
		n = append(line, n, " (d%u: %lu earlier lines suppressed)", d->id, suppressed);
	emit(line, end_line(line, n), CONSOLE_TALLY);
}

/* Under the console's lock: the token a guest's new console line costs. */
static bool console_token(void *ctx)
{
	struct domain *d = ctx;

	return limit_allows(&d->console_limit, &guest_console_rule, NULL);
}

/* Guest @d's piece @p to the console, tagged "[cN] <name>"; counted if refused or dropped. */
static void guest_write(struct domain *d, struct console_piece *p)
{
	char tag[LOG_LINE_MAX];
	size_t n;

	if (LOG_INFO > max_level)
		return;
	/* A panic stopped the CPU that may hold the console's lock: not the time for guests. */
	if (!panic_in_progress()) {
		n = start_line(tag, LOG_INFO);
		append(tag, n, "<%s>", d->name);
		p->tag = tag;
		if (console_write_guest(p, console_token, d) == CONSOLE_WRITTEN)
			return;
	}
	__atomic_fetch_add(&d->console_dropped, 1, __ATOMIC_RELAXED);	/* any vCPU's CPU */
}

void log_guest_line(struct domain *d, const char *text)
{
	struct console_piece p = { .text = text, .len = strlen(text), .end = true };

	guest_write(d, &p);
}

void log_guest_piece(struct domain *d, const char *text, size_t len, bool cont, bool end)
{
	struct console_piece p = {
		.owner = (uintptr_t)d, .text = text, .len = len, .cont = cont, .end = end,
	};

	guest_write(d, &p);
}
