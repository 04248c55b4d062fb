/* SPDX-License-Identifier: MIT */
/* Test-guest console: transmit-only 16550 UART at COM1. */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

/* Program COM1 for 115200 baud, 8N1, before the first byte. */
void serial_init(void);

/* Send @c to COM1, waiting (boundedly) for the transmitter to be free. */
void serial_putc(char c);

/* Send the NUL-terminated @s to COM1. */
void serial_puts(const char *s);

#endif
