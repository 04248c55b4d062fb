/* SPDX-License-Identifier: MIT */
/* Unit tests: the hypercall dispatcher (kernel/hcall.c) with hostile arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/errno.h>
#include <tally/hcall.h>

#define RAM	(4 * PAGE_SIZE)
#define FILL	0xA5
#define NDOMS	3
#define NCPUS	2
#define CONTROL	0		/* domain 0 is the control domain */
#define GUEST	1

/* A fake hypervisor: three domains and a log of what the hooks were asked. */
struct fake_hv {
	unsigned int calls;		/* hooks that change state or print */
	uint32_t last_id;
	char metric_name[TALLY_METRIC_NAME_MAX];
	int64_t metric_value;
	uint32_t metric_unit;
	int metric_result;
	char console[TALLY_CONSOLE_WRITE_MAX + 1];
	uint32_t console_len;
	unsigned int yields;
	int paused[NDOMS], destroyed[NDOMS];
};

static const char *const names[NDOMS] = { "ctl", "web", "db" };
static uint8_t ram[RAM];
static struct guest_mem mem = { .base = ram, .size = RAM };
static struct fake_hv hv;

static bool exists(uint32_t id)
{
	return id < NDOMS && !hv.destroyed[id];
}

static int fake_domain_info(void *h, uint32_t id, struct tally_domain_info *out)
{
	(void)h;
	if (!exists(id))
		return -ENOENT;
	out->vcpus = id + 1;
	out->mem_bytes = (id + 1) * 16 * MIB;
	out->flags = (id == CONTROL ? TALLY_DOMAIN_CONTROL : 0) |
		     (hv.paused[id] ? TALLY_DOMAIN_PAUSED : 0);
	strcpy(out->name, names[id]);
	return 0;
}

static int fake_domain_counters(void *h, uint32_t id, struct tally_counters *out)
{
	(void)h;
	if (!exists(id))
		return -ENOENT;
	out->generation = 42;
	out->cpu_cycles = 1000 * (id + 1);
	out->exits_by_reason[TALLY_EXIT_REASONS - 1] = 7;
	out->exits_total = 7;
	return 0;
}

/* Domain id's vCPU n (it has id + 1 of them) ran 100 * id + n cycles. */
static int fake_vcpu_counters(void *h, uint32_t id, uint32_t vcpu,
			      struct tally_vcpu_counters *out)
{
	(void)h;
	if (!exists(id) || vcpu > id)
		return -ENOENT;
	out->cpu_cycles = 100 * id + vcpu;
	out->pcpu = vcpu % NCPUS;
	out->generation = 9;
	return 0;
}

static uint32_t fake_cpu_count(void *h)
{
	(void)h;
	return NCPUS;
}

static void fake_cpu_counters(void *h, uint32_t cpu, struct tally_cpu_counters *out)
{
	(void)h;
	out->guest_cycles = 1000 + cpu;
	out->idle_cycles = 7;
}

static uint32_t fake_domain_list(void *h, uint32_t first, uint32_t *ids, uint32_t max)
{
	uint32_t n = 0;

	(void)h;
	for (uint32_t id = first; id < NDOMS; id++) {
		if (!exists(id))
			continue;
		if (n < max)
			ids[n] = id;
		n++;
	}
	return n;
}

static int fake_publish_metric(void *h, uint32_t id, const char *name, int64_t value,
			       uint32_t unit)
{
	(void)h;
	hv.calls++;
	hv.last_id = id;
	strcpy(hv.metric_name, name);
	hv.metric_value = value;
	hv.metric_unit = unit;
	return hv.metric_result;
}

static void fake_console_write(void *h, uint32_t id, const char *buf, uint32_t len)
{
	(void)h;
	hv.calls++;
	hv.last_id = id;
	memcpy(hv.console, buf, len);
	hv.console_len = len;
}

static void fake_yield(void *h)
{
	(void)h;
	hv.calls++;
	hv.yields++;
}

static int fake_pause(void *h, uint32_t id)
{
	(void)h;
	hv.calls++;
	hv.paused[id] = 1;
	return 0;
}

