/* SPDX-License-Identifier: MIT */
/* Test-guest exceptions: the trap frame, expected-fault recovery, and the _safe MSR accessors. */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include <stdint.h>
#include "x86.h"

/* What the stub in traps.asm leaves on the stack for trap_dispatch(). */
struct trap_frame {
	uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;	/* PUSHA */
	uint32_t vector;
	uint32_t error_code;	/* 0 for vectors without one */
	uint32_t eip, cs, eflags;	/* pushed by the CPU */
};

/* What the _safe accessors and trap_caught() return when nothing faulted. */
#define TRAP_NO_FAULT		(-1)

/*
 * Expected faults: an instruction at label @fault that may fault resumes
 * at label @resume instead of being an unexpected exception.  Put this in
 * the same asm statement, after the instruction, e.g.
 *	trap_expect();
 *	asm volatile("1: rdmsr\n2:\n" EXTABLE_ENTRY(1b, 2b) ...);
 *	vector = trap_caught();
 * A faulting instruction changes no register, so the asm's outputs hold
 * garbage after a fault; the caller must not use them.
 */
#define EXTABLE_ENTRY(fault, resume)				\
	".pushsection .extable, \"a\"\n\t"			\
	".balign 4\n\t"						\
	".long " #fault ", " #resume "\n\t"			\
	".popsection\n\t"

/* Entry stubs for vectors 0-31 (traps.asm), for desc.c's IDT. */
extern const uint32_t trap_stubs[X86_EXCEPTIONS];

/* Handle an exception: resume at a fixup if one is registered, else end the test with ERROR. */
void trap_dispatch(struct trap_frame *f);

/* Forget any earlier expected fault, before an instruction that may fault. */
void trap_expect(void);

/* An NMI handler: runs with NMIs blocked until the stub's IRET (SDM Vol. 3A 6.7.1). */
typedef void (*trap_nmi_fn)(void);

/* Make @fn handle NMIs (vector 2) from now on; NULL: an NMI ends the test with ERROR again. */
void trap_set_nmi_handler(trap_nmi_fn fn);

/* The vector of the expected fault taken since trap_expect(), or TRAP_NO_FAULT. */
int trap_caught(void);

/* RDMSR @msr into *@val (0 if it faulted); returns the vector raised or TRAP_NO_FAULT. */
int rdmsr_safe(uint32_t msr, uint64_t *val);

/* WRMSR @val to @msr; returns the vector raised (X86_EXC_GP) or TRAP_NO_FAULT. */
int wrmsr_safe(uint32_t msr, uint64_t val);

#endif
