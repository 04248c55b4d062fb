/* SPDX-License-Identifier: MIT */
/* Log lines on the serial console: "[cN] " prefix, one lock per whole line.
 *
 * Design: each call formats its line into a stack buffer first and then
 * writes it under the console lock, so lines from different CPUs never
 * interleave and the lock is held only for the UART time.
 * Locking: console_lock, with interrupts off; a panic bypasses it. */
#include <tally/console.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/panic.h>
#include <tally/percpu.h>
#include <tally/spinlock.h>
#include <tally/uart.h>

#define LOG_LINE_MAX	256

static struct uart console_uart;
static struct spinlock console_lock = SPINLOCK_INIT;
static enum log_level max_level = LOG_INFO;

static const char *const level_tags[] = {
	[LOG_ERR] = "ERROR: ",
	[LOG_WARN] = "WARN: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

void console_init_early(void)
{
	uart_init(&console_uart, UART_COM1);
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
		console_write_unlocked(line, n);
		return;
	}
	flags = spin_lock_irqsave(&console_lock);
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