static int fake_unpause(void *h, uint32_t id)
{
	(void)h;
	hv.calls++;
	hv.paused[id] = 0;
	return 0;
}

static int fake_destroy(void *h, uint32_t id)
{
	(void)h;
	hv.calls++;
	hv.destroyed[id] = 1;
	return 0;
}

static const struct hcall_ops ops = {
	.domain_info = fake_domain_info,
	.domain_counters = fake_domain_counters,
	.vcpu_counters = fake_vcpu_counters,
	.cpu_count = fake_cpu_count,
	.cpu_counters = fake_cpu_counters,
	.domain_list = fake_domain_list,
	.publish_metric = fake_publish_metric,
	.console_write = fake_console_write,
	.yield = fake_yield,
	.domain_pause = fake_pause,
	.domain_unpause = fake_unpause,
	.domain_destroy = fake_destroy,
};

static int setup(void **state)
{
	(void)state;
	memset(ram, FILL, sizeof(ram));
	memset(&hv, 0, sizeof(hv));
	return 0;
}

static int64_t call_as(uint32_t dom, uint8_t cpl, uint64_t nr, uint64_t a0, uint64_t a1,
		       uint64_t a2)
{
	const struct hcall_ctx ctx = {
		.domain_id = dom, .is_control = dom == CONTROL, .cpl = cpl,
		.mem = &mem, .ops = &ops, .hv = &hv,
	};
	const uint64_t args[HCALL_NR_ARGS] = { a0, a1, a2, 0xdead, 0xbeef };

	return hcall_dispatch(&ctx, nr, args);
}

static int64_t call(uint32_t dom, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return call_as(dom, 0, nr, a0, a1, a2);
}

/* True if every byte of guest RAM outside [@gpa, @gpa + @len) still holds FILL. */
static bool untouched_outside(uint64_t gpa, uint64_t len)
{
	for (uint64_t i = 0; i < RAM; i++)
		if ((i < gpa || i >= gpa + len) && ram[i] != FILL)
			return false;
	return true;
}

/* Nothing happened: RAM as filled, and no hook that acts was called. */
static bool nothing_happened(void)
{
	return untouched_outside(0, 0) && hv.calls == 0;
}

static void test_unknown_numbers(void **state)
{
	const uint64_t bad[] = { TALLY_HC_COUNT, TALLY_HC_COUNT + 1, 0xFFFF, 1ull << 32,
				 1ull << 63, UINT64_MAX, UINT64_MAX - TALLY_HC_COUNT };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(call(CONTROL, bad[i], 0, 0, 0), -ENOSYS);
		/* The number is checked before the privilege level. */
		assert_int_equal(call_as(GUEST, 3, bad[i], 0, 0, 0), -ENOSYS);
	}
	assert_true(nothing_happened());
}

static void test_user_mode_refused(void **state)
{
	(void)state;
	for (uint64_t nr = 0; nr < TALLY_HC_COUNT; nr++) {
		for (uint8_t cpl = 1; cpl <= 3; cpl++) {
			assert_int_equal(call_as(CONTROL, cpl, nr, 4096, 4096, 0), -EACCES);
			assert_int_equal(call_as(GUEST, cpl, nr, 4096, 4096, 0), -EACCES);
		}
	}
	assert_true(nothing_happened());
}

static void test_control_calls_refused(void **state)
{
	const uint64_t control[] = { TALLY_HC_DOMAIN_LIST, TALLY_HC_DOMAIN_COUNTERS_OF,
				     TALLY_HC_DOMAIN_PAUSE, TALLY_HC_DOMAIN_UNPAUSE,
				     TALLY_HC_DOMAIN_DESTROY, TALLY_HC_CPU_COUNTERS,
				     TALLY_HC_DOMAIN_LIST_FROM };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(control); i++) {
		assert_int_equal(call(GUEST, control[i], 2, 0, PAGE_SIZE), -EPERM);
		assert_int_equal(call(2, control[i], 0, 0, PAGE_SIZE), -EPERM);
		assert_int_equal(call(GUEST, control[i], 0, 0, 0), -EPERM);
	}
	assert_true(nothing_happened());
	assert_int_equal(hv.paused[2] + hv.destroyed[2] + hv.destroyed[0], 0);
}

