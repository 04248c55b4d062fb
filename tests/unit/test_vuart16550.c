/* SPDX-License-Identifier: MIT */
/* Unit tests: the PC16550D register model (drivers/vdev/uart16550.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/uart16550.h>

#include "shim.h"

#define LSR_IDLE	(UART_LSR_THRE | UART_LSR_TEMT)
#define MSR_CONNECTED	(UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)
#define FCR_TRIGGER_4	0x40
#define FCR_TRIGGER_14	0xC0

static uint8_t rd(struct uart16550 *u, unsigned int reg)
{
	return uart16550_read(u, reg);
}

/* Write @val; returns the byte sent down the line, or -1 if none was. */
static int wr(struct uart16550 *u, unsigned int reg, uint8_t val)
{
	uint8_t tx = 0;

	return uart16550_write(u, reg, val, &tx) ? tx : -1;
}

static void test_reset_state(void **state)
{
	struct uart16550 u = { 0 };

	(void)state;
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE);
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_NO_INT);
	assert_int_equal(rd(&u, UART16550_MSR), MSR_CONNECTED);
	assert_int_equal(rd(&u, UART16550_RBR_THR), 0);		/* nothing received */
	assert_int_equal(rd(&u, UART16550_IER), 0);
	assert_int_equal(rd(&u, UART16550_MCR), 0);
	assert_false(uart16550_irq_line(&u));
}

static void test_dlab_and_plain_registers(void **state)
{
	struct uart16550 u = { 0 };

	(void)state;
	assert_int_equal(wr(&u, UART16550_IER, 0x05), -1);
	assert_int_equal(wr(&u, UART16550_LCR, UART_LCR_DLAB | 0x03), -1);
	assert_int_equal(rd(&u, UART16550_LCR), UART_LCR_DLAB | 0x03);
	assert_int_equal(wr(&u, UART16550_RBR_THR, '\n'), -1);		/* DLL, not sent */
	assert_int_equal(wr(&u, UART16550_IER, 0x12), -1);		/* DLM, unmasked */
	assert_int_equal(rd(&u, UART16550_RBR_THR), '\n');
	assert_int_equal(rd(&u, UART16550_IER), 0x12);
	uart16550_receive(&u, 'x');
	assert_int_equal(rd(&u, UART16550_RBR_THR), '\n');		/* DLL, the byte stays */
	assert_int_equal(wr(&u, UART16550_LCR, 0x03), -1);
	assert_int_equal(rd(&u, UART16550_IER), 0x05);			/* IER untouched */
	assert_int_equal(rd(&u, UART16550_RBR_THR), 'x');
	assert_int_equal(wr(&u, UART16550_RBR_THR, 'A'), 'A');		/* THR: sent */
	assert_int_equal(wr(&u, UART16550_IER, 0xFF), -1);
	assert_int_equal(rd(&u, UART16550_IER), UART_IER_MASK);		/* four bits */
	assert_int_equal(wr(&u, UART16550_MCR, 0xFF), -1);
	assert_int_equal(rd(&u, UART16550_MCR), UART_MCR_MASK);
	wr(&u, UART16550_SCR, 0x5A);
	assert_int_equal(rd(&u, UART16550_SCR), 0x5A);
	wr(&u, UART16550_LCR, UART_LCR_DLAB);
	assert_int_equal(rd(&u, UART16550_SCR), 0x5A);			/* DLAB does not matter */
	assert_int_equal(rd(&u, UART16550_RBR_THR), '\n');		/* DLL kept */
	assert_int_equal(rd(&u, UART16550_IER), 0x12);			/* DLM kept */
	wr(&u, UART16550_LSR, 0x00);					/* read-only */
	wr(&u, UART16550_MSR, 0x00);
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE);
	assert_int_equal(rd(&u, 8), 0xFF);				/* no such register */
}

