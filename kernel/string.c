/* SPDX-License-Identifier: MIT */
/* Freestanding memory and string helpers; gcc also emits calls to memcpy/memset. */
#include <tally/string.h>

/*
 * Without this gcc recognises the byte loops below as memcpy/memset idioms
 * and compiles them into calls to themselves.
 */
#define NO_LIBCALL_IDIOMS __attribute__((optimize("no-tree-loop-distribute-patterns")))

#ifndef TALLY_HOST_TEST

/* A 64-bit word that may alias anything: the bulk of a copy or fill between aligned buffers. */
typedef uint64_t __attribute__((may_alias)) word_t;
#define WORD_ALIGNED(p)	(((uintptr_t)(p) & (sizeof(word_t) - 1)) == 0)
/*
 * The same at any address: x86 loads and stores words at any alignment
 * (SDM Vol. 1, 4.1.1), and frames sit in guests' buffers at odd offsets.
 */
typedef uint64_t __attribute__((may_alias, aligned(1))) uword_t;

/* Word by word at any alignment (frames, disk sectors, counter snapshots), then the tail. */
NO_LIBCALL_IDIOMS
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (; n >= sizeof(uword_t); n -= sizeof(uword_t)) {
		*(uword_t *)d = *(const uword_t *)s;
		d += sizeof(uword_t);
		s += sizeof(uword_t);
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

NO_LIBCALL_IDIOMS
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Copy backwards when @dst overlaps the tail of @src. */
	if ((uintptr_t)d > (uintptr_t)s && (uintptr_t)d - (uintptr_t)s < n) {
		while (n--)
			d[n] = s[n];
		return dst;
	}
	/* Apart (the common case: two domains' buffers): memcpy's word copy. */
	if ((uintptr_t)s - (uintptr_t)d >= n)
		return memcpy(dst, src, n);
	while (n--)
		*d++ = *s++;
	return dst;
}

NO_LIBCALL_IDIOMS
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (WORD_ALIGNED(d)) {
		word_t w = (unsigned char)c * 0x0101010101010101ull;

		for (; n >= sizeof(word_t); n -= sizeof(word_t)) {
			*(word_t *)d = w;
			d += sizeof(word_t);
		}
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++)
		if (*x != *y || !*x)
			return *x - *y;
	return 0;
}

#endif /* !TALLY_HOST_TEST */

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
