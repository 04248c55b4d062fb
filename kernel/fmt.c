/* SPDX-License-Identifier: MIT */
/* printf-style formatting for the console and logs (no floating point). */
#include <tally/fmt.h>

struct out {
	char *buf;
	size_t size;
	size_t len;		/* what the whole output would take */
};

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int precision;		/* -1: none */
	int length;		/* 0, 'h', 'H' (hh), 'l', 'L' (ll), 'z', 't', 'j' */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padding(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_string(struct out *o, const struct spec *s, const char *str)
{
	int len = 0;

	if (!str)
		str = "(null)";
	while (str[len] && (s->precision < 0 || len < s->precision))
		len++;
	if (!s->left)
		put_padding(o, ' ', s->width - len);
	for (int i = 0; i < len; i++)
		put(o, str[i]);
	if (s->left)
		put_padding(o, ' ', s->width - len);
}

static void put_number(struct out *o, const struct spec *s, uint64_t v,
		       bool negative, unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, prefix_len = 0, zeros, pad;
	char prefix[3];
	bool zero = v == 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (s->precision == 0 && n == 1 && tmp[0] == '0')
		n = 0;
	if (negative)
		prefix[prefix_len++] = '-';
	else if (s->plus)
		prefix[prefix_len++] = '+';
	else if (s->space)
		prefix[prefix_len++] = ' ';
	if (s->alt && base == 16 && !zero) {	/* C: no 0x for zero */
		prefix[prefix_len++] = '0';
		prefix[prefix_len++] = upper ? 'X' : 'x';
	}
	zeros = s->precision > n ? s->precision - n : 0;
	pad = s->width - prefix_len - zeros - n;
	if (s->zero && !s->left && s->precision < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!s->left)
		put_padding(o, ' ', pad);
	for (int i = 0; i < prefix_len; i++)
		put(o, prefix[i]);
	put_padding(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (s->left)
		put_padding(o, ' ', pad);
}

/* Parse flags, width, precision and length; returns the conversion character. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	*s = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-') s->left = true;
		else if (*f == '0') s->zero = true;
		else if (*f == '+') s->plus = true;
		else if (*f == ' ') s->space = true;
		else if (*f == '#') s->alt = true;
		else break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = true;
			s->width = -s->width;
		}
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		s->width = s->width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		s->precision = 0;
		if (*f == '*') {
			s->precision = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			s->precision = s->precision * 10 + (*f - '0');
	}
	if (f[0] == 'h' && f[1] == 'h') { s->length = 'H'; f += 2; }
	else if (f[0] == 'l' && f[1] == 'l') { s->length = 'L'; f += 2; }
	else if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 't' || *f == 'j')
		s->length = *f++;
	return f;
}

static uint64_t get_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (uint64_t)va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, uintmax_t);
	default:  return va_arg(*ap, unsigned int);
	}
}

static int64_t get_signed(const struct spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (int64_t)va_arg(*ap, size_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, intmax_t);
	default:  return va_arg(*ap, int);
	}
}

static void convert(struct out *o, struct spec *s, char conv, va_list *ap)
{
	int64_t sv;

	switch (conv) {
	case 'd':
	case 'i':
		sv = get_signed(s, ap);
		put_number(o, s, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, sv < 0, 10, false);
		break;
	case 'u': put_number(o, s, get_unsigned(s, ap), false, 10, false); break;
	case 'o': put_number(o, s, get_unsigned(s, ap), false, 8, false); break;
	case 'x': put_number(o, s, get_unsigned(s, ap), false, 16, false); break;
	case 'X': put_number(o, s, get_unsigned(s, ap), false, 16, true); break;
	case 'p':
		s->alt = true;
		put_number(o, s, (uint64_t)(uintptr_t)va_arg(*ap, void *), false, 16, false);
		break;
	case 'c': {
		char c[2] = { (char)va_arg(*ap, int), 0 };

		s->precision = 1;
		put_string(o, s, c);
		break;
	}
	case 's': put_string(o, s, va_arg(*ap, const char *)); break;
	case '%': put(o, '%'); break;
	default:		/* unknown: print it as written */
		put(o, '%');
		if (conv)
			put(o, conv);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec s;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		convert(&o, &s, *fmt, &args);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
