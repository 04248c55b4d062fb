/* SPDX-License-Identifier: MIT */
/* One small inline wrapper per privileged instruction, and the MSR and CR names they use. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <tally/types.h>
#include <arch/irqflags.h>
#include <arch/tsc.h>

/* MSRs (SDM Vol. 4, chapter 2). */
#define MSR_IA32_APIC_BASE	0x0000001B
#define MSR_EFER		0xC0000080
#define MSR_FS_BASE		0xC0000100
#define MSR_GS_BASE		0xC0000101

#define APIC_BASE_BSP		(1ull << 8)
#define APIC_BASE_EXTD		(1ull << 10)	/* x2APIC mode */
#define APIC_BASE_ENABLE	(1ull << 11)
#define APIC_BASE_ADDR_MASK	0x000FFFFFFFFFF000ull
#define APIC_BASE_DEFAULT	0xFEE00000ull	/* the base after reset (SDM Vol. 3A, 11.4.4) */

/* IA32_EFER (SDM Vol. 3A, 2.2.1, table 2-1). */
#define EFER_SCE		(1ull << 0)
#define EFER_LME		(1ull << 8)
#define EFER_LMA		(1ull << 10)	/* read-only: the CPU sets it with CR0.PG */
#define EFER_NXE		(1ull << 11)

#define RFLAGS_RESERVED_1	(1ull << 1)

/* Control-register bits (SDM Vol. 3A, 2.5). */
#define CR0_PE			(1ull << 0)
#define CR0_ET			(1ull << 4)
#define CR0_NE			(1ull << 5)
#define CR0_WP			(1ull << 16)
#define CR0_NW			(1ull << 29)
#define CR0_CD			(1ull << 30)
#define CR0_PG			(1ull << 31)
#define CR0_HIGH_RESERVED	0xFFFFFFFF00000000ull	/* bits 63:32 */
#define CR4_PSE			(1ull << 4)
#define CR4_PAE			(1ull << 5)
#define CR4_PGE			(1ull << 7)
#define CR4_OSFXSR		(1ull << 9)
#define CR4_VMXE		(1ull << 13)
#define CR4_OSXSAVE		(1ull << 18)
#define CR4_SMEP		(1ull << 20)
#define CR4_PKE			(1ull << 22)	/* protection keys for user pages */

#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_PAT		0x00000277
#define MSR_IA32_MISC_ENABLE	0x000001A0
#define MSR_STAR		0xC0000081
#define MSR_LSTAR		0xC0000082
#define MSR_CSTAR		0xC0000083
#define MSR_SFMASK		0xC0000084
#define MSR_KERNEL_GS_BASE	0xC0000102
#define MSR_TSC_AUX		0xC0000103

/* CPUID bits Tally checks (SDM Vol. 2A, CPUID). */
#define CPUID_1_EDX_APIC	(1u << 9)
#define CPUID_1_ECX_MONITOR	(1u << 3)
#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_1_ECX_SMX		(1u << 6)
#define CPUID_1_ECX_PDCM	(1u << 15)
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_OSXSAVE	(1u << 27)
#define CPUID_1_ECX_AVX		(1u << 28)
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)
#define CPUID_7_EBX_SGX		(1u << 2)
#define CPUID_7_EBX_INVPCID	(1u << 10)
#define CPUID_7_EBX_AVX2	(1u << 5)
#define CPUID_7_EBX_AVX512F	(1u << 16)
#define CPUID_7_ECX_OSPKE	(1u << 4)	/* mirrors CR4.PKE */
#define CPUID_7_ECX_WAITPKG	(1u << 5)
#define CPUID_80000001_EDX_RDTSCP (1u << 27)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_80000001_EDX_NX	(1u << 20)
#define CPUID_80000001_EDX_PDPE1GB (1u << 26)
#define CPUID_80000007_EDX_INVARIANT_TSC (1u << 8)

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val),
			 "d"((uint32_t)(val >> 32)) : "memory");
}

/* The arch code's name for arch_read_tsc() (<arch/tsc.h>): one RDTSC for both. */
static inline uint64_t rdtsc(void)
{
	return arch_read_tsc();
}

#define DEFINE_CR_ACCESSORS(n)						\
static inline uint64_t read_cr##n(void)					\
{									\
	uint64_t v;							\
	__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));		\
	return v;							\
}									\
static inline void write_cr##n(uint64_t v)				\
{									\
	__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");	\
}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline uint64_t read_rbp(void)
{
	uint64_t v;

	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
/* STI's one-instruction shadow makes "sti; hlt" wait without losing a wake-up. */
static inline void irq_enable_and_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void halt(void) { __asm__ volatile("hlt" ::: "memory"); }

static inline void fxsave(void *area) { __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory"); }
static inline void fxrstor(const void *area) { __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory"); }

/* Zero @bytes (a multiple of 8) at @p with REP STOSQ: one iteration per quadword. */
static inline void zero_qwords(void *p, uint64_t bytes)
{
	uint64_t count = bytes / 8;

	__asm__ volatile("rep stosq" : "+D"(p), "+c"(count) : "a"(0ull) : "memory");
}

static inline void lgdt(const void *ptr) { __asm__ volatile("lgdt (%0)" : : "r"(ptr) : "memory"); }
static inline void lidt(const void *ptr) { __asm__ volatile("lidt (%0)" : : "r"(ptr) : "memory"); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" : : "r"(sel)); }

#endif
