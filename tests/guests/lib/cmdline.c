/* SPDX-License-Identifier: MIT */
/* Test-guest command-line parsing; QEMU's leading kernel file name matches no key. */
#include "cmdline.h"
#include "mem.h"
#include "printk.h"

#define CMDLINE_ASSIGN	'='
#define BASE_DECIMAL	10
#define BASE_HEX	16
#define HEX_LETTER_BASE	10	/* value of the digit 'a' */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of the token at @p (up to whitespace or the end). */
static size_t token_len(const char *p)
{
	size_t n = 0;

	while (p[n] && !is_space(p[n]))
		n++;
	return n;
}

/* Whether the @len-char token @tok starts with @key followed by @after. */
static bool token_is(const char *tok, size_t len, const char *key, char after)
{
	size_t i;

	for (i = 0; key[i]; i++)
		if (i >= len || tok[i] != key[i])
			return false;
	return after ? (i < len && tok[i] == after) : i == len;
}

/*
 * Find the token "@key=..." (@after '=') or the bare token "@key" (@after 0)
 * in the command line; returns its start and stores its length in *@len.
 */
static const char *find_token(const struct mb_info *mbi, const char *key,
			      char after, size_t *len)
{
	const char *p = mb_cmdline(mbi);

	while (*p) {
		while (is_space(*p))
			p++;
		*len = token_len(p);
		if (*len && token_is(p, *len, key, after))
			return p;
		p += *len;
	}
	return NULL;
}

/* Value of one digit in @base, or -1 if @c is not one. */
static int digit_value(char c, uint32_t base)
{
	int v = -1;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + HEX_LETTER_BASE;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + HEX_LETTER_BASE;
	return (v >= 0 && (uint32_t)v < base) ? v : -1;
}

/* Parse the @len chars at @s as a number into *@out; false if malformed or too big. */
static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint32_t base = BASE_DECIMAL;
	uint64_t v = 0;
	int d;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = BASE_HEX;
		s += 2;
		len -= 2;
	}
	if (!len)
		return false;
	for (; len; len--, s++) {
		d = digit_value(*s, base);
		if (d < 0)
			return false;
		v = v * base + (uint32_t)d;
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* The number in "@key=N" (decimal or 0x hex), else @def; a bad value is reported. */
uint32_t cmdline_u32(const struct mb_info *mbi, const char *key, uint32_t def)
{
	size_t len;
	const char *tok = find_token(mbi, key, CMDLINE_ASSIGN, &len);
	size_t skip = strlen(key) + 1;	/* "key=" */
	uint32_t v;

	if (!tok)
		return def;
	if (parse_u32(tok + skip, len - skip, &v))
		return v;
	printk("cmdline: bad number for %s=, using %u\n", key, def);
	return def;
}

/* Whether the bare token @name appears ("write", not "write=1"). */
bool cmdline_flag(const struct mb_info *mbi, const char *name)
{
	size_t len;

	return find_token(mbi, name, 0, &len) != NULL;
}

/* Copy the value of "@key=value" into @buf (truncated, NUL-terminated); false if absent. */
bool cmdline_str(const struct mb_info *mbi, const char *key, char *buf, size_t size)
{
	size_t len, skip = strlen(key) + 1;	/* "key=" */
	const char *tok = find_token(mbi, key, CMDLINE_ASSIGN, &len);
	size_t n;

	if (!tok || !size)
		return false;
	for (n = 0; skip + n < len && n + 1 < size; n++)
		buf[n] = tok[skip + n];
	buf[n] = '\0';
	return true;
}
