/* SPDX-License-Identifier: MIT */
/* Unit tests: DOMAIN_LIST_FROM paging through more domains than one page (kernel/hcall.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/errno.h>
#include <tally/hcall.h>

#define RAM		(8 * PAGE_SIZE)
#define FILL		0xA5
#define NDOMS		10u		/* ids 1..NDOMS, as Tally numbers them */
#define CONTROL		1u
#define GUEST		2u
#define ENTRY		sizeof(struct tally_domain_info)
#define LIST_GPA	1024u

static uint8_t ram[RAM];
static struct guest_mem mem = { .base = ram, .size = RAM };
static unsigned int ids_asked;		/* ids the domain_list hook stored, over all calls */

static int fake_domain_info(void *h, uint32_t id, struct tally_domain_info *out)
{
	(void)h;
	if (id < 1 || id > NDOMS)
		return -ENOENT;
	out->vcpus = 1;
	out->flags = id == CONTROL ? TALLY_DOMAIN_CONTROL : 0;
	snprintf(out->name, sizeof(out->name), "dom%u", id);
	return 0;
}

static uint32_t fake_domain_list(void *h, uint32_t first, uint32_t *ids, uint32_t max)
{
	uint32_t n = 0;

	(void)h;
	for (uint32_t id = first ? first : 1; id <= NDOMS; id++) {
		if (n < max) {
			ids[n] = id;
			ids_asked++;
		}
		n++;
	}
	return n;
}

static const struct hcall_ops ops = {
	.domain_info = fake_domain_info,
	.domain_list = fake_domain_list,
};

static int setup(void **state)
{
	(void)state;
	memset(ram, FILL, sizeof(ram));
	ids_asked = 0;
	return 0;
}

static int64_t call(uint32_t caller, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const struct hcall_ctx ctx = {
		.domain_id = caller, .is_control = caller == CONTROL, .cpl = 0,
		.mem = &mem, .ops = &ops, .hv = NULL,
	};
	const uint64_t args[HCALL_NR_ARGS] = { a0, a1, a2, 0, 0 };

	return hcall_dispatch(&ctx, nr, args);
}

static int64_t list_from(uint64_t first, uint64_t gpa, uint64_t cap)
{
	return call(CONTROL, TALLY_HC_DOMAIN_LIST_FROM, first, gpa, cap);
}

/* Bytes of RAM outside [@gpa, @gpa + @len) that no longer hold FILL. */
static size_t touched_outside(uint64_t gpa, uint64_t len)
{
	size_t n = 0;

	for (uint64_t i = 0; i < RAM; i++)
		if ((i < gpa || i >= gpa + len) && ram[i] != FILL)
			n++;
	return n;
}

static struct tally_domain_info entry_at(uint32_t i)
{
	struct tally_domain_info d;

	memcpy(&d, ram + LIST_GPA + i * ENTRY, sizeof(d));
	return d;
}

/* Pages of 3 from id 1: 10, 7, 4, 1 left, so four calls; every id once, in order. */
static void test_paging_in_threes(void **state)
{
	const int64_t left[] = { 10, 7, 4, 1 };
	uint32_t next = 1, seen = 0, calls = 0;
	int64_t r;
	char name[TALLY_DOMAIN_NAME_MAX];

	(void)state;
	do {
		memset(ram, FILL, sizeof(ram));
		r = list_from(next, LIST_GPA, 3);
		assert_true(calls < ARRAY_SIZE(left));
		assert_int_equal(r, left[calls++]);
		for (uint32_t i = 0; i < MIN((uint32_t)r, 3u); i++) {
			struct tally_domain_info d = entry_at(i);

			assert_int_equal(d.size, ENTRY);
			assert_int_equal(d.version, TALLY_DOMAIN_INFO_VERSION);
			assert_int_equal(d.domain_id, next);
			snprintf(name, sizeof(name), "dom%u", next);
			assert_string_equal(d.name, name);
			assert_int_equal(d.flags, next == CONTROL ? TALLY_DOMAIN_CONTROL : 0);
			next = d.domain_id + 1;
			seen++;
		}
		assert_int_equal(touched_outside(LIST_GPA, MIN((uint64_t)r, 3) * ENTRY), 0);
	} while (r > 3);
	assert_int_equal(calls, 4);
	assert_int_equal(seen, NDOMS);
	assert_int_equal(next, NDOMS + 1);
	assert_int_equal(ids_asked, NDOMS);	/* no page read more than it wrote */
}

