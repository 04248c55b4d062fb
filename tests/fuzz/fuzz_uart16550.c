/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the PC16550D register model (drivers/vdev/uart16550.c).
 *
 * Input: operations, each an op byte, a register byte and a value byte:
 * a guest write, a guest read, or a byte arriving on the line.  A plain
 * FIFO runs beside the model: every byte read from RBR must be the oldest
 * one kept, a byte is lost exactly when the receiver was full (16 bytes
 * with FIFOs on, 1 without), and IIR, LSR and the interrupt line must
 * agree with each other after every operation.
 */
#include <string.h>

#include <tally/uart16550.h>

#include "harness.h"
#include "shim.h"

enum op { OP_WRITE, OP_READ, OP_RECEIVE, OP_COUNT };

#define MAX_OPS		512

static struct {
	uint8_t q[UART16550_FIFO_SIZE];
	unsigned int head, count;
	bool fifo;
	uint64_t lost;
} shadow;

static unsigned int shadow_capacity(void)
{
	return shadow.fifo ? UART16550_FIFO_SIZE : 1;
}

static void shadow_push(uint8_t c, bool kept)
{
	FUZZ_CHECK(kept == (shadow.count < shadow_capacity()));
	if (!kept) {
		shadow.lost++;
		return;
	}
	shadow.q[(shadow.head + shadow.count++) % UART16550_FIFO_SIZE] = c;
}

static void op_write(struct uart16550 *u, unsigned int reg, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB, loop = u->mcr & UART_MCR_LOOP;
	uint8_t tx = 0;
	unsigned int before = u->rx_count;
	bool sent = uart16550_write(u, reg, val, &tx);

	FUZZ_CHECK(sent == (reg == UART16550_RBR_THR && !dlab && !loop));
	FUZZ_CHECK(!sent || tx == val);
	if (reg == UART16550_RBR_THR && !dlab && loop)
		shadow_push(val, u->rx_count == before + 1);
	if (reg == UART16550_IIR_FCR) {
		bool on = val & UART_FCR_ENABLE;

		if (on != shadow.fifo || (on && (val & UART_FCR_CLEAR_RX)))
			shadow.count = shadow.head = 0;
		shadow.fifo = on;
	}
}

static void op_read(struct uart16550 *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v = uart16550_read(u, reg);

	if (reg == UART16550_RBR_THR && !dlab) {
		if (!shadow.count) {
			FUZZ_CHECK(v == 0);
			return;
		}
		FUZZ_CHECK(v == shadow.q[shadow.head]);
		shadow.head = (shadow.head + 1) % UART16550_FIFO_SIZE;
		shadow.count--;
	} else if (reg == UART16550_LSR) {
		FUZZ_CHECK((v & (UART_LSR_THRE | UART_LSR_TEMT)) == (UART_LSR_THRE | UART_LSR_TEMT));
		FUZZ_CHECK(!!(v & UART_LSR_DR) == !!shadow.count);
	} else if (reg == UART16550_IER && !dlab) {
		FUZZ_CHECK(!(v & ~UART_IER_MASK));
	} else if (reg == UART16550_MCR) {
		FUZZ_CHECK(!(v & ~UART_MCR_MASK));
	}
}

/* What must hold between any two accesses. */
static void check_invariants(const struct uart16550 *u)
{
	uint8_t iir = uart16550_iir(u), id = iir & ~UART_IIR_FIFOS;

	FUZZ_CHECK(u->rx_count == shadow.count && u->rx_overruns == shadow.lost);
	FUZZ_CHECK(u->rx_count <= shadow_capacity());
	FUZZ_CHECK((iir & UART_IIR_FIFOS) == (shadow.fifo ? UART_IIR_FIFOS : 0));
	FUZZ_CHECK(id == UART_IIR_NO_INT || id == UART_IIR_MSI || id == UART_IIR_THRI ||
		   id == UART_IIR_RDI || id == UART_IIR_RLSI || (id == UART_IIR_CTI && shadow.fifo));
	FUZZ_CHECK(id == UART_IIR_NO_INT || (u->ier & UART_IER_MASK));
	FUZZ_CHECK((id == UART_IIR_RDI || id == UART_IIR_CTI) <=
		   ((u->ier & UART_IER_ERBFI) && shadow.count));
	FUZZ_CHECK(uart16550_irq_line(u) == (id != UART_IIR_NO_INT && (u->mcr & UART_MCR_OUT2) &&
					     !(u->mcr & UART_MCR_LOOP)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct uart16550 u;

	memset(&u, 0, sizeof(u));
	memset(&shadow, 0, sizeof(shadow));
	for (int n = 0; n < MAX_OPS && in.size; n++) {
		unsigned int op = (unsigned int)fuzz_take(&in, 1) % OP_COUNT;
		unsigned int reg = (unsigned int)fuzz_take(&in, 1) % UART16550_REGS;
		uint8_t val = (uint8_t)fuzz_take(&in, 1);

		if (op == OP_WRITE)
			op_write(&u, reg, val);
		else if (op == OP_READ)
			op_read(&u, reg);
		else
			shadow_push(val, uart16550_receive(&u, val));
		check_invariants(&u);
	}
	return 0;
}
