/* SPDX-License-Identifier: MIT */
/* hypercall: calls Tally's hypercalls as a guest would, good and bad arguments alike. */
#include "guest.h"

const char guest_name[] = "hypercall";

#define BEYOND_RAM_MIB		1	/* a GPA this far past the top of RAM */
#define UNKNOWN_CALL		0x777u
#define METRIC_VALUE		123456

static struct tally_domain_info info __attribute__((aligned(8)));
static struct tally_counters counters[2] __attribute__((aligned(8)));
static struct tally_vcpu_counters vcpu[2] __attribute__((aligned(8)));
/* The largest list the ABI allows, and one more entry (170 KiB of .bss). */
static struct tally_vcpu_counters many[TALLY_VCPU_LIST_MAX + 1] __attribute__((aligned(8)));
static const char console_text[] = "hello through the console hypercall\n";

static uint32_t ram_top(const struct mb_info *mbi)
{
	return (1024 + mb_mem_upper(mbi)) * 1024;
}

static void check_info(const struct mb_info *mbi)
{
	char name[TALLY_DOMAIN_NAME_MAX] = "";
	int32_t r = tally_domain_info(&info);

	cmdline_str(mbi, "name", name, sizeof(name));
	guest_check(r == (int32_t)sizeof(info) && !strcmp(info.name, name) &&
		    info.mem_bytes == ram_top(mbi) && info.vcpus == 1,
		    "DOMAIN_INFO: result %d, name '%s', mem_bytes %u, vcpus %u", r, info.name,
		    (uint32_t)info.mem_bytes, info.vcpus);
	r = tally_hcall(TALLY_HC_DOMAIN_INFO, (uint32_t)&info, sizeof(info) - 1, 0);
	guest_check(r == -TALLY_EINVAL, "DOMAIN_INFO with a short length: %d (-EINVAL)", r);
	r = tally_hcall(TALLY_HC_DOMAIN_INFO, ram_top(mbi) - 8, sizeof(info), 0);
	guest_check(r == -TALLY_EFAULT, "DOMAIN_INFO straddling the top of RAM: %d (-EFAULT)", r);
}

static void check_counters(void)
{
	int32_t a = tally_domain_counters(&counters[0]);
	int32_t b = tally_domain_counters(&counters[1]);

	guest_check(a > 0 && b > 0 && counters[1].generation > counters[0].generation &&
		    counters[1].exits_total > counters[0].exits_total &&
		    counters[1].exits_by_reason[18] >= 1 && counters[0].cpu_cycles > 0,
		    "DOMAIN_COUNTERS twice: generation %u then %u, exits %u then %u, vmcall exits %u",
		    (uint32_t)counters[0].generation, (uint32_t)counters[1].generation,
		    (uint32_t)counters[0].exits_total, (uint32_t)counters[1].exits_total,
		    (uint32_t)counters[1].exits_by_reason[18]);
}

/* Its own vCPU's counters, and no other domain's nor the physical CPUs'. */
static void check_vcpu_counters(void)
{
	int32_t r = tally_vcpu_counters(info.domain_id, vcpu, 2);

	guest_check(r == 1 && vcpu[0].vcpu_id == 0 && vcpu[0].domain_id == info.domain_id &&
		    vcpu[0].cpu_cycles > 0 && vcpu[0].exits_by_reason[18] >= 1,
		    "VCPU_COUNTERS of itself: %d vCPU, %u vmcall exits", r,
		    (uint32_t)vcpu[0].exits_by_reason[18]);
	r = tally_vcpu_counters(info.domain_id, many, TALLY_VCPU_LIST_MAX);
	guest_check(r == 1 && many[0].domain_id == info.domain_id && many[0].vcpu_id == 0 &&
		    many[0].exits_by_reason[18] >= 1 && many[1].size == 0,
		    "VCPU_COUNTERS with capacity %u (the limit): %d vCPU, entry 1 untouched",
		    TALLY_VCPU_LIST_MAX, r);
	r = tally_vcpu_counters(info.domain_id, many, TALLY_VCPU_LIST_MAX + 1);
	guest_check(r == -TALLY_E2BIG, "VCPU_COUNTERS with capacity %u: %d (-E2BIG)",
		    TALLY_VCPU_LIST_MAX + 1, r);
	r = tally_vcpu_counters(info.domain_id + 1, vcpu, 1);
	guest_check(r == -TALLY_EPERM, "VCPU_COUNTERS of another domain: %d (-EPERM)", r);
	r = tally_cpu_counters(NULL, 0);
	guest_check(r == -TALLY_EPERM, "CPU_COUNTERS from an ordinary domain: %d (-EPERM)", r);
}

#define UNTOUCHED		0xABu

/*
 * The last checks, at CPL 3 as a program in the guest would run: every
 * call is -EACCES and writes nothing.  Ends the test (there is no way back).
 */
static void user_checks(void)
{
	uint16_t cs;
	int32_t r;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	memset(&info, UNTOUCHED, sizeof(info));
	r = tally_domain_info(&info);
	guest_check((cs & 3) == 3 && r == -TALLY_EACCES && info.size == UNTOUCHED * 0x01010101u,
		    "DOMAIN_INFO from user mode (CPL %u): %d (-EACCES), nothing written", cs & 3, r);
	r = tally_abi_version(NULL);
	guest_check(r == -TALLY_EACCES, "ABI_VERSION from user mode: %d (-EACCES)", r);
	guest_exit();
}

/* Each call that goes wrong gets its own error, and the guest goes on. */
static void check_errors(const struct mb_info *mbi)
{
	int32_t r = tally_hcall(UNKNOWN_CALL, 0, 0, 0);

	guest_check(r == -TALLY_ENOSYS, "unknown hypercall 0x%x: %d (-ENOSYS)", UNKNOWN_CALL, r);
	r = tally_domain_list(NULL, 0);
	guest_check(r == -TALLY_EPERM, "DOMAIN_LIST from an ordinary domain: %d (-EPERM)", r);
	r = tally_publish_metric("bad name", 1, TALLY_UNIT_BYTES);
	guest_check(r == -TALLY_EINVAL, "PUBLISH_METRIC named 'bad name': %d (-EINVAL)", r);
	r = tally_hcall(TALLY_HC_CONSOLE_WRITE, ram_top(mbi) + BEYOND_RAM_MIB * 1024 * 1024, 4, 0);
	guest_check(r == -TALLY_EFAULT, "CONSOLE_WRITE from beyond RAM: %d (-EFAULT)", r);
}

/* Checks each hypercall a domain may make, with good and bad arguments. */
void guest_main(const struct mb_info *mbi)
{
	int32_t r = tally_abi_version(NULL);

	guest_check(r == (TALLY_ABI_VERSION_MAJOR << 16 | TALLY_ABI_VERSION_MINOR),
		    "ABI_VERSION: 0x%x", r);
	check_info(mbi);
	check_counters();
	check_vcpu_counters();
	r = tally_publish_metric("mem_used", METRIC_VALUE, TALLY_UNIT_BYTES);
	guest_check(r == 0, "PUBLISH_METRIC mem_used=%d: %d", METRIC_VALUE, r);
	r = tally_console_write(console_text, sizeof(console_text) - 1);
	guest_check(r == (int32_t)sizeof(console_text) - 1, "CONSOLE_WRITE: %d", r);
	r = tally_yield();
	guest_check(r == 0, "YIELD: %d", r);
	check_errors(mbi);
	user_mode_run(user_checks);
}
