/* SPDX-License-Identifier: MIT */
/* Console logging: one call prints a whole line, prefixed with the CPU; guest-caused ones limited. */
#ifndef TALLY_LOG_H
#define TALLY_LOG_H

#include <stdarg.h>
#include <tally/types.h>

struct domain;

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* Print one line at @level (no trailing newline needed); dropped above the loglevel. */
void log_printf(enum log_level level, const char *fmt, ...) __printf(2, 3);
/* Same as log_printf() with a va_list. */
void log_vprintf(enum log_level level, const char *fmt, va_list ap);
/*
 * A line Tally prints because of something guest @d did (an INIT to
 * itself, say: anything a guest can repeat from its exits): as
 * log_printf(), but at most a burst of 10, then one a second, per domain.
 * The first line that passes after refused ones ends with
 * "(dN: M earlier lines suppressed)"; the domain's end line gives the total.
 */
void log_guest(struct domain *d, enum log_level level, const char *fmt, ...) __printf(3, 4);
#define log_guest_warn(d, ...)	log_guest(d, LOG_WARN, __VA_ARGS__)
/*
 * Guest @d's whole console line @text, printed "<name> text" after
 * ending any open line: a burst of 200 lines, then 100 a second, per
 * domain, in the part of the console ring Tally's own lines do not need.
 * Each line refused or dropped for want of room is counted in the
 * domain's console_dropped.
 */
void log_guest_line(struct domain *d, const char *text);
/*
 * A piece of guest @d's console line (@len bytes of @text, printable):
 * appended in place while @d's line is the open one on the console, else
 * on a new line tagged "<name> ", or "<name>+ " if it continues (@cont) a
 * line another's output ended; @end ends the line.  A piece that starts a
 * console line counts as a line against the limit above.
 */
void log_guest_piece(struct domain *d, const char *text, size_t len, bool cont, bool end);
/* Set the highest level printed (command line `loglevel=`). */
void log_set_level(enum log_level level);
/*
 * Hold back (@on) this CPU's info lines, or print them again: the routine
 * lines of a `hush` run-time domain (tally/domain_runtime.h), whose
 * thousands of copies would otherwise fill the console.  Warnings and
 * errors still print.
 */
void log_hush(bool on);
/*
 * TSC when the console came up, first thing at boot: time zero of the
 * `console_timestamps` stamps and of the uptime the table of domains shows.
 */
uint64_t log_boot_tsc(void);

#define log_err(...)	log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_printf(LOG_DEBUG, __VA_ARGS__)

#endif
