/* SPDX-License-Identifier: MIT */
/* Test-guest console: polled transmit on the 16550 UART at COM1. */
#include <public/tally.h>
#include "serial.h"
#include "x86.h"

#define UART_THR		0	/* transmit holding register */
#define UART_DLL		0	/* divisor latch low, while LCR.DLAB */
#define UART_IER		1	/* interrupt enable register */
#define UART_DLM		1	/* divisor latch high, while LCR.DLAB */
#define UART_LCR		3	/* line control register */
#define UART_LSR		5	/* line status register */
#define UART_LCR_8N1		0x03u	/* 8 data bits, no parity, 1 stop bit */
#define UART_LCR_DLAB		0x80u	/* divisor latch access */
#define UART_DIVISOR_115200	1u	/* 1.8432 MHz / 16 / 115200 */
#define UART_LSR_THRE		(1u << 5)	/* THR empty: ready for a byte */
/*
 * A real or emulated UART drains in microseconds; a UART that never says
 * ready must not hang the test, so give up waiting and send anyway.
 */
#define UART_SPIN_LIMIT		100000

/*
 * 115200 baud, 8N1, no interrupts.  QEMU and Tally ignore the line format,
 * but a real 16550 (and Bochs) resets to 5 data bits, and no loader is
 * bound to set it.
 */
void serial_init(void)
{
	outb(TALLY_PORT_UART + UART_IER, 0);
	outb(TALLY_PORT_UART + UART_LCR, UART_LCR_DLAB);
	outb(TALLY_PORT_UART + UART_DLL, UART_DIVISOR_115200 & 0xFF);
	outb(TALLY_PORT_UART + UART_DLM, UART_DIVISOR_115200 >> 8);
	outb(TALLY_PORT_UART + UART_LCR, UART_LCR_8N1);
}

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
