/* SPDX-License-Identifier: MIT */
/* Ending the emulator Tally runs in (QEMU isa-debug-exit, Bochs shutdown port), and its codes. */
#ifndef TALLY_EMU_EXIT_H
#define TALLY_EMU_EXIT_H

#include <tally/types.h>

/*
 * Tally's exit code, printed as `tally: exit code=N` and passed to
 * emu_exit() (QEMU then exits with (N << 1) | 1): a bitmask with one bit
 * per kind of trouble, so that each cause can be told apart in the one
 * number.  Which event sets which bit is decided in kernel/exit_status.c.
 */
#define EMU_EXIT_OK		0x00	/* every module ran, every guest left with value 0 */
#define EMU_EXIT_MODULE_REFUSED	0x01	/* a boot module was refused: no domain was created */
#define EMU_EXIT_DOMAIN_CRASHED	0x02	/* Tally destroyed a domain for its own fault */
#define EMU_EXIT_GUEST_FAILED	0x04	/* a guest left with a non-zero debug-exit value */
#define EMU_EXIT_NO_GUESTS	0x08	/* this CPU cannot run guests (no VMX, EPT, ...) */
#define EMU_EXIT_TIMED_OUT	0x10	/* a domain ran past its max_run_s= and was ended */
/* Tally itself failed (a fault inside it, or panic()); never mixed with the bits above. */
#define EMU_EXIT_PANIC		0x7F

/* Stop the emulator with @code; returns only when no exit device answered. */
void emu_exit(uint8_t code);

#endif
