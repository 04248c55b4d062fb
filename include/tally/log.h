/* SPDX-License-Identifier: MIT */
/* Console logging: one call prints one whole line, prefixed with the CPU. */
#ifndef TALLY_LOG_H
#define TALLY_LOG_H

#include <stdarg.h>
#include <tally/types.h>

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
/* Set the highest level printed (command line `loglevel=`). */
void log_set_level(enum log_level level);
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
