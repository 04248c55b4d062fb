/* SPDX-License-Identifier: MIT */
/* Tally's own command-line options, parsed and checked once at boot. */
#ifndef TALLY_OPTIONS_H
#define TALLY_OPTIONS_H

#include <tally/bill.h>
#include <tally/log.h>

/* Deliberate failures, so tests can check the fatal-error reports. */
enum crash_test {
	CRASH_NONE,
	CRASH_NULL,	/* read through a NULL pointer: #PF */
	CRASH_UD,	/* undefined instruction: #UD */
	CRASH_PANIC,	/* panic() */
	CRASH_GUEST_STATE,	/* domain d1 starts with invalid guest state */
	CRASH_VM_CONTROL,	/* domain d1's VM entry has an invalid control field */
};

/* What ends a slice and fires vCPU timers (`sched_timer=`). */
enum sched_timer_mode {
	SCHED_TIMER_PREEMPTION,	/* the VMX-preemption timer where the CPU offers it */
	SCHED_TIMER_LAPIC,	/* the local APIC timer's interrupt, an external-interrupt exit */
};

struct tally_options {
	uint16_t console_port;	/* `console=com1..com4` or an I/O port */
	enum log_level loglevel;	/* `loglevel=0..3` or err/warn/info/debug */
	bool exit_when_done;	/* leave the emulator when the work is over */
	bool acpi_off;		/* `acpi=off`: ignore the firmware tables */
	enum crash_test crash_test;	/* `crash_test=`: fail on purpose after boot */
	unsigned int sched_slice_ms;	/* `sched_slice_ms=1..1000` */
	enum sched_timer_mode sched_timer;	/* `sched_timer=lapic|preemption` */
	bool audit;		/* `audit`: prove memory isolation once domains exist */
	uint16_t metrics_port;	/* `metrics=com2` (or a port): the JSON counter stream; 0: off */
	unsigned int metrics_interval_ms;	/* `metrics_interval_ms=10..60000` */
	unsigned int top_interval_s;	/* `top_interval_s=1..3600`: periodic table; 0: off */
	bool console_timestamps;	/* `console_timestamps`: "[ S.UUUUUU] " before each line */
	bool mmio_test;		/* `mmio_test`: every domain sees the MMIO test device (tally/vmmio.h) */
	struct bill_prices prices;	/* `price_*=`: the bill's prices (docs/BILLING.md); 0: free */
};

extern struct tally_options options;

/* Parse @cmdline into `options`, warning about each unknown or bad option. */
void options_parse(const char *cmdline);

#endif
