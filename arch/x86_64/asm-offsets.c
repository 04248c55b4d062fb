/* SPDX-License-Identifier: MIT */
/* Offsets of C structures used by assembly, emitted as asm-offsets.inc at build time. */
#include <stddef.h>

#include <arch/smp.h>
#include <arch/vcpu.h>

/* Each DEFINE becomes a "%define NAME value" line (see the Makefile rule). */
#define DEFINE(sym, val) \
	__asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))

void asm_offsets(void);

void asm_offsets(void)
{
	DEFINE(TP_CR3, offsetof(struct trampoline_params, cr3));
	DEFINE(TP_EFER, offsetof(struct trampoline_params, efer));
	DEFINE(TP_STACK, offsetof(struct trampoline_params, stack));
	DEFINE(TP_ARG, offsetof(struct trampoline_params, arg));
	DEFINE(TP_ENTRY, offsetof(struct trampoline_params, entry));
	DEFINE(TP_SIZE, sizeof(struct trampoline_params));
	DEFINE(GUEST_REGS_SIZE, sizeof(struct guest_regs));
}
