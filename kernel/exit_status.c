/* SPDX-License-Identifier: MIT */
/* Tally's exit code, collected from the events of the run (see tally/exit_status.h). */
#include <tally/console.h>
#include <tally/exit_status.h>
#include <tally/fmt.h>
#include <tally/log.h>

static uint8_t code;

/* Each bit in words, for the exit line. */
static const struct {
	uint8_t bit;
	const char *what;
} causes[] = {
	{ EMU_EXIT_MODULE_REFUSED, "a module was refused" },
	{ EMU_EXIT_DOMAIN_CRASHED, "Tally destroyed a domain" },
	{ EMU_EXIT_GUEST_FAILED, "a guest exited with a non-zero value" },
	{ EMU_EXIT_NO_GUESTS, "guests cannot run on this CPU" },
	{ EMU_EXIT_TIMED_OUT, "a domain ran out of its max_run_s time" },
};

void exit_status_add(uint8_t bits)
{
	__atomic_fetch_or(&code, bits, __ATOMIC_RELAXED);
}

uint8_t exit_status(void)
{
	return __atomic_load_n(&code, __ATOMIC_RELAXED);
}

/*
 * Any non-zero value counts, SKIP (1 for the test guests) included: Tally
 * does not know a guest's conventions, and a skipped test did not do what
 * it was booted for.  The guest's own verdict line tells SKIP from FAIL.
 */
uint8_t exit_status_of_guest_exit(uint64_t value)
{
	return value ? EMU_EXIT_GUEST_FAILED : EMU_EXIT_OK;
}

void exit_status_describe(uint8_t c, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (unsigned int i = 0; i < ARRAY_SIZE(causes) && n < len; i++)
		if (c & causes[i].bit)
			n += (size_t)fmt_snprintf(buf + n, len - n, "%s%s", n ? "; " : "",
						  causes[i].what);
}

void exit_status_leave(void)
{
	uint8_t c = exit_status();
	char why[160];

	exit_status_describe(c, why, sizeof(why));
	console_report_dropped();
	if (c)
		log_info("tally: exit code=%u (%s)", c, why);
	else
		log_info("tally: exit code=0");
	emu_exit(c);
	log_warn("tally: no emulator exit device answered; staying up");
}
