/* SPDX-License-Identifier: MIT */
/* Test-guest hypercall wrappers: the argument layout of each call, over tally_hcall(). */
#include <stdint.h>
#include "hcall.h"

/* A pointer as the GPA Tally expects: the guests run unpaged, identity-addressed. */
static uint32_t gpa(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

int32_t tally_abi_version(struct tally_abi_info *info)
{
	return tally_hcall(TALLY_HC_ABI_VERSION, gpa(info), 0, 0);
}

int32_t tally_domain_info(struct tally_domain_info *info)
{
	return tally_hcall(TALLY_HC_DOMAIN_INFO, gpa(info), sizeof(*info), 0);
}

int32_t tally_domain_counters(struct tally_counters *c)
{
	return tally_hcall(TALLY_HC_DOMAIN_COUNTERS, gpa(c), sizeof(*c), 0);
}

int32_t tally_domain_list(struct tally_domain_info *list, uint32_t capacity)
{
	return tally_hcall(TALLY_HC_DOMAIN_LIST, gpa(list), capacity, 0);
}

int32_t tally_domain_list_from(uint32_t first_id, struct tally_domain_info *list,
			       uint32_t capacity)
{
	return tally_hcall(TALLY_HC_DOMAIN_LIST_FROM, first_id, gpa(list), capacity);
}

int32_t tally_domain_counters_of(uint32_t id, struct tally_counters *c)
{
	return tally_hcall(TALLY_HC_DOMAIN_COUNTERS_OF, id, gpa(c), sizeof(*c));
}

int32_t tally_vcpu_counters(uint32_t id, struct tally_vcpu_counters *list, uint32_t capacity)
{
	return tally_hcall(TALLY_HC_VCPU_COUNTERS, id, gpa(list), capacity);
}

int32_t tally_net_counters(uint32_t id, struct tally_net_counters *c)
{
	return tally_hcall(TALLY_HC_NET_COUNTERS, id, gpa(c), sizeof(*c));
}

int32_t tally_disk_counters(uint32_t id, struct tally_disk_counters *c)
{
	return tally_hcall(TALLY_HC_DISK_COUNTERS, id, gpa(c), sizeof(*c));
}

int32_t tally_cpu_counters(struct tally_cpu_counters *list, uint32_t capacity)
{
	return tally_hcall(TALLY_HC_CPU_COUNTERS, gpa(list), capacity, 0);
}

int32_t tally_publish_metric(const char *name, uint32_t value, uint32_t unit)
{
	return tally_hcall(TALLY_HC_PUBLISH_METRIC, gpa(name), value, unit);
}

int32_t tally_console_write(const char *buf, uint32_t len)
{
	return tally_hcall(TALLY_HC_CONSOLE_WRITE, gpa(buf), len, 0);
}

int32_t tally_yield(void)
{
	return tally_hcall(TALLY_HC_YIELD, 0, 0, 0);
}

int32_t tally_domain_pause(uint32_t id)
{
	return tally_hcall(TALLY_HC_DOMAIN_PAUSE, id, 0, 0);
}

int32_t tally_domain_unpause(uint32_t id)
{
	return tally_hcall(TALLY_HC_DOMAIN_UNPAUSE, id, 0, 0);
}

int32_t tally_domain_destroy(uint32_t id)
{
	return tally_hcall(TALLY_HC_DOMAIN_DESTROY, id, 0, 0);
}
