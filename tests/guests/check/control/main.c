/* SPDX-License-Identifier: MIT */
/* control: the control domain's view: lists the domains with their counters, pauses, ends one. */
#include "control.h"

const char guest_name[] = "control";

#define DEFAULT_SETTLE		2000000u	/* loop turns before looking: others run first */

static struct tally_domain_info list[MAX_LISTED] __attribute__((aligned(8)));
static struct tally_counters counters __attribute__((aligned(8)));

/* One line per domain with what Tally counts for it. */
static int32_t show_domains(void)
{
	int32_t n = tally_domain_list(list, MAX_LISTED);

	guest_check(n >= 1, "DOMAIN_LIST: %d domains", n);
	for (int32_t i = 0; i < n && i < MAX_LISTED; i++) {
		/* An ended domain keeps its final counters, so this fails only if Tally is wrong. */
		int32_t r = tally_domain_counters_of(list[i].domain_id, &counters);

		control_show_domain("", &list[i], r < 0 ? NULL : &counters);
		if (r < 0)
			guest_fail("DOMAIN_COUNTERS_OF of d%u %s: %d", list[i].domain_id,
				   list[i].name, r);
	}
	return n;
}

static uint32_t find(int32_t n, const char *name)
{
	for (int32_t i = 0; i < n && i < MAX_LISTED; i++)
		if (!strcmp(list[i].name, name))
			return list[i].domain_id;
	return 0;
}

/* Destroys @victim (another domain's name) and checks the refusals around it. */
static void destroy_check(int32_t n, uint32_t self, const char *victim)
{
	uint32_t target = find(n, victim);
	int32_t r;

	guest_check(target != 0, "found the victim '%s' as d%u", victim, target);
	r = tally_domain_destroy(self);
	guest_check(r == -TALLY_EINVAL, "DOMAIN_DESTROY of itself: %d (-EINVAL)", r);
	r = tally_domain_destroy(NO_SUCH_DOMAIN);
	guest_check(r == -TALLY_ENOENT, "DOMAIN_DESTROY of d%u: %d (-ENOENT)", NO_SUCH_DOMAIN, r);
	r = tally_domain_destroy(target);
	guest_check(r == 0, "DOMAIN_DESTROY of %s: %d", victim, r);
	r = tally_domain_destroy(target);
	guest_check(r == -TALLY_ENOENT, "DOMAIN_DESTROY of %s again: %d (-ENOENT)", victim, r);
	r = tally_domain_pause(target);
	guest_check(r == -TALLY_ENOENT, "DOMAIN_PAUSE of %s ended: %d (-ENOENT)", victim, r);
}

#define WATCH_VECTOR		0x41

static bool others_alive(int32_t n, uint32_t self)
{
	for (int32_t i = 0; i < n && i < MAX_LISTED; i++)
		if (list[i].domain_id != self && !(list[i].flags & TALLY_DOMAIN_DEAD))
			return true;
	return false;
}

/* Every @seconds, @rounds times: the list again, as a monitoring agent in dom0 would. */
static void watch(uint32_t self, uint32_t seconds, uint32_t rounds)
{
	if (!rounds || !sleep_init(WATCH_VECTOR))
		return;
	for (uint32_t r = 0; r < rounds; r++) {
		/* One second a time: a sleep is at most 2^32 timer ticks. */
		for (uint32_t s = 0; s < seconds; s++)
			sleep_us(1000000);
		if (!others_alive(show_domains(), self))
			return;		/* nothing left to watch but itself */
	}
}

/*
 * format_check=1 prints a made-up domain with figures past 2^32; then
 * settle=N loop turns; then it lists the domains with their counters;
 * pause_ms=N pauses the others that long and checks they stand still;
 * victim=NAME destroys that domain; watch_s=N watch_rounds=M lists them
 * again every N seconds, M times.  storm=NAME storm_rounds=N pauses, reads
 * and unpauses that domain N times.  hold=NAME (before the last two) pauses
 * that domain and leaves it paused: Tally lets it run again when the
 * control domain ends.  list_page=N (after settle) pages through the
 * domains N at a time and checks DOMAIN_LIST_FROM's arguments.
 * copy_of=NAME cycles=N copies=M (after settle, before the listing)
 * creates M copies of template NAME and destroys them, N times.
 */
void guest_main(const struct mb_info *mbi)
{
	char victim[TALLY_DOMAIN_NAME_MAX] = "", hold[TALLY_DOMAIN_NAME_MAX] = "";
	char storm[TALLY_DOMAIN_NAME_MAX] = "", tmpl[TALLY_DOMAIN_NAME_MAX] = "";
	uint32_t settle = cmdline_u32(mbi, "settle", DEFAULT_SETTLE);
	uint32_t pause_ms = cmdline_u32(mbi, "pause_ms", 0);
	uint32_t self;
	int32_t n;

	if (cmdline_u32(mbi, "format_check", 0))
		control_format_check();
	for (volatile uint32_t i = 0; i < settle; i++)
		;
	cmdline_str(mbi, "victim", victim, sizeof(victim));
	if (cmdline_u32(mbi, "list_page", 0))
		control_page_check(cmdline_u32(mbi, "list_page", 0));
	cmdline_str(mbi, "copy_of", tmpl, sizeof(tmpl));
	if (tmpl[0])
		control_runtime_cycles(tmpl, cmdline_u32(mbi, "cycles", 1),
				       cmdline_u32(mbi, "copies", 1));
	n = show_domains();
	self = find(n, "control");
	if (pause_ms)
		control_pause_check(list, n, self, pause_ms);
	cmdline_str(mbi, "storm", storm, sizeof(storm));
	if (storm[0])
		control_pause_storm(find(n, storm), cmdline_u32(mbi, "storm_rounds", 100));
	cmdline_str(mbi, "hold", hold, sizeof(hold));
	if (hold[0])
		guest_check(tally_domain_pause(find(n, hold)) == 0,
			    "DOMAIN_PAUSE of %s, left paused as the control domain ends", hold);
	if (victim[0])
		destroy_check(n, self, victim);
	watch(self, cmdline_u32(mbi, "watch_s", 1), cmdline_u32(mbi, "watch_rounds", 0));
}
