/* SPDX-License-Identifier: MIT */
/* Test-guest user mode: run a check at CPL 3, as a program inside the guest would. */
#ifndef GUEST_USER_H
#define GUEST_USER_H

/*
 * Drop to CPL 3 (flat DPL-3 segments, same stack, interrupts off) and run
 * @fn there, for good: it must end the test with guest_exit().  IOPL is 3,
 * so the user code can still print and reach the debug-exit port; there is
 * no TSS, so it must take no interrupt or exception.
 */
__attribute__((noreturn)) void user_mode_run(void (*fn)(void));

#endif
