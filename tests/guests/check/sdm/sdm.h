/* SPDX-License-Identifier: MIT */
/* sdm: what the checks share: control-register access, paging modes and the 64-bit trip. */
#ifndef SDM_SDM_H
#define SDM_SDM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Control-register and EFER bits (SDM Vol. 3A, 2.5 and 2.2.1), as plain
 * numbers: the trip's assembly takes them as immediates.
 */
#define CR0_PE			0x1
#define CR0_NE			0x20		/* host-owned under VMX: writes that flip it exit */
#define CR0_PG			0x80000000
#define CR4_PAE			0x20
#define MSR_EFER		0xC0000080
#define MSR_SFMASK		0xC0000084	/* IA32_FMASK: bits 63:32 reserved */
#define EFER_SCE		0x1
#define EFER_LME		0x100
#define EFER_LMA		0x400
#define EFER_NXE		0x800

static inline uint32_t read_cr0(void)
{
	uint32_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint32_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t read_cr4(void)
{
	uint32_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint32_t v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/*
 * MOV to CR0 of @v that may fault: the vector raised, or TRAP_NO_FAULT.
 * A write that flips CR0.NE exits to Tally, so Tally's handler answers.
 */
int write_cr0_safe(uint32_t v);

/* Build the identity map of the first 1 GiB (2 MiB pages) for PAE and IA-32e paging. */
void paging_init(void);

/* 32-bit PAE paging on (without an exit: CR0.NE unchanged), and off again. */
void pae_paging_on(void);
void pae_paging_off(void);

/* CR4.PAE on and CR3 at a PAE page-directory-pointer table (@bad: PDPTE 0 sets reserved bit 1). */
void pae_load_pdpt(bool bad);

/*
 * A trip into 64-bit mode and back (interrupts must be off): CR4.PAE,
 * EFER.LME, then CR0.PG together with a CR0.NE flip, so that Tally's
 * MOV-to-CR0 handler activates IA-32e mode; a far jump to a 64-bit code
 * segment runs the CR8 steps below, and the way back clears PG in
 * compatibility mode, LME and PAE, and last restores CR0.NE with a MOV
 * from EDI whose upper 32 bits the 64-bit code filled with garbage.
 */
struct lm_trip {
	/* in */
	uint64_t cr8;		/* MOV to CR8 through RAX */
	uint64_t cr8_rsp;	/* then MOV to CR8 through RSP, if use_rsp */
	uint32_t use_rsp;
	uint32_t _pad;
	/* out */
	uint64_t cr8_first;	/* MOV from CR8 on arrival */
	uint64_t cr8_read;	/* MOV from CR8 through RBX after the write */
	uint64_t tpr_read;	/* x2APIC TPR (RDMSR 0x808) after it */
	uint64_t cr8_rsp_read;	/* MOV from CR8 through RSP after the RSP write */
	uint64_t tpr_rsp_read;
	uint32_t last_cr0;	/* CR0 as read after the last write */
	int last_cr0_vector;	/* what the last MOV to CR0 raised, or TRAP_NO_FAULT */
};

/* Make the trip described by @t (filling its outputs). */
void lm_trip_run(struct lm_trip *t);

#endif
