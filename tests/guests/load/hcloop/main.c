/* SPDX-License-Identifier: MIT */
/* hcloop: the cost of a null hypercall and of a counter snapshot, in the guest's TSC ticks. */
#include "div64.h"
#include "guest.h"

const char guest_name[] = "hcloop";

#define DEFAULT_COUNT	10000u

static struct tally_counters counters __attribute__((aligned(8)));

/*
 * TSC ticks per call of @nr with arguments @a0 and @a1, over @count calls.
 * tally_hcall() rather than a typed wrapper: it is inline, so each turn is
 * the VMCALL and the loop, with no function call to time as well.
 */
static uint32_t per_call(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t count)
{
	uint64_t start = rdtsc();

	for (uint32_t i = 0; i < count; i++)
		tally_hcall(nr, a0, a1, 0);
	return (uint32_t)div_u64_u32(rdtsc() - start, count, NULL);
}

/* Under one-CPU Bochs with sync=none a tick is an instruction: these are path lengths. */
void guest_main(const struct mb_info *mbi)
{
	uint32_t count = cmdline_u32(mbi, "count", DEFAULT_COUNT);
	uint32_t null = per_call(TALLY_HC_ABI_VERSION, 0, 0, count);
	uint32_t snap = per_call(TALLY_HC_DOMAIN_COUNTERS, (uint32_t)&counters, sizeof(counters),
				 count);

	printk("hcloop: count=%u null_hypercall_ticks=%u counters_hypercall_ticks=%u\n", count,
	       null, snap);
	guest_check(counters.exits_total >= count, "the snapshot saw the calls (%u exits)",
		    (uint32_t)counters.exits_total);
}
