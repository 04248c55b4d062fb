/* SPDX-License-Identifier: MIT */
/* printf-style formatting into a buffer (no floating point). */
#ifndef TALLY_FMT_H
#define TALLY_FMT_H

#include <stdarg.h>
#include <tally/types.h>

/*
 * Format like vsnprintf(): %d %i %u %x %X %o %c %s %p %%, with flags "-0+ ",
 * width, precision (also "*"), and length modifiers hh h l ll z t j.
 * Writes at most @size bytes including the NUL; returns the length the
 * whole output would have had.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* Same as fmt_vsnprintf() with variadic arguments. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
