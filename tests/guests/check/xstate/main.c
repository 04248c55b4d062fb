/* SPDX-License-Identifier: MIT */
/* xstate: keeps distinct values in the SSE/AVX registers across many time slices and checks them. */
#include "guest.h"

#define CR0_MP			(1u << 1)
#define CR0_EM			(1u << 2)
#define CR4_OSFXSR		(1u << 9)
#define CR4_OSXMMEXCPT		(1u << 10)
#define CR4_OSXSAVE		(1u << 18)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_AVX		(1u << 28)
#define XCR0_X87_SSE_AVX	7u
#define YMM_REGS		8	/* ymm0-7: all a 32-bit guest has */
#define YMM_DWORDS		8
#define DEFAULT_ROUNDS		20u
#define DEFAULT_SPIN		200000u

const char guest_name[] = "xstate";

static uint32_t want[YMM_REGS][YMM_DWORDS] __attribute__((aligned(32)));
static uint32_t got[YMM_REGS][YMM_DWORDS] __attribute__((aligned(32)));

static uint32_t read_cr0(void) { uint32_t v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static uint32_t read_cr4(void) { uint32_t v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void write_cr0(uint32_t v) { asm volatile("mov %0, %%cr0" : : "r"(v)); }
static void write_cr4(uint32_t v) { asm volatile("mov %0, %%cr4" : : "r"(v)); }

/* Turn on SSE, and AVX through XSETBV when the CPU (as Tally shows it) has it. */
static bool enable_avx(void)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	if (!(r.ecx & CPUID_1_ECX_XSAVE) || !(r.ecx & CPUID_1_ECX_AVX))
		return false;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	asm volatile("xsetbv" : : "c"(0), "a"(XCR0_X87_SSE_AVX), "d"(0));
	return true;
}

#define LOAD(n)  asm volatile("vmovdqa %0, %%ymm" #n : : "m"(want[n]))
#define STORE(n) asm volatile("vmovdqa %%ymm" #n ", %0" : "=m"(got[n]))

static void load_all(void)
{
	LOAD(0); LOAD(1); LOAD(2); LOAD(3); LOAD(4); LOAD(5); LOAD(6); LOAD(7);
}

static void store_all(void)
{
	STORE(0); STORE(1); STORE(2); STORE(3); STORE(4); STORE(5); STORE(6); STORE(7);
}

/* Loads a pattern unique to seed= into ymm0-7, spins, and checks it rounds= times. */
void guest_main(const struct mb_info *mbi)
{
	uint32_t seed = cmdline_u32(mbi, "seed", 1);
	uint32_t rounds = cmdline_u32(mbi, "rounds", DEFAULT_ROUNDS);
	uint32_t spin = cmdline_u32(mbi, "spin", DEFAULT_SPIN);

	if (!enable_avx()) {
		guest_skip("no AVX shown by CPUID");
		return;
	}
	for (int r = 0; r < YMM_REGS; r++)
		for (int d = 0; d < YMM_DWORDS; d++)
			want[r][d] = seed * 0x9E3779B1u ^ (uint32_t)(r << 8 | d);
	load_all();
	for (uint32_t i = 0; i < rounds; i++) {
		for (volatile uint32_t s = 0; s < spin; s++)
			;
		store_all();
		for (int r = 0; r < YMM_REGS; r++)
			for (int d = 0; d < YMM_DWORDS; d++)
				if (got[r][d] != want[r][d]) {
					guest_fail("round %u: ymm%d dword %d is 0x%08x, not 0x%08x",
						   i, r, d, got[r][d], want[r][d]);
					return;
				}
	}
	printk("xstate: ymm0-7 intact over %u rounds\n", rounds);
}