static void test_abi_version(void **state)
{
	struct tally_abi_info info;
	int64_t v = (TALLY_ABI_VERSION_MAJOR << 16) | TALLY_ABI_VERSION_MINOR;

	(void)state;
	assert_int_equal(call(GUEST, TALLY_HC_ABI_VERSION, 0, 0, 0), v);
	assert_true(nothing_happened());
	assert_int_equal(call(GUEST, TALLY_HC_ABI_VERSION, 64, 0, 0), v);
	assert_true(untouched_outside(64, sizeof(info)));
	memcpy(&info, ram + 64, sizeof(info));
	assert_int_equal(info.size, sizeof(info));
	assert_int_equal(info.version, TALLY_ABI_INFO_VERSION);
	assert_int_equal(info.major, TALLY_ABI_VERSION_MAJOR);
	assert_int_equal(info.minor, TALLY_ABI_VERSION_MINOR);
	assert_int_equal(info.nr_calls, TALLY_HC_COUNT);
	assert_int_equal(info.features & TALLY_FEATURE_CONTROL, 0);
	assert_int_equal(call(CONTROL, TALLY_HC_ABI_VERSION, 64, 0, 0), v);
	memcpy(&info, ram + 64, sizeof(info));
	assert_int_equal(info.features & TALLY_FEATURE_CONTROL, TALLY_FEATURE_CONTROL);
}

static void test_abi_version_bad_pointers(void **state)
{
	(void)state;
	assert_int_equal(call(GUEST, TALLY_HC_ABI_VERSION, 4, 0, 0), -EINVAL);
	assert_int_equal(call(GUEST, TALLY_HC_ABI_VERSION, RAM - 16, 0, 0), -EFAULT);
	assert_int_equal(call(GUEST, TALLY_HC_ABI_VERSION, RAM, 0, 0), -EFAULT);
	assert_int_equal(call(GUEST, TALLY_HC_ABI_VERSION, UINT64_MAX - 7, 0, 0), -EFAULT);
	assert_true(nothing_happened());
}

static void test_domain_info(void **state)
{
	struct tally_domain_info info;
	uint64_t gpa = PAGE_SIZE - 32;	/* straddles a page boundary */

	(void)state;
	assert_int_equal(call(GUEST, TALLY_HC_DOMAIN_INFO, gpa, 4096, 0), sizeof(info));
	assert_true(untouched_outside(gpa, sizeof(info)));
	memcpy(&info, ram + gpa, sizeof(info));
	assert_int_equal(info.size, sizeof(info));
	assert_int_equal(info.version, TALLY_DOMAIN_INFO_VERSION);
	assert_int_equal(info.domain_id, GUEST);
	assert_int_equal(info.vcpus, 2);
	assert_int_equal(info.mem_bytes, 32 * MIB);
	assert_int_equal(info.disk_bytes, 0);
	assert_int_equal(info.flags, 0);
	assert_int_equal(info._pad0, 0);
	assert_string_equal(info.name, "web");
	/* The rest of the name is zeroed, not stack garbage. */
	for (size_t i = strlen("web"); i < sizeof(info.name); i++)
		assert_int_equal(info.name[i], 0);
	/* Exactly the structure's size at the very end of RAM. */
	assert_int_equal(call(GUEST, TALLY_HC_DOMAIN_INFO, RAM - sizeof(info), sizeof(info), 0),
			 sizeof(info));
}

static void test_struct_calls_bad_pointers(void **state)
{
	const uint64_t nrs[] = { TALLY_HC_DOMAIN_INFO, TALLY_HC_DOMAIN_COUNTERS };
	const uint64_t sizes[] = { sizeof(struct tally_domain_info),
				   sizeof(struct tally_counters) };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(nrs); i++) {
		uint64_t n = nrs[i], size = sizes[i];

		assert_int_equal(call(GUEST, n, 8, size - 1, 0), -EINVAL);
		assert_int_equal(call(GUEST, n, 8, 0, 0), -EINVAL);
		assert_int_equal(call(GUEST, n, 12, size, 0), -EINVAL);
		assert_int_equal(call(GUEST, n, RAM - size + 8, size, 0), -EFAULT);
		assert_int_equal(call(GUEST, n, RAM, size, 0), -EFAULT);
		assert_int_equal(call(GUEST, n, UINT64_MAX - 7, size, 0), -EFAULT);
		assert_int_equal(call(GUEST, n, 1ull << 63, UINT64_MAX, 0), -EFAULT);
		/* The counters-of form, from the control domain. */
		assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_COUNTERS_OF, GUEST, RAM, 4096),
				 -EFAULT);
		assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_COUNTERS_OF, GUEST, 4, 4096),
				 -EINVAL);
		assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_COUNTERS_OF, GUEST, 8, 16),
				 -EINVAL);
	}
	assert_true(nothing_happened());
}