static void test_thre_interrupt_rules(void **state)
{
	struct uart16550 u = { 0 };

	(void)state;
	wr(&u, UART16550_MCR, UART_MCR_OUT2);
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_NO_INT);	/* ETBEI off */
	wr(&u, UART16550_IER, UART_IER_ETBEI);		/* enabling it with THR empty raises it */
	assert_int_equal(uart16550_iir(&u), UART_IIR_THRI);
	assert_true(uart16550_irq_line(&u));
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_THRI);	/* the read clears it */
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_NO_INT);
	assert_false(uart16550_irq_line(&u));
	wr(&u, UART16550_IER, UART_IER_ETBEI);		/* still enabled: no new edge */
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_NO_INT);
	assert_int_equal(wr(&u, UART16550_RBR_THR, 'a'), 'a');	/* sent at once: empty again */
	assert_true(uart16550_irq_line(&u));
	wr(&u, UART16550_IER, 0);			/* disabled: not reported, line low */
	assert_int_equal(uart16550_iir(&u), UART_IIR_NO_INT);
	assert_false(uart16550_irq_line(&u));
	wr(&u, UART16550_IER, UART_IER_ETBEI);		/* Linux's THRE test: off, then on */
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_THRI);
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE);	/* TEMT and THRE always */
	/* Reading IIR clears THRE only when it is the one reported. */
	wr(&u, UART16550_RBR_THR, 'b');
	wr(&u, UART16550_IER, UART_IER_ETBEI | UART_IER_ERBFI);
	uart16550_receive(&u, 'z');
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_RDI);
	assert_int_equal(rd(&u, UART16550_RBR_THR), 'z');
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_THRI);	/* was still pending */
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_NO_INT);
}

static void test_iir_priorities(void **state)
{
	struct uart16550 u = { 0 };

	(void)state;
	wr(&u, UART16550_MCR, UART_MCR_OUT2);
	wr(&u, UART16550_IER, UART_IER_MASK);
	uart16550_receive(&u, '1');
	uart16550_receive(&u, '2');			/* 16450 mode: one byte, this one lost */
	/* A modem status change too: loop back then out again sets deltas. */
	wr(&u, UART16550_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	wr(&u, UART16550_MCR, UART_MCR_OUT2);
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_RLSI);	/* all four pending */
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_RLSI);	/* IIR does not clear it */
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE | UART_LSR_DR | UART_LSR_OE);
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE | UART_LSR_DR);	/* OE cleared */
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_RDI);
	assert_int_equal(rd(&u, UART16550_RBR_THR), '1');
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_THRI);
	assert_true(uart16550_irq_line(&u));
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_MSI);	/* THRE cleared by that read */
	assert_int_equal(rd(&u, UART16550_MSR) & UART_MSR_DELTAS, UART_MSR_DCTS | UART_MSR_DDSR);
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_NO_INT);
	assert_false(uart16550_irq_line(&u));
	assert_int_equal(u.rx_overruns, 1);
}

static void test_overrun_16450_mode(void **state)
{
	struct uart16550 u = { 0 };

	(void)state;
	assert_true(uart16550_receive(&u, 'a'));
	assert_false(uart16550_receive(&u, 'b'));
	assert_false(uart16550_receive(&u, 'c'));
	assert_int_equal(u.rx_overruns, 2);
	assert_int_equal(uart16550_iir(&u), UART_IIR_NO_INT);	/* interrupts not enabled */
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE | UART_LSR_DR | UART_LSR_OE);
	assert_int_equal(rd(&u, UART16550_RBR_THR), 'a');	/* the first byte kept */
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE);
	assert_int_equal(rd(&u, UART16550_RBR_THR), 0);
}

static void test_fifo(void **state)
{
	struct uart16550 u = { 0 };

	(void)state;
	wr(&u, UART16550_IIR_FCR, UART_FCR_ENABLE);
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_FIFOS | UART_IIR_NO_INT);
	for (int i = 0; i < UART16550_FIFO_SIZE; i++)
		assert_true(uart16550_receive(&u, (uint8_t)('a' + i)));
	assert_false(uart16550_receive(&u, '!'));		/* the 17th: overrun */
	assert_int_equal(u.rx_overruns, 1);
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE | UART_LSR_DR | UART_LSR_OE);
	for (int i = 0; i < UART16550_FIFO_SIZE; i++)
		assert_int_equal(rd(&u, UART16550_RBR_THR), 'a' + i);	/* in order, none lost */
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE);
	/* Wraps around. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 10; i++)
			assert_true(uart16550_receive(&u, (uint8_t)(round * 10 + i)));
		for (int i = 0; i < 10; i++)
			assert_int_equal(rd(&u, UART16550_RBR_THR), round * 10 + i);
	}
	/* Clear RX: empties it, FIFOs stay on. */
	uart16550_receive(&u, 'q');
	wr(&u, UART16550_IIR_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE);
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_NO_INT);
	/* Turning FIFOs off empties them too; then one byte of room. */
	uart16550_receive(&u, 'r');
	wr(&u, UART16550_IIR_FCR, 0);
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE);
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_NO_INT);
	assert_true(uart16550_receive(&u, 's'));
	assert_false(uart16550_receive(&u, 't'));
	/* Trigger bits are not taken without FCR0 (8.5). */
	wr(&u, UART16550_IIR_FCR, FCR_TRIGGER_14);
	assert_int_equal(u.fcr, 0);
	assert_int_equal(rd(&u, UART16550_RBR_THR), 's');
}

