/* SPDX-License-Identifier: MIT */
/* Leaving the emulator: QEMU's isa-debug-exit, then Bochs' shutdown port. */
#include <arch/io.h>
#include <tally/console.h>
#include <tally/emu_exit.h>

#define QEMU_DEBUG_EXIT_PORT	0xF4	/* -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT	0x8900	/* "Shutdown", byte by byte */

void emu_exit(uint8_t code)
{
	static const char shutdown[] = "Shutdown";

	console_flush();	/* the emulator stops at once: let the last line out */
	outb(QEMU_DEBUG_EXIT_PORT, code);
	for (const char *p = shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
}