static void test_domain_counters(void **state)
{
	struct tally_counters c;

	(void)state;
	assert_int_equal(call(2, TALLY_HC_DOMAIN_COUNTERS, 0, sizeof(c), 0), sizeof(c));
	assert_true(untouched_outside(0, sizeof(c)));
	memcpy(&c, ram, sizeof(c));
	assert_int_equal(c.size, sizeof(c));
	assert_int_equal(c.version, TALLY_COUNTERS_VERSION);
	assert_int_equal(c.domain_id, 2);
	assert_int_equal(c.generation, 42);
	assert_int_equal(c.cpu_cycles, 3000);
	assert_int_equal(c.exits_by_reason[TALLY_EXIT_REASONS - 1], 7);
	assert_int_equal(c.net_rx_bytes, 0);
	assert_int_equal(c._reserved[7], 0);
}

static void test_domain_counters_of(void **state)
{
	struct tally_counters c;

	(void)state;
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_COUNTERS_OF, GUEST, 512, sizeof(c)),
			 sizeof(c));
	assert_true(untouched_outside(512, sizeof(c)));
	memcpy(&c, ram + 512, sizeof(c));
	assert_int_equal(c.domain_id, GUEST);
	assert_int_equal(c.cpu_cycles, 2000);
	memset(ram, FILL, sizeof(ram));
	/* No such domain, including ids that do not fit 32 bits. */
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_COUNTERS_OF, NDOMS, 512, sizeof(c)),
			 -ENOENT);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_COUNTERS_OF, UINT32_MAX, 512,
			      sizeof(c)), -ENOENT);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_COUNTERS_OF, (1ull << 32) | GUEST,
			      512, sizeof(c)), -ENOENT);
	assert_true(nothing_happened());
}

static void test_domain_list(void **state)
{
	struct tally_domain_info list[NDOMS];
	const uint64_t gpa = 1024;

	(void)state;
	/* Capacity 0 counts, and ignores the pointer. */
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, UINT64_MAX, 0, 0), NDOMS);
	assert_true(nothing_happened());
	/* Capacity 2 of 3: two entries written, three counted. */
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, gpa, 2, 0), NDOMS);
	assert_true(untouched_outside(gpa, 2 * sizeof(list[0])));
	memcpy(list, ram + gpa, 2 * sizeof(list[0]));
	assert_string_equal(list[0].name, "ctl");
	assert_int_equal(list[0].flags, TALLY_DOMAIN_CONTROL);
	assert_string_equal(list[1].name, "web");
	assert_int_equal(list[1].domain_id, 1);
	/* Room for more than there are. */
	memset(ram, FILL, sizeof(ram));
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, gpa, 10, 0), NDOMS);
	assert_true(untouched_outside(gpa, NDOMS * sizeof(list[0])));
	memcpy(list, ram + gpa, sizeof(list));
	assert_string_equal(list[2].name, "db");
	assert_int_equal(list[2].vcpus, 3);
}

static void test_domain_list_hostile(void **state)
{
	const uint64_t entry = sizeof(struct tally_domain_info);

	(void)state;
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, 0, TALLY_DOMAIN_LIST_MAX + 1, 0),
			 -E2BIG);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, 0, UINT64_MAX, 0), -E2BIG);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, 0, 1ull << 61, 0), -E2BIG);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, 4, 1, 0), -EINVAL);
	/* The whole capacity must be guest memory, even past the domains that exist. */
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, RAM - 3 * entry, 4, 0), -EFAULT);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, RAM, 1, 0), -EFAULT);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, UINT64_MAX - 7, 1, 0), -EFAULT);
	assert_true(nothing_happened());
}

