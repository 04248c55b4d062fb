/* SPDX-License-Identifier: MIT */
/* Test-guest descriptor tables: a flat GDT and an IDT for exceptions and interrupts. */
#ifndef GUEST_DESC_H
#define GUEST_DESC_H

/*
 * Fill the IDT (exception gates lead to trap_dispatch(), vectors 32-255
 * to irq_dispatch()), load the library's flat GDT, reload every segment
 * register from it, and load the IDT.  The loader's GDT may be anywhere,
 * even in memory a test overwrites (multiboot v1 3.2).
 */
void desc_init(void);

/* Load the GDT and IDT desc_init() filled, on a CPU started later (smp.h). */
void desc_load(void);

#endif
