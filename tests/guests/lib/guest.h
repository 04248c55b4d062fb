/* SPDX-License-Identifier: MIT */
/* Test-guest library: what a guest's main.c includes, and the lifecycle and verdict calls. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <public/tally.h>
#include "cmdline.h"
#include "div64.h"
#include "hcall.h"
#include "irq.h"
#include "mb.h"
#include "mem.h"
#include "page.h"
#include "printk.h"
#include "serial.h"
#include "sleep.h"
#include "smp.h"
#include "trap.h"
#include "tsc.h"
#include "user.h"
#include "verdict.h"
#include "x2apic.h"
#include "x86.h"

/* Each guest defines these two. */

/* The guest's name: the prefix of its report lines. */
extern const char guest_name[];

/* The test.  Returning ends the test as guest_exit() does. */
void guest_main(const struct mb_info *mbi);

/* C entry from entry.asm: set up descriptors, check the magic, run guest_main(), exit. */
__attribute__((noreturn)) void guest_start(const struct mb_info *mbi, uint32_t magic);

/* Raise the verdict to @v if that is more severe than the current one. */
void guest_report(enum verdict v);

/* Print "<name>: FAIL: <message>" and raise the verdict to FAIL. */
void guest_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "<name>: SKIP: <message>" and raise the verdict to SKIP. */
void guest_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "<name>: ERROR: <message>" and raise the verdict to ERROR (the test itself broke). */
void guest_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "<name>: ok: <message>" or, if !@ok, report it as guest_fail() does; returns @ok. */
bool guest_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The most severe verdict reported so far. */
enum verdict guest_verdict(void);

/* Print "TEST RESULT: <verdict>" once and leave through the debug-exit port. */
__attribute__((noreturn)) void guest_exit(void);

#endif