static void test_vcpu_counters(void **state)
{
	struct tally_vcpu_counters c[3];
	const uint64_t gpa = 1024;

	(void)state;
	/* Its own domain (two vCPUs): capacity 0 counts, 1 writes one entry, 5 writes both. */
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, GUEST, UINT64_MAX, 0), 2);
	assert_true(nothing_happened());
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, GUEST, gpa, 1), 2);
	assert_true(untouched_outside(gpa, sizeof(c[0])));
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, GUEST, gpa, 5), 2);
	assert_true(untouched_outside(gpa, 2 * sizeof(c[0])));
	memcpy(c, ram + gpa, 2 * sizeof(c[0]));
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(c[i].size, sizeof(c[0]));
		assert_int_equal(c[i].version, TALLY_VCPU_COUNTERS_VERSION);
		assert_int_equal(c[i].domain_id, GUEST);
		assert_int_equal(c[i].vcpu_id, i);
		assert_int_equal(c[i].cpu_cycles, 100 + i);
		assert_int_equal(c[i].pcpu, i);
		assert_int_equal(c[i].generation, 9);
	}
	/* The control domain reads any domain's. */
	memset(ram, FILL, sizeof(ram));
	assert_int_equal(call(CONTROL, TALLY_HC_VCPU_COUNTERS, 2, gpa, 3), 3);
	memcpy(c, ram + gpa, sizeof(c));
	assert_int_equal(c[2].cpu_cycles, 202);
	assert_int_equal(c[2].vcpu_id, 2);
}

static void test_vcpu_counters_hostile(void **state)
{
	const uint64_t entry = sizeof(struct tally_vcpu_counters);

	(void)state;
	/* Another domain's, or one that does not exist: the permission error first. */
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, 2, 1024, 1), -EPERM);
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, 77, 1024, 1), -EPERM);
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, GUEST | (1ull << 32), 1024, 1),
			 -EPERM);
	assert_int_equal(call(CONTROL, TALLY_HC_VCPU_COUNTERS, 77, 1024, 1), -ENOENT);
	assert_int_equal(call(CONTROL, TALLY_HC_VCPU_COUNTERS, 1ull << 32, 1024, 1), -ENOENT);
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, GUEST, 0, TALLY_VCPU_LIST_MAX + 1),
			 -E2BIG);
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, GUEST, 0, UINT64_MAX), -E2BIG);
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, GUEST, 1028, 1), -EINVAL);
	/* The whole capacity must be the caller's, even past its vCPUs. */
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, GUEST, RAM - 2 * entry, 3), -EFAULT);
	assert_int_equal(call(GUEST, TALLY_HC_VCPU_COUNTERS, GUEST, UINT64_MAX - 7, 1), -EFAULT);
	hv.destroyed[2] = 1;
	assert_int_equal(call(CONTROL, TALLY_HC_VCPU_COUNTERS, 2, 1024, 1), -ENOENT);
	assert_true(nothing_happened());
}

static void test_cpu_counters(void **state)
{
	struct tally_cpu_counters c[NCPUS];
	const uint64_t entry = sizeof(c[0]), gpa = 512;

	(void)state;
	assert_int_equal(call(CONTROL, TALLY_HC_CPU_COUNTERS, UINT64_MAX, 0, 0), NCPUS);
	assert_int_equal(call(CONTROL, TALLY_HC_CPU_COUNTERS, 0, TALLY_CPU_LIST_MAX + 1, 0),
			 -E2BIG);
	assert_int_equal(call(CONTROL, TALLY_HC_CPU_COUNTERS, 4, 1, 0), -EINVAL);
	assert_int_equal(call(CONTROL, TALLY_HC_CPU_COUNTERS, RAM - entry, 2, 0), -EFAULT);
	assert_true(nothing_happened());
	assert_int_equal(call(CONTROL, TALLY_HC_CPU_COUNTERS, gpa, 8, 0), NCPUS);
	assert_true(untouched_outside(gpa, sizeof(c)));
	memcpy(c, ram + gpa, sizeof(c));
	for (uint32_t i = 0; i < NCPUS; i++) {
		assert_int_equal(c[i].size, entry);
		assert_int_equal(c[i].version, TALLY_CPU_COUNTERS_VERSION);
		assert_int_equal(c[i].cpu, i);
		assert_int_equal(c[i].guest_cycles, 1000 + i);
		assert_int_equal(c[i].idle_cycles, 7);
	}
}

