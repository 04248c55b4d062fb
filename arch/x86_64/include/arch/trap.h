/* SPDX-License-Identifier: MIT */
/* Interrupt and exception entry: vectors and the saved register frame. */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <tally/types.h>

/* Exception vectors (SDM Vol. 3A, 6.3.1). */
enum {
	VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5,
	VEC_UD = 6, VEC_NM = 7, VEC_DF = 8, VEC_TS = 10, VEC_NP = 11,
	VEC_SS = 12, VEC_GP = 13, VEC_PF = 14, VEC_MF = 16, VEC_AC = 17,
	VEC_MC = 18, VEC_XM = 19, VEC_VE = 20, VEC_CP = 21,
	VEC_FIRST_EXTERNAL = 32,
};

/*
 * Vectors drivers get from arch_irq_register(), for I/O APIC inputs: above
 * the PICs' 0x20-0x2F, in the lowest priority class Tally uses, below the
 * timer and the kick.
 */
#define VEC_DEVICE_FIRST	0x30
#define VEC_DEVICE_COUNT	8

/* Vectors Tally programs into its local APIC. */
#define VEC_LAPIC_TIMER		0xF0
#define VEC_KICK		0xF1	/* another CPU changed this one's run queue */
#define VEC_LAPIC_SPURIOUS	0xFF
#define IDT_VECTORS		256

/* Saved by arch/x86_64/host/traps.asm, in push order reversed. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;	/* error code 0 where the CPU gives none */
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* Fill the IDT (shared by all CPUs). */
void idt_init(void);
/* Load the IDT on the calling CPU. */
void idt_load(void);
/* Linear address of the IDT (for the VMCS host state). */
uint64_t idt_base(void);
/* Handle external interrupt @vector, from the IDT or from a VM exit. */
void trap_external_interrupt(uint64_t vector);
/* Run the handler a driver registered for device @vector; false if there is none. */
bool irq_dispatch(uint64_t vector);
/* C entry for every vector, from traps.asm. */
void trap_dispatch(struct trap_frame *f);
/* Print @f's registers and a backtrace from its RBP. */
void trap_dump_frame(const struct trap_frame *f);
/* Print a backtrace walking saved frame pointers from @rbp. */
void trap_backtrace(uint64_t rip, uint64_t rbp);

#endif
