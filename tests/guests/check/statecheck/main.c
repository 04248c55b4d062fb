/* SPDX-License-Identifier: MIT */
/* statecheck: each piece of CPU state a guest can write keeps its own value across switches.
 *
 * kind=writer puts a distinctive value in each item it can write; kind=reader
 * writes (almost) nothing and expects the architectural reset values, or what
 * it set itself.  Run side by side on one CPU with short slices, a value of
 * one showing up in the other is state Tally failed to switch; the writer
 * alone, on a CPU where the scheduler picks it again and again, checks that
 * a slice's end gives it back exactly what it had. */
#include "guest.h"
#include "state.h"

#define DEFAULT_ROUNDS		200u
#define DEFAULT_SPIN		50000u	/* two instructions each: about 2 ms under Bochs */
#define REPORTED_MISMATCHES	12u	/* FAIL lines before only counting the rest */
#define ROLE_LEN		16

const char guest_name[] = "statecheck";

enum state_role state_role;
uint32_t state_items;
static uint32_t mismatches;

bool state_expect(const char *item, uint32_t round, uint64_t got, uint64_t want)
{
	if (got == want)
		return true;
	if (++mismatches <= REPORTED_MISMATCHES) {
		if (round == ~0u)
			guest_fail("at setup: %s is 0x%llx, expected 0x%llx", item, got, want);
		else
			guest_fail("round %u: %s is 0x%llx, expected 0x%llx", round, item, got, want);
	} else {
		guest_report(VERDICT_FAIL);
	}
	return false;
}

static bool parse_role(const struct mb_info *mbi)
{
	char role[ROLE_LEN];

	if (!cmdline_str(mbi, "kind", role, sizeof(role)) || !strcmp(role, "writer"))
		state_role = ROLE_WRITER;
	else if (!strcmp(role, "reader"))
		state_role = ROLE_READER;
	else
		return false;
	return true;
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t rounds = cmdline_u32(mbi, "rounds", DEFAULT_ROUNDS);
	uint32_t spin = cmdline_u32(mbi, "spin", DEFAULT_SPIN);

	if (!parse_role(mbi)) {
		guest_error("kind= must be writer or reader");
		return;
	}
	printk("statecheck: kind=%s rounds=%u spin=%u\n", state_writer() ? "writer" : "reader",
	       rounds, spin);
	ext_setup();	/* first: CR0 and CR4 for SSE and XSAVE, which regs.c then records */
	regs_setup();
	msrs_setup();
	for (uint32_t r = 0; r < rounds; r++) {
		regs_spin(r, spin);
		ext_check(r);
		regs_check(r);
		msrs_check(r);
	}
	printk("statecheck: kind=%s items=%u rounds=%u mismatches=%u\n",
	       state_writer() ? "writer" : "reader", state_items, rounds, mismatches);
}
