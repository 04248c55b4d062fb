/* SPDX-License-Identifier: MIT */
/* The 16550 UART every domain has at VPLATFORM_UART_PORT, interrupt on VPLATFORM_UART_GSI. */
#ifndef TALLY_VUART_H
#define TALLY_VUART_H

#include <tally/domain_config.h>
#include <tally/spinlock.h>
#include <tally/types.h>
#include <tally/uart16550.h>
#include <tally/vplatform.h>
#include <tally/vuart_line.h>

struct domain;

#define VUART_BASE		VPLATFORM_UART_PORT
#define VUART_PORTS		UART16550_REGS
/*
 * A partial line (a shell prompt has no newline) is printed once the
 * guest has written nothing to the UART for this long: long enough that a
 * line written a few bytes at a time (printf pieces) stays whole, short
 * enough that a prompt shows before anyone waits for it.
 */
#define VUART_QUIET_MS		50

/*
 * One domain's UART: the register model, shared by its vCPUs as a real
 * UART's are, and a line per vCPU (a guest whose CPUs print without a lock
 * of their own still gets whole lines, each from one vCPU).
 * Locking: @lock guards all of it.  Bytes typed on Tally's console arrive
 * on the boot CPU while the domain's vCPUs read RBR, IIR and LSR on their
 * own CPUs, and every such access changes state the others read (FIFO,
 * OE, the THRE source, the interrupt line): a lock rather than a lock-free
 * queue, since a queue would keep the FIFO consistent but not the
 * interrupt line, which must be lowered and raised in the order the state
 * changed.  It is held for one register access (a few dozen instructions),
 * never while printing.  @out_lock keeps a line's pieces in order from
 * taking to printing (the boot CPU's quiet flush and the vCPU's next byte
 * race otherwise): a flush holds it from taking a piece until it is
 * printed; a write that completes a piece takes it, after @lock, to print.
 */
struct vuart {
	struct spinlock out_lock;
	struct spinlock lock;
	struct uart16550 regs;
	bool irq_level;			/* the level last given to the interrupt line */
	struct vuart_line lines[DOMAIN_MAX_VCPUS];
	/* On the quiet watch (a partial line waits): the boot CPU looks only at those. */
	bool watched;
	struct domain *watch_next;	/* under the watch list's lock (vuart.c) */
};

/* Claim the UART's ports (vio_register_ports) at boot. */
int vuart_register(void);

/* Print and end every vCPU's partial line (the domain is ending). */
void vuart_flush(struct domain *d);

/*
 * Print the partial lines idle since before @now minus VUART_QUIET_MS
 * (TSC) of the domains that have one: a walk over those domains only,
 * never over every domain.  The boot CPU's, from its tick.
 */
void vuart_flush_quiet_all(uint64_t now);

/* Take @d off the quiet watch: before its slot is rebuilt (no vCPU of it runs). */
void vuart_unwatch(struct domain *d);

/*
 * Byte @c arrives on @d's receive line (typed on Tally's console), raising
 * the receive interrupt if enabled: 0, or -ENOSPC if the receiver was full
 * (the byte is lost and counted as an overrun, as on the real part).  Any CPU.
 */
int vuart_receive(struct domain *d, uint8_t c);

#endif
