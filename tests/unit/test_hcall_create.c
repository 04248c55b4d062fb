/* SPDX-License-Identifier: MIT */
/* Unit tests: DOMAIN_CREATE (ABI 1.4) in the dispatcher (kernel/hcall.c), every error. */
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

#define RAM		(4 * PAGE_SIZE)
#define FILL		0xA5
#define CONTROL		1u
#define GUEST		2u
#define REQ_GPA		1024u
#define REQ		sizeof(struct tally_domain_create)

static uint8_t ram[RAM];
static struct guest_mem mem = { .base = ram, .size = RAM };
static unsigned int created;		/* hook calls */
static struct tally_domain_create seen;	/* what the hook was given */
static int answer;			/* the hook's result: 0, or an error */

/* The hypervisor's side, as kernel/hcall_host.c answers: an id, or its refusal. */
static int fake_create(void *h, const struct tally_domain_create *req, uint32_t *id)
{
	(void)h;
	created++;
	seen = *req;
	*id = 7;
	return answer;
}

static const struct hcall_ops ops = { .domain_create = fake_create };

static int setup(void **state)
{
	(void)state;
	memset(ram, FILL, sizeof(ram));
	created = 0;
	answer = 0;
	memset(&seen, 0, sizeof(seen));
	return 0;
}

static int64_t call(uint32_t caller, uint8_t cpl, uint64_t gpa, uint64_t len)
{
	const struct hcall_ctx ctx = {
		.domain_id = caller, .is_control = caller == CONTROL, .cpl = cpl,
		.mem = &mem, .ops = &ops, .hv = NULL,
	};
	const uint64_t args[HCALL_NR_ARGS] = { gpa, len, 0, 0, 0 };

	return hcall_dispatch(&ctx, TALLY_HC_DOMAIN_CREATE, args);
}

/* A well-formed request at @gpa. */
static struct tally_domain_create *put_request(uint64_t gpa, const char *tmpl, const char *name,
					       const char *opts)
{
	struct tally_domain_create *r = (void *)(ram + gpa);

	memset(r, 0, sizeof(*r));
	strcpy(r->template_name, tmpl);
	strcpy(r->name, name);
	strcpy(r->options, opts);
	return r;
}

static void test_create_returns_the_id(void **state)
{
	(void)state;
	put_request(REQ_GPA, "spin", "copy-1", "mem=2 type=t1.small");
	assert_int_equal(call(CONTROL, 0, REQ_GPA, REQ), 7);
	assert_int_equal(created, 1);
	assert_string_equal(seen.template_name, "spin");
	assert_string_equal(seen.name, "copy-1");
	assert_string_equal(seen.options, "mem=2 type=t1.small");
}

/* The hook's refusals come back as they are: no template, name taken, bad option, no memory. */
static void test_create_hook_errors(void **state)
{
	const int errs[] = { -ENOENT, -EEXIST, -EINVAL, -ENOMEM };

	(void)state;
	put_request(REQ_GPA, "nosuch", "copy-1", "");
	for (unsigned int i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		answer = errs[i];
		assert_int_equal(call(CONTROL, 0, REQ_GPA, REQ), errs[i]);
	}
	assert_int_equal(created, 4);
}

/* Only the control domain, from its kernel. */
static void test_create_refused_to_others(void **state)
{
	(void)state;
	put_request(REQ_GPA, "spin", "copy-1", "");
	assert_int_equal(call(GUEST, 0, REQ_GPA, REQ), -EPERM);
	assert_int_equal(call(CONTROL, 3, REQ_GPA, REQ), -EACCES);
	assert_int_equal(created, 0);
}

static void test_create_bad_request(void **state)
{
	struct tally_domain_create *r;

	(void)state;
	put_request(REQ_GPA, "spin", "copy-1", "");
	assert_int_equal(call(CONTROL, 0, REQ_GPA, REQ - 1), -EINVAL);
	assert_int_equal(call(CONTROL, 0, REQ_GPA, REQ + 1), -EINVAL);
	assert_int_equal(call(CONTROL, 0, REQ_GPA, 0), -EINVAL);
	assert_int_equal(call(CONTROL, 0, REQ_GPA + 4, REQ), -EINVAL);	/* misaligned */
	assert_int_equal(call(CONTROL, 0, RAM - REQ + 8, REQ), -EFAULT);
	assert_int_equal(call(CONTROL, 0, UINT64_MAX - 7, REQ), -EFAULT);
	/* Each string must end inside its field: the hook never reads past one. */
	r = put_request(REQ_GPA, "spin", "copy-1", "");
	memset(r->template_name, 't', sizeof(r->template_name));
	assert_int_equal(call(CONTROL, 0, REQ_GPA, REQ), -EINVAL);
	r = put_request(REQ_GPA, "spin", "copy-1", "");
	memset(r->name, 'n', sizeof(r->name));
	assert_int_equal(call(CONTROL, 0, REQ_GPA, REQ), -EINVAL);
	r = put_request(REQ_GPA, "spin", "copy-1", "");
	memset(r->options, 'o', sizeof(r->options));
	assert_int_equal(call(CONTROL, 0, REQ_GPA, REQ), -EINVAL);
	assert_int_equal(created, 0);
}

/* ABI 1.4: the call's number, the version that announces it, the request's layout. */
static void test_abi_1_4(void **state)
{
	const struct hcall_ctx ctx = { .domain_id = GUEST, .mem = &mem, .ops = &ops };
	const uint64_t args[HCALL_NR_ARGS] = { 0 };

	(void)state;
	assert_int_equal(TALLY_HC_DOMAIN_CREATE, 16);
	assert_int_equal(TALLY_HC_COUNT, 17);
	assert_int_equal(hcall_dispatch(&ctx, TALLY_HC_ABI_VERSION, args), (1 << 16) | 4);
	assert_int_equal(hcall_dispatch(&ctx, TALLY_HC_COUNT, args), -ENOSYS);
	assert_int_equal(REQ, 192);
	assert_int_equal(offsetof(struct tally_domain_create, name), 32);
	assert_int_equal(offsetof(struct tally_domain_create, options), 64);
	assert_int_equal(TALLY_ENOMEM, ENOMEM);
	assert_int_equal(TALLY_EEXIST, EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_returns_the_id, setup),
		cmocka_unit_test_setup(test_create_hook_errors, setup),
		cmocka_unit_test_setup(test_create_refused_to_others, setup),
		cmocka_unit_test_setup(test_create_bad_request, setup),
		cmocka_unit_test_setup(test_abi_1_4, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
