/* SPDX-License-Identifier: MIT */
/* hostile: thousands of malformed hypercalls; each must fail with an error code and nothing else. */
#include "guest.h"

const char guest_name[] = "hostile";

#define DEFAULT_CALLS		5000u
/*
 * 0..15, every call of ABI 1.3 (unknown numbers: hypercall-basic and the unit
 * tests).  More numbers change the junk: one DOMAIN_COUNTERS then gets a
 * valid pointer by chance and succeeds, writing into this guest.
 */
#define CALL_NUMBERS		16u

static uint32_t rng_state = 0x12345678u;

/* xorshift32: reproducible junk. */
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* An argument likely to be wrong: beyond RAM, misaligned, huge, or just random. */
static uint32_t bad_arg(uint32_t ram_top)
{
	switch (rng() % 5) {
	case 0: return ram_top + (rng() % (64u << 20));	/* past the end of RAM */
	case 1: return ram_top - (rng() % 16);		/* straddles the end */
	case 2: return (rng() | 1u);			/* odd: misaligned */
	case 3: return 0xFFFFFFF0u + (rng() % 16);	/* near 4 GiB */
	default: return rng();
	}
}

/*
 * Calls with junk arguments may succeed only where junk is still valid
 * (YIELD, ABI_VERSION with 0); anything else must be an error code.
 */
void guest_main(const struct mb_info *mbi)
{
	uint32_t calls = cmdline_u32(mbi, "calls", DEFAULT_CALLS);
	uint32_t top = (1024 + mb_mem_upper(mbi)) * 1024;
	uint32_t errors = 0, successes = 0, bad = 0;

	for (uint32_t i = 0; i < calls; i++) {
		uint32_t nr = rng() % CALL_NUMBERS;
		int32_t r = tally_hcall(nr, bad_arg(top), bad_arg(top), bad_arg(top));

		if (r < 0 && r >= -TALLY_ENOSYS)
			errors++;
		else if (r >= 0 && (nr == TALLY_HC_YIELD || nr == TALLY_HC_ABI_VERSION ||
				    nr == TALLY_HC_CONSOLE_WRITE))
			successes++;	/* junk that happened to be valid */
		else if (++bad <= 3)
			printk("hostile: unexpected: call %u gave %d\n", nr, r);
	}
	printk("hostile: calls=%u errors=%u harmless=%u unexpected=%u\n", calls, errors,
	       successes, bad);
	guest_check(bad == 0, "every malformed hypercall failed cleanly");
}
