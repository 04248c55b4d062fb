/* SPDX-License-Identifier: MIT */
/* 16550 UART: polled transmit for the console (PC16550D data sheet). */
#include <arch/io.h>
#include <tally/uart.h>

/* Register offsets from the base port. */
#define UART_THR	0	/* transmit holding (DLAB = 0) */
#define UART_DLL	0	/* divisor latch low (DLAB = 1) */
#define UART_IER	1	/* interrupt enable (DLAB = 0) */
#define UART_DLM	1	/* divisor latch high (DLAB = 1) */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define UART_LCR_8N1	0x03
#define UART_LCR_DLAB	0x80
#define UART_FCR_ENABLE_CLEAR	0x07	/* enable FIFOs, clear both */
#define UART_MCR_DTR_RTS_OUT2	0x0B
#define UART_LSR_DATA_READY	0x01
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty: the last bit is out */

#define UART_CLOCK_HZ	1843200
#define UART_BAUD	115200

/*
 * Bound on the wait for the transmitter: with no UART at the port, LSR
 * reads 0xFF (THRE set) and nothing blocks, but a wedged one must not hang
 * the console forever.  At 115200 baud a byte takes ~87 us.
 */
#define UART_TX_SPINS	100000

void uart_init(struct uart *u, uint16_t port)
{
	uint16_t divisor = UART_CLOCK_HZ / 16 / UART_BAUD;

	u->port = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, divisor & 0xFF);
	outb(port + UART_DLM, divisor >> 8);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, UART_MCR_DTR_RTS_OUT2);
}

static void uart_putc(struct uart *u, char c)
{
	for (int i = 0; i < UART_TX_SPINS; i++)
		if (inb(u->port + UART_LSR) & UART_LSR_THRE)
			break;
	outb(u->port + UART_THR, (uint8_t)c);
}

void uart_write(struct uart *u, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc(u, '\r');
		uart_putc(u, s[i]);
	}
}

void uart_flush(struct uart *u)
{
	for (int i = 0; i < UART_TX_SPINS; i++)
		if (inb(u->port + UART_LSR) & UART_LSR_TEMT)
			return;
}

int uart_getc(struct uart *u)
{
	uint8_t lsr = inb(u->port + UART_LSR);

	/* All-ones: no UART at this port. */
	if (lsr == 0xFF || !(lsr & UART_LSR_DATA_READY))
		return -1;
	return inb(u->port + UART_THR);
}
