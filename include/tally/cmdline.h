/* SPDX-License-Identifier: MIT */
/* Command-line tokenising: `key=value`, bare flags, double-quoted values. */
#ifndef TALLY_CMDLINE_H
#define TALLY_CMDLINE_H

#include <tally/types.h>

#define CMDLINE_KEY_MAX		32
#define CMDLINE_VALUE_MAX	256

struct cmdline_token {
	char key[CMDLINE_KEY_MAX];
	char value[CMDLINE_VALUE_MAX];
	bool has_value;		/* `key=...` rather than a bare `key` */
	bool truncated;		/* key or value was longer than its buffer */
};

/*
 * Read the next whitespace-separated token from *@pos into @tok and advance
 * *@pos past it.  Returns false at the end of the string.
 */
bool cmdline_next(const char **pos, struct cmdline_token *tok);

/*
 * Find the last `key` or `key=value` for @key in @cmdline.  Returns 1 with
 * the value copied to @val, 0 for a bare flag (@val set to ""), -ENOENT when
 * absent, -E2BIG when the value does not fit @len bytes.
 */
int cmdline_find(const char *cmdline, const char *key, char *val, size_t len);

/*
 * Parse an unsigned number: decimal, or hexadecimal with 0x.  Returns 0,
 * -EINVAL for anything else (empty, trailing text, sign), -ERANGE on overflow.
 */
int cmdline_parse_u64(const char *s, uint64_t *out);

#endif
