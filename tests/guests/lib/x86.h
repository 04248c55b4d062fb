/* SPDX-License-Identifier: MIT */
/* Test-guest x86 wrappers: port I/O, CPUID, RDTSC, MSRs, descriptor loads; names from the SDM. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

/* Exception vectors (SDM Vol. 3 6.3.1). */
#define X86_EXC_DE		0
#define X86_EXC_NMI		2
#define X86_EXC_BP		3
#define X86_EXC_UD		6
#define X86_EXC_DF		8
#define X86_EXC_GP		13
#define X86_EXC_PF		14
#define X86_EXCEPTIONS		32

/* CPUID leaf 1 ECX feature bits (SDM Vol. 2A, CPUID, Table 3-10). */
#define CPUID_LEAF_FEATURES	1
#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE	(1u << 24)
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)	/* reserved for hypervisors */

/* MSRs (SDM Vol. 4, Table 2-2). */
#define MSR_IA32_TSC			0x010
#define MSR_IA32_APIC_BASE		0x01B
#define APIC_BASE_EXTD			(1u << 10)	/* x2APIC mode */
#define APIC_BASE_EN			(1u << 11)	/* APIC global enable */
#define MSR_IA32_FEATURE_CONTROL	0x03A
#define MSR_IA32_PAT			0x277
#define MSR_IA32_VMX_BASIC		0x480
#define MSR_IA32_TSC_DEADLINE		0x6E0

/* Flat 32-bit selectors in the guest library's GDT (desc.c); the user ones with RPL 3. */
#define GDT_SEL_CODE		0x08
#define GDT_SEL_DATA		0x10
#define GDT_SEL_USER_CODE	0x1B
#define GDT_SEL_USER_DATA	0x23

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* Operand of LGDT/LIDT (SDM Vol. 3 3.5.1). */
struct desc_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Execute CPUID for @leaf/@subleaf; it always exits under VMX, which is why tests use it. */
static inline void cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	asm volatile("cpuid"
		     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
		     : "a"(leaf), "c"(subleaf));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Unchecked RDMSR/WRMSR: a #GP here is an unexpected exception (see trap.h for _safe). */
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* Spin-loop hint; also keeps the compiler from collapsing a delay loop. */
static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static inline void lgdt(const struct desc_ptr *p)
{
	asm volatile("lgdt %0" : : "m"(*p));
}

static inline void lidt(const struct desc_ptr *p)
{
	asm volatile("lidt %0" : : "m"(*p));
}

static inline void sgdt(struct desc_ptr *p)
{
	asm volatile("sgdt %0" : "=m"(*p));
}

/*
 * Order earlier stores (an x2APIC LVT write, which is not serializing)
 * before a later WRMSR to IA32_TSC_DEADLINE (SDM Vol. 3A 11.5.4.1).
 */
static inline void mfence(void)
{
	asm volatile("mfence" : : : "memory");
}

/* Stop this CPU for good: interrupts off, so HLT never returns. */
static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

#endif
