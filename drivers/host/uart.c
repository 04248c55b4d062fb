/* SPDX-License-Identifier: MIT */
/* 16550 UART: polled or interrupt-driven transmit, for the console and the metrics stream
 * (PC16550D data sheet).
 *
 * Design: in interrupt mode, writers append whole records to the UART's
 * ring and the THRE interrupt moves them to the 16-byte transmit FIFO, so
 * no CPU waits for the line.  The interrupt is enabled only while queued
 * bytes wait for the FIFO to empty.  Where the interrupt comes late (Bochs
 * holds it while a guest runs with IF=0), uart_kick() refills the FIFO from
 * a path that runs often anyway, at most once per FIFO's worth of line time.
 * UARTs that share an ISA IRQ (COM1 and COM3, COM2 and COM4) share its
 * vector: the handler serves each.
 * Locking: u->lock guards the ring, IER and the FIFO between writers (any
 * CPU) and the interrupt (the boot CPU); a panic takes the ring without it,
 * once every other CPU has stopped.  Polled mode writes under the caller's
 * lock only. */
#include <arch/io.h>
#include <arch/ioapic.h>
#include <tally/arch.h>
#include <tally/errno.h>
#include <tally/percpu.h>
#include <tally/uart.h>

/* Register offsets from the base port. */
#define UART_THR	0	/* transmit holding (DLAB = 0) */
#define UART_DLL	0	/* divisor latch low (DLAB = 1) */
#define UART_IER	1	/* interrupt enable (DLAB = 0) */
#define UART_DLM	1	/* divisor latch high (DLAB = 1) */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define UART_IER_THRE	0x02	/* interrupt when the transmit FIFO is empty */
#define UART_LCR_8N1	0x03
#define UART_LCR_DLAB	0x80
#define UART_FCR_ENABLE_CLEAR	0x07	/* enable FIFOs, clear both */
#define UART_MCR_DTR_RTS_OUT2	0x0B	/* OUT2 gates the IRQ line on PCs */
#define UART_LSR_DATA_READY	0x01
#define UART_LSR_THRE	0x20	/* transmit holding register (FIFO mode: the FIFO) empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty: the last bit is out */
#define UART_TX_FIFO	16

#define UART_CLOCK_HZ	1843200
#define UART_BAUD	115200
#define UART_BITS_PER_BYTE	10	/* start, 8 data, stop (8N1) */

/* The PC's ISA IRQs: COM1 and COM3 share IRQ 4, COM2 and COM4 IRQ 3. */
#define UART_COM13_IRQ	4
#define UART_COM24_IRQ	3
#define UART_PORTS_PER_IRQ	2

/* One ISA IRQ's vector and the UARTs in interrupt mode on it. */
struct uart_irq {
	unsigned int irq;
	int vector;			/* 0 until the first UART on the IRQ asks for it */
	struct uart *uarts[UART_PORTS_PER_IRQ];
};

static struct uart_irq uart_irqs[] = { { .irq = UART_COM24_IRQ }, { .irq = UART_COM13_IRQ } };
static struct spinlock uart_irqs_lock = SPINLOCK_INIT;	/* starting interrupt mode */

/*
 * Bound on the wait for the transmitter: with no UART at the port, LSR
 * reads 0xFF (THRE set) and nothing blocks, but a wedged one must not hang
 * the console forever.  At 115200 baud a byte takes ~87 us.
 */
#define UART_TX_SPINS	100000

void uart_init(struct uart *u, uint16_t port)
{
	uint16_t divisor = UART_CLOCK_HZ / 16 / UART_BAUD;

	u->port = port;
	u->irq_tx = false;
	u->thre_irq = false;
	u->next_kick = 0;
	u->lock = (struct spinlock)SPINLOCK_INIT;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, divisor & 0xFF);
	outb(port + UART_DLM, divisor >> 8);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, UART_MCR_DTR_RTS_OUT2);
}

/* Wait (bounded) for an LSR bit. */
static void uart_wait(struct uart *u, uint8_t lsr_bit)
{
	for (int i = 0; i < UART_TX_SPINS; i++)
		if (inb(u->port + UART_LSR) & lsr_bit)
			return;
}

static void uart_putc(struct uart *u, char c)
{
	uart_wait(u, UART_LSR_THRE);
	outb(u->port + UART_THR, (uint8_t)c);
}

