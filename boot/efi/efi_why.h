/* SPDX-License-Identifier: MIT */
/* Writing the UEFI loader's one-line refusal messages into a caller's buffer, without libc. */
#ifndef TALLY_EFI_WHY_H
#define TALLY_EFI_WHY_H

#include <tally/types.h>

/* A message being written: always NUL-terminated, silently truncated to fit. */
struct efi_why {
	char *buf;
	size_t len;		/* bytes at @buf; 0 or a NULL @buf: write nothing */
	size_t pos;
};

static inline void efi_why_start(struct efi_why *w, char *buf, size_t len)
{
	w->buf = buf;
	w->len = buf ? len : 0;
	w->pos = 0;
	if (w->len)
		buf[0] = '\0';
}

/* Append at most @n characters of @s (fewer if it ends first). */
static inline void efi_why_strn(struct efi_why *w, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i] && w->pos + 1 < w->len; i++)
		w->buf[w->pos++] = s[i];
	if (w->len)
		w->buf[w->pos] = '\0';
}

static inline void efi_why_str(struct efi_why *w, const char *s)
{
	efi_why_strn(w, s, (size_t)-1);
}

/* Append @v in decimal. */
static inline void efi_why_num(struct efi_why *w, uint64_t v)
{
	char digits[21];
	size_t i = sizeof(digits) - 1;

	digits[i] = '\0';
	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	efi_why_str(w, &digits[i]);
}

/* Append @v as 0x followed by lowercase hex digits. */
static inline void efi_why_hex(struct efi_why *w, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char digits[19];
	size_t i = sizeof(digits) - 1;

	digits[i] = '\0';
	do {
		digits[--i] = hex[v & 0xf];
		v >>= 4;
	} while (v);
	digits[--i] = 'x';
	digits[--i] = '0';
	efi_why_str(w, &digits[i]);
}

#endif
