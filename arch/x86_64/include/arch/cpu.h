/* SPDX-License-Identifier: MIT */
/* One small inline wrapper per privileged instruction, and the MSR and CR names they use. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <tally/types.h>

/* MSRs (SDM Vol. 4, chapter 2). */
#define MSR_IA32_APIC_BASE	0x0000001B
#define MSR_EFER		0xC0000080
#define MSR_FS_BASE		0xC0000100
#define MSR_GS_BASE		0xC0000101

#define APIC_BASE_BSP		(1ull << 8)
#define APIC_BASE_ENABLE	(1ull << 11)
#define APIC_BASE_ADDR_MASK	0x000FFFFFFFFFF000ull

#define EFER_LME		(1ull << 8)
#define EFER_NXE		(1ull << 11)

#define RFLAGS_IF		(1ull << 9)

/* CPUID bits Tally checks (SDM Vol. 2A, CPUID). */
#define CPUID_1_EDX_APIC	(1u << 9)
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

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
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

static inline uint64_t read_rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline uint64_t read_rbp(void)
{
	uint64_t v;

	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
/* STI's one-instruction shadow makes "sti; hlt" wait without losing a wake-up. */
static inline void irq_enable_and_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void halt(void) { __asm__ volatile("hlt" ::: "memory"); }

static inline void lgdt(const void *ptr) { __asm__ volatile("lgdt (%0)" : : "r"(ptr) : "memory"); }
static inline void lidt(const void *ptr) { __asm__ volatile("lidt (%0)" : : "r"(ptr) : "memory"); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" : : "r"(sel)); }

#endif
