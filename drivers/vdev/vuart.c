/* SPDX-License-Identifier: MIT */
/* Guest-visible 16550 UART: the register model on the domain's ports, its lines and its IRQ.
 *
 * Output: each byte the guest transmits joins its vCPU's console line,
 * printed whole at a newline, when full, or when the domain ends.  A
 * partial line (a prompt, a key's echo) is printed as a piece once the
 * vCPU has been quiet for VUART_QUIET_MS (checked from the boot CPU's
 * tick), and the rest of it continues that console line in place
 * (kernel/console_seq.c), for every domain, not only the one with the
 * console focus: a person reads all their prompts.  A domain whose line
 * holds bytes is on a watch list, so that the look costs the domains with
 * something to print, not every domain.  Input: bytes typed on Tally's
 * console while the domain has the console focus (kernel/debugkeys.c)
 * enter the receive FIFO.  The interrupt
 * line follows the model's output after every access and every byte in.
 * Locking: the UART's lock (see struct vuart); pieces are printed after
 * it is dropped, under out_lock; the watch list under watch_lock, never
 * taken with a UART's lock held. */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/vio.h>
#include <tally/virq.h>
#include <tally/vuart.h>

/*
 * Domains with a partial line (struct vuart's watched and watch_next),
 * under watch_lock; a domain leaves at the look that finds it quiet and
 * printed, or dead, and before its slot is rebuilt (vuart_unwatch()).
 */
static struct spinlock watch_lock = SPINLOCK_INIT;
static struct domain *watch_head;

