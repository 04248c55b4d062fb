/* SPDX-License-Identifier: MIT */
/* Test-guest local APIC in xAPIC mode: its registers through the MMIO page (SDM Vol. 3A 11.4.1, table 11-1). */
#ifndef GUEST_XAPIC_H
#define GUEST_XAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define XAPIC_DEFAULT_BASE	0xFEE00000u	/* IA32_APIC_BASE after reset (11.4.4) */

/* Register offsets in the page (table 11-1). */
#define XAPIC_ID		0x020
#define XAPIC_VERSION		0x030
#define XAPIC_TPR		0x080
#define XAPIC_EOI		0x0B0
#define XAPIC_LDR		0x0D0
#define XAPIC_DFR		0x0E0
#define XAPIC_SVR		0x0F0
#define XAPIC_ESR		0x280
#define XAPIC_ICR_LOW		0x300
#define XAPIC_ICR_HIGH		0x310
#define XAPIC_LVT_TIMER		0x320
#define XAPIC_TIMER_INITIAL	0x380
#define XAPIC_TIMER_CURRENT	0x390
#define XAPIC_TIMER_DIVIDE	0x3E0

#define XAPIC_ID_SHIFT		24		/* ID and LDR in bits 31:24, ICR_HIGH's destination too */
#define XAPIC_DFR_FLAT		0xFFFFFFFFu	/* flat logical model (11.6.2.2) */
#define XAPIC_ICR_LOGICAL	(1u << 11)
#define XAPIC_ICR_LEVEL_ASSERT	(1u << 14)
#define XAPIC_ICR_SELF		(1u << 18)	/* destination shorthand 01b */
#define XAPIC_ICR_DM_NMI	(4u << 8)	/* the vector is ignored (11.6.1) */
#define XAPIC_ICR_DM_INIT	(5u << 8)
#define XAPIC_ICR_DM_STARTUP	(6u << 8)
#define XAPIC_TIMER_DIVIDE_BY_1	0xBu

/* Is this CPU's APIC enabled in xAPIC mode at the default base (IA32_APIC_BASE EN, not EXTD)? */
bool xapic_mode(void);

/* The register at @offset of the page, and a store to it. */
uint32_t xapic_read(uint32_t offset);
void xapic_write(uint32_t offset, uint32_t val);

/* This CPU's 8-bit xAPIC ID. */
uint32_t xapic_id(void);

/* Software-enable the APIC (SVR bit 8) with the spurious vector, whose handler ignores it. */
void xapic_sw_enable(void);

/* End of interrupt. */
void xapic_eoi(void);

/* Send ICR low word @low to 8-bit destination @dest (physical ID or logical mask per @low). */
void xapic_send(uint8_t dest, uint32_t low);

/* A one-shot timer of @count ticks at divide-by-1 raising @vector (0 stops it). */
void xapic_timer_oneshot(uint8_t vector, uint32_t count);

#endif
