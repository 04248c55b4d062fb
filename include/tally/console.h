/* SPDX-License-Identifier: MIT */
/* The serial console that log lines go to. */
#ifndef TALLY_CONSOLE_H
#define TALLY_CONSOLE_H

#include <tally/types.h>

/* Start the console on COM1: callable as the very first thing in C. */
void console_init_early(void);
/* Move the console to the UART at @port (command line `console=`). */
void console_set_port(uint16_t port);
/*
 * Write raw bytes, bypassing the line lock: only for a panic, when the CPU
 * holding it may have been stopped mid-line.
 */
void console_write_unlocked(const char *s, size_t len);

/* A byte typed on the console, or -1 when none is waiting. */
int console_getc(void);
/* Wait until the console has sent everything, e.g. before leaving the emulator. */
void console_flush(void);

#endif
