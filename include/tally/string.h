/* SPDX-License-Identifier: MIT */
/* Freestanding memory and string helpers (libc's own in host unit tests). */
#ifndef TALLY_STRING_H
#define TALLY_STRING_H

#include <tally/types.h>

#ifdef TALLY_HOST_TEST
#include <string.h>
#else
/* Copy @n bytes from @src to @dst, which must not overlap; returns @dst. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
/* Copy @n bytes from @src to @dst, which may overlap; returns @dst. */
void *memmove(void *dst, const void *src, size_t n);
/* Fill @n bytes at @dst with the byte @c; returns @dst. */
void *memset(void *dst, int c, size_t n);
/* Compare @n bytes as unsigned chars: <0, 0 or >0. */
int memcmp(const void *a, const void *b, size_t n);
/* Length of the NUL-terminated string @s. */
size_t strlen(const char *s);
/* Length of @s, but at most @max (no byte at or past @s + @max is read). */
size_t strnlen(const char *s, size_t max);
/* Compare two NUL-terminated strings as unsigned chars: <0, 0 or >0. */
int strcmp(const char *a, const char *b);
/* strcmp() over at most @n characters. */
int strncmp(const char *a, const char *b, size_t n);
#endif

/*
 * Copy the string @src into @dst of @size bytes, truncating if needed, and
 * NUL-terminate it unless @size is 0.  Returns strlen(@src): a result
 * >= @size means the copy was truncated.
 */
size_t str_copy(char *dst, const char *src, size_t size);

#endif
