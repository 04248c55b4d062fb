/* SPDX-License-Identifier: MIT */
/*
 * uartecho: checks the 16550 model from inside (FIFO bits in IIR,
 * loopback, the THRE interrupt's rules), then reads `lines=N` lines on
 * COM1, echoing each byte as a tty does, and prints each upper-cased, and
 * passes.  The prompt before each line has no newline and starts with
 * ESC[6n, as busybox ash's does; reading starts PROMPT_SHOWN_US after it,
 * so Tally shows the prompt before the echo continues its line, as when a
 * person reads the prompt before typing.  With `pause_line=K pause_id=N`
 * (and role=control), after line K's prompt shows it pauses and unpauses
 * domain N: Tally's two log lines land in the middle of the open prompt.
 * Receive is polled through LSR.DR (the interrupt needs an I/O APIC),
 * halting on the APIC timer between polls.
 */
#include "guest.h"

const char guest_name[] = "uartecho";

#define DEFAULT_LINES		1u
#define DEFAULT_WAIT_S		60u	/* for all the lines */
#define POLL_US			2000u
#define SLEEP_VECTOR		0x40
#define LINE_MAX		64
/* Four times Tally's VUART_QUIET_MS, with a tick to spare: the prompt is on the console. */
#define PROMPT_SHOWN_US		200000u
#define NO_PAUSE		0u

/* PC16550D registers and bits (offsets from TALLY_PORT_UART). */
#define RBR_THR		0
#define IER		1
#define IIR_FCR		2
#define MCR		4
#define LSR		5
#define MSR		6
#define IER_ETBEI	0x02
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_FIFOS	0xC0
#define FCR_ENABLE_CLEAR 0x07	/* FIFOs on, both cleared, trigger 1 byte */
#define MCR_LOOP_PROBE	0x1A	/* loop + RTS + OUT2, as Linux's 8250 probe */
#define MSR_PROBE	0x90	/* CTS + DCD: what that loop must read back */
#define MCR_DTR_RTS_OUT2 0x0B
#define LSR_DR		0x01
#define LSR_OE		0x02

static uint8_t uart_in(unsigned int reg)
{
	return inb((uint16_t)(TALLY_PORT_UART + reg));
}

static void uart_out(unsigned int reg, uint8_t v)
{
	outb((uint16_t)(TALLY_PORT_UART + reg), v);
}

/* What a guest driver relies on, checked through real port exits (printing only after). */
static void check_model(void)
{
	uint8_t fifo_iir, msr, c, thre_iir, cleared_iir;

	uart_out(IIR_FCR, FCR_ENABLE_CLEAR);
	fifo_iir = uart_in(IIR_FCR);
	uart_out(MCR, MCR_LOOP_PROBE);
	(void)uart_in(MSR);				/* the deltas of entering loopback */
	msr = uart_in(MSR);
	uart_out(RBR_THR, 'Z');				/* in loopback: back into RBR */
	c = (uint8_t)(uart_in(LSR) & LSR_DR ? uart_in(RBR_THR) : 0);
	uart_out(MCR, MCR_DTR_RTS_OUT2);
	(void)uart_in(MSR);
	uart_out(IER, IER_ETBEI);
	thre_iir = uart_in(IIR_FCR);
	cleared_iir = uart_in(IIR_FCR);
	uart_out(IER, 0);
	guest_check(fifo_iir == (IIR_FIFOS | IIR_NO_INT), "IIR with FIFOs on = 0x%x", fifo_iir);
	guest_check(msr == MSR_PROBE, "loopback MSR = 0x%x (want 0x%x)", msr, MSR_PROBE);
	guest_check(c == 'Z', "loopback byte came back: 0x%x", c);
	guest_check(thre_iir == (IIR_FIFOS | IIR_THRI),
		    "THRE interrupt on enabling ETBEI: IIR = 0x%x", thre_iir);
	guest_check(cleared_iir == (IIR_FIFOS | IIR_NO_INT), "reading IIR cleared it: IIR = 0x%x",
		    cleared_iir);
}

/* One line typed on the console, polled: false if none came by @deadline. */
static bool read_line(char *buf, uint64_t deadline, bool *overrun)
{
	unsigned int n = 0;

	while (rdtsc() < deadline) {
		uint8_t lsr = uart_in(LSR);

		*overrun |= (lsr & LSR_OE) != 0;
		if (!(lsr & LSR_DR)) {
			sleep_us(POLL_US);	/* halted: the CPU is free meanwhile */
			continue;
		}
		char c = (char)uart_in(RBR_THR);

		if (c == '\r' || c == '\n') {
			if (!n)
				continue;
			buf[n] = '\0';
			return true;
		}
		if (n < LINE_MAX - 1) {
			buf[n++] = c;
			serial_putc(c);		/* the echo, as a tty's */
		}
	}
	return false;
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

/* Pause and unpause domain @id (Tally logs each): false, with the failure said, if refused. */
static bool pause_other(uint32_t id)
{
	int32_t paused = tally_domain_pause(id), unpaused = tally_domain_unpause(id);

	if (paused < 0 || unpaused < 0) {
		serial_puts("\n");
		guest_fail("pause d%u: %d, unpause: %d", id, paused, unpaused);
		return false;
	}
	return true;
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t lines = cmdline_u32(mbi, "lines", DEFAULT_LINES);
	uint32_t wait_s = cmdline_u32(mbi, "wait_s", DEFAULT_WAIT_S);
	uint32_t pause_line = cmdline_u32(mbi, "pause_line", NO_PAUSE);
	uint32_t pause_id = cmdline_u32(mbi, "pause_id", NO_PAUSE);
	uint64_t deadline;
	bool overrun = false;
	char buf[LINE_MAX];

	check_model();
	if (!tsc_khz()) {
		guest_error("no TSC rate");
		return;
	}
	if (!sleep_init(SLEEP_VECTOR))
		return;
	deadline = rdtsc() + tsc_from_us(wait_s * 1000000u);
	printk("uartecho: ready for %u lines\n", lines);
	for (uint32_t i = 0; i < lines; i++) {
		serial_puts("\x1b[6necho> ");
		sleep_us(PROMPT_SHOWN_US);
		if (i + 1 == pause_line && !pause_other(pause_id))
			return;
		if (!read_line(buf, deadline, &overrun)) {
			serial_puts("\n");
			guest_fail("line %u of %u never came (%u s)", i + 1, lines, wait_s);
			return;
		}
		upper(buf);
		serial_puts("\n");
		printk("uartecho: %s\n", buf);
	}
	guest_check(!overrun, "no receive overrun");
}
