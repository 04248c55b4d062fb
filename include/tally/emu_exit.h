/* SPDX-License-Identifier: MIT */
/* Ending the emulator Tally runs in (QEMU isa-debug-exit, Bochs shutdown port). */
#ifndef TALLY_EMU_EXIT_H
#define TALLY_EMU_EXIT_H

#include <tally/types.h>

/* Codes Tally passes to emu_exit(); QEMU exits with (code << 1) | 1. */
#define EMU_EXIT_OK	0
#define EMU_EXIT_PANIC	0x7F

/* Stop the emulator with @code; returns only when no exit device answered. */
void emu_exit(uint8_t code);

#endif
