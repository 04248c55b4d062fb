/* SPDX-License-Identifier: MIT */
/* The console's line mode on the boot CPU: the `tally> ` prompt and its commands (tally/console_cmd.h). */
#ifndef TALLY_CONSOLE_CMDS_H
#define TALLY_CONSOLE_CMDS_H

#include <tally/types.h>

/* Show the `tally> ` prompt; the bytes typed next build a command line. */
void console_cmds_open(void);
/* Whether a prompt is open (its line takes every typed byte). */
bool console_cmds_active(void);
/* Byte @c typed at the open prompt: echoed, edited, or (Enter) the line run. */
void console_cmds_key(uint8_t c);

#endif
