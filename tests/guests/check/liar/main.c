/* SPDX-License-Identifier: MIT */
/* liar: an agent in user mode that publishes figures its domain cannot have. */
#include "guest.h"

const char guest_name[] = "liar";

#define RAM_TIMES		4u	/* mem_total_bytes: four times the RAM Tally gave */
#define DISK_OVER		4096u	/* disk_used_bytes: this much more than the whole disk */
#define MIB_BYTES		(1024u * 1024u)
#define TEMPERATURE		42u

static struct tally_domain_info info __attribute__((aligned(8)));
static uint32_t ram_bytes, disk_bytes;

/* One PUBLISH_METRIC, which must succeed: Tally stores any figure and judges it after. */
static void publish(const char *name, uint32_t value, uint32_t unit)
{
	int32_t r = tally_publish_metric(name, value, unit);

	guest_check(r == 0, "PUBLISH_METRIC %s=%u from user mode: %d", name, value, r);
}

/* At CPL 3 in a domain with `agent`: the two agent calls work, nothing else does. */
static void user_agent(void)
{
	uint16_t cs;
	int32_t r = tally_abi_version(NULL);

	asm volatile("mov %%cs, %0" : "=r"(cs));
	guest_check((cs & 3) == 3 && r == (TALLY_ABI_VERSION_MAJOR << 16 | TALLY_ABI_VERSION_MINOR),
		    "ABI_VERSION from user mode (CPL %u) with agent: 0x%x", cs & 3, r);
	r = tally_domain_info(&info);
	guest_check(r == -TALLY_EACCES, "DOMAIN_INFO from user mode with agent: %d (-EACCES)", r);
	publish("mem_total_bytes", RAM_TIMES * ram_bytes, TALLY_UNIT_BYTES);
	publish("mem_used_bytes", ram_bytes / 2, TALLY_UNIT_BYTES);
	publish("disk_size_bytes:vda", disk_bytes, TALLY_UNIT_BYTES);
	publish("disk_used_bytes:vda", disk_bytes + DISK_OVER, TALLY_UNIT_BYTES);
	publish("temperature", TEMPERATURE, TALLY_UNIT_NONE);
	guest_exit();
}

/* Learns its RAM and disk from Tally (kernel mode), then lies about them from user mode. */
void guest_main(const struct mb_info *mbi)
{
	int32_t r = tally_domain_info(&info);

	(void)mbi;
	guest_check(r == (int32_t)sizeof(info) && info.disk_bytes > 0,
		    "DOMAIN_INFO: %d, mem %u MiB, disk %u MiB", r,
		    (uint32_t)info.mem_bytes / MIB_BYTES, (uint32_t)info.disk_bytes / MIB_BYTES);
	ram_bytes = (uint32_t)info.mem_bytes;
	disk_bytes = (uint32_t)info.disk_bytes;
	user_mode_run(user_agent);
}
