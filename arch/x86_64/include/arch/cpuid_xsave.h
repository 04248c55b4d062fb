/* SPDX-License-Identifier: MIT */
/* CPUID leaf 0xD (XSAVE features and sizes) as a guest sees it: pure, over the CPU's answers. */
#ifndef ARCH_CPUID_XSAVE_H
#define ARCH_CPUID_XSAVE_H

#include <arch/cpu.h>

#define CPUID_XSAVE_LEAF	0xD
/* Leaf 0xD sub-leaf 1 EAX (SDM Vol. 2A, CPUID, table 3-8, leaf 0DH). */
#define XSAVE_1_EAX_XSAVEOPT	(1u << 0)
#define XSAVE_1_EAX_XSAVEC	(1u << 1)	/* compacted XSAVE; XRSTOR of that format */
#define XSAVE_1_EAX_XGETBV1	(1u << 2)	/* XGETBV with ECX = 1: XINUSE */
#define XSAVE_1_EAX_XSAVES	(1u << 3)	/* XSAVES/XRSTORS and IA32_XSS */
#define XSAVE_1_EAX_XFD		(1u << 4)	/* extended feature disable (IA32_XFD) */
/* Sub-leaf n >= 2, ECX: the component is supervisor (IA32_XSS) state; 64-byte aligned. */
#define XSAVE_N_ECX_SUPERVISOR	(1u << 0)
#define XSAVE_N_ECX_ALIGN64	(1u << 1)
/* The legacy region and the XSAVE header (SDM Vol. 1, 13.4.1 and 13.4.2). */
#define XSAVE_LEGACY_SIZE	512
#define XSAVE_HEADER_SIZE	64
#define XSAVE_FIRST_EXTENDED	2	/* components 0 and 1 live in the legacy region */

/* The CPU's answer for leaf 0xD sub-leaf @sub (the caller's CPUID, or a table in tests). */
typedef struct cpuid_regs (*cpuid_xsave_raw_fn)(void *ctx, uint32_t sub);

/*
 * Filter the CPU's answer @c for leaf 0xD sub-leaf @sub: only the
 * components in @mask (what Tally switches), sizes for the guest's
 * @xcr0 (IA32_XSS is 0: XSAVES is not offered), the rest of the CPU's
 * sub-leaves read through @raw.
 */
void cpuid_xsave_filter(uint32_t sub, struct cpuid_regs *c, uint64_t mask, uint64_t xcr0,
			cpuid_xsave_raw_fn raw, void *ctx);

/* Bytes of an XSAVE area in the standard format holding the components in @bits. */
uint32_t cpuid_xsave_standard_size(uint64_t bits, cpuid_xsave_raw_fn raw, void *ctx);

/* Bytes of an XSAVE area in the compacted format (XSAVEC) holding the components in @bits. */
uint32_t cpuid_xsave_compacted_size(uint64_t bits, cpuid_xsave_raw_fn raw, void *ctx);

#endif
