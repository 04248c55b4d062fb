/* SPDX-License-Identifier: MIT */
/* Host-side logging for unit tests: records lines so tests can assert on them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/console.h>

#include "shim.h"

#define SHIM_LINES	256
#define SHIM_LINE_LEN	256

static char lines[SHIM_LINES][SHIM_LINE_LEN];
static unsigned int line_count;
static unsigned int level_counts[LOG_DEBUG + 1];

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	char *line = lines[line_count % SHIM_LINES];

	vsnprintf(line, SHIM_LINE_LEN, fmt, ap);
	line_count++;
	if (level <= LOG_DEBUG)
		level_counts[level]++;
	if (getenv("SHIM_VERBOSE"))
		fprintf(stderr, "  log[%d]: %s\n", level, line);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

void log_set_level(enum log_level level)
{
	(void)level;
}

/* The console's last figures (kernel/console.c): nothing to count on the host. */
void console_report_dropped(void)
{
}

unsigned int shim_log_count(enum log_level level)
{
	return level <= LOG_DEBUG ? level_counts[level] : 0;
}

const char *shim_log_last(void)
{
	return line_count ? lines[(line_count - 1) % SHIM_LINES] : "";
}

int shim_log_contains(const char *needle)
{
	return shim_log_count_matching(needle) > 0;
}

unsigned int shim_log_count_matching(const char *needle)
{
	unsigned int n = line_count < SHIM_LINES ? line_count : SHIM_LINES, found = 0;

	for (unsigned int i = 0; i < n; i++)
		found += strstr(lines[i], needle) != NULL;
	return found;
}

void shim_log_reset(void)
{
	line_count = 0;
	memset(level_counts, 0, sizeof(level_counts));
}
