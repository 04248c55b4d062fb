/* SPDX-License-Identifier: MIT */
/* Unit tests: checked guest-memory copies for hypercalls (kernel/hcall_args.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/errno.h>
#include <tally/hcall_args.h>

#define RAM	(4 * PAGE_SIZE)
#define FILL	0xA5

static uint8_t ram[RAM];
static struct guest_mem mem = { .base = ram, .size = RAM };

static int setup(void **state)
{
	(void)state;
	memset(ram, FILL, sizeof(ram));
	mem.size = RAM;
	mem.translate = NULL;
	return 0;
}

/* True if every byte of guest RAM outside [@gpa, @gpa + @len) still holds FILL. */
static bool untouched_outside(uint64_t gpa, uint64_t len)
{
	for (uint64_t i = 0; i < RAM; i++)
		if ((i < gpa || i >= gpa + len) && ram[i] != FILL)
			return false;
	return true;
}

static bool all_untouched(void)
{
	return untouched_outside(0, 0);
}

static void test_copy_from_in_range(void **state)
{
	uint8_t buf[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		ram[RAM - 16 + i] = (uint8_t)i;
	assert_int_equal(hcall_copy_from_guest(&mem, buf, RAM - 16, 16, 8), 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(buf[i], i);
	assert_int_equal(hcall_copy_from_guest(&mem, buf, 0, 1, 1), 0);
	assert_int_equal(buf[0], FILL);
}

static void test_len_zero_copies_nothing(void **state)
{
	uint8_t buf[1] = { 7 };

	(void)state;
	assert_int_equal(hcall_copy_from_guest(&mem, buf, 0, 0, 0), 0);
	assert_int_equal(hcall_copy_from_guest(&mem, buf, RAM, 0, 0), 0);
	assert_int_equal(buf[0], 7);
	assert_int_equal(hcall_copy_to_guest(&mem, RAM, buf, 0, 0), 0);
	assert_true(all_untouched());
}

static void test_out_of_range_by_one(void **state)
{
	uint8_t buf[16] = { 0 };

	(void)state;
	/* One byte past the end of RAM, at the start or the end of the range. */
	assert_int_equal(hcall_copy_from_guest(&mem, buf, RAM - 15, 16, 1), -EFAULT);
	assert_int_equal(hcall_copy_from_guest(&mem, buf, RAM, 1, 1), -EFAULT);
	assert_int_equal(hcall_copy_to_guest(&mem, RAM - 15, buf, 16, 1), -EFAULT);
	assert_int_equal(hcall_copy_to_guest(&mem, RAM, buf, 1, 1), -EFAULT);
	/* One byte below GPA 0: that is the top of the address space, and wraps. */
	assert_int_equal(hcall_copy_from_guest(&mem, buf, UINT64_MAX, 2, 1), -EFAULT);
	assert_int_equal(hcall_copy_to_guest(&mem, UINT64_MAX, buf, 2, 1), -EFAULT);
	assert_int_equal(hcall_copy_to_guest(&mem, UINT64_MAX, buf, 1, 1), -EFAULT);
	assert_true(all_untouched());
	assert_int_equal(buf[0], 0);
}

static void test_overflow_and_huge(void **state)
{
	uint8_t buf[16] = { 0 };

	(void)state;
	assert_int_equal(hcall_copy_from_guest(&mem, buf, UINT64_MAX - 7, 16, 8), -EFAULT);
	assert_int_equal(hcall_copy_to_guest(&mem, UINT64_MAX - 7, buf, 16, 8), -EFAULT);
	assert_int_equal(hcall_copy_from_guest(&mem, buf, 0, UINT64_MAX, 1), -E2BIG);
	assert_int_equal(hcall_copy_from_guest(&mem, buf, 0, HCALL_COPY_MAX + 1, 1), -E2BIG);
	assert_int_equal(hcall_copy_to_guest(&mem, 8, buf, UINT64_MAX - 7, 1), -E2BIG);
	assert_int_equal(hcall_copy_from_guest(&mem, buf, 1ull << 63, 8, 8), -EFAULT);
	assert_true(all_untouched());
}

static void test_cap_exactly(void **state)
{
	static uint8_t big[HCALL_COPY_MAX];
	static uint8_t bigram[HCALL_COPY_MAX];
	struct guest_mem m = { .base = bigram, .size = sizeof(bigram) };

	(void)state;
	memset(big, 1, sizeof(big));
	assert_int_equal(hcall_copy_to_guest(&m, 0, big, HCALL_COPY_MAX, 8), 0);
	assert_int_equal(bigram[HCALL_COPY_MAX - 1], 1);
}

static void test_misaligned(void **state)
{
	uint64_t v = 0x1122334455667788ull;

	(void)state;
	assert_int_equal(hcall_copy_to_guest(&mem, 4, &v, 8, 8), -EINVAL);
	assert_int_equal(hcall_copy_to_guest(&mem, 1, &v, 8, 2), -EINVAL);
	assert_int_equal(hcall_copy_from_guest(&mem, &v, 7, 8, 8), -EINVAL);
	assert_true(all_untouched());
	assert_int_equal(v, 0x1122334455667788ull);
	/* Alignment 0 and 1 mean none. */
	assert_int_equal(hcall_copy_to_guest(&mem, 3, &v, 8, 1), 0);
	assert_int_equal(hcall_copy_to_guest(&mem, 3, &v, 8, 0), 0);
	assert_true(untouched_outside(3, 8));
}

static void test_straddles_pages(void **state)
{
	uint8_t src[32], dst[32];

	(void)state;
	for (int i = 0; i < 32; i++)
		src[i] = (uint8_t)(i + 1);
	assert_int_equal(hcall_copy_to_guest(&mem, PAGE_SIZE - 16, src, 32, 8), 0);
	assert_true(untouched_outside(PAGE_SIZE - 16, 32));
	assert_memory_equal(ram + PAGE_SIZE - 16, src, 32);
	assert_int_equal(hcall_copy_from_guest(&mem, dst, PAGE_SIZE - 16, 32, 8), 0);
	assert_memory_equal(dst, src, 32);
}

/* A non-contiguous mapping: guest page i is host page (3 - i); guest page 2 is a hole. */
static void *reverse_translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail)
{
	uint64_t page = gpa >> PAGE_SHIFT;

	if (page >= 4 || page == 2)
		return NULL;
	*avail = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
	return m->base + (3 - page) * PAGE_SIZE + (gpa & (PAGE_SIZE - 1));
}

static void test_translate_callback(void **state)
{
	struct guest_mem m = { .base = ram, .size = RAM, .translate = reverse_translate };
	uint8_t src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, dst[8];
	char s[8];

	(void)state;
	assert_int_equal(hcall_copy_to_guest(&m, PAGE_SIZE - 4, src, 8, 4), 0);
	assert_memory_equal(ram + 3 * PAGE_SIZE + PAGE_SIZE - 4, src, 4);
	assert_memory_equal(ram + 2 * PAGE_SIZE, src + 4, 4);
	assert_int_equal(hcall_copy_from_guest(&m, dst, PAGE_SIZE - 4, 8, 4), 0);
	assert_memory_equal(dst, src, 8);
	/* Into the hole: nothing is written, not even the mapped first half. */
	memset(ram, FILL, sizeof(ram));
	assert_int_equal(hcall_copy_to_guest(&m, 2 * PAGE_SIZE - 4, src, 8, 4), -EFAULT);
	assert_true(all_untouched());
	/* A string running into the hole. */
	memset(ram + 2 * PAGE_SIZE + PAGE_SIZE - 4, 'x', 4);	/* guest page 1's end */
	assert_int_equal(hcall_copy_string_from_guest(&m, s, 2 * PAGE_SIZE - 4, sizeof(s)),
			 -EFAULT);
	assert_string_equal(s, "");
}

/* A mapping of the whole address space onto RAM, so only the wrap check can refuse. */
static void *everywhere_translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail)
{
	*avail = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
	return m->base + (gpa % RAM);
}