static void test_publish_metric(void **state)
{
	(void)state;
	memcpy(ram + 300, "mem.used_kb", 12);
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, 300, (uint64_t)-5,
			      TALLY_UNIT_BYTES), 0);
	assert_int_equal(hv.calls, 1);
	assert_int_equal(hv.last_id, GUEST);
	assert_string_equal(hv.metric_name, "mem.used_kb");
	assert_int_equal(hv.metric_value, -5);
	assert_int_equal(hv.metric_unit, TALLY_UNIT_BYTES);
	/* The longest name, ending at the last byte of RAM. */
	memset(ram + RAM - TALLY_METRIC_NAME_MAX, 'n', TALLY_METRIC_NAME_MAX - 1);
	ram[RAM - 1] = 0;
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, RAM - TALLY_METRIC_NAME_MAX,
			      INT64_MAX, TALLY_UNIT_COUNT_OF_UNITS - 1), 0);
	assert_int_equal(strlen(hv.metric_name), TALLY_METRIC_NAME_MAX - 1);
	/* The hook's own error comes back. */
	hv.metric_result = -ENOSPC;
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, 300, 1, 0), -ENOSPC);
}

static void test_publish_metric_hostile(void **state)
{
	static const char *const bad_names[] = { "", "has space", "tab\t", "\x7f", "caf\xc3\xa9",
						 "nl\n", "quo\"te", "back\\slash", "br{ace}",
						 "com,ma" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_names); i++) {
		strcpy((char *)ram + 100, bad_names[i]);
		assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, 100, 1, 0), -EINVAL);
	}
	strcpy((char *)ram + 100, "ok");
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, 100, 1, TALLY_UNIT_COUNT_OF_UNITS),
			 -EINVAL);
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, 100, 1, UINT64_MAX), -EINVAL);
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, 100, 1, 1ull << 32), -EINVAL);
	/* Too long: 32 characters with no NUL in the first 32 bytes. */
	memset(ram + 200, 'a', TALLY_METRIC_NAME_MAX);
	ram[200 + TALLY_METRIC_NAME_MAX] = 0;
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, 200, 1, 0), -E2BIG);
	/* Runs off the end of RAM; bad pointers. */
	memset(ram + RAM - 4, 'z', 4);
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, RAM - 4, 1, 0), -EFAULT);
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, RAM, 1, 0), -EFAULT);
	assert_int_equal(call(GUEST, TALLY_HC_PUBLISH_METRIC, UINT64_MAX, 1, 0), -EFAULT);
	assert_int_equal(hv.calls, 0);
}

static void test_console_write(void **state)
{
	(void)state;
	memcpy(ram + PAGE_SIZE - 3, "hello\n", 6);
	assert_int_equal(call(GUEST, TALLY_HC_CONSOLE_WRITE, PAGE_SIZE - 3, 6, 0), 6);
	assert_int_equal(hv.console_len, 6);
	assert_memory_equal(hv.console, "hello\n", 6);
	assert_int_equal(hv.last_id, GUEST);
	/* Exactly the cap, ending at the end of RAM. */
	assert_int_equal(call(GUEST, TALLY_HC_CONSOLE_WRITE, RAM - TALLY_CONSOLE_WRITE_MAX,
			      TALLY_CONSOLE_WRITE_MAX, 0), TALLY_CONSOLE_WRITE_MAX);
	assert_int_equal(hv.console_len, TALLY_CONSOLE_WRITE_MAX);
	/* Length 0 writes nothing, wherever it points. */
	hv.calls = 0;
	assert_int_equal(call(GUEST, TALLY_HC_CONSOLE_WRITE, UINT64_MAX, 0, 0), 0);
	assert_int_equal(hv.calls, 0);
}

