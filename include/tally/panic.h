/* SPDX-License-Identifier: MIT */
/* panic(): a broken invariant inside Tally stops every CPU with a full report. */
#ifndef TALLY_PANIC_H
#define TALLY_PANIC_H

#include <tally/types.h>

/* Print the message, registers and backtrace, stop all CPUs; never returns. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* True once a panic started (other CPUs and the console check it). */
bool panic_in_progress(void);

/* Enter the panic state: returns false if another CPU already panicked. */
bool panic_begin(void);
/* Finish a panic begun with panic_begin(): leave the emulator or halt. */
__noreturn void panic_end(void);

#define BUG_ON(cond)							\
	do {								\
		if (cond)						\
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
