/* SPDX-License-Identifier: MIT */
/* Tally's exit code: one bit per kind of trouble seen during the run (codes in tally/emu_exit.h).
 *
 * Design: each event adds its bit where it happens (a refused module and a
 * domain's end in kernel/domain.c, no VMX in kernel/main.c); bits are only
 * ever added, so the order of events does not matter.
 * Locking: one atomic OR per event, from any CPU. */
#ifndef TALLY_EXIT_STATUS_H
#define TALLY_EXIT_STATUS_H

#include <tally/emu_exit.h>

/* Add @bits (EMU_EXIT_*) to the exit code; from any CPU. */
void exit_status_add(uint8_t bits);
/* The exit code so far. */
uint8_t exit_status(void);
/* The bits a guest leaving through the debug-exit port with @value adds. */
uint8_t exit_status_of_guest_exit(uint64_t value);
/* @code's causes in words, "; " between them ("" for 0), into @buf of @len bytes. */
void exit_status_describe(uint8_t code, char *buf, size_t len);
/* Print `tally: exit code=N (causes)`, end the emulator with N; if none answers, say so, return. */
void exit_status_leave(void);

#endif