static void test_console_write_hostile(void **state)
{
	(void)state;
	assert_int_equal(call(GUEST, TALLY_HC_CONSOLE_WRITE, 0, TALLY_CONSOLE_WRITE_MAX + 1, 0),
			 -E2BIG);
	assert_int_equal(call(GUEST, TALLY_HC_CONSOLE_WRITE, 0, UINT64_MAX, 0), -E2BIG);
	assert_int_equal(call(GUEST, TALLY_HC_CONSOLE_WRITE, RAM - 10, 11, 0), -EFAULT);
	assert_int_equal(call(GUEST, TALLY_HC_CONSOLE_WRITE, RAM, 1, 0), -EFAULT);
	assert_int_equal(call(GUEST, TALLY_HC_CONSOLE_WRITE, UINT64_MAX - 3, 8, 0), -EFAULT);
	assert_true(nothing_happened());
}

static void test_yield(void **state)
{
	(void)state;
	assert_int_equal(call(GUEST, TALLY_HC_YIELD, UINT64_MAX, UINT64_MAX, UINT64_MAX), 0);
	assert_int_equal(hv.yields, 1);
	assert_true(untouched_outside(0, 0));
}

static void test_pause_unpause_destroy(void **state)
{
	(void)state;
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_PAUSE, 2, 0, 0), 0);
	assert_int_equal(hv.paused[2], 1);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_UNPAUSE, 2, 0, 0), 0);
	assert_int_equal(hv.paused[2], 0);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_DESTROY, 2, 0, 0), 0);
	assert_int_equal(hv.destroyed[2], 1);
	/* Gone now: every control call on it says so, and the list shrinks. */
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_PAUSE, 2, 0, 0), -ENOENT);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_DESTROY, 2, 0, 0), -ENOENT);
	assert_int_equal(call(CONTROL, TALLY_HC_DOMAIN_LIST, 0, 0, 0), NDOMS - 1);
}

static void test_pause_unpause_destroy_hostile(void **state)
{
	const uint64_t nrs[] = { TALLY_HC_DOMAIN_PAUSE, TALLY_HC_DOMAIN_UNPAUSE,
				 TALLY_HC_DOMAIN_DESTROY };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(nrs); i++) {
		assert_int_equal(call(CONTROL, nrs[i], CONTROL, 0, 0), -EINVAL);
		assert_int_equal(call(CONTROL, nrs[i], NDOMS, 0, 0), -ENOENT);
		assert_int_equal(call(CONTROL, nrs[i], UINT64_MAX, 0, 0), -ENOENT);
		assert_int_equal(call(CONTROL, nrs[i], (1ull << 32) | GUEST, 0, 0), -ENOENT);
	}
	assert_true(nothing_happened());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unknown_numbers, setup),
		cmocka_unit_test_setup(test_user_mode_refused, setup),
		cmocka_unit_test_setup(test_control_calls_refused, setup),
		cmocka_unit_test_setup(test_abi_version, setup),
		cmocka_unit_test_setup(test_abi_version_bad_pointers, setup),
		cmocka_unit_test_setup(test_domain_info, setup),
		cmocka_unit_test_setup(test_struct_calls_bad_pointers, setup),
		cmocka_unit_test_setup(test_domain_counters, setup),
		cmocka_unit_test_setup(test_domain_counters_of, setup),
		cmocka_unit_test_setup(test_domain_list, setup),
		cmocka_unit_test_setup(test_domain_list_hostile, setup),
		cmocka_unit_test_setup(test_publish_metric, setup),
		cmocka_unit_test_setup(test_publish_metric_hostile, setup),
		cmocka_unit_test_setup(test_console_write, setup),
		cmocka_unit_test_setup(test_console_write_hostile, setup),
		cmocka_unit_test_setup(test_yield, setup),
		cmocka_unit_test_setup(test_vcpu_counters, setup),
		cmocka_unit_test_setup(test_vcpu_counters_hostile, setup),
		cmocka_unit_test_setup(test_cpu_counters, setup),
		cmocka_unit_test_setup(test_pause_unpause_destroy, setup),
		cmocka_unit_test_setup(test_pause_unpause_destroy_hostile, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
