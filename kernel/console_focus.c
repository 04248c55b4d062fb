/* SPDX-License-Identifier: MIT */
/* Console input focus: counting Ctrl-A, the cycle over live domains (see tally/console_focus.h). */
#include <tally/console_focus.h>

unsigned int console_focus_feed(struct console_focus *f, uint8_t c,
				uint8_t out[CONSOLE_FOCUS_OUT_MAX], bool *switch_now)
{
	unsigned int n = 0;

	*switch_now = false;
	if (c == CONSOLE_FOCUS_SWITCH_CHAR) {
		if (++f->held < CONSOLE_FOCUS_SWITCH_COUNT)
			return 0;
		f->held = 0;
		*switch_now = true;
		return 0;
	}
	/* Fewer than three: they were the target's (Ctrl-A is a shell's start of line). */
	for (; f->held; f->held--)
		out[n++] = CONSOLE_FOCUS_SWITCH_CHAR;
	out[n++] = c;
	return n;
}

unsigned int console_focus_next(unsigned int current, const unsigned int *live, unsigned int n)
{
	unsigned int next = CONSOLE_FOCUS_TALLY;

	for (unsigned int i = 0; i < n; i++)
		if (live[i] > current && (next == CONSOLE_FOCUS_TALLY || live[i] < next))
			next = live[i];
	return next;
}
