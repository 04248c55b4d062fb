/* SPDX-License-Identifier: MIT */
/* Test-guest formatted console output. */
#ifndef GUEST_PRINTK_H
#define GUEST_PRINTK_H

#include <stdarg.h>

/*
 * Print to COM1.  Conversions: %d %i %u %x %X %s %c %p %%, with optional
 * '-' (left-justify), '0' (zero-pad), a decimal width, and 'l'/'ll' length
 * (long is 32-bit here; long long is 64-bit).  No floating point.
 */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* printk() with the arguments in @ap. */
void vprintk(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
