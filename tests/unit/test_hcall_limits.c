/* SPDX-License-Identifier: MIT */
/* Unit tests: the hypercall list calls at and around their capacity limits (kernel/hcall.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/errno.h>
#include <tally/hcall.h>

#define FILL		0xA5
#define ENTRY		sizeof(struct tally_vcpu_counters)
#define LIST_BYTES	((TALLY_VCPU_LIST_MAX + 1) * ENTRY)	/* room for 257 entries */
#define RAM		ALIGN_UP(LIST_BYTES + PAGE_SIZE, PAGE_SIZE)
#define LIST_GPA	(PAGE_SIZE + 8)		/* 8-aligned, not page-aligned */
#define GUEST		1
#define MANY		300u			/* vCPUs of domain MANY_DOM: more than any capacity */
#define MANY_DOM	2
#define CONTROL		0

static uint8_t ram[RAM];
static struct guest_mem mem = { .base = ram, .size = RAM };
static unsigned int vcpu_reads;		/* vcpu_counters hook calls */

/* Domain 1 has one vCPU; domain 2 has MANY; domain 0 is the control domain with one. */
static uint32_t vcpus_of(uint32_t id)
{
	return id == MANY_DOM ? MANY : 1;
}

static int fake_domain_info(void *h, uint32_t id, struct tally_domain_info *out)
{
	(void)h;
	if (id > MANY_DOM)
		return -ENOENT;
	out->vcpus = vcpus_of(id);
	return 0;
}

/* vCPU n of domain id ran 1000 * id + n cycles. */
static int fake_vcpu_counters(void *h, uint32_t id, uint32_t vcpu,
			      struct tally_vcpu_counters *out)
{
	(void)h;
	vcpu_reads++;
	if (id > MANY_DOM || vcpu >= vcpus_of(id))
		return -ENOENT;
	out->cpu_cycles = 1000ull * id + vcpu;
	return 0;
}

static const struct hcall_ops ops = {
	.domain_info = fake_domain_info,
	.vcpu_counters = fake_vcpu_counters,
};

static int setup(void **state)
{
	(void)state;
	memset(ram, FILL, sizeof(ram));
	vcpu_reads = 0;
	return 0;
}

static int64_t vcpu_counters(uint32_t caller, uint64_t id, uint64_t gpa, uint64_t cap)
{
	const struct hcall_ctx ctx = {
		.domain_id = caller, .is_control = caller == CONTROL, .cpl = 0,
		.mem = &mem, .ops = &ops, .hv = NULL,
	};
	const uint64_t args[HCALL_NR_ARGS] = { id, gpa, cap, 0, 0 };

	return hcall_dispatch(&ctx, TALLY_HC_VCPU_COUNTERS, args);
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

/* Entries 0 .. @n-1 at LIST_GPA are domain @id's vCPUs, whole. */
static void check_entries(uint32_t id, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct tally_vcpu_counters c;

		memcpy(&c, ram + LIST_GPA + i * ENTRY, sizeof(c));
		assert_int_equal(c.size, ENTRY);
		assert_int_equal(c.version, TALLY_VCPU_COUNTERS_VERSION);
		assert_int_equal(c.domain_id, id);
		assert_int_equal(c.vcpu_id, i);
		assert_int_equal(c.cpu_cycles, 1000ull * id + i);
	}
}

/*
 * Every capacity up to TALLY_VCPU_LIST_MAX (256) is allowed, as the header
 * says: 98 entries are 65,072 bytes, 99 are 65,736, past the 64 KiB of one
 * guest copy, which once made 99-256 -E2BIG.
 */
static void test_capacity_allowed(void **state)
{
	const uint64_t caps[] = { 98, 99, 255, 256 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		memset(ram, FILL, sizeof(ram));
		vcpu_reads = 0;
		assert_int_equal(vcpu_counters(CONTROL, MANY_DOM, LIST_GPA, caps[i]), MANY);
		assert_int_equal(vcpu_reads, caps[i]);
		check_entries(MANY_DOM, (uint32_t)caps[i]);
		assert_int_equal(touched_outside(LIST_GPA, caps[i] * ENTRY), 0);
	}
}

/* 257 is over the limit: -E2BIG, nothing read or written. */
static void test_capacity_over(void **state)
{
	(void)state;
	assert_int_equal(vcpu_counters(CONTROL, MANY_DOM, LIST_GPA, TALLY_VCPU_LIST_MAX + 1),
			 -E2BIG);
	assert_int_equal(vcpu_counters(GUEST, GUEST, LIST_GPA, TALLY_VCPU_LIST_MAX + 1), -E2BIG);
	assert_int_equal(vcpu_reads, 0);
	assert_int_equal(touched_outside(0, 0), 0);
}

/* A domain with fewer vCPUs than the capacity fills only its own; the rest stays. */
static void test_capacity_beyond_vcpus(void **state)
{
	(void)state;
	assert_int_equal(vcpu_counters(GUEST, GUEST, LIST_GPA, TALLY_VCPU_LIST_MAX), 1);
	check_entries(GUEST, 1);
	assert_int_equal(touched_outside(LIST_GPA, ENTRY), 0);
}

/* The whole capacity must be the caller's memory, checked before anything is written. */
static void test_capacity_must_fit(void **state)
{
	const uint64_t at_end = RAM - TALLY_VCPU_LIST_MAX * ENTRY;

	(void)state;
	assert_int_equal(vcpu_counters(GUEST, GUEST, at_end, TALLY_VCPU_LIST_MAX), 1);
	memset(ram, FILL, sizeof(ram));
	assert_int_equal(vcpu_counters(GUEST, GUEST, at_end + 8, TALLY_VCPU_LIST_MAX), -EFAULT);
	assert_int_equal(vcpu_counters(CONTROL, MANY_DOM, at_end + 8, TALLY_VCPU_LIST_MAX),
			 -EFAULT);
	assert_int_equal(vcpu_counters(GUEST, GUEST, LIST_GPA + 4, TALLY_VCPU_LIST_MAX), -EINVAL);
	assert_int_equal(vcpu_counters(GUEST, GUEST, UINT64_MAX - 7, TALLY_VCPU_LIST_MAX),
			 -EFAULT);
	assert_int_equal(touched_outside(0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_capacity_allowed, setup),
		cmocka_unit_test_setup(test_capacity_over, setup),
		cmocka_unit_test_setup(test_capacity_beyond_vcpus, setup),
		cmocka_unit_test_setup(test_capacity_must_fit, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