/* Put @d on the watch list unless it is on it (any CPU; no UART lock held). */
static void watch(struct domain *d)
{
	unsigned long flags;

	/* The line's bytes before the flag: pairs with the look's store then load. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&d->uart.watched, __ATOMIC_RELAXED))
		return;
	flags = spin_lock_irqsave(&watch_lock);
	if (!d->uart.watched) {
		d->uart.watch_next = watch_head;
		watch_head = d;
		d->uart.watched = true;
	}
	spin_unlock_irqrestore(&watch_lock, flags);
}

/* Under the lock: tell the interrupt controller when the line's level changed. */
static void update_irq(struct domain *d, struct vuart *u)
{
	bool level = uart16550_irq_line(&u->regs);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	/* Under the lock, so the controller sees the levels in the order they changed. */
	domain_irq_set(d, VPLATFORM_UART_GSI, level);
}

/* Print piece @p of @d's console line (under @d's out_lock, so pieces keep their order). */
static void print_piece(struct domain *d, const struct vuart_piece *p)
{
	log_guest_piece(d, p->text, p->len, p->cont, p->end);
}

static void vuart_write(struct vcpu *v, uint16_t port, unsigned int size __unused, uint32_t value)
{
	struct domain *d = v->domain;
	struct vuart *u = &d->uart;
	struct vuart_piece piece;
	bool ready = false, pending = false;
	uint8_t tx;
	unsigned long out_flags, flags = spin_lock_irqsave(&u->lock);

	/* Whatever @size, an access writes its low byte, as on an ISA bus. */
	if (uart16550_write(&u->regs, port - VUART_BASE, (uint8_t)value, &tx)) {
		struct vuart_line *l = &u->lines[v->id];
		uint64_t now = arch_read_tsc();
		bool was_empty = !l->len;

		ready = vuart_line_put(l, tx, &piece);
		if (l->len && (was_empty || ready))
			l->first_write = now;	/* the byte starts what is not printed yet */
		l->last_write = now;
		pending = l->len != 0;
	}
	update_irq(d, u);
	spin_unlock_irqrestore(&u->lock, flags);
	if (pending)
		watch(d);
	if (!ready)
		return;
	/*
	 * Taken only now, not around the register access (most writes print
	 * nothing): a flush that took an earlier piece of this line holds it
	 * until that piece is printed, so ours follows it.
	 */
	out_flags = spin_lock_irqsave(&u->out_lock);
	print_piece(d, &piece);
	spin_unlock_irqrestore(&u->out_lock, out_flags);
}

static uint32_t vuart_read(struct vcpu *v, uint16_t port, unsigned int size __unused)
{
	struct vuart *u = &v->domain->uart;
	unsigned long flags = spin_lock_irqsave(&u->lock);
	uint8_t val = uart16550_read(&u->regs, port - VUART_BASE);

	update_irq(v->domain, u);
	spin_unlock_irqrestore(&u->lock, flags);
	return val;
}

int vuart_receive(struct domain *d, uint8_t c)
{
	struct vuart *u = &d->uart;
	unsigned long flags = spin_lock_irqsave(&u->lock);
	bool kept = uart16550_receive(&u->regs, c);

	update_irq(d, u);
	spin_unlock_irqrestore(&u->lock, flags);
	return kept ? 0 : -ENOSPC;
}

/* Print and end line @i of @d (the domain is ending). */
static void flush_one(struct domain *d, unsigned int i)
{
	struct vuart *u = &d->uart;
	struct vuart_piece piece;
	unsigned long out_flags = spin_lock_irqsave(&u->out_lock);
	unsigned long flags = spin_lock_irqsave(&u->lock);
	bool ready = vuart_line_take(&u->lines[i], true, &piece);

	spin_unlock_irqrestore(&u->lock, flags);
	if (ready)
		print_piece(d, &piece);
	spin_unlock_irqrestore(&u->out_lock, out_flags);
}

/* Show the partial line of @d quiet since @before that was begun first: false if none. */
static bool flush_oldest_quiet(struct domain *d, uint64_t before)
{
	struct vuart *u = &d->uart;
	struct vuart_piece piece;
	bool ready = false;
	unsigned long out_flags = spin_lock_irqsave(&u->out_lock);
	unsigned long flags = spin_lock_irqsave(&u->lock);
	int i = vuart_lines_oldest_quiet(u->lines, d->vcpu_count, before);

	if (i >= 0)
		ready = vuart_line_take(&u->lines[i], false, &piece);
	spin_unlock_irqrestore(&u->lock, flags);
	if (ready)
		print_piece(d, &piece);
	spin_unlock_irqrestore(&u->out_lock, out_flags);
	return ready;
}

void vuart_flush(struct domain *d)
{
	for (unsigned int i = 0; i < DOMAIN_MAX_VCPUS; i++)
		flush_one(d, i);
}

/* Whether any of @d's lines holds bytes not printed yet: a look without the locks. */
static bool any_pending(const struct domain *d)
{
	for (unsigned int i = 0; i < d->vcpu_count; i++)
		if (__atomic_load_n(&d->uart.lines[i].len, __ATOMIC_RELAXED))
			return true;
	return false;
}

/* @d's partial lines quiet since @now - @quiet, each once (one written meanwhile waits). */
static void flush_quiet(struct domain *d, uint64_t now, uint64_t quiet)
{
	for (unsigned int n = 0; n < d->vcpu_count; n++)
		if (!flush_oldest_quiet(d, now - quiet))
			break;
}

/* Under watch_lock: whether @d stays on the list after a look (its bytes or a new byte). */
static bool still_watched(struct domain *d)
{
	if (d->state == DOMAIN_DEAD)
		return false;	/* its end printed every line; a rebuild starts clean */
	if (any_pending(d))
		return true;
	/* Off, then a second look: a byte written meanwhile found the flag set and left it. */
	__atomic_store_n(&d->uart.watched, false, __ATOMIC_SEQ_CST);
	if (!any_pending(d))
		return false;
	__atomic_store_n(&d->uart.watched, true, __ATOMIC_RELAXED);
	return true;
}

void vuart_flush_quiet_all(uint64_t now)
{
	uint64_t quiet = arch_tsc_khz() * VUART_QUIET_MS;
	unsigned long flags;
	struct domain **link, *d;

	if (now < quiet)
		return;
	/* Writers wait for the lock only to join the list; their bytes do not wait. */
	flags = spin_lock_irqsave(&watch_lock);
	for (link = &watch_head; (d = *link);) {
		if (d->state != DOMAIN_DEAD)
			flush_quiet(d, now, quiet);
		if (still_watched(d)) {
			link = &d->uart.watch_next;
			continue;
		}
		*link = d->uart.watch_next;
		__atomic_store_n(&d->uart.watched, false, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&watch_lock, flags);
}

void vuart_unwatch(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&watch_lock);

	for (struct domain **link = &watch_head; *link; link = &(*link)->uart.watch_next)
		if (*link == d) {
			*link = d->uart.watch_next;
			break;
		}
	d->uart.watched = false;
	spin_unlock_irqrestore(&watch_lock, flags);
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
