/* SPDX-License-Identifier: MIT */
/* A 32-bit guest's hardware task switch, carried out over its memory (pure; SDM Vol. 3A, 7.3). */
#ifndef ARCH_TASK_SWITCH_H
#define ARCH_TASK_SWITCH_H

#include <tally/types.h>

/* The 32-bit TSS (SDM Vol. 3A, 7.2.1, figure 7-2): the fields a task switch reads or writes. */
struct tss32 {
	uint16_t prev_task_link, reserved0;
	uint32_t esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3;
	uint32_t eip, eflags;
	uint32_t gpr[8];		/* EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI */
	uint32_t seg[6];		/* ES, CS, SS, DS, FS, GS selectors (upper halves reserved) */
	uint32_t ldt;			/* LDT segment selector */
	uint16_t trap, io_map_base;	/* T (debug trap) is bit 0 of @trap */
};
_Static_assert(sizeof(struct tss32) == 0x68, "a 32-bit TSS is 104 bytes");
_Static_assert(__builtin_offsetof(struct tss32, cr3) == 0x1C, "CR3 at 1CH");
_Static_assert(__builtin_offsetof(struct tss32, eip) == 0x20, "EIP at 20H");
_Static_assert(__builtin_offsetof(struct tss32, gpr) == 0x28, "EAX at 28H");
_Static_assert(__builtin_offsetof(struct tss32, seg) == 0x48, "ES at 48H");
_Static_assert(__builtin_offsetof(struct tss32, ldt) == 0x60, "LDT selector at 60H");

/* The smallest limit of a 32-bit TSS (SDM Vol. 3A, 7.2.2): 67H. */
#define TSS32_MIN_LIMIT		(sizeof(struct tss32) - 1)
/* The part of the old TSS a switch saves (SDM Vol. 3A, 7.3 step 9): EIP .. GS. */
#define TSS32_DYNAMIC_START	__builtin_offsetof(struct tss32, eip)
#define TSS32_DYNAMIC_END	__builtin_offsetof(struct tss32, ldt)

/* System-descriptor types (SDM Vol. 3A, 3.5, table 3-2). */
#define DESC_TYPE_TSS16_AVAIL	1
#define DESC_TYPE_LDT		2
#define DESC_TYPE_TSS16_BUSY	3
#define DESC_TYPE_TSS32_AVAIL	9
#define DESC_TYPE_TSS32_BUSY	11
#define DESC_TYPE_TSS_BUSY_BIT	2		/* available -> busy */

/* Segment-descriptor type bits for code and data (S = 1; SDM Vol. 3A, 3.4.5.1). */
#define DESC_TYPE_ACCESSED	0x1u
#define DESC_TYPE_WRITABLE	0x2u		/* data */
#define DESC_TYPE_READABLE	0x2u		/* code */
#define DESC_TYPE_CONFORMING	0x4u		/* code */
#define DESC_TYPE_CODE		0x8u

/*
 * Access rights as the VMCS holds them (SDM Vol. 3C, 25.4.1, table 25-2):
 * descriptor bits 40-55 with the limit's 19:16 dropped, plus "unusable".
 */
#define SEG_AR_TYPE_MASK	0xFu
#define SEG_AR_S		(1u << 4)
#define SEG_AR_DPL_SHIFT	5
#define SEG_AR_DPL_MASK		3u
#define SEG_AR_P		(1u << 7)
#define SEG_AR_DB		(1u << 14)
#define SEG_AR_G		(1u << 15)
#define SEG_AR_UNUSABLE		(1u << 16)

/* Selector fields (SDM Vol. 3A, 3.4.2). */
#define SEL_RPL_MASK		3u
#define SEL_TI			(1u << 2)
#define SEL_INDEX_MASK		0xFFF8u

/* EFLAGS bits a task switch looks at (SDM Vol. 1, 3.4.3). */
#define EFLAGS_FIXED1		(1u << 1)
#define EFLAGS_NT		(1u << 14)
#define EFLAGS_VM		(1u << 17)
#define EFLAGS_RESERVED		0xFFC08028u	/* bits 31:22, 15, 5, 3 */

#define CR0_TS_BIT		(1u << 3)

/* A segment register: selector and the descriptor cache, in the VMCS's order. */
struct ts_seg {
	uint16_t sel;
	uint32_t base, limit, ar;
};

enum ts_seg_index { TS_ES, TS_CS, TS_SS, TS_DS, TS_FS, TS_GS, TS_LDTR, TS_TR, TS_SEG_COUNT };
#define TS_DATA_SEGS		6		/* ES .. GS: what the TSS holds */

/* The vCPU state a switch reads and replaces. */
struct ts_cpu {
	uint32_t gpr[8];		/* EAX .. EDI, x86 order, ESP at 4 */
	uint32_t eip;			/* to save: after CALL/JMP/IRET/INT n, else the faulting one */
	uint32_t eflags, cr0, cr3;
	bool pae;			/* PAE paging: a CR3 load loads @pdpte */
	uint64_t pdpte[4];
	uint32_t gdt_base, gdt_limit;
	struct ts_seg seg[TS_SEG_COUNT];
};

/* What started the switch: the exit qualification's source (SDM Vol. 3C, table 28-2). */
enum ts_source { TS_SRC_CALL = 0, TS_SRC_IRET = 1, TS_SRC_JMP = 2, TS_SRC_GATE = 3 };

struct ts_request {
	enum ts_source source;
	uint16_t selector;		/* of the new TSS */
	bool external;			/* GATE: an interrupt, NMI or exception, not INT n (EXT, SDM 6.13) */
	bool has_error;			/* GATE: the exception pushes @error_code on the new stack */
	uint32_t error_code;
};

/* The guest's memory, by linear address through the current ts_cpu's CR3 (arch side). */
struct ts_mem {
	/* Copy @len bytes at linear @la to @buf: 0, or -1 outside the guest's RAM / unmapped. */
	int (*read)(void *ctx, uint32_t la, void *buf, uint32_t len);
	/* Copy @buf to @len bytes at linear @la: 0 or -1 as for @read. */
	int (*write)(void *ctx, uint32_t la, const void *buf, uint32_t len);
	/* The 4 PDPTEs at guest-physical @pdpt (PAE CR3 load): 0 or -1. */
	int (*read_pdptes)(void *ctx, uint32_t pdpt, uint64_t pdpte[4]);
	void *ctx;
};

enum ts_status {
	TS_DONE,		/* switched; no fault */
	TS_FAULT,		/* fault: see struct ts_fault */
	TS_UNSUPPORTED,		/* a 16-bit TSS or a virtual-8086 task: not emulated */
};

/* Exception vectors a switch raises (SDM Vol. 3A, 6.15). */
#define TS_VEC_GP		13
#define TS_VEC_TS		10
#define TS_VEC_NP		11
#define TS_VEC_SS		12

struct ts_fault {
	uint8_t vector;
	uint32_t error_code;
	bool committed;		/* after the commit point: delivered in the new task (7.3 step 12) */
};

/*
 * Switch @cpu to the task @req names (SDM Vol. 3A, 7.3 steps 2-13), through
 * @mem.  TS_FAULT before the commit point leaves @cpu and memory unchanged;
 * after it, @cpu holds the new task with the fault to deliver there.
 */
enum ts_status task_switch(struct ts_cpu *cpu, const struct ts_request *req,
			   const struct ts_mem *mem, struct ts_fault *f);

/* Decode the 8-byte segment descriptor @d into @s (selector @sel): base, limit in bytes, AR. */
void ts_desc_decode(uint64_t d, uint16_t sel, struct ts_seg *s);

#endif
