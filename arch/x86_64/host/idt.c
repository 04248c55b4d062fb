/* SPDX-License-Identifier: MIT */
/* The IDT: every vector points at its stub in traps.asm. */
#include <arch/cpu.h>
#include <arch/desc.h>
#include <arch/trap.h>

#define TRAP_STUB_SIZE	16	/* matches STUB_SIZE in traps.asm */

extern const uint8_t trap_stubs[];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

/* Faults that may come with a broken stack run on their own IST stacks. */
static uint8_t ist_for_vector(unsigned int v)
{
	switch (v) {
	case VEC_DF: return IST_DOUBLE_FAULT;
	case VEC_NMI: return IST_NMI;
	case VEC_MC: return IST_MACHINE_CHECK;
	default: return 0;
	}
}

void idt_init(void)
{
	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		uint64_t addr = (uint64_t)(uintptr_t)&trap_stubs[v * TRAP_STUB_SIZE];

		idt[v] = (struct idt_gate){
			.offset_low = addr & 0xFFFF,
			.selector = SEL_CODE64,
			.ist = ist_for_vector(v),
			.type_attr = IDT_GATE_INTERRUPT,
			.offset_mid = (addr >> 16) & 0xFFFF,
			.offset_high = addr >> 32,
		};
	}
}

void idt_load(void)
{
	struct desc_ptr ptr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	lidt(&ptr);
}

uint64_t idt_base(void)
{
	return (uint64_t)(uintptr_t)idt;
}
