/* SPDX-License-Identifier: MIT */
/* control's line for one domain: its state in words, its size and counters with their units. */
#include "control.h"

#define KNOWN_FLAGS	(TALLY_DOMAIN_CONTROL | TALLY_DOMAIN_PAUSED | TALLY_DOMAIN_DEAD)
#define NS_PER_US	1000u
#define US_PER_S	1000000u

/* The state in words, after the flag names of public/tally.h: dead, paused or running. */
static const char *state_word(uint32_t flags)
{
	if (flags & TALLY_DOMAIN_DEAD)
		return "dead";
	if (flags & TALLY_DOMAIN_PAUSED)
		return "paused";
	return "running";
}

void control_show_domain(const char *lead, const struct tally_domain_info *d,
			 const struct tally_counters *c)
{
	uint32_t unknown = d->flags & ~KNOWN_FLAGS;

	printk("control: %sd%u %s: %s%s", lead, d->domain_id, d->name, state_word(d->flags),
	       d->flags & TALLY_DOMAIN_CONTROL ? ", control domain" : "");
	if (unknown)
		printk(", unknown flags 0x%x", unknown);
	printk(", %u vCPU%s, %llu MiB RAM", d->vcpus, d->vcpus == 1 ? "" : "s",
	       d->mem_bytes >> 20);
	/* Whole 64-bit figures: a µs count passes 2^32 after 71 minutes of CPU time. */
	if (c) {
		uint32_t us;
		uint64_t s = div_u64_u32(div_u64_u32(c->cpu_ns, NS_PER_US, NULL), US_PER_S, &us);

		printk(", CPU time %llu.%06u s, %llu VM exits", s, us, c->exits_total);
	}
	printk("\n");
}

void control_format_check(void)
{
	static const struct tally_domain_info d = {
		.domain_id = 0, .vcpus = 2, .mem_bytes = 8ull << 30,
		.flags = TALLY_DOMAIN_PAUSED | 0x80, .name = "sample",
	};
	static const struct tally_counters c = {
		.cpu_ns = 5000123456789ull,	/* 83 minutes: 5000123456 µs > 2^32 */
		.exits_total = (1ull << 32) + 1,
	};

	control_show_domain("format check: ", &d, &c);
}