static void test_fifo_trigger_level(void **state)
{
	struct uart16550 u = { 0 };

	(void)state;
	wr(&u, UART16550_IIR_FCR, UART_FCR_ENABLE | FCR_TRIGGER_4);
	wr(&u, UART16550_IER, UART_IER_ERBFI);
	wr(&u, UART16550_MCR, UART_MCR_OUT2);
	assert_false(uart16550_irq_line(&u));
	uart16550_receive(&u, '1');
	/* Below the trigger: the character timeout (no time passes here). */
	assert_int_equal(rd(&u, UART16550_IIR_FCR), UART_IIR_FIFOS | UART_IIR_CTI);
	assert_true(uart16550_irq_line(&u));
	uart16550_receive(&u, '2');
	uart16550_receive(&u, '3');
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_CTI);
	uart16550_receive(&u, '4');
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_RDI);
	assert_int_equal(rd(&u, UART16550_RBR_THR), '1');
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_CTI);
	for (int i = 0; i < 3; i++)
		rd(&u, UART16550_RBR_THR);
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_NO_INT);
	assert_false(uart16550_irq_line(&u));
	wr(&u, UART16550_IIR_FCR, UART_FCR_ENABLE | FCR_TRIGGER_14);
	for (int i = 0; i < 13; i++)
		uart16550_receive(&u, 'x');
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_CTI);
	uart16550_receive(&u, 'x');
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_RDI);
}

static void test_loopback(void **state)
{
	struct uart16550 u = { 0 };

	(void)state;
	wr(&u, UART16550_IER, UART_IER_ERBFI);
	/* Linux's 8250 probe: loop with RTS and OUT2, expect CTS and DCD only. */
	wr(&u, UART16550_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	assert_int_equal(rd(&u, UART16550_MSR), UART_MSR_CTS | UART_MSR_DCD | UART_MSR_DDSR);
	assert_int_equal(rd(&u, UART16550_MSR), UART_MSR_CTS | UART_MSR_DCD);	/* deltas read */
	assert_int_equal(wr(&u, UART16550_RBR_THR, 'L'), -1);	/* not sent: back in */
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE | UART_LSR_DR);
	assert_int_equal(uart16550_iir(&u), UART_IIR_RDI);
	assert_false(uart16550_irq_line(&u));			/* OUT2 is cut in loopback */
	assert_int_equal(rd(&u, UART16550_RBR_THR), 'L');
	/* Each output to its input: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	wr(&u, UART16550_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	assert_int_equal(rd(&u, UART16550_MSR), UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCTS |
			 UART_MSR_DDSR | UART_MSR_DDCD);
	wr(&u, UART16550_MCR, UART_MCR_LOOP | UART_MCR_DTR);		/* RI falls: TERI */
	assert_int_equal(rd(&u, UART16550_MSR), UART_MSR_DSR | UART_MSR_TERI);
	wr(&u, UART16550_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
	assert_int_equal(rd(&u, UART16550_MSR), UART_MSR_RI | UART_MSR_DDSR);	/* RI rises: no TERI */
	wr(&u, UART16550_MCR, UART_MCR_OUT2);				/* out: connected again */
	assert_int_equal(rd(&u, UART16550_MSR), MSR_CONNECTED | UART_MSR_DCTS | UART_MSR_DDSR |
			 UART_MSR_DDCD | UART_MSR_TERI);
	assert_int_equal(wr(&u, UART16550_RBR_THR, 'o'), 'o');
	assert_int_equal(rd(&u, UART16550_LSR), LSR_IDLE);
}

static void test_irq_line_needs_out2(void **state)
{
	struct uart16550 u = { 0 };

	(void)state;
	wr(&u, UART16550_IER, UART_IER_ERBFI);
	uart16550_receive(&u, 'k');
	assert_int_equal(uart16550_iir(&u), UART_IIR_RDI);
	assert_false(uart16550_irq_line(&u));
	wr(&u, UART16550_MCR, UART_MCR_OUT2);
	assert_true(uart16550_irq_line(&u));
	rd(&u, UART16550_RBR_THR);
	assert_false(uart16550_irq_line(&u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_dlab_and_plain_registers),
		cmocka_unit_test(test_thre_interrupt_rules),
		cmocka_unit_test(test_iir_priorities),
		cmocka_unit_test(test_overrun_16450_mode),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_fifo_trigger_level),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_irq_line_needs_out2),
	};

	return cmocka_run_group_tests_name("uart16550", tests, NULL, NULL);
}
