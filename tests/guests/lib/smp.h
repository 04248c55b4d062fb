/* SPDX-License-Identifier: MIT */
/* Test-guest application processors: a real-mode start page and INIT-SIPI-SIPI. */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdbool.h>
#include <stdint.h>

/* What an AP runs once in 32-bit protected mode: its x2APIC ID; it must not return. */
typedef void (*smp_ap_fn)(uint32_t apic_id);

/* Bounds of the real-mode trampoline and its GDTR slot (ap_tramp.asm). */
extern const uint8_t smp_tramp_start[], smp_tramp_gdtr[], smp_tramp_end[];

/* Initial ESP of the AP being started, read by ap_tramp.asm. */
extern volatile uint32_t smp_ap_stack;

/*
 * Start the CPU with x2APIC ID @apic_id: copy the trampoline to @page (4 KiB
 * aligned, below 1 MiB, and free: the multiboot information may be there,
 * so read the command line first), then INIT, 10 ms, SIPI, 200 us, SIPI,
 * 200 us by the TSC (SDM Vol. 3A 9.4.4.1).  The AP switches to 32-bit
 * protected mode, loads the library's GDT and IDT, enables x2APIC mode
 * (unless the BSP's APIC is in xAPIC mode: then the IPIs go through the
 * xAPIC page and the AP stays in xAPIC mode), and calls @fn on the stack
 * below @stack_top.  True once it has reached
 * C, within @timeout_us after the second SIPI.  One AP at a time.
 */
bool smp_start_ap(uint32_t apic_id, uint32_t page, smp_ap_fn fn, void *stack_top,
		  uint32_t timeout_us);

/* C entry of an AP, from ap_tramp.asm. */
__attribute__((noreturn)) void smp_ap_entry(void);

#endif
