/* SPDX-License-Identifier: MIT */
/* initself: sends itself INIT IPIs, which Tally ignores for a running vCPU, and times them. */
#include "guest.h"

#define DEFAULT_INITS		2000u
#define DEFAULT_ROUNDS		1u
#define VECTOR_SLEEP		0x40
#define US_PER_MS		1000u

const char guest_name[] = "initself";

/*
 * rounds=N of inits=N INITs to its own x2APIC ID, pause_ms=N asleep between
 * rounds: each INIT is a WRMSR exit that Tally answers by ignoring it (and
 * saying so, rate-limited).  Prints the TSC ticks each round took, so a
 * slow answer shows in the guest's own figure.
 */
void guest_main(const struct mb_info *mbi)
{
	uint32_t inits = cmdline_u32(mbi, "inits", DEFAULT_INITS);
	uint32_t rounds = cmdline_u32(mbi, "rounds", DEFAULT_ROUNDS);
	uint32_t pause_ms = cmdline_u32(mbi, "pause_ms", 0), self;

	if (!sleep_init(VECTOR_SLEEP))
		return;
	self = x2apic_id();
	for (uint32_t round = 0; round < rounds; round++) {
		uint64_t start;

		if (round)
			sleep_us(pause_ms * US_PER_MS);
		start = rdtsc();
		for (uint32_t i = 0; i < inits; i++)
			x2apic_send_init(self);
		printk("initself: round %u inits=%u ticks=%llu\n", round, inits,
		       (unsigned long long)(rdtsc() - start));
	}
	guest_check(x2apic_id() == self, "still running as x2APIC ID %u after %u INITs to itself",
		    self, inits * rounds);
}
