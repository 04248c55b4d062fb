/* SPDX-License-Identifier: MIT */
/* Unit tests: which hypercalls user mode (CPL 3) may make, with and without `agent`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/errno.h>
#include <tally/hcall.h>

#define RAM		(2 * PAGE_SIZE)
#define SELF		2
#define NAME_GPA	64
#define INFO_GPA	256

static uint8_t ram[RAM];
static struct guest_mem mem = { .base = ram, .size = RAM };
/* Hooks reached (any would mean a refused call did something), and the last metric. */
static unsigned int hooks;
static uint32_t metric_dom;
static char metric_name[TALLY_METRIC_NAME_MAX];
static int64_t metric_value;

static int any_info(void *h, uint32_t id, struct tally_domain_info *o)
{
	(void)h; (void)id; (void)o;
	hooks++;
	return 0;
}

static int any_counters(void *h, uint32_t id, struct tally_counters *o)
{
	(void)h; (void)id; (void)o;
	hooks++;
	return 0;
}

static int any_vcpu(void *h, uint32_t id, uint32_t v, struct tally_vcpu_counters *o)
{
	(void)h; (void)id; (void)v; (void)o;
	hooks++;
	return 0;
}

static uint32_t any_cpu_count(void *h)
{
	(void)h;
	hooks++;
	return 1;
}

static void any_cpu(void *h, uint32_t cpu, struct tally_cpu_counters *o)
{
	(void)h; (void)cpu; (void)o;
	hooks++;
}

static uint32_t any_list(void *h, uint32_t first, uint32_t *ids, uint32_t max)
{
	(void)h; (void)first; (void)ids; (void)max;
	hooks++;
	return 0;
}

static int record_metric(void *h, uint32_t id, const char *name, int64_t value, uint32_t unit)
{
	(void)h; (void)unit;
	hooks++;
	metric_dom = id;
	strcpy(metric_name, name);
	metric_value = value;
	return 0;
}

static void any_console(void *h, uint32_t id, const char *buf, uint32_t len)
{
	(void)h; (void)id; (void)buf; (void)len;
	hooks++;
}

static void any_yield(void *h)
{
	(void)h;
	hooks++;
}

static int any_act(void *h, uint32_t id)
{
	(void)h; (void)id;
	hooks++;
	return 0;
}

static int any_net(void *h, uint32_t id, struct tally_net_counters *o)
{
	(void)h; (void)id; (void)o;
	hooks++;
	return 0;
}

static int any_disk(void *h, uint32_t id, struct tally_disk_counters *o)
{
	(void)h; (void)id; (void)o;
	hooks++;
	return 0;
}

static const struct hcall_ops ops = {
	.domain_info = any_info, .domain_counters = any_counters, .vcpu_counters = any_vcpu,
	.cpu_count = any_cpu_count, .cpu_counters = any_cpu, .domain_list = any_list,
	.publish_metric = record_metric, .console_write = any_console, .yield = any_yield,
	.domain_pause = any_act, .domain_unpause = any_act, .domain_destroy = any_act,
	.net_counters = any_net, .disk_counters = any_disk,
};

static int64_t call(uint8_t cpl, bool agent, bool control, uint64_t nr, uint64_t a0, uint64_t a1,
		    uint64_t a2)
{
	const struct hcall_ctx ctx = {
		.domain_id = SELF, .is_control = control, .cpl = cpl, .user_metrics = agent,
		.mem = &mem, .ops = &ops, .hv = NULL,
	};
	const uint64_t args[HCALL_NR_ARGS] = { a0, a1, a2, 0, 0 };

	return hcall_dispatch(&ctx, nr, args);
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	strcpy((char *)ram + NAME_GPA, "mem_used_bytes");
	hooks = 0;
	metric_dom = 0;
	metric_name[0] = '\0';
	metric_value = 0;
	return 0;
}

