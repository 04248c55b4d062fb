/* SPDX-License-Identifier: MIT */
/* Log lines on the serial console: "[cN] " prefix, one lock per whole line.
 *
 * Design: each call formats its line into a stack buffer first and then
 * writes it under the console lock, so lines from different CPUs never
 * interleave and the lock is held only for the UART time.  With
 * `console_timestamps` the stamp is taken under the lock, so stamps never
 * go back down the console, whichever CPUs print.
 * Locking: console_lock, with interrupts off; a panic bypasses it. */
#include <tally/arch.h>
#include <tally/console.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/options.h>
#include <tally/panic.h>
#include <tally/percpu.h>
#include <tally/spinlock.h>
#include <tally/uart.h>

#define LOG_LINE_MAX	256
#define LOG_STAMP_MAX	24	/* "[12345678901.123456] " */

static struct uart console_uart;
static struct spinlock console_lock = SPINLOCK_INIT;
static enum log_level max_level = LOG_INFO;
static uint64_t boot_tsc;		/* time zero of the stamps and of uptimes */

static const char *const level_tags[] = {
	[LOG_ERR] = "ERROR: ",
	[LOG_WARN] = "WARN: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

void console_init_early(void)
{
	boot_tsc = arch_read_tsc();
	uart_init(&console_uart, UART_COM1);
}

uint64_t log_boot_tsc(void)
{
	return boot_tsc;
}

void console_set_port(uint16_t port)
{
	unsigned long flags = spin_lock_irqsave(&console_lock);

	uart_init(&console_uart, port);
	spin_unlock_irqrestore(&console_lock, flags);
}

void console_write_unlocked(const char *s, size_t len)
{
	uart_write(&console_uart, s, len);
}

int console_getc(void)
{
	return uart_getc(&console_uart);
}

void console_flush(void)
{
	uart_flush(&console_uart);
}

void log_set_level(enum log_level level)
{
	max_level = level;
}

/*
 * "[    12.345678] ": seconds since boot, as Linux and Xen print them; zero
 * until the TSC is calibrated, since its rate is unknown before.
 */
static void write_stamp(void)
{
	uint64_t khz = arch_tsc_khz(), cycles = arch_read_tsc() - boot_tsc;
	char stamp[LOG_STAMP_MAX];
	int n;

	if (!khz)
		n = fmt_snprintf(stamp, sizeof(stamp), "[%5u.%06u] ", 0, 0);
	else
		n = fmt_snprintf(stamp, sizeof(stamp), "[%5lu.%06lu] ", cycles / (khz * 1000),
				 cycles % (khz * 1000) * 1000 / khz);
	uart_write(&console_uart, stamp, (size_t)MIN(n, (int)sizeof(stamp) - 1));
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	unsigned long flags;
	int n;

	if (level > max_level)
		return;
	n = fmt_snprintf(line, sizeof(line), "[c%u] %s",
			 this_cpu()->id, level_tags[level]);
	n += fmt_vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (n > LOG_LINE_MAX - 2)
		n = LOG_LINE_MAX - 2;	/* truncated: keep the newline */
	line[n++] = '\n';

	if (panic_in_progress()) {
		if (options.console_timestamps)
			write_stamp();
		console_write_unlocked(line, n);
		return;
	}
	flags = spin_lock_irqsave(&console_lock);
	if (options.console_timestamps)
		write_stamp();
	uart_write(&console_uart, line, n);
	spin_unlock_irqrestore(&console_lock, flags);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}