void uart_write(struct uart *u, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc(u, '\r');
		uart_putc(u, s[i]);
	}
}

/* TSC ticks the line takes to send a full FIFO (0 until the TSC is calibrated). */
static uint64_t uart_fifo_ticks(void)
{
	return arch_tsc_khz() * 1000 * UART_TX_FIFO * UART_BITS_PER_BYTE / UART_BAUD;
}

/*
 * Move up to a FIFO's worth of queued bytes into the transmitter; its FIFO
 * must be empty.  uart_kick() need not look again before those have gone.
 */
static void uart_fill_fifo(struct uart *u)
{
	char bytes[UART_TX_FIFO];
	size_t n = ring_get(&u->tx, bytes, sizeof(bytes));

	for (size_t i = 0; i < n; i++)
		outb(u->port + UART_THR, (uint8_t)bytes[i]);
	if (n)
		__atomic_store_n(&u->next_kick, arch_read_tsc() + uart_fifo_ticks(),
				 __ATOMIC_RELAXED);
}

/*
 * Refill the FIFO if it is empty, and ask for the THRE interrupt exactly
 * while bytes wait in the ring.  The interrupt is enabled only with the
 * FIFO busy, so the next edge comes when it empties.
 */
static void uart_pump(struct uart *u)
{
	bool want;

	if (inb(u->port + UART_LSR) & UART_LSR_THRE)
		uart_fill_fifo(u);
	want = ring_used(&u->tx) != 0;
	if (want != u->thre_irq) {
		outb(u->port + UART_IER, want ? UART_IER_THRE : 0);
		u->thre_irq = want;
	}
}

void uart_poll(struct uart *u)
{
	unsigned long flags;

	if (!u->irq_tx)
		return;
	flags = spin_lock_irqsave(&u->lock);
	if (u->irq_tx)
		uart_pump(u);
	spin_unlock_irqrestore(&u->lock, flags);
}

void uart_kick(struct uart *u, uint64_t now)
{
	unsigned long flags;

	if (!uart_tx_pending(u) || now < __atomic_load_n(&u->next_kick, __ATOMIC_RELAXED))
		return;
	/* Whoever holds the lock is writing or pumping already. */
	if (!spin_trylock_irqsave(&u->lock, &flags))
		return;
	if (u->irq_tx) {
		uart_pump(u);
		/* Still sending: look again a little later, not at every call. */
		if (__atomic_load_n(&u->next_kick, __ATOMIC_RELAXED) <= now)
			__atomic_store_n(&u->next_kick, now + uart_fifo_ticks() / 8,
					 __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&u->lock, flags);
}

/* The THRE interrupt of every UART on one ISA IRQ (@ctx, a struct uart_irq). */
static void uart_interrupt(void *ctx)
{
	struct uart_irq *line = ctx;

	for (unsigned int i = 0; i < UART_PORTS_PER_IRQ; i++) {
		struct uart *u = __atomic_load_n(&line->uarts[i], __ATOMIC_ACQUIRE);

		if (!u)
			continue;
		/*
		 * Reading IIR clears a THRE interrupt (PC16550D, IIR); so would
		 * the refill, but with the ring empty there is none.  A receive
		 * or modem interrupt cannot be pending: IER enables only THRE.
		 */
		(void)inb(u->port + UART_IIR);
		uart_poll(u);
	}
}

static int uart_isa_irq(uint16_t port)
{
	switch (port) {
	case UART_COM1:
	case UART_COM3:
		return UART_COM13_IRQ;
	case UART_COM2:
	case UART_COM4:
		return UART_COM24_IRQ;
	default:
		return -ENODEV;
	}
}

/* The entry for ISA IRQ @irq. */
static struct uart_irq *uart_irq_of(unsigned int irq)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(uart_irqs); i++)
		if (uart_irqs[i].irq == irq)
			return &uart_irqs[i];
	return NULL;
}

/* Give @line a vector routed to the boot CPU (the stream's tick runs there too), once. */
static int uart_irq_route(struct uart_irq *line)
{
	int vector, err;

	if (line->vector)
		return 0;
	vector = arch_irq_register(uart_interrupt, line);
	if (vector < 0)
		return vector;
	err = ioapic_route_isa_irq(line->irq, (uint8_t)vector, percpu_area[0].apic_id);
	if (err < 0) {
		arch_irq_unregister(vector);
		return err;
	}
	line->vector = vector;
	return 0;
}

