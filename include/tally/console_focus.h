/* SPDX-License-Identifier: MIT */
/*
 * Where bytes typed on Tally's console go, as in Xen: to Tally's debug
 * keys, or to one domain's UART.  Ctrl-A typed three times in a row moves
 * the focus to the next live domain (by id), and after the last back to
 * Tally.  Pure: the caller reads the console and knows the domains.
 */
#ifndef TALLY_CONSOLE_FOCUS_H
#define TALLY_CONSOLE_FOCUS_H

#include <tally/types.h>

#define CONSOLE_FOCUS_SWITCH_CHAR	0x01	/* Ctrl-A */
#define CONSOLE_FOCUS_SWITCH_COUNT	3
#define CONSOLE_FOCUS_TALLY		0	/* the focus on Tally: domain ids start at 1 */
/* The most bytes one typed byte releases: held Ctrl-As and itself. */
#define CONSOLE_FOCUS_OUT_MAX		CONSOLE_FOCUS_SWITCH_COUNT

struct console_focus {
	unsigned int target;		/* domain id, or CONSOLE_FOCUS_TALLY */
	unsigned int held;		/* Ctrl-As typed in a row and not passed on yet */
};

/*
 * Byte @c was typed.  Returns how many bytes to hand to the current
 * target, in order, in @out: Ctrl-As are held back until the third (then
 * *@switch_now is set and none is passed on) or until another byte shows
 * they were meant for the target.
 */
unsigned int console_focus_feed(struct console_focus *f, uint8_t c,
				uint8_t out[CONSOLE_FOCUS_OUT_MAX], bool *switch_now);

/*
 * The target after @current: the smallest of the @n live domain ids in
 * @live (any order) greater than @current, or CONSOLE_FOCUS_TALLY after
 * the last.
 */
unsigned int console_focus_next(unsigned int current, const unsigned int *live, unsigned int n);

#endif
