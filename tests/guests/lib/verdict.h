/* SPDX-License-Identifier: MIT */
/* Test-guest verdicts, as XTF's: ordered by severity; each value is the debug-exit code. */
#ifndef GUEST_VERDICT_H
#define GUEST_VERDICT_H

/*
 * The most severe verdict reported during a run is the guest's verdict:
 * ERROR (the test itself broke) > FAIL > SKIP > PASS.  The guest prints
 * "TEST RESULT: <name>" once and writes the value to the debug-exit port.
 */
enum verdict {
	VERDICT_PASS	= 0,
	VERDICT_SKIP	= 1,
	VERDICT_FAIL	= 2,
	VERDICT_ERROR	= 3,
};

/* The exit status QEMU's isa-debug-exit (and Tally) report for a written value. */
#define VERDICT_EXIT_STATUS(v)	(((v) << 1) | 1)

#endif
