/* SPDX-License-Identifier: MIT */
/* 16550 UART driver for Tally's serial console. */
#ifndef TALLY_UART_H
#define TALLY_UART_H

#include <tally/types.h>

#define UART_COM1	0x3F8
#define UART_COM2	0x2F8
#define UART_COM3	0x3E8
#define UART_COM4	0x2E8

struct uart {
	uint16_t port;
};

/* Program @u at @port for 115200 baud, 8N1, FIFOs on, interrupts off. */
void uart_init(struct uart *u, uint16_t port);
/* Send @len bytes, turning "\n" into "\r\n"; waits for the transmitter. */
void uart_write(struct uart *u, const char *s, size_t len);

/* A received byte, or -1 when none is waiting. */
int uart_getc(struct uart *u);
/* Wait (bounded) until every byte sent has left the transmitter. */
void uart_flush(struct uart *u);

#endif