/* Put @u on @line's list, published for the handler; -EBUSY if both places are taken. */
static int uart_irq_add(struct uart_irq *line, struct uart *u)
{
	for (unsigned int i = 0; i < UART_PORTS_PER_IRQ; i++) {
		if (line->uarts[i] == u)
			return 0;
		if (!line->uarts[i]) {
			__atomic_store_n(&line->uarts[i], u, __ATOMIC_RELEASE);
			return 0;
		}
	}
	return -EBUSY;
}

int uart_start_irq_tx(struct uart *u, char *buf, size_t size)
{
	int irq = uart_isa_irq(u->port), err;
	struct uart_irq *line;
	unsigned long flags;

	if (irq < 0)
		return irq;
	line = uart_irq_of((unsigned int)irq);
	flags = spin_lock_irqsave(&uart_irqs_lock);
	err = uart_irq_route(line);
	if (!err) {
		ring_init(&u->tx, buf, size);
		u->irq_tx = true;
		err = uart_irq_add(line, u);
		if (err)
			u->irq_tx = false;
	}
	spin_unlock_irqrestore(&uart_irqs_lock, flags);
	return err;
}

/* Send what the ring holds, waiting for the FIFO: for the end, when nothing else runs. */
static void uart_drain_polled(struct uart *u)
{
	while (ring_used(&u->tx)) {
		uart_wait(u, UART_LSR_THRE);
		uart_fill_fifo(u);
	}
}

/* Back to polled transmit for good, once the ring is sent. */
static void uart_stop_irq_tx(struct uart *u)
{
	unsigned long flags;

	if (!u->irq_tx)		/* the console's: no lock, a panic may flush it */
		return;
	flags = spin_lock_irqsave(&u->lock);
	if (u->irq_tx) {
		uart_drain_polled(u);
		outb(u->port + UART_IER, 0);
		u->thre_irq = false;
		u->irq_tx = false;
	}
	spin_unlock_irqrestore(&u->lock, flags);
}

unsigned long uart_record_begin(struct uart *u)
{
	return spin_lock_irqsave(&u->lock);
}

void uart_record_write(struct uart *u, const char *s, size_t len)
{
	size_t start = 0;

	if (!u->irq_tx) {
		uart_write(u, s, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		ring_put(&u->tx, s + start, i - start);
		ring_put(&u->tx, "\r\n", 2);
		start = i + 1;
	}
	ring_put(&u->tx, s + start, len - start);
}

bool uart_record_end(struct uart *u, unsigned long flags)
{
	bool queued = true;

	if (u->irq_tx) {
		queued = ring_commit(&u->tx);
		uart_pump(u);
	}
	spin_unlock_irqrestore(&u->lock, flags);
	return queued;
}

size_t uart_record_room(const struct uart *u)
{
	return u->irq_tx ? ring_room(&u->tx) : SIZE_MAX;
}

size_t uart_record_wait_room(struct uart *u, size_t want)
{
	if (!u->irq_tx)
		return SIZE_MAX;
	/*
	 * The lock is ours, so the interrupt cannot refill the FIFO: do its
	 * work, polled, which needs no interrupt and runs on any CPU.  Only
	 * committed bytes can leave; the open record's stay for its writer.
	 */
	while (ring_room(&u->tx) < want && ring_used(&u->tx)) {
		uart_wait(u, UART_LSR_THRE);
		uart_fill_fifo(u);
	}
	return ring_room(&u->tx);
}

void uart_panic_flush(struct uart *u)
{
	if (!u->irq_tx)
		return;
	/* A stopped CPU's half-written record is never sent; the whole ones are. */
	ring_rollback(&u->tx);
	uart_drain_polled(u);
	outb(u->port + UART_IER, 0);
	u->thre_irq = false;
	u->irq_tx = false;
}

uint64_t uart_records_dropped(const struct uart *u)
{
	return u->tx.dropped;
}

void uart_flush(struct uart *u)
{
	uart_stop_irq_tx(u);
	uart_wait(u, UART_LSR_TEMT);
}

int uart_getc(struct uart *u)
{
	uint8_t lsr = inb(u->port + UART_LSR);

	/* All-ones: no UART at this port. */
	if (lsr == 0xFF || !(lsr & UART_LSR_DATA_READY))
		return -1;
	return inb(u->port + UART_THR);
}