/* DOMAIN_LIST is DOMAIN_LIST_FROM id 1: the same count and the same bytes. */
static void test_list_is_from_one(void **state)
{
	uint8_t from_one[4 * ENTRY];

	(void)state;
	assert_int_equal(list_from(1, LIST_GPA, 4), NDOMS);
	memcpy(from_one, ram + LIST_GPA, sizeof(from_one));
	memset(ram, FILL, sizeof(ram));
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, LIST_GPA, 4, 0), NDOMS);
	assert_memory_equal(ram + LIST_GPA, from_one, sizeof(from_one));
	assert_int_equal(touched_outside(LIST_GPA, sizeof(from_one)), 0);
}

/* From the last id, past it, and far past 32 bits: the count of what is left. */
static void test_from_the_end(void **state)
{
	(void)state;
	assert_int_equal(list_from(NDOMS, LIST_GPA, 2), 1);
	assert_int_equal(entry_at(0).domain_id, NDOMS);
	assert_int_equal(touched_outside(LIST_GPA, ENTRY), 0);
	memset(ram, FILL, sizeof(ram));
	assert_int_equal(list_from(NDOMS + 1, LIST_GPA, 3), 0);
	assert_int_equal(list_from(UINT32_MAX, LIST_GPA, 3), 0);
	assert_int_equal(list_from(1ull << 32, LIST_GPA, 3), 0);
	assert_int_equal(list_from(UINT64_MAX, LIST_GPA, 3), 0);
	/* Capacity 0 asks only for the count, whatever the pointer. */
	assert_int_equal(list_from(4, UINT64_MAX, 0), 7);
	assert_int_equal(list_from(1ull << 32, UINT64_MAX, 0), 0);
	assert_int_equal(touched_outside(0, 0), 0);
	assert_int_equal(ids_asked, 1);
}

/* Bad arguments: the exact code, nothing written, no id asked for. */
static void test_hostile(void **state)
{
	(void)state;
	assert_int_equal(list_from(0, LIST_GPA, 3), -EINVAL);
	assert_int_equal(list_from(0, LIST_GPA, 0), -EINVAL);
	assert_int_equal(list_from(1, LIST_GPA, TALLY_DOMAIN_LIST_MAX + 1), -E2BIG);
	assert_int_equal(list_from(1, LIST_GPA, UINT64_MAX), -E2BIG);
	assert_int_equal(list_from(1ull << 32, LIST_GPA, TALLY_DOMAIN_LIST_MAX + 1), -E2BIG);
	assert_int_equal(list_from(1, LIST_GPA + 4, 1), -EINVAL);
	/* The whole capacity must be guest memory, even past the domains that exist. */
	assert_int_equal(list_from(1, RAM - 3 * ENTRY, 4), -EFAULT);
	assert_int_equal(list_from(NDOMS + 1, RAM - 3 * ENTRY, 4), -EFAULT);
	assert_int_equal(list_from(1ull << 32, RAM, 1), -EFAULT);
	assert_int_equal(list_from(1, UINT64_MAX - 7, 1), -EFAULT);
	assert_int_equal(call(GUEST, TALLY_HC_DOMAIN_LIST_FROM, 1, LIST_GPA, 3), -EPERM);
	assert_int_equal(call(GUEST, TALLY_HC_DOMAIN_LIST_FROM, 0, 0, 0), -EPERM);
	assert_int_equal(touched_outside(0, 0), 0);
	assert_int_equal(ids_asked, 0);
}

/* ABI 1.3: the call's number, the version that announces it, and -ENOSYS past it. */
static void test_abi_1_3(void **state)
{
	(void)state;
	assert_int_equal(TALLY_HC_DOMAIN_LIST_FROM, 15);
	assert_true(TALLY_HC_COUNT > TALLY_HC_DOMAIN_LIST_FROM);	/* 1.4 added one */
	assert_true(call(GUEST, TALLY_HC_ABI_VERSION, 0, 0, 0) >= ((1 << 16) | 3));
	assert_int_equal(call(CONTROL, TALLY_HC_COUNT, 1, LIST_GPA, 3), -ENOSYS);
	assert_int_equal(touched_outside(0, 0), 0);
}

/* The limit itself is allowed: 256 entries fit in RAM here, and only 10 are written. */
static void test_capacity_at_limit(void **state)
{
	(void)state;
	assert_true(LIST_GPA + TALLY_DOMAIN_LIST_MAX * ENTRY <= RAM);
	assert_int_equal(list_from(3, LIST_GPA, TALLY_DOMAIN_LIST_MAX), NDOMS - 2);
	assert_int_equal(entry_at(NDOMS - 3).domain_id, NDOMS);
	assert_int_equal(touched_outside(LIST_GPA, (NDOMS - 2) * ENTRY), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_paging_in_threes, setup),
		cmocka_unit_test_setup(test_list_is_from_one, setup),
		cmocka_unit_test_setup(test_from_the_end, setup),
		cmocka_unit_test_setup(test_hostile, setup),
		cmocka_unit_test_setup(test_capacity_at_limit, setup),
		cmocka_unit_test_setup(test_abi_1_3, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
