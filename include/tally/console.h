/* SPDX-License-Identifier: MIT */
/* The serial console that log lines and guest console lines go to. */
#ifndef TALLY_CONSOLE_H
#define TALLY_CONSOLE_H

#include <tally/types.h>

/* The longest line, or tag, a caller gives the console (a log line: kernel/log.c). */
#define CONSOLE_LINE_MAX	256

/* Whose line: a guest's lines leave room in the ring that only Tally's may take. */
enum console_origin {
	CONSOLE_TALLY,
	CONSOLE_GUEST,
};

/* Start the console on COM1, polled: callable as the very first thing in C. */
void console_init_early(void);
/* The TSC when console_init_early() ran: time zero of the stamps. */
uint64_t console_boot_tsc(void);
/* Move the console to the UART at @port (command line `console=`), at boot. */
void console_set_port(uint16_t port);
/*
 * Once the I/O APIC is up: queue lines in a ring that the UART's transmit
 * interrupt drains.  Without an I/O APIC (no ACPI, `acpi=off`) the console
 * stays polled and says so.
 */
void console_start_irq(void);

/*
 * Queue the whole line @line (@len bytes, ending in "\n"), after its
 * stamp with `console_timestamps`, ending a guest's open line first:
 * true if queued, false if the ring lacked room and it was dropped whole
 * (counted; a guest's only: for Tally's the writer sends queued bytes
 * until it fits, ~87 us a byte).  Polled output waits for the UART and
 * always succeeds.
 */
bool console_write_line(const char *line, size_t len, enum console_origin origin);

struct console_piece;

/* What became of a guest's piece. */
enum console_result {
	CONSOLE_WRITTEN,	/* queued (or nothing was left to print) */
	CONSOLE_REFUSED,	/* it needed a new console line and @may_start said no */
	CONSOLE_DROPPED,	/* the ring lacked room, outside Tally's reserve: counted */
};
/*
 * Queue guest piece @p (tally/console_seq.h): appended to its domain's
 * open console line, or on a new line, ending whatever line is open, if
 * @may_start(@ctx) allows, asked under the console's lock (a rate limit).
 */
enum console_result console_write_guest(const struct console_piece *p,
					bool (*may_start)(void *ctx), void *ctx);
/*
 * Write raw bytes (and the stamp), polled, bypassing the lock: only for a
 * panic, after console_panic(), when a stopped CPU may hold the lock.
 */
void console_write_unlocked(const char *s, size_t len);
/* A panic stopped the other CPUs: send what is queued, then write synchronously. */
void console_panic(void);
/*
 * From every VM exit: refill the UART's FIFO if lines wait and the
 * interrupt is late (uart_kick(); a load and a compare while none wait).
 */
void console_kick(void);
/* Print the lines dropped for want of room and Tally's waits for it: the run's last figures. */
void console_report_dropped(void);

/* A byte typed on the console, or -1 when none is waiting. */
int console_getc(void);
/* Send everything queued and wait until it has left, e.g. before leaving the emulator. */
void console_flush(void);

#endif
