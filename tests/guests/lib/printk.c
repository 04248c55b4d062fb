/* SPDX-License-Identifier: MIT */
/* Test-guest printk: a small printf straight to the UART, 64-bit safe without libgcc. */
#include <stdbool.h>
#include <stdint.h>
#include "div64.h"
#include "mem.h"
#include "printk.h"
#include "serial.h"

#define BASE_DECIMAL	10
#define BASE_HEX	16
#define DIGITS_MAX	20	/* UINT64_MAX has 20 decimal digits */
#define POINTER_DIGITS	8	/* a 32-bit address in hex */

/* One conversion's flags, width and length modifier. */
struct fmt_spec {
	bool left;		/* '-': pad on the right */
	bool zero;		/* '0': pad with zeros after the sign/prefix */
	unsigned int width;
	unsigned int longs;	/* number of 'l' modifiers */
};

static void put_repeated(char c, unsigned int n)
{
	while (n--)
		serial_putc(c);
}

/* Emit @prefix then the @len chars at @body, padded to the spec's width. */
static void emit(const struct fmt_spec *sp, const char *prefix,
		 const char *body, unsigned int len)
{
	unsigned int total = (unsigned int)strlen(prefix) + len;
	unsigned int fill = sp->width > total ? sp->width - total : 0;

	if (!sp->left && !sp->zero)
		put_repeated(' ', fill);
	serial_puts(prefix);
	if (!sp->left && sp->zero)
		put_repeated('0', fill);
	while (len--)
		serial_putc(*body++);
	if (sp->left)
		put_repeated(' ', fill);
}

/* Emit @v in @base; @neg puts a minus sign in front instead of @prefix. */
static void emit_number(const struct fmt_spec *sp, uint64_t v, uint32_t base,
			bool neg, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[DIGITS_MAX];
	unsigned int n = 0;
	uint32_t r;

	do {
		v = div_u64_u32(v, base, &r);
		buf[DIGITS_MAX - ++n] = digits[r];
	} while (v);
	emit(sp, neg ? "-" : prefix, buf + DIGITS_MAX - n, n);
}

/* Fetch an unsigned integer argument of the spec's length. */
static uint64_t arg_unsigned(const struct fmt_spec *sp, va_list *ap)
{
	if (sp->longs >= 2)
		return va_arg(*ap, unsigned long long);
	if (sp->longs == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

/* Fetch a signed integer argument of the spec's length. */
static int64_t arg_signed(const struct fmt_spec *sp, va_list *ap)
{
	if (sp->longs >= 2)
		return va_arg(*ap, long long);
	if (sp->longs == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

/* Parse flags, width and length after a '%'; returns the conversion char. */
static const char *parse_spec(const char *p, struct fmt_spec *sp)
{
	*sp = (struct fmt_spec){ 0 };
	for (;; p++) {
		if (*p == '-')
			sp->left = true;
		else if (*p == '0')
			sp->zero = true;
		else
			break;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		sp->width = sp->width * BASE_DECIMAL + (unsigned int)(*p - '0');
	for (; *p == 'l'; p++)
		sp->longs++;
	return p;
}

static void convert_signed(const struct fmt_spec *sp, va_list *ap)
{
	int64_t v = arg_signed(sp, ap);
	/* Negate as unsigned: -INT64_MIN does not exist as a signed value. */
	uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

	emit_number(sp, mag, BASE_DECIMAL, v < 0, false, "");
}

/* Print one conversion @c with its spec, consuming its argument from @ap. */
static void convert(char c, struct fmt_spec *sp, va_list *ap)
{
	char ch;
	const char *s;

	switch (c) {
	case 'd':
	case 'i':
		convert_signed(sp, ap);
		break;
	case 'u':
		emit_number(sp, arg_unsigned(sp, ap), BASE_DECIMAL, false, false, "");
		break;
	case 'x':
	case 'X':
		emit_number(sp, arg_unsigned(sp, ap), BASE_HEX, false, c == 'X', "");
		break;
	case 'p':
		sp->zero = true;
		sp->width = POINTER_DIGITS + 2;	/* "0x" */
		emit_number(sp, (uintptr_t)va_arg(*ap, void *), BASE_HEX, false, false, "0x");
		break;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		sp->zero = false;
		emit(sp, "", s, (unsigned int)strlen(s));
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		emit(sp, "", &ch, 1);
		break;
	default:	/* "%%", and an unknown conversion is shown as itself */
		serial_putc(c);
		break;
	}
}

/* printk() with the arguments in @ap. */
void vprintk(const char *fmt, va_list ap)
{
	struct fmt_spec sp;
	va_list args;

	va_copy(args, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			serial_putc(*fmt);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		if (!*fmt)
			break;
		convert(*fmt, &sp, &args);
	}
	va_end(args);
}

/* Print the formatted text to COM1 (conversions listed in printk.h). */
void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
