/* SPDX-License-Identifier: MIT */
/* Guest-visible 16550 UART: bytes written become whole console lines (PC16550D registers).
 *
 * Receive is not modelled: RBR reads 0 and LSR never says "data ready".
 * The transmitter is always empty, so polled drivers never wait.
 * Locking: none.  Each vCPU assembles its own line (see struct vuart), on
 * the one CPU that runs it; the registers are single bytes. */
#include <tally/domain.h>
#include <tally/string.h>
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

/*
 * Print @l's line and start it afresh.  The length is taken by an atomic
 * exchange and bounded, so a flush from another CPU (the domain ending)
 * never reads past the line, even while its vCPU still writes.
 */
static void flush_line(struct domain *d, struct vuart_line *l)
{
	unsigned int n = __atomic_exchange_n(&l->len, 0, __ATOMIC_ACQ_REL);
	char text[VUART_LINE_MAX];

	n = MIN(n, VUART_LINE_MAX - 1);
	if (!n)
		return;
	memcpy(text, l->text, n);
	text[n] = '\0';
	domain_console_line(d, text);
}

static void put_byte(struct vcpu *v, uint8_t c)
{
	struct vuart_line *l = &v->domain->uart.lines[v->id];
	unsigned int n = __atomic_load_n(&l->len, __ATOMIC_RELAXED);

	if (c == '\r')
		return;
	if (c == '\n' || n >= VUART_LINE_MAX - 1) {
		flush_line(v->domain, l);
		if (c == '\n')
			return;
		n = 0;
	}
	l->text[n] = vuart_printable(c);
	__atomic_store_n(&l->len, n + 1, __ATOMIC_RELEASE);
}

void vuart_flush(struct domain *d)
{
	for (unsigned int i = 0; i < DOMAIN_MAX_VCPUS; i++)
		flush_line(d, &d->uart.lines[i]);
}

static void vuart_write(struct vcpu *v, uint16_t port, unsigned int size __unused, uint32_t value)
{
	struct vuart *u = &v->domain->uart;
	uint8_t b = (uint8_t)value;
	bool dlab = u->lcr & LCR_DLAB;

	/* Whatever @size, an access writes its low byte, as on an ISA bus. */
	switch (port - VUART_BASE) {
	case REG_DATA: if (dlab) u->dll = b; else put_byte(v, b); break;
	case REG_IER: if (dlab) u->dlm = b; else u->ier = b & 0x0F; break;
	case REG_LCR: u->lcr = b; break;
	case REG_MCR: u->mcr = b & 0x1F; break;
	case REG_SCR: u->scr = b; break;
	default: break;		/* FCR, LSR, MSR: nothing to keep */
	}
}

static uint32_t vuart_read(struct vcpu *v, uint16_t port, unsigned int size __unused)
{
	const struct vuart *u = &v->domain->uart;
	bool dlab = u->lcr & LCR_DLAB;

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
