/* SPDX-License-Identifier: MIT */
/*
 * The PC16550D UART's register model, pure: what each register access
 * does to the registers, the receive FIFO and the interrupt output.  No
 * time passes in it: a byte written to THR has left at once, so the
 * transmitter is always empty.  drivers/vdev/vuart.c puts it on a
 * domain's ports, lines and interrupt.
 */
#ifndef TALLY_UART16550_H
#define TALLY_UART16550_H

#include <tally/types.h>

/* Register offsets from the base port (PC16550D, table II "register summary"). */
enum uart16550_reg {
	UART16550_RBR_THR = 0,	/* DLL when LCR.DLAB */
	UART16550_IER = 1,	/* DLM when LCR.DLAB */
	UART16550_IIR_FCR = 2,	/* IIR read, FCR written */
	UART16550_LCR = 3,
	UART16550_MCR = 4,
	UART16550_LSR = 5,
	UART16550_MSR = 6,
	UART16550_SCR = 7,
	UART16550_REGS = 8,
};

/* IER: the four interrupt enables. */
#define UART_IER_ERBFI		0x01	/* received data available (and character timeout) */
#define UART_IER_ETBEI		0x02	/* transmitter holding register empty */
#define UART_IER_ELSI		0x04	/* receiver line status */
#define UART_IER_EDSSI		0x08	/* modem status */
#define UART_IER_MASK		0x0F

/* IIR: bit 0 clear while an interrupt is pending, its identity in bits 3:1 (table IV). */
#define UART_IIR_NO_INT		0x01
#define UART_IIR_MSI		0x00	/* modem status: lowest priority */
#define UART_IIR_THRI		0x02	/* transmitter holding register empty */
#define UART_IIR_RDI		0x04	/* received data reached the trigger level */
#define UART_IIR_RLSI		0x06	/* receiver line status: highest priority */
#define UART_IIR_CTI		0x0C	/* character timeout (FIFO mode) */
#define UART_IIR_FIFOS		0xC0	/* set while FCR.FIFO_ENABLE */

/* FCR. */
#define UART_FCR_ENABLE		0x01
#define UART_FCR_CLEAR_RX	0x02
#define UART_FCR_CLEAR_TX	0x04
#define UART_FCR_TRIGGER_MASK	0xC0	/* receive trigger level: 1, 4, 8, 14 bytes */
#define UART_FCR_TRIGGER_SHIFT	6

#define UART_LCR_DLAB		0x80

/* MCR: outputs, and loopback. */
#define UART_MCR_DTR		0x01
#define UART_MCR_RTS		0x02
#define UART_MCR_OUT1		0x04
#define UART_MCR_OUT2		0x08	/* on a PC, gates the interrupt line to the interrupt controller */
#define UART_MCR_LOOP		0x10
#define UART_MCR_MASK		0x1F

/* LSR. */
#define UART_LSR_DR		0x01	/* data ready */
#define UART_LSR_OE		0x02	/* overrun error */
#define UART_LSR_THRE		0x20	/* transmitter holding register empty */
#define UART_LSR_TEMT		0x40	/* transmitter (holding and shift registers) empty */

/* MSR: deltas in the low nibble, the modem inputs in the high one. */
#define UART_MSR_DCTS		0x01
#define UART_MSR_DDSR		0x02
#define UART_MSR_TERI		0x04	/* trailing edge of RI */
#define UART_MSR_DDCD		0x08
#define UART_MSR_DELTAS		0x0F
#define UART_MSR_CTS		0x10
#define UART_MSR_DSR		0x20
#define UART_MSR_RI		0x40
#define UART_MSR_DCD		0x80

#define UART16550_FIFO_SIZE	16

/*
 * One UART.  All zeros is the state after a master reset (PC16550D table
 * VIII): interrupts off, FIFOs off, transmitter empty, nothing received.
 */
struct uart16550 {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;			/* FIFO enable and trigger level as programmed */
	uint8_t lsr_errors;		/* UART_LSR_OE, until LSR is read */
	uint8_t msr_deltas;		/* until MSR is read */
	bool thre_pending;		/* the THRE interrupt's source is set */
	uint8_t rx[UART16550_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	uint64_t rx_overruns;		/* bytes lost to a full receiver */
};

/*
 * Write @val to register @reg (0..7).  True when the write sends a byte
 * down the line (THR outside loopback), stored in *@tx.
 */
bool uart16550_write(struct uart16550 *u, unsigned int reg, uint8_t val, uint8_t *tx);
/* Read register @reg (0..7), with the read's side effects (RBR, IIR, LSR, MSR). */
uint8_t uart16550_read(struct uart16550 *u, unsigned int reg);
/* A byte arrives on the receive line: false if the receiver was full (overrun, byte lost). */
bool uart16550_receive(struct uart16550 *u, uint8_t c);
/* What IIR would read now, without reading it. */
uint8_t uart16550_iir(const struct uart16550 *u);
/* The level of the interrupt line as a PC wires it: an enabled interrupt pending, MCR.OUT2 set. */
bool uart16550_irq_line(const struct uart16550 *u);

#endif
