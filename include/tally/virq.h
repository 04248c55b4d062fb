/* SPDX-License-Identifier: MIT */
/* Device interrupts of a domain: input lines of its virtual I/O APIC, routed to its vCPUs' local APICs.
 *
 * Design: a device model drives a line (a GSI = an I/O APIC pin); the I/O
 * APIC model (tally/vioapic.h) decides what is due, and the arch delivers
 * each message to the matching local APICs, waking a halted vCPU or kicking
 * the CPU that runs it.  A local APIC's EOI of a level-triggered vector
 * comes back through domain_irq_eoi().
 * Locking: the domain's ioapic_lock guards its I/O APIC model; messages are
 * delivered after it is dropped (delivery takes the vCPUs' APIC locks). */
#ifndef TALLY_VIRQ_H
#define TALLY_VIRQ_H

#include <tally/types.h>
#include <tally/vioapic.h>

struct domain;

/* At domain creation, before any vCPU runs: the I/O APIC in its reset state. */
void virq_domain_init(struct domain *d);

/*
 * Set the level of I/O APIC input @gsi of @d (edge-triggered pins deliver
 * on the rising edge, level-triggered ones while asserted and not in
 * service).  Any CPU, any context; a @gsi beyond the pins is ignored.
 */
void domain_irq_set(struct domain *d, unsigned int gsi, bool asserted);

/* A local APIC of @d retired level-triggered @vector: clear Remote IRR, re-deliver what is still asserted. */
void domain_irq_eoi(struct domain *d, uint8_t vector);

/* Claim the I/O APIC's page and, through the arch, the local APICs' (vmmio_register) at boot. */
int virq_register(void);

/* The arch: claim the local APIC page at VPLATFORM_LAPIC_BASE. */
int arch_virq_register(void);

/* The arch: deliver @msg to the local APICs of @d it is addressed to, making them notice. */
void arch_virq_deliver(struct domain *d, const struct vioapic_msg *msg);

#endif
