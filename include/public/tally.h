/* SPDX-License-Identifier: MIT */
/*
 * Tally's guest ABI: what a guest may rely on.  Self-contained C (fixed-width
 * types only), so a guest can include it as it is.
 */
#ifndef TALLY_PUBLIC_TALLY_H
#define TALLY_PUBLIC_TALLY_H

#include <stdint.h>

/*
 * CPUID.1:ECX bit 31 is set under Tally.  Leaf 0x40000000 returns the
 * highest hypervisor leaf in EAX and the signature "TallyTally\0\0" in
 * EBX, ECX, EDX (as the bytes of those registers in that order).
 */
#define TALLY_CPUID_BASE		0x40000000u
#define TALLY_CPUID_SIGNATURE_EBX	0x6c6c6154u	/* "Tall" */
#define TALLY_CPUID_SIGNATURE_ECX	0x6c615479u	/* "yTal" */
#define TALLY_CPUID_SIGNATURE_EDX	0x0000796cu	/* "ly\0\0" */

/*
 * I/O ports every domain has: a 16550 UART whose output Tally prints as
 * whole lines prefixed with the domain's name, and QEMU's isa-debug-exit:
 * writing v (any width) ends the domain with exit code (v << 1) | 1.
 */
#define TALLY_PORT_UART			0x3F8u
#define TALLY_PORT_DEBUG_EXIT		0xF4u

#endif