static void test_wrap_refused_even_if_mapped(void **state)
{
	struct guest_mem m = { .base = ram, .size = RAM, .translate = everywhere_translate };
	uint8_t buf[16] = { 0 };

	(void)state;
	assert_int_equal(hcall_copy_to_guest(&m, UINT64_MAX - 7, buf, 16, 8), -EFAULT);
	assert_int_equal(hcall_copy_from_guest(&m, buf, UINT64_MAX, 2, 1), -EFAULT);
	assert_int_equal(hcall_copy_string_from_guest(&m, (char *)buf, UINT64_MAX, 8), -EFAULT);
	assert_true(all_untouched());
	/* Up to the very last byte of the address space is not a wrap. */
	assert_int_equal(hcall_copy_to_guest(&m, UINT64_MAX - 7, buf, 8, 8), 0);
}

static void test_string_ok(void **state)
{
	char s[8];

	(void)state;
	memcpy(ram + 100, "hello", 6);
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, 100, sizeof(s)), 5);
	assert_string_equal(s, "hello");
	/* Empty string. */
	ram[200] = 0;
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, 200, sizeof(s)), 0);
	assert_string_equal(s, "");
	/* Exactly max - 1 characters. */
	memcpy(ram + 300, "1234567", 8);
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, 300, sizeof(s)), 7);
	assert_string_equal(s, "1234567");
	/* Across a page boundary. */
	memcpy(ram + PAGE_SIZE - 3, "abcdef", 7);
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, PAGE_SIZE - 3, sizeof(s)), 6);
	assert_string_equal(s, "abcdef");
}

