/* SPDX-License-Identifier: MIT */
/* Test-guest GDT and IDT: flat 4 GiB 32-bit segments, interrupt gates for all 256 vectors. */
#include <stdint.h>
#include "desc.h"
#include "irq.h"
#include "trap.h"
#include "x86.h"

/* Segment descriptor fields (SDM Vol. 3 3.4.5). */
#define SEG_ACCESS_CODE		0x9Au	/* present, DPL 0, code, execute/read */
#define SEG_ACCESS_DATA		0x92u	/* present, DPL 0, data, read/write */
#define SEG_ACCESS_USER_CODE	0xFAu	/* the same with DPL 3, for user.h */
#define SEG_ACCESS_USER_DATA	0xF2u
#define SEG_FLAGS_FLAT32	0xCu	/* G: 4 KiB granularity, D/B: 32-bit */
#define SEG_LIMIT_MAX		0xFFFFFu	/* 2^20 pages: 4 GiB */
#define SEG_LIMIT_LOW_MASK	0xFFFFu
#define SEG_LIMIT_HIGH_SHIFT	16
#define SEG_DESC_LIMIT_HIGH	48
#define SEG_DESC_ACCESS		40
#define SEG_DESC_FLAGS		52

#define GDT_FLAT(access)						\
	(((uint64_t)SEG_FLAGS_FLAT32 << SEG_DESC_FLAGS) |		\
	 ((uint64_t)(SEG_LIMIT_MAX >> SEG_LIMIT_HIGH_SHIFT) << SEG_DESC_LIMIT_HIGH) | \
	 ((uint64_t)(access) << SEG_DESC_ACCESS) |			\
	 (SEG_LIMIT_MAX & SEG_LIMIT_LOW_MASK))

/* Gate descriptor type (SDM Vol. 3 6.11): present, DPL 0, 32-bit interrupt gate. */
#define IDT_INTERRUPT_GATE32	0x8Eu
#define IDT_OFFSET_HIGH_SHIFT	16

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type_attr;
	uint16_t offset_high;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 8, "IDT gate is 8 bytes");

/* Index = selector / 8: null, GDT_SEL_CODE, GDT_SEL_DATA, GDT_SEL_USER_CODE, _USER_DATA. */
static const uint64_t gdt[] __attribute__((aligned(8))) = {
	0,
	GDT_FLAT(SEG_ACCESS_CODE),
	GDT_FLAT(SEG_ACCESS_DATA),
	GDT_FLAT(SEG_ACCESS_USER_CODE),
	GDT_FLAT(SEG_ACCESS_USER_DATA),
};

static struct idt_gate idt[IRQ_VECTORS] __attribute__((aligned(8)));

static struct idt_gate idt_gate(uint32_t handler)
{
	return (struct idt_gate){
		.offset_low = (uint16_t)handler,
		.selector = GDT_SEL_CODE,
		.type_attr = IDT_INTERRUPT_GATE32,
		.offset_high = (uint16_t)(handler >> IDT_OFFSET_HIGH_SHIFT),
	};
}

/* Exception gates lead to traps.asm, the others to irqs.asm. */
static void idt_fill(void)
{
	unsigned int v;

	for (v = 0; v < X86_EXCEPTIONS; v++)
		idt[v] = idt_gate(trap_stubs[v]);
	for (v = IRQ_VECTOR_FIRST; v < IRQ_VECTORS; v++)
		idt[v] = idt_gate(irq_stubs[v - IRQ_VECTOR_FIRST]);
}

/* A far jump reloads CS; the data segment registers take plain moves. */
static void reload_segments(void)
{
	asm volatile("ljmp %[cs], $1f\n"
		     "1:\n\t"
		     "mov %[ds], %%ds\n\t"
		     "mov %[ds], %%es\n\t"
		     "mov %[ds], %%fs\n\t"
		     "mov %[ds], %%gs\n\t"
		     "mov %[ds], %%ss"
		     : : [cs] "i"(GDT_SEL_CODE), [ds] "r"((uint32_t)GDT_SEL_DATA)
		     : "memory");
}

/* Load the flat GDT, reload the segment registers, and load the IDT. */
void desc_load(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };

	lgdt(&gdtr);
	reload_segments();
	lidt(&idtr);
}

/* Fill the IDT, then load both tables on this (the boot) CPU. */
void desc_init(void)
{
	idt_fill();
	desc_load();
}
