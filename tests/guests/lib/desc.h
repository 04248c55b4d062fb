/* SPDX-License-Identifier: MIT */
/* Test-guest descriptor tables: a flat GDT and an IDT for the 32 exceptions. */
#ifndef GUEST_DESC_H
#define GUEST_DESC_H

/*
 * Load the library's flat GDT, reload every segment register from it, and
 * load an IDT whose exception gates lead to trap_dispatch().  The loader's
 * GDT may be anywhere, even in memory a test overwrites (multiboot v1 3.2).
 */
void desc_init(void);

#endif