/* Arguments that would succeed at CPL 0 for every call: a name, a buffer, a length. */
static int64_t call_any(uint8_t cpl, bool agent, uint64_t nr)
{
	if (nr == TALLY_HC_PUBLISH_METRIC)
		return call(cpl, agent, false, nr, NAME_GPA, 7, TALLY_UNIT_BYTES);
	return call(cpl, agent, false, nr, INFO_GPA, 512, 0);
}

static void test_without_agent_all_refused(void **state)
{
	(void)state;
	for (uint64_t nr = 0; nr < TALLY_HC_COUNT; nr++)
		for (uint8_t cpl = 1; cpl <= 3; cpl++)
			assert_int_equal(call_any(cpl, false, nr), -EACCES);
	assert_int_equal(hooks, 0);
	assert_int_equal(metric_name[0], '\0');
}

static void test_agent_publishes_from_user_mode(void **state)
{
	(void)state;
	assert_int_equal(call(3, true, false, TALLY_HC_PUBLISH_METRIC, NAME_GPA, 123456789,
			      TALLY_UNIT_BYTES), 0);
	assert_int_equal(hooks, 1);
	assert_int_equal(metric_dom, SELF);
	assert_string_equal(metric_name, "mem_used_bytes");
	assert_int_equal(metric_value, 123456789);
	/* The name is still checked as from the kernel. */
	strcpy((char *)ram + NAME_GPA, "bad name");
	assert_int_equal(call(3, true, false, TALLY_HC_PUBLISH_METRIC, NAME_GPA, 1,
			      TALLY_UNIT_BYTES), -EINVAL);
	assert_int_equal(hooks, 1);
}

static void test_agent_abi_version_from_user_mode(void **state)
{
	const struct tally_abi_info *info = (const void *)(ram + INFO_GPA);

	(void)state;
	assert_int_equal(call(3, true, false, TALLY_HC_ABI_VERSION, INFO_GPA, 0, 0),
			 (TALLY_ABI_VERSION_MAJOR << 16) | TALLY_ABI_VERSION_MINOR);
	assert_int_equal(info->major, TALLY_ABI_VERSION_MAJOR);
	assert_true(info->features & TALLY_FEATURE_METRICS);
}

/* Every other call stays kernel-only, for an agent domain and a control domain alike. */
static void test_agent_other_calls_refused(void **state)
{
	(void)state;
	for (uint64_t nr = 0; nr < TALLY_HC_COUNT; nr++) {
		if (nr == TALLY_HC_ABI_VERSION || nr == TALLY_HC_PUBLISH_METRIC)
			continue;
		for (uint8_t cpl = 1; cpl <= 3; cpl++) {
			assert_int_equal(call_any(cpl, true, nr), -EACCES);
			assert_int_equal(call(cpl, true, true, nr, INFO_GPA, 512, 0), -EACCES);
		}
	}
	assert_int_equal(hooks, 0);
}

/* The option changes nothing at CPL 0, and unknown numbers are still -ENOSYS first. */
static void test_agent_kernel_unchanged(void **state)
{
	(void)state;
	assert_int_equal(call(0, true, false, TALLY_HC_DOMAIN_LIST, INFO_GPA, 1, 0), -EPERM);
	assert_int_equal(call(3, true, false, TALLY_HC_COUNT, 0, 0, 0), -ENOSYS);
	assert_int_equal(call(0, false, false, TALLY_HC_PUBLISH_METRIC, NAME_GPA, 5,
			      TALLY_UNIT_BYTES), 0);
	assert_int_equal(metric_value, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_without_agent_all_refused, setup),
		cmocka_unit_test_setup(test_agent_publishes_from_user_mode, setup),
		cmocka_unit_test_setup(test_agent_abi_version_from_user_mode, setup),
		cmocka_unit_test_setup(test_agent_other_calls_refused, setup),
		cmocka_unit_test_setup(test_agent_kernel_unchanged, setup),
	};

	return cmocka_run_group_tests_name("hcall_agent", tests, NULL, NULL);
}
