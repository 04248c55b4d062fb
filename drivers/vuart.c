/* SPDX-License-Identifier: MIT */
/* Guest-visible 16550 UART: bytes written become whole console lines (PC16550D registers).
 *
 * Receive is not modelled: RBR reads 0 and LSR never says "data ready".
 * The transmitter is always empty, so polled drivers never wait. */
#include <tally/domain.h>
#include <tally/vio.h>
#include <tally/vuart.h>

enum {
	REG_DATA = 0,		/* THR/RBR, or DLL when LCR.DLAB */
	REG_IER = 1,		/* or DLM when LCR.DLAB */
	REG_IIR_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define LCR_DLAB		0x80
#define IIR_NO_INTERRUPT	0x01
#define LSR_THRE_TEMT		0x60	/* transmitter holding and shift registers empty */
#define MSR_CTS_DSR_DCD		0xB0

static void put_byte(struct domain *d, uint8_t c)
{
	struct vuart *u = &d->uart;

	if (c == '\r')
		return;
	if (c == '\n' || u->len == VUART_LINE_MAX - 1) {
		vuart_flush(d);
		if (c == '\n')
			return;
	}
	u->line[u->len++] = vuart_printable(c);
}

void vuart_flush(struct domain *d)
{
	struct vuart *u = &d->uart;

	if (!u->len)
		return;
	u->line[u->len] = '\0';
	u->len = 0;
	domain_console_line(d, u->line);
}

static void vuart_write(struct domain *d, uint16_t port, unsigned int size, uint32_t value)
{
	struct vuart *u = &d->uart;
	uint8_t v = (uint8_t)value;
	bool dlab = u->lcr & LCR_DLAB;

	(void)size;	/* a wider access writes its low byte, as on an ISA bus */
	switch (port - VUART_BASE) {
	case REG_DATA: if (dlab) u->dll = v; else put_byte(d, v); break;
	case REG_IER: if (dlab) u->dlm = v; else u->ier = v & 0x0F; break;
	case REG_LCR: u->lcr = v; break;
	case REG_MCR: u->mcr = v & 0x1F; break;
	case REG_SCR: u->scr = v; break;
	default: break;		/* FCR, LSR, MSR: nothing to keep */
	}
}

static uint32_t vuart_read(struct domain *d, uint16_t port, unsigned int size)
{
	struct vuart *u = &d->uart;
	bool dlab = u->lcr & LCR_DLAB;

	(void)size;
	switch (port - VUART_BASE) {
	case REG_DATA: return dlab ? u->dll : 0;
	case REG_IER: return dlab ? u->dlm : u->ier;
	case REG_IIR_FCR: return IIR_NO_INTERRUPT;
	case REG_LCR: return u->lcr;
	case REG_MCR: return u->mcr;
	case REG_LSR: return LSR_THRE_TEMT;
	case REG_MSR: return MSR_CTS_DSR_DCD;
	default: return u->scr;
	}
}

static const struct vio_port_ops vuart_ops = {
	.name = "uart",
	.read = vuart_read,
	.write = vuart_write,
};

int vuart_register(void)
{
	return vio_register_ports(VUART_BASE, VUART_PORTS, &vuart_ops);
}