static void test_string_at_end_of_ram(void **state)
{
	char s[8];

	(void)state;
	/* Its NUL is the last byte of RAM: fine, though max reaches past it. */
	memcpy(ram + RAM - 4, "abc", 4);
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, RAM - 4, sizeof(s)), 3);
	assert_string_equal(s, "abc");
	ram[RAM - 1] = 0;
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, RAM - 1, sizeof(s)), 0);
	/* Not terminated before the end of RAM. */
	memcpy(ram + RAM - 4, "abcd", 4);
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, RAM - 4, sizeof(s)), -EFAULT);
	assert_string_equal(s, "");
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, RAM, sizeof(s)), -EFAULT);
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, UINT64_MAX, sizeof(s)), -EFAULT);
}

static void test_string_unterminated(void **state)
{
	char s[8];

	(void)state;
	memcpy(ram + 100, "12345678", 8);	/* fills FILL after: no NUL within 8 */
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, 100, sizeof(s)), -E2BIG);
	assert_string_equal(s, "");
	/* max 1 leaves room for the NUL only. */
	assert_int_equal(hcall_copy_string_from_guest(&mem, s, 100, 1), -E2BIG);
	assert_string_equal(s, "");
}

static void test_check_range(void **state)
{
	(void)state;
	assert_int_equal(hcall_check_guest_range(&mem, 0, RAM, 8), 0);
	assert_int_equal(hcall_check_guest_range(&mem, 0, RAM + 1, 8), -EFAULT);
	assert_int_equal(hcall_check_guest_range(&mem, 8, RAM, 8), -EFAULT);
	assert_int_equal(hcall_check_guest_range(&mem, 4, 8, 8), -EINVAL);
	mem.size = 0;
	assert_int_equal(hcall_check_guest_range(&mem, 0, 1, 1), -EFAULT);
	assert_int_equal(hcall_check_guest_range(&mem, 0, 0, 1), 0);
}

/* An array longer than one copy: checked whole, each entry at most HCALL_COPY_MAX. */
static void test_check_array(void **state)
{
	static uint8_t bigram[3 * HCALL_COPY_MAX];
	struct guest_mem big = { .base = bigram, .size = sizeof(bigram) };
	struct guest_mem wide = { .base = ram, .size = RAM, .translate = everywhere_translate };
	const uint64_t entry = 664;	/* a struct tally_vcpu_counters */

	(void)state;
	assert_int_equal(hcall_check_guest_array(&big, 8, 256, entry, 8), 0);
	assert_int_equal(hcall_check_guest_array(&big, 0, 3, HCALL_COPY_MAX, 8), 0);
	assert_int_equal(hcall_check_guest_array(&big, 8, 3, HCALL_COPY_MAX, 8), -EFAULT);
	assert_int_equal(hcall_check_guest_array(&big, 0, 1, HCALL_COPY_MAX + 1, 8), -E2BIG);
	assert_int_equal(hcall_check_guest_array(&big, 4, 1, entry, 8), -EINVAL);
	assert_int_equal(hcall_check_guest_array(&big, sizeof(bigram) - entry, 1, entry, 8), 0);
	assert_int_equal(hcall_check_guest_array(&big, sizeof(bigram) - entry, 2, entry, 8),
			 -EFAULT);
	/* Nothing to check: no entries, or entries of no bytes. */
	assert_int_equal(hcall_check_guest_array(&big, UINT64_MAX - 7, 0, entry, 8), 0);
	assert_int_equal(hcall_check_guest_array(&big, UINT64_MAX - 7, UINT64_MAX, 0, 8), 0);
	/* count * size past 2^64, or an end that wraps, even where every page is mapped. */
	assert_int_equal(hcall_check_guest_array(&wide, 0, UINT64_MAX / 8 + 1, 8, 8), -EFAULT);
	assert_int_equal(hcall_check_guest_array(&wide, 1ull << 63, 1ull << 60, 16, 8), -EFAULT);
	assert_int_equal(hcall_check_guest_array(&wide, UINT64_MAX - 7, 2, 8, 8), -EFAULT);
	assert_int_equal(hcall_check_guest_array(&wide, UINT64_MAX - 15, 2, 8, 8), 0);
	assert_true(all_untouched());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_copy_from_in_range, setup),
		cmocka_unit_test_setup(test_len_zero_copies_nothing, setup),
		cmocka_unit_test_setup(test_out_of_range_by_one, setup),
		cmocka_unit_test_setup(test_overflow_and_huge, setup),
		cmocka_unit_test_setup(test_cap_exactly, setup),
		cmocka_unit_test_setup(test_misaligned, setup),
		cmocka_unit_test_setup(test_straddles_pages, setup),
		cmocka_unit_test_setup(test_translate_callback, setup),
		cmocka_unit_test_setup(test_wrap_refused_even_if_mapped, setup),
		cmocka_unit_test_setup(test_string_ok, setup),
		cmocka_unit_test_setup(test_string_at_end_of_ram, setup),
		cmocka_unit_test_setup(test_string_unterminated, setup),
		cmocka_unit_test_setup(test_check_range, setup),
		cmocka_unit_test_setup(test_check_array, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
