/* SPDX-License-Identifier: MIT */
/*
 * mmio, 64-bit: the guest switches to IA-32e mode (SDM Vol. 3A, 10.8.5)
 * with 4-level paging (4 KiB pages for its code, 2 MiB ones for the
 * device) and uses the device with REX.W, REX.R/X/B, a 64-bit moffs, a
 * RIP-relative operand (through an alias within 2 GiB of the code) and
 * MOVSXD, then comes back to 32-bit protected mode and checks the results.
 * No interrupt or exception may happen meanwhile: the IDT is 32-bit.
 */
#include "desc.h"
#include "guest.h"
#include "mmio.h"

#define P		0x001ull
#define RW		0x002ull
#define PS		0x080ull
#define ENTRIES		512u
#define MIB2		0x200000u
#define ALIAS2M_VA	0x40000000u	/* -> 0xFEE00000: the device at 0x40100000 */
#define DEV_2M		0xFEE00000u	/* the 2 MiB page holding the device */
#define RAM_2M_PAGES	4		/* 8 MiB identity-mapped */

/* Flat descriptors: 32-bit code at 0x08 and data at 0x10 as the library's, 64-bit code at 0x18. */
static const uint64_t gdt64[] __attribute__((aligned(8))) = {
	0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull, 0x00AF9A000000FFFFull,
};

/* What the 64-bit code leaves, by index (see the checks below). */
uint64_t long_results[12];

/* long_run(pml4): into 64-bit mode and back; cdecl, keeps EBX, ESI, EDI, EBP. */
void long_run(uint32_t pml4);

asm(".text\n"
    ".code32\n"
    ".globl long_run\n"
    "long_run:\n\t"
    "pushl %ebx\n\tpushl %esi\n\tpushl %edi\n\tpushl %ebp\n\t"
    "movl 20(%esp), %eax\n\tmovl %eax, %cr3\n\t"
    "movl %cr4, %eax\n\torl $0x20, %eax\n\tmovl %eax, %cr4\n\t"		/* CR4.PAE */
    "movl $0xC0000080, %ecx\n\trdmsr\n\torl $0x100, %eax\n\twrmsr\n\t"	/* EFER.LME */
    "movl %cr0, %eax\n\torl $0x80000000, %eax\n\tmovl %eax, %cr0\n\t"	/* CR0.PG: IA-32e */
    "ljmp $0x18, $long_64\n"
    ".code64\n"
    "long_64:\n\t"
    "movl %esp, %esp\n\t"
    "movl $0xfef00000, %ebx\n\t"
    "movl $long_results, %edi\n\t"
    "movl 0x100(%rbx), %eax\n\tmovq %rax, 80(%rdi)\n\t"		/* [10] count before */
    "movabsq $0x1122334455667788, %rax\n\tmovq %rax, 0x40(%rbx)\n\t"	/* REX.W 89 */
    "movq 0x40(%rbx), %rcx\n\tmovq %rcx, 0(%rdi)\n\t"			/* [0] */
    "movq $-1, %rdx\n\tmovl 0x40(%rbx), %edx\n\tmovq %rdx, 8(%rdi)\n\t"	/* [1] zero-extended */
    "movq $-2, 0x48(%rbx)\n\tmovq 0x48(%rbx), %r10\n\tmovq %r10, 16(%rdi)\n\t"	/* [2] */
    "movabsq 0xfef00040, %rax\n\tmovq %rax, 24(%rdi)\n\t"		/* [3] 48 A1 moffs64 */
    "movl $0x1ab, %esi\n\tmovb %sil, 0x50(%rbx)\n\t"			/* 40 88: SIL */
    "movzbl 0x50(%rbx), %eax\n\tmovq %rax, 32(%rdi)\n\t"		/* [4] */
    "movq long_alias(%rip), %rax\n\tmovq %rax, 40(%rdi)\n\t"		/* [5] RIP-relative */
    "addq $1, 0x40(%rbx)\n\tmovq 0x40(%rbx), %rax\n\tmovq %rax, 48(%rdi)\n\t"	/* [6] */
    "movl $2, %r12d\n\tmovl $0x12345678, %eax\n\tmovl %eax, (%rbx,%r12,8)\n\t"
    "movl 0x10(%rbx), %eax\n\tmovq %rax, 56(%rdi)\n\t"			/* [7] REX.X index */
    "movslq 0x48(%rbx), %r8\n\tmovq %r8, 64(%rdi)\n\t"			/* [8] MOVSXD */
    "movq 0x100(%rbx), %rax\n\tmovq %rax, 72(%rdi)\n\t"		/* [9] count after */
    "pushq $0x08\n\tmovl $long_back, %eax\n\tpushq %rax\n\tlretq\n"
    ".code32\n"
    "long_back:\n\t"
    "movl %cr0, %eax\n\tandl $0x7fffffff, %eax\n\tmovl %eax, %cr0\n\t"	/* leaves IA-32e */
    "movl $0xC0000080, %ecx\n\trdmsr\n\tandl $~0x100, %eax\n\twrmsr\n\t"
    "movl %cr4, %eax\n\tandl $~0x20, %eax\n\tmovl %eax, %cr4\n\t"
    "popl %ebp\n\tpopl %edi\n\tpopl %esi\n\tpopl %ebx\n\t"
    "ret\n"
    ".set long_alias, 0x40100040\n");

