/* SPDX-License-Identifier: MIT */
/* 16550 UART driver: Tally's serial console and the metrics stream, polled or interrupt-driven. */
#ifndef TALLY_UART_H
#define TALLY_UART_H

#include <tally/ring.h>
#include <tally/spinlock.h>
#include <tally/types.h>

#define UART_COM1	0x3F8
#define UART_COM2	0x2F8
#define UART_COM3	0x3E8
#define UART_COM4	0x2E8

struct uart {
	uint16_t port;
	bool irq_tx;		/* records go through @tx, sent by the THRE interrupt */
	bool thre_irq;		/* the THRE interrupt is enabled in IER */
	struct spinlock lock;	/* @tx, IER and the FIFO in interrupt mode */
	struct ring tx;
	uint64_t next_kick;	/* TSC before which uart_kick() need not look at the FIFO */
};

/* Program @u at @port for 115200 baud, 8N1, FIFOs on, interrupts off, polled transmit. */
void uart_init(struct uart *u, uint16_t port);
/* Send @len bytes, turning "\n" into "\r\n"; waits for the transmitter (polled mode only). */
void uart_write(struct uart *u, const char *s, size_t len);

/*
 * Transmit records through the @size bytes at @buf, drained by the UART's
 * ISA IRQ through the I/O APIC to the boot CPU (shared with the other
 * UART on that IRQ).  Returns 0, or -ENODEV (not a COM1-4 port, or no I/O
 * APIC serves its IRQ), -ENOSPC (no vector) or another routing error; @u
 * then stays polled.
 */
int uart_start_irq_tx(struct uart *u, char *buf, size_t size);
/* Start a record: takes @u's lock, interrupts off, until uart_record_end(). */
unsigned long uart_record_begin(struct uart *u);
/* Add @len bytes ("\n" sent as "\r\n") to the record; polled mode sends them now. */
void uart_record_write(struct uart *u, const char *s, size_t len);
/* Bytes the open record may still take whole (SIZE_MAX when polled); between begin and end. */
size_t uart_record_room(const struct uart *u);
/*
 * Between begin and end: send queued bytes, polled, until the open record
 * may take @want more bytes or nothing queued is left; returns the room
 * then (SIZE_MAX when polled).  Waits ~87 us per byte sent.
 */
size_t uart_record_wait_room(struct uart *u, size_t want);
/*
 * End the record and give back the lock and @flags from uart_record_begin():
 * true if it was queued whole (always, polled), false if the ring lacked
 * room and it was dropped whole.
 */
bool uart_record_end(struct uart *u, unsigned long flags);
/*
 * Refill the transmit FIFO if it has emptied: a backstop, from a periodic
 * tick, for an interrupt that comes late (see docs/METRICS.md).
 */
void uart_poll(struct uart *u);
/*
 * At TSC @now, refill the transmit FIFO if queued bytes wait and a FIFO's
 * worth of line time has passed since the last fill: cheap enough for
 * every VM exit (a load and a compare while nothing waits), for when the
 * interrupt comes late.  Skips if another CPU holds the lock.
 */
void uart_kick(struct uart *u, uint64_t now);
/* Whether queued bytes wait for the line (a hint: read without the lock). */
static inline bool uart_tx_pending(const struct uart *u)
{
	return __atomic_load_n(&u->tx.used, __ATOMIC_RELAXED) != 0;
}
/*
 * For a panic, once the other CPUs have stopped: send the whole records
 * queued (polled, without the lock a stopped CPU may hold) and stay polled.
 */
void uart_panic_flush(struct uart *u);
/* Records dropped so far for want of room. */
uint64_t uart_records_dropped(const struct uart *u);

/* A received byte, or -1 when none is waiting. */
int uart_getc(struct uart *u);
/*
 * Send everything queued and wait (bounded) until the last bit has left:
 * for the end, when the emulator may stop right after.  A UART in
 * interrupt mode transmits polled from then on.
 */
void uart_flush(struct uart *u);

#endif
