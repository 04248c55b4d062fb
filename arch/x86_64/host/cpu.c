/* SPDX-License-Identifier: MIT */
/* Per-CPU descriptor tables: GDT with a TSS (for IST stacks), IDT, GS base. */
#include <arch/cpu.h>
#include <arch/desc.h>
#include <arch/trap.h>
#include <tally/arch.h>
#include <tally/percpu.h>

/* Flat 64-bit code, flat data and 32-bit code, as in the boot GDT. */
#define GDT_CODE64	0x00AF9A000000FFFFull
#define GDT_DATA	0x00CF92000000FFFFull
#define GDT_CODE32	0x00CF9A000000FFFFull
#define TSS_TYPE_AVAILABLE	0x89ull	/* present, 64-bit TSS (available) */

/* A 64-bit TSS descriptor takes two GDT slots (SDM Vol. 3A, 7.2.3). */
static void gdt_set_tss(uint64_t *gdt, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	gdt[SEL_TSS / 8] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
			   (TSS_TYPE_AVAILABLE << 40) | (((limit >> 16) & 0xF) << 48) |
			   (((base >> 24) & 0xFF) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;
}

static void load_segments(void)
{
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %1, %%ds\n\tmov %1, %%es\n\tmov %1, %%ss"
			 : : "i"((uint64_t)SEL_CODE64), "r"((uint64_t)SEL_DATA)
			 : "rax", "memory");
}

void arch_init(void)
{
	idt_init();
}

void arch_cpu_init(struct percpu *cpu)
{
	struct arch_percpu *a = &cpu->arch;
	struct desc_ptr gdtr = { sizeof(a->gdt) - 1, (uint64_t)(uintptr_t)a->gdt };

	cpu->self = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)cpu);

	a->gdt[0] = 0;
	a->gdt[SEL_CODE64 / 8] = GDT_CODE64;
	a->gdt[SEL_DATA / 8] = GDT_DATA;
	a->gdt[SEL_CODE32 / 8] = GDT_CODE32;
	for (int i = 0; i < IST_COUNT; i++)
		a->tss.ist[i] = (uint64_t)(uintptr_t)a->ist_stacks[i] + IST_STACK_SIZE;
	a->tss.iopb_offset = sizeof(a->tss);	/* no I/O bitmap */
	gdt_set_tss(a->gdt, &a->tss);

	lgdt(&gdtr);
	load_segments();
	ltr(SEL_TSS);
	idt_load();
}