static uint64_t *table(void)
{
	uint64_t *t = page_alloc();

	if (t)
		memset(t, 0, PAGE_SIZE);
	return t;
}

/* 4-level tables: RAM 1:1 (the first 2 MiB in 4 KiB pages), the device's 2 MiB twice. */
static uint32_t build(void)
{
	uint64_t *pml4 = table(), *pdpt = table(), *pd0 = table(), *pt0 = table();
	uint64_t *pd1 = table(), *pd3 = table();

	if (!pml4 || !pdpt || !pd0 || !pt0 || !pd1 || !pd3)
		return 0;
	pml4[0] = (uint32_t)pdpt | P | RW;
	pdpt[0] = (uint32_t)pd0 | P | RW;
	pdpt[1] = (uint32_t)pd1 | P | RW;
	pdpt[3] = (uint32_t)pd3 | P | RW;
	for (unsigned int i = 0; i < ENTRIES; i++)
		pt0[i] = (uint64_t)i * PAGE_SIZE | P | RW;
	pd0[0] = (uint32_t)pt0 | P | RW;
	for (unsigned int i = 1; i < RAM_2M_PAGES; i++)
		pd0[i] = (uint64_t)i * MIB2 | PS | P | RW;
	pd1[0] = DEV_2M | PS | P | RW;
	pd3[(DEV_2M >> 21) % ENTRIES] = DEV_2M | PS | P | RW;
	return (uint32_t)pml4;
}

/* The 64-bit part: needs page_pool_init() done (mmio_paged() does it). */
void mmio_long(void)
{
	struct desc_ptr gdtr = { sizeof(gdt64) - 1, (uint32_t)gdt64 };
	uint32_t pml4 = build();
	uint64_t *r = long_results;

	if (!pml4) {
		guest_error("out of pages for the 4-level tables");
		return;
	}
	lgdt(&gdtr);
	long_run(pml4);
	desc_load();
	guest_check(r[0] == 0x1122334455667788ull, "64-bit: movq store and load: 0x%llx", r[0]);
	guest_check(r[1] == 0x55667788ull, "64-bit: movl load zero-extends: 0x%llx", r[1]);
	guest_check(r[2] == 0xfffffffffffffffeull, "64-bit: movq $-2 into %%r10: 0x%llx", r[2]);
	guest_check(r[3] == 0x1122334455667788ull, "64-bit: movabs moffs64: 0x%llx", r[3]);
	guest_check(r[4] == 0xab, "64-bit: movb %%sil: 0x%llx", r[4]);
	guest_check(r[5] == 0x1122334455667788ull, "64-bit: RIP-relative load: 0x%llx", r[5]);
	guest_check(r[6] == 0x1122334455667789ull, "64-bit: addq $1: 0x%llx", r[6]);
	guest_check(r[7] == 0x12345678ull, "64-bit: movl (%%rbx,%%r12,8): 0x%llx", r[7]);
	guest_check(r[8] == 0xfffffffffffffffeull, "64-bit: movslq: 0x%llx", r[8]);
	guest_check(r[9] - r[10] == 15, "64-bit: 15 accesses counted: %llu", r[9] - r[10]);
}
