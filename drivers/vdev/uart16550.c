/* SPDX-License-Identifier: MIT */
/* The PC16550D register model (see tally/uart16550.h): pure, no time, no locks.
 *
 * Deviations, because no time passes here: a written byte leaves at once
 * (THR and the shift register are always empty again by the next access),
 * and in FIFO mode the character timeout (IIR 0x0C) is pending as soon as
 * fewer bytes than the trigger level wait, as if four character times had
 * passed: a guest sees every byte at once rather than after a delay. */
#include <tally/uart16550.h>

/* The modem inputs outside loopback: a terminal that is there and ready. */
#define MSR_INPUTS_CONNECTED	(UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

static const uint8_t trigger_levels[] = { 1, 4, 8, 14 };	/* FCR bits 7:6 */

static bool fifo_mode(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

/* The receiver's room: the FIFO, or the single RBR in 16450 mode (FCR0 clear). */
static unsigned int rx_capacity(const struct uart16550 *u)
{
	return fifo_mode(u) ? UART16550_FIFO_SIZE : 1;
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/*
 * The modem inputs MSR shows: in loopback the MCR outputs wired back
 * (PC16550D "8.6 MODEM Control Register", bit 4: RTS to CTS, DTR to DSR,
 * OUT1 to RI, OUT2 to DCD), otherwise a connected terminal.
 */
static uint8_t msr_inputs(const struct uart16550 *u)
{
	uint8_t m = u->mcr, in = 0;

	if (!(m & UART_MCR_LOOP))
		return MSR_INPUTS_CONNECTED;
	in |= m & UART_MCR_RTS ? UART_MSR_CTS : 0;
	in |= m & UART_MCR_DTR ? UART_MSR_DSR : 0;
	in |= m & UART_MCR_OUT1 ? UART_MSR_RI : 0;
	in |= m & UART_MCR_OUT2 ? UART_MSR_DCD : 0;
	return in;
}

/* Deltas for inputs that changed from @before to @after: TERI only when RI falls. */
static uint8_t msr_deltas_of(uint8_t before, uint8_t after)
{
	uint8_t changed = (uint8_t)((before ^ after) >> 4);
	uint8_t d = changed & (UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);

	if ((before & UART_MSR_RI) && !(after & UART_MSR_RI))
		d |= UART_MSR_TERI;
	return d;
}

/* IIR's identity bits, by the priority of PC16550D table IV. */
static uint8_t pending_id(const struct uart16550 *u)
{
	uint8_t ier = u->ier;

	if ((ier & UART_IER_ELSI) && u->lsr_errors)
		return UART_IIR_RLSI;
	if ((ier & UART_IER_ERBFI) && u->rx_count) {
		unsigned int level = trigger_levels[u->fcr >> UART_FCR_TRIGGER_SHIFT];

		if (!fifo_mode(u) || u->rx_count >= level)
			return UART_IIR_RDI;
		return UART_IIR_CTI;
	}
	if ((ier & UART_IER_ETBEI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((ier & UART_IER_EDSSI) && u->msr_deltas)
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

uint8_t uart16550_iir(const struct uart16550 *u)
{
	return pending_id(u) | (fifo_mode(u) ? UART_IIR_FIFOS : 0);
}

bool uart16550_irq_line(const struct uart16550 *u)
{
	/* Loopback forces OUT2 inactive at the pin, so the PC's gate closes too. */
	if ((u->mcr & (UART_MCR_OUT2 | UART_MCR_LOOP)) != UART_MCR_OUT2)
		return false;
	return pending_id(u) != UART_IIR_NO_INT;
}

bool uart16550_receive(struct uart16550 *u, uint8_t c)
{
	if (u->rx_count >= rx_capacity(u)) {
		/* The FIFO keeps what it holds; the new byte is overwritten (8.4, LSR bit 1). */
		u->lsr_errors |= UART_LSR_OE;
		u->rx_overruns++;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART16550_FIFO_SIZE] = c;
	u->rx_count++;
	return true;
}

static uint8_t read_rbr(struct uart16550 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART16550_FIFO_SIZE;
	u->rx_count--;
	return c;
}

/* THR: the byte leaves at once (or comes back, in loopback); the THRE source is set again. */
static bool write_thr(struct uart16550 *u, uint8_t c, uint8_t *tx)
{
	u->thre_pending = true;
	if (u->mcr & UART_MCR_LOOP) {
		uart16550_receive(u, c);
		return false;
	}
	*tx = c;
	return true;
}

static void write_ier(struct uart16550 *u, uint8_t val)
{
	uint8_t ier = val & UART_IER_MASK;

	/* Enabling ETBEI with THR empty raises the THRE interrupt at once (Linux tests for it). */
	if ((ier & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
		u->thre_pending = true;
	u->ier = ier;
}

/* FCR (8.5): bit 0 must be set for the others to take; switching modes empties the FIFOs. */
static void write_fcr(struct uart16550 *u, uint8_t val)
{
	if ((val ^ u->fcr) & UART_FCR_ENABLE)
		rx_clear(u);
	if (!(val & UART_FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (val & UART_FCR_CLEAR_RX)
		rx_clear(u);
	/* CLEAR_TX: the transmit FIFO is always empty here. */
	u->fcr = val & (UART_FCR_ENABLE | UART_FCR_TRIGGER_MASK);
}

static void write_mcr(struct uart16550 *u, uint8_t val)
{
	uint8_t before = msr_inputs(u);

	u->mcr = val & UART_MCR_MASK;
	u->msr_deltas |= msr_deltas_of(before, msr_inputs(u));
}

bool uart16550_write(struct uart16550 *u, unsigned int reg, uint8_t val, uint8_t *tx)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART16550_RBR_THR:
		if (dlab)
			u->dll = val;
		else
			return write_thr(u, val, tx);
		break;
	case UART16550_IER: if (dlab) u->dlm = val; else write_ier(u, val); break;
	case UART16550_IIR_FCR: write_fcr(u, val); break;
	case UART16550_LCR: u->lcr = val; break;
	case UART16550_MCR: write_mcr(u, val); break;
	case UART16550_SCR: u->scr = val; break;
	default: break;		/* LSR and MSR are read-only (writes are for factory test) */
	}
	return false;
}

static uint8_t read_iir(struct uart16550 *u)
{
	uint8_t iir = uart16550_iir(u);

	/* Reading IIR clears the THRE interrupt when it is the one reported (table IV). */
	if ((iir & ~UART_IIR_FIFOS) == UART_IIR_THRI)
		u->thre_pending = false;
	return iir;
}

static uint8_t read_lsr(struct uart16550 *u)
{
	uint8_t lsr = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_errors;

	if (u->rx_count)
		lsr |= UART_LSR_DR;
	u->lsr_errors = 0;	/* reading LSR clears OE and the line status interrupt */
	return lsr;
}

static uint8_t read_msr(struct uart16550 *u)
{
	uint8_t msr = msr_inputs(u) | u->msr_deltas;

	u->msr_deltas = 0;
	return msr;
}

uint8_t uart16550_read(struct uart16550 *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART16550_RBR_THR: return dlab ? u->dll : read_rbr(u);
	case UART16550_IER: return dlab ? u->dlm : u->ier;
	case UART16550_IIR_FCR: return read_iir(u);
	case UART16550_LCR: return u->lcr;
	case UART16550_MCR: return u->mcr;
	case UART16550_LSR: return read_lsr(u);
	case UART16550_MSR: return read_msr(u);
	case UART16550_SCR: return u->scr;
	default: return 0xFF;
	}
}
