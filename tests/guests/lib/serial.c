/* SPDX-License-Identifier: MIT */
/* Test-guest console: polled transmit on the 16550 UART at COM1. */
#include <public/tally.h>
#include "serial.h"
#include "x86.h"

#define UART_THR		0	/* transmit holding register */
#define UART_LSR		5	/* line status register */
#define UART_LSR_THRE		(1u << 5)	/* THR empty: ready for a byte */
/*
 * A real or emulated UART drains in microseconds; a UART that never says
 * ready must not hang the test, so give up waiting and send anyway.
 */
#define UART_SPIN_LIMIT		100000

/* Send @c to COM1, waiting (boundedly) for the transmitter to be free. */
void serial_putc(char c)
{
	unsigned int spins;

	for (spins = 0; spins < UART_SPIN_LIMIT; spins++) {
		if (inb(TALLY_PORT_UART + UART_LSR) & UART_LSR_THRE)
			break;
		cpu_relax();
	}
	outb(TALLY_PORT_UART + UART_THR, (uint8_t)c);
}

/* Send the NUL-terminated @s to COM1. */
void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}
