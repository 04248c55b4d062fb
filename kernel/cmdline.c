/* SPDX-License-Identifier: MIT */
/* Command-line tokeniser and number parser: pure logic, no allocation, host-tested. */
#include <tally/cmdline.h>
#include <tally/errno.h>
#include <tally/string.h>

#define CMDLINE_QUOTE	'"'
#define CMDLINE_ASSIGN	'='
#define BASE_DECIMAL	10
#define BASE_HEX	16
#define HEX_PREFIX_LEN	2	/* "0x" */
#define HEX_LETTER_BASE	10	/* value of the digit 'a' */

/* Whitespace as isspace() sees it in the C locale. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Append @c to the @size-byte buffer @buf holding *@len chars; false if full. */
static bool put_char(char *buf, size_t size, size_t *len, char c)
{
	if (*len + 1 >= size)
		return false;
	buf[(*len)++] = c;
	return true;
}

/* Copy the key at @p into @tok; returns where it stops (space, '=' or end). */
static const char *scan_key(const char *p, struct cmdline_token *tok, bool *trunc)
{
	size_t n = 0;

	for (; *p && !is_space(*p) && *p != CMDLINE_ASSIGN; p++)
		if (!put_char(tok->key, sizeof(tok->key), &n, *p))
			*trunc = true;
	tok->key[n] = '\0';
	return p;
}

/*
 * Copy the value at @p into @tok.  Each double quote opens or closes a span
 * in which whitespace belongs to the value; the quotes themselves are not
 * copied, and an unclosed quote runs to the end of the line.
 */
static const char *scan_value(const char *p, struct cmdline_token *tok, bool *trunc)
{
	bool quoted = false;
	size_t n = 0;

	for (; *p && (quoted || !is_space(*p)); p++) {
		if (*p == CMDLINE_QUOTE) {
			quoted = !quoted;
			continue;
		}
		if (!put_char(tok->value, sizeof(tok->value), &n, *p))
			*trunc = true;
	}
	tok->value[n] = '\0';
	return p;
}

/*
 * cmdline_next() that also says which part was truncated: cmdline_find()
 * must not match a key that was cut down to the one it looks for.
 */
static bool scan_token(const char **pos, struct cmdline_token *tok,
		       bool *key_trunc, bool *value_trunc)
{
	const char *p = *pos;

	memset(tok, 0, sizeof(*tok));
	*key_trunc = false;
	*value_trunc = false;
	if (!p)
		return false;
	while (is_space(*p))
		p++;
	if (!*p) {
		*pos = p;
		return false;
	}
	p = scan_key(p, tok, key_trunc);
	if (*p == CMDLINE_ASSIGN) {
		tok->has_value = true;
		p = scan_value(p + 1, tok, value_trunc);
	}
	tok->truncated = *key_trunc || *value_trunc;
	*pos = p;
	return true;
}

/* Read the next token from *pos into tok; false at the end of the string. */
bool cmdline_next(const char **pos, struct cmdline_token *tok)
{
	bool key_trunc, value_trunc;

	return scan_token(pos, tok, &key_trunc, &value_trunc);
}

/* Hand @tok's value to cmdline_find()'s caller; returns cmdline_find()'s result. */
static int store_value(const struct cmdline_token *tok, bool value_trunc,
		       char *val, size_t len)
{
	if (len)
		val[0] = '\0';	/* a later bare flag clears an earlier value */
	if (!tok->has_value)
		return 0;
	if (value_trunc || str_copy(val, tok->value, len) >= len) {
		if (len)
			val[0] = '\0';
		return -E2BIG;
	}
	return 1;
}

/* Last `key` or `key=value` for key: 1 value, 0 flag, -ENOENT, -E2BIG. */
int cmdline_find(const char *cmdline, const char *key, char *val, size_t len)
{
	struct cmdline_token tok;
	const char *pos = cmdline;
	bool key_trunc, value_trunc;
	int found = -ENOENT;

	if (len)
		val[0] = '\0';	/* callers may print @val whatever the result */
	if (!key)
		return -ENOENT;
	while (scan_token(&pos, &tok, &key_trunc, &value_trunc)) {
		if (key_trunc || strcmp(tok.key, key) != 0)
			continue;
		found = store_value(&tok, value_trunc, val, len);
	}
	return found;
}

/* The value of hexadecimal digit @c, or -1 if it is not one. */
static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + HEX_LETTER_BASE;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + HEX_LETTER_BASE;
	return -1;
}

/* Parse decimal or 0x-hex into *out: 0, -EINVAL (syntax) or -ERANGE. */
int cmdline_parse_u64(const char *s, uint64_t *out)
{
	uint64_t base = BASE_DECIMAL, v = 0;
	bool overflow = false;

	if (!s || !out)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = BASE_HEX;
		s += HEX_PREFIX_LEN;
	}
	if (!*s)
		return -EINVAL;
	/* Check the whole string first: junk after an overflow is -EINVAL. */
	for (; *s; s++) {
		int d = digit_value(*s);

		if (d < 0 || (uint64_t)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = true;
		else
			v = v * base + (uint64_t)d;
	}
	if (overflow)
		return -ERANGE;
	*out = v;
	return 0;
}
