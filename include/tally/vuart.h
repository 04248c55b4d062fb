/* SPDX-License-Identifier: MIT */
/* The 16550 UART every domain has at 0x3F8: transmit-only, always ready. */
#ifndef TALLY_VUART_H
#define TALLY_VUART_H

#include <tally/domain_config.h>
#include <tally/types.h>

struct domain;

#define VUART_BASE		0x3F8
#define VUART_PORTS		8
#define VUART_LINE_MAX		160

/* The line one vCPU is assembling: written only by the CPU that runs that vCPU. */
struct vuart_line {
	char text[VUART_LINE_MAX];
	unsigned int len;
};

/*
 * One domain's UART: its registers, shared by its vCPUs as a real UART's
 * are (each is one byte, written whole: the last write wins), and a line
 * per vCPU.  Per-vCPU lines rather than a lock: no vCPU's exit ever waits
 * for another's, and a guest whose CPUs print without a lock of their own
 * still gets whole lines, each from one vCPU (a shared buffer mixes their
 * bytes, and raced on its length).
 */
struct vuart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	struct vuart_line lines[DOMAIN_MAX_VCPUS];
};

/* Claim the UART's ports (vio_register_ports) at boot. */
int vuart_register(void);

/*
 * Send every vCPU's partial line (the domain is ending).  A vCPU still
 * running on another CPU may lose or repeat a byte of its line, never
 * write outside it.
 */
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
