/* SPDX-License-Identifier: MIT */
/* The 16550 UART every domain has at 0x3F8: transmit-only, always ready. */
#ifndef TALLY_VUART_H
#define TALLY_VUART_H

#include <tally/types.h>

struct domain;

#define VUART_BASE		0x3F8
#define VUART_PORTS		8
#define VUART_LINE_MAX		160

/* One domain's UART: its registers and the line being assembled. */
struct vuart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	char line[VUART_LINE_MAX];
	unsigned int len;
};

/* Claim the UART's ports (vio_register_ports) at boot. */
int vuart_register(void);

/* Flush a partial line (the domain is ending). */
void vuart_flush(struct domain *d);

/*
 * How a guest's byte appears in a console line, whichever way it came
 * (UART or the console hypercall): printable ASCII and tabs as they are,
 * other control bytes as '.', so no guest can move the cursor or inject
 * escape sequences into the console.
 */
static inline char vuart_printable(uint8_t c)
{
	return (c >= 0x20 && c < 0x7F) || c == '\t' ? (char)c : '.';
}

#endif
