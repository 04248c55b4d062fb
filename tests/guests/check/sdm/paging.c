/* SPDX-License-Identifier: MIT */
/* sdm: identity-mapped page tables, PAE paging on and off, and a trip into 64-bit mode and back. */
#include <stddef.h>
#include "guest.h"
#include "sdm.h"

/* Paging-structure entries (SDM Vol. 3A, "PAE Paging" and "4-Level Paging"). */
#define PTE_P			(1ull << 0)
#define PTE_RW			(1ull << 1)
#define PTE_PS			(1ull << 7)
#define PDPTE_RESERVED_BIT1	(1ull << 1)	/* reserved in a PAE PDPTE */
#define PAGE_2M			(2ull << 20)
#define TABLE_ENTRIES		512
#define PAE_PDPTES		4

/* The trip's GDT: the library's descriptors, then a 64-bit code segment. */
#define GDT64_ENTRIES		8
#define GDT_SEL_CODE64		0x28
#define GDT_CODE64		0x00AF9A000000FFFFull	/* P, DPL 0, code, L=1, D=0, G */
#define CR0_ALL_BUT_PG		0x7FFFFFFF
#define GARBAGE_HIGH		0xA5A5A5A500000000	/* for bits 63:32 of RDI */

static uint64_t pml4[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pdpt[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pd[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pae_pdpt[PAE_PDPTES] __attribute__((aligned(32)));
static uint64_t pae_bad[PAE_PDPTES] __attribute__((aligned(32)));
static uint64_t gdt64[GDT64_ENTRIES] __attribute__((aligned(8)));

/* Read by the trip's assembly below, by name. */
struct lm_trip lm_state;
struct desc_ptr lm_gdtr64, lm_gdtr_saved, lm_idtr_saved, lm_idtr_none;
uint32_t lm_cr3;
void lm_trip_asm(void);

/* Offsets into struct lm_trip that the assembly uses. */
#define LM_CR8			0
#define LM_CR8_RSP		8
#define LM_USE_RSP		16
#define LM_CR8_FIRST		24
#define LM_CR8_READ		32
#define LM_TPR_READ		40
#define LM_CR8_RSP_READ		48
#define LM_TPR_RSP_READ		56
#define LM_LAST_CR0		64
_Static_assert(offsetof(struct lm_trip, cr8) == LM_CR8, "lm_trip layout");
_Static_assert(offsetof(struct lm_trip, cr8_rsp) == LM_CR8_RSP, "lm_trip layout");
_Static_assert(offsetof(struct lm_trip, use_rsp) == LM_USE_RSP, "lm_trip layout");
_Static_assert(offsetof(struct lm_trip, cr8_first) == LM_CR8_FIRST, "lm_trip layout");
_Static_assert(offsetof(struct lm_trip, cr8_read) == LM_CR8_READ, "lm_trip layout");
_Static_assert(offsetof(struct lm_trip, tpr_read) == LM_TPR_READ, "lm_trip layout");
_Static_assert(offsetof(struct lm_trip, cr8_rsp_read) == LM_CR8_RSP_READ, "lm_trip layout");
_Static_assert(offsetof(struct lm_trip, tpr_rsp_read) == LM_TPR_RSP_READ, "lm_trip layout");
_Static_assert(offsetof(struct lm_trip, last_cr0) == LM_LAST_CR0, "lm_trip layout");

#define STR_(x)	#x
#define STR(x)	STR_(x)

/*
 * 32-bit code in, 64-bit code in the middle, 32-bit code out (SDM Vol. 3A,
 * 10.8.5 "Initializing IA-32e Mode" and 10.8.5.4 "Switching Out of IA-32e
 * Mode Operation"; 9.8.5 in older editions).  Callee-saved registers are
 * pushed and popped; the MOV to CR0 at lm_cr0_write may fault (.extable).
 */
asm(".pushsection .text\n"
    ".globl lm_trip_asm\n"
    ".type lm_trip_asm, @function\n"
    ".code32\n"
    "lm_trip_asm:\n\t"
    "push %ebp\n\tpush %ebx\n\tpush %esi\n\tpush %edi\n\t"
    "lgdt lm_gdtr64\n\t"
    "lidt lm_idtr_none\n\t"			/* a fault in 64-bit mode is a triple fault */
    "mov %cr4, %eax\n\tor $" STR(CR4_PAE) ", %eax\n\tmov %eax, %cr4\n\t"
    "mov lm_cr3, %eax\n\tmov %eax, %cr3\n\t"
    "mov $" STR(MSR_EFER) ", %ecx\n\trdmsr\n\tor $" STR(EFER_LME) ", %eax\n\twrmsr\n\t"
    /* PG with NE flipped: the write exits and Tally activates IA-32e mode. */
    "mov %cr0, %eax\n\tor $" STR(CR0_PG) ", %eax\n\txor $" STR(CR0_NE) ", %eax\n\t"
    "mov %eax, %cr0\n\t"
    "mov $lm_state, %esi\n\t"
    "ljmp $" STR(GDT_SEL_CODE64) ", $lm_64\n"
    ".code64\n"
    "lm_64:\n\t"
    "mov %esp, %esp\n\t"			/* zero-extended into RSP */
    "mov %esi, %esi\n\t"			/* &lm_state: no absolute addresses here */
    "mov %cr8, %rax\n\tmov %rax, " STR(LM_CR8_FIRST) "(%rsi)\n\t"
    "mov " STR(LM_CR8) "(%rsi), %rax\n\tmov %rax, %cr8\n\t"
    "xor %ebx, %ebx\n\tmov %cr8, %rbx\n\tmov %rbx, " STR(LM_CR8_READ) "(%rsi)\n\t"
    "mov $" STR(MSR_X2APIC_TPR) ", %ecx\n\trdmsr\n\tmov %eax, " STR(LM_TPR_READ) "(%rsi)\n\t"
    "cmpl $0, " STR(LM_USE_RSP) "(%rsi)\n\tje 2f\n\t"
    "mov %rsp, %r15\n\t"
    "mov " STR(LM_CR8_RSP) "(%rsi), %rsp\n\tmov %rsp, %cr8\n\t"
    "xor %esp, %esp\n\tmov %cr8, %rsp\n\tmov %rsp, %r14\n\t"
    "mov %r15, %rsp\n\t"
    "mov %r14, " STR(LM_CR8_RSP_READ) "(%rsi)\n\t"
    "mov $" STR(MSR_X2APIC_TPR) ", %ecx\n\trdmsr\n\tmov %eax, " STR(LM_TPR_RSP_READ) "(%rsi)\n"
    "2:\n\t"
    /* CR0 for the way back (PG clear, NE as before) in RDI, garbage in bits 63:32. */
    "mov %cr0, %rdi\n\tand $" STR(CR0_ALL_BUT_PG) ", %edi\n\txor $" STR(CR0_NE) ", %edi\n\t"
    "movabs $" STR(GARBAGE_HIGH) ", %rax\n\tor %rax, %rdi\n\t"
    "pushq $" STR(GDT_SEL_CODE) "\n\tmov $lm_back, %eax\n\tpush %rax\n\tlretq\n"
    ".code32\n"
    "lm_back:\n\t"				/* compatibility mode */
    "mov %cr0, %eax\n\tand $" STR(CR0_ALL_BUT_PG) ", %eax\n\tmov %eax, %cr0\n\t"	/* no exit */
    "mov $" STR(MSR_EFER) ", %ecx\n\trdmsr\n\tand $~" STR(EFER_LME) ", %eax\n\twrmsr\n\t"
    "mov %cr4, %eax\n\tand $~" STR(CR4_PAE) ", %eax\n\tmov %eax, %cr4\n\t"
    "lgdt lm_gdtr_saved\n\t"
    "lidt lm_idtr_saved\n"
    "lm_cr0_write:\n\t"
    "mov %edi, %cr0\n"				/* flips NE: exits, RDI[63:32] = garbage */
    "lm_cr0_resume:\n\t"
    "mov %cr0, %eax\n\tmov %eax, lm_state+" STR(LM_LAST_CR0) "\n\t"
    "pop %edi\n\tpop %esi\n\tpop %ebx\n\tpop %ebp\n\t"
    "ret\n"
    ".size lm_trip_asm, . - lm_trip_asm\n"
    EXTABLE_ENTRY(lm_cr0_write, lm_cr0_resume)
    ".popsection\n");

int write_cr0_safe(uint32_t v)
{
	trap_expect();
	asm volatile("1: mov %0, %%cr0\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "r"(v) : "memory");
	return trap_caught();
}

void paging_init(void)
{
	for (unsigned int i = 0; i < TABLE_ENTRIES; i++)
		pd[i] = (uint64_t)i * PAGE_2M | PTE_PS | PTE_RW | PTE_P;
	pdpt[0] = (uint32_t)pd | PTE_RW | PTE_P;
	pml4[0] = (uint32_t)pdpt | PTE_RW | PTE_P;
	pae_pdpt[0] = (uint32_t)pd | PTE_P;
	pae_bad[0] = (uint32_t)pd | PDPTE_RESERVED_BIT1 | PTE_P;
	lm_cr3 = (uint32_t)pml4;
}

static void write_cr3(uint32_t v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

void pae_paging_on(void)
{
	pae_load_pdpt(false);
	write_cr0(read_cr0() | CR0_PG);
}

void pae_paging_off(void)
{
	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PAE);
}

void pae_load_pdpt(bool bad)
{
	write_cr4(read_cr4() | CR4_PAE);
	write_cr3((uint32_t)(bad ? pae_bad : pae_pdpt));
}

/* The library's GDT with a 64-bit code segment after it, and the tables to restore. */
static void trip_tables(void)
{
	uint32_t n;

	sgdt(&lm_gdtr_saved);
	asm volatile("sidt %0" : "=m"(lm_idtr_saved));
	n = (lm_gdtr_saved.limit + 1u) / sizeof(uint64_t);
	if (n > GDT_SEL_CODE64 / sizeof(uint64_t))
		n = GDT_SEL_CODE64 / sizeof(uint64_t);
	memcpy(gdt64, (const void *)lm_gdtr_saved.base, n * sizeof(uint64_t));
	gdt64[GDT_SEL_CODE64 / sizeof(uint64_t)] = GDT_CODE64;
	lm_gdtr64 = (struct desc_ptr){ sizeof(gdt64) - 1, (uint32_t)gdt64 };
	lm_idtr_none = (struct desc_ptr){ 0, 0 };
}

void lm_trip_run(struct lm_trip *t)
{
	trip_tables();
	lm_state = (struct lm_trip){ .cr8 = t->cr8, .cr8_rsp = t->cr8_rsp, .use_rsp = t->use_rsp };
	trap_expect();
	lm_trip_asm();
	lm_state.last_cr0_vector = trap_caught();
	*t = lm_state;
}
