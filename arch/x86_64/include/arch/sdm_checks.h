/* SPDX-License-Identifier: MIT */
/* The checks a CPU makes on a guest's MOV to CR0/CR4/CR8 and WRMSR to IA32_EFER (pure logic).
 *
 * Design: the exit handlers (exit_cr.c, exit_msr.c) gather the guest's
 * mode from the VMCS into struct sdm_mode and ask these functions whether
 * the CPU would raise #GP, and what the registers become if not.  Anything
 * a handler accepts here must also pass the VM-entry checks on guest state
 * (SDM Vol. 3C, "Checks on the Guest State Area"), or the guest
 * would be destroyed for an instruction a CPU runs or refuses.  Section
 * numbers are those of recent SDM editions, with their titles, since older
 * editions number the same sections one lower (4.1.2 for 5.1.2). */
#ifndef ARCH_SDM_CHECKS_H
#define ARCH_SDM_CHECKS_H

#include <tally/types.h>
#include <arch/cpu.h>

/* The EFER, CR0 and CR4 bits are in arch/cpu.h. */

/* CPUID.80000001H:EDX (SDM Vol. 2A, CPUID); NX is in arch/cpu.h. */
#define CPUID_80000001_EDX_SYSCALL	(1u << 11)
#define CPUID_80000001_EDX_LM		(1u << 29)

/* CR8 holds the TPR's priority class: CR8[3:0] = TPR[7:4] (SDM Vol. 3A, 11.8.6.1). */
#define CR8_RESERVED		(~0xFull)

/* PAE page-directory-pointer-table entries (SDM Vol. 3A, 5.4.1, table 5-8). */
#define PDPTE_PRESENT		(1ull << 0)
#define PDPTE_RESERVED_LOW	0x1E6ull	/* bits 2:1 and 8:5 */
#define PDPTE_COUNT		4

/* Segment access rights as the VMCS holds them (SDM Vol. 3C, 25.4.1, table 25-2). */
#define AR_TYPE_MASK		0xFu
#define AR_DPL_SHIFT		5
#define AR_DPL_MASK		3u
#define AR_CS_L			(1u << 13)	/* 64-bit code segment */
#define TSS_TYPE_BUSY16		3

/* What the checks depend on: the guest's registers as it sees them. */
struct sdm_mode {
	uint64_t cr0;		/* host-owned bits from the read shadow */
	uint64_t cr4;
	uint64_t efer;
	uint32_t cs_ar;		/* CS access rights (for CS.L) */
	uint32_t tr_ar;		/* TR access rights (for a 16-bit TSS) */
	uint32_t ext_edx;	/* CPUID.80000001H:EDX as the guest sees it */
	unsigned int maxphyaddr;	/* CPUID.80000008H:EAX[7:0] */
};

/* True in 64-bit mode: IA-32e mode active and CS.L set (SDM Vol. 3A, 2.2). */
bool sdm_64bit_mode(const struct sdm_mode *m);

/*
 * The value a MOV to a control register takes from a register holding
 * @raw: all 64 bits in 64-bit mode, else the low 32 (outside 64-bit mode
 * the upper halves are undefined and not operands; SDM Vol. 1, 3.4.1.1).
 */
uint64_t sdm_cr_operand(const struct sdm_mode *m, uint64_t raw);

/*
 * WRMSR of @val to IA32_EFER: 0 with *@efer the new value, or -EINVAL
 * where the CPU raises #GP(0): a bit the CPU does not have (SCE needs
 * CPUID SYSCALL or LM, LME needs LM, NXE needs NX; the rest are reserved),
 * or LME changing while CR0.PG = 1 (SDM Vol. 3A, 5.1.2 "Paging-Mode
 * Enabling").  LMA is read-only: a write of it is ignored, as Bochs and
 * KVM do (table 2-1 marks it "R").
 */
int sdm_efer_write(const struct sdm_mode *m, uint64_t val, uint64_t *efer);

/*
 * MOV of @val to CR0: 0 with *@efer the EFER after it (LMA = PG and LME,
 * SDM Vol. 3A, 10.8.5 "Initializing IA-32e Mode"), or -EINVAL for #GP(0)
 * (SDM Vol. 2B, "MOV—Move to/from Control Registers"): bits 63:32 set; PG
 * without PE; NW without CD; paging enabled with LME and not CR4.PAE, or
 * while CS.L is set or TR is a 16-bit TSS; PG cleared in 64-bit mode.
 */
int sdm_cr0_write(const struct sdm_mode *m, uint64_t val, uint64_t *efer);

/*
 * MOV of @val to CR4: 0 or -EINVAL for #GP(0): VMXE (Tally's), a bit
 * outside @supported (the CPU's CR4 bits), or PAE cleared while IA-32e
 * mode is active (SDM Vol. 3A, 5.1.2).
 */
int sdm_cr4_write(const struct sdm_mode *m, uint64_t val, uint64_t supported);

/*
 * Whether PAE paging may use PDPTE @pdpte: not present, or present with
 * no reserved bit set (bits 2:1, 8:5, and MAXPHYADDR-1 and up); a MOV to
 * CR0/CR4 that loads a bad one raises #GP(0) (SDM Vol. 3A, 5.4.1).
 */
bool sdm_pdpte_valid(uint64_t pdpte, unsigned int maxphyaddr);

/* Access types of a control-register exit (SDM Vol. 3C, table 28-3). */
enum sdm_cr_access_type {
	SDM_CR_MOV_TO = 0,
	SDM_CR_MOV_FROM = 1,
	SDM_CR_CLTS = 2,
	SDM_CR_LMSW = 3,
};

/* A control-register exit's qualification, decoded. */
struct sdm_cr_access {
	unsigned int cr;		/* 0, 3, 4 or 8 */
	enum sdm_cr_access_type type;
	unsigned int gpr;		/* the register, by x86 number (0 RAX ... 15 R15) */
	bool gpr_is_rsp;		/* 4: RSP, which the VMCS holds (GUEST_RSP), not the stub */
};

/* Decode the exit qualification @qual of a control-register access (SDM Vol. 3C, table 28-3). */
struct sdm_cr_access sdm_cr_access_decode(uint64_t qual);

#endif
