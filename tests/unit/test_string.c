/* SPDX-License-Identifier: MIT */
/* Unit tests: Tally's own memcpy, memmove and memset (kernel/string.c), against byte-by-byte models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/*
 * Host tests use libc's string functions (TALLY_HOST_TEST); here Tally's
 * are compiled under other names so that both can be compared.
 */
#undef TALLY_HOST_TEST
#define memcpy tally_memcpy
#define memmove tally_memmove
#define memset tally_memset
#define memcmp tally_memcmp
#define strlen tally_strlen
#define strnlen tally_strnlen
#define strcmp tally_strcmp
#define strncmp tally_strncmp
#define str_copy tally_str_copy
#include "../../kernel/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef str_copy

#define AREA		256
#define MAX_OFFSET	16	/* every alignment of both ends, twice over a word */
#define MAX_LEN		100
#define GUARD		0xEE

static unsigned char src[AREA] __attribute__((aligned(16)));
static unsigned char dst[AREA] __attribute__((aligned(16)));

static void fill_src(void)
{
	for (size_t i = 0; i < AREA; i++)
		src[i] = (unsigned char)(i * 7 + 3);
}

/* One copy of @n bytes from src + @so to dst + @off: those bytes, and none outside. */
static void check_copy(size_t so, size_t off, size_t n)
{
	memset(dst, GUARD, sizeof(dst));
	assert_ptr_equal(tally_memcpy(dst + off, src + so, n), dst + off);
	if (n)
		assert_memory_equal(dst + off, src + so, n);
	for (size_t i = 0; i < AREA; i++)
		if (i < off || i >= off + n)
			assert_int_equal(dst[i], GUARD);
}

/* Every length at every pair of offsets. */
static void test_memcpy(void **state)
{
	(void)state;
	fill_src();
	for (size_t so = 0; so < MAX_OFFSET; so++)
		for (size_t off = 0; off < MAX_OFFSET; off++)
			for (size_t n = 0; n <= MAX_LEN; n++)
				check_copy(so, off, n);
}

static void test_memset(void **state)
{
	(void)state;
	for (size_t off = 0; off < MAX_OFFSET; off++)
		for (size_t n = 0; n <= MAX_LEN; n++) {
			memset(dst, GUARD, sizeof(dst));
			assert_ptr_equal(tally_memset(dst + off, 0x1A5, n), dst + off);	/* a byte */
			for (size_t i = 0; i < AREA; i++)
				assert_int_equal(dst[i], i >= off && i < off + n ? 0xA5 : GUARD);
		}
}

/* Overlapping both ways, against libc's memmove. */
static void test_memmove(void **state)
{
	unsigned char want[AREA];

	(void)state;
	for (size_t from = 0; from < 40; from++)
		for (size_t to = 0; to < 40; to++)
			for (size_t n = 0; n <= 64; n += 7) {
				fill_src();
				memcpy(want, src, AREA);
				memmove(want + to, want + from, n);
				tally_memmove(src + to, src + from, n);
				assert_memory_equal(src, want, AREA);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memmove),
	};

	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
