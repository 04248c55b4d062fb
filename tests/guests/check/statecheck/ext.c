/* SPDX-License-Identifier: MIT */
/* statecheck: XCR0 and the XSAVE-managed state: x87, SSE, AVX, AVX-512 (ZMM, k), PKRU. */
#include "guest.h"
#include "state.h"

#define CR0_MP			(1u << 1)
#define CR0_EM			(1u << 2)
#define CR4_OSFXSR		(1u << 9)
#define CR4_OSXMMEXCPT		(1u << 10)
#define CR4_OSXSAVE		(1u << 18)
#define CR4_PKE			(1u << 22)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_FEATURES_LEAF	7
#define CPUID_7_ECX_PKU		(1u << 3)
#define CPUID_7_ECX_OSPKE	(1u << 4)
#define CPUID_XSTATE_LEAF	0xD

/* XCR0 bits (SDM Vol. 1, 13.3). */
#define XCR0_X87		(1u << 0)
#define XCR0_SSE		(1u << 1)
#define XCR0_AVX		(1u << 2)
#define XCR0_AVX512		(7u << 5)
/* The writer runs with x87 and SSE only: any VEX instruction must then #UD (SDM Vol. 2A, 2.8). */
#define WRITER_XCR0		(XCR0_X87 | XCR0_SSE)

#define MXCSR_RESET		0x1F80u		/* SDM Vol. 1, 10.2.3.1 */
#define WRITER_MXCSR		0x7F80u		/* rounding toward zero */
#define FCW_START		0x037Fu		/* Tally's start state: as after FNINIT */
#define WRITER_FCW		0x0B7Fu		/* round up, 64-bit precision */
#define FTW_ALL_EMPTY		0xFFFFu
#define WRITER_ST0		0x5A5A5A5Au
#define WRITER_PKRU		0x5555AAA8u
#define VREGS			8		/* XMM/YMM/ZMM0-7 and k0-7 in 32-bit mode */
/* XSAVE's legacy region and header: all it writes for XCR0 = x87|SSE (SDM Vol. 1, 13.4). */
#define XSAVE_X87_SSE_BYTES	576
#define XSAVE_GUARD		0xA5u
#define ZMM_BYTES		64
#define QWORDS(bytes)		((bytes) / 8)

static uint32_t xcr0_offered;	/* CPUID.(EAX=0DH,ECX=0):EAX: what XSETBV may set */
static bool pku;		/* CPUID.(EAX=07H,ECX=0):ECX.PKU */
static bool ospke;		/* ...ECX.OSPKE, read once CR4.PKE is set */
static uint32_t own_xcr0;
static uint8_t pattern[VREGS][ZMM_BYTES] __attribute__((aligned(64)));
static uint8_t buf[ZMM_BYTES] __attribute__((aligned(64)));
static uint8_t vex_scratch[32] __attribute__((aligned(32)));
/* An area sized for the writer's XCR0, then guard bytes XSAVE must never reach. */
static uint8_t xsave_area[4096] __attribute__((aligned(64)));

static const char *const xmm_names[VREGS] = {
	"XMM0", "XMM1", "XMM2", "XMM3", "XMM4", "XMM5", "XMM6", "XMM7" };
static const char *const ymm_names[VREGS] = {
	"YMM0", "YMM1", "YMM2", "YMM3", "YMM4", "YMM5", "YMM6", "YMM7" };
static const char *const zmm_names[VREGS] = {
	"ZMM0", "ZMM1", "ZMM2", "ZMM3", "ZMM4", "ZMM5", "ZMM6", "ZMM7" };
static const char *const k_names[VREGS] = { "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7" };

static inline uint32_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo;
}

static inline void xsetbv0(uint32_t v)
{
	asm volatile("xsetbv" : : "c"(0), "a"(v), "d"(0));
}

static inline uint32_t rdpkru(void)
{
	uint32_t v, edx;

	asm volatile("rdpkru" : "=a"(v), "=d"(edx) : "c"(0));
	return v;
}

static inline void wrpkru(uint32_t v)
{
	asm volatile("wrpkru" : : "a"(v), "c"(0), "d"(0));
}

/* One asm statement per register: the register number is part of the instruction. */
#define EACH_VREG(X)		X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define VSRC			"m"(*(const uint8_t (*)[ZMM_BYTES])src)
#define ST_XMM(n)	case n: asm volatile("movdqu %%xmm" #n ", %0" : "=m"(buf)); break;
#define ST_YMM(n)	case n: asm volatile("vmovdqu %%ymm" #n ", %0" : "=m"(buf)); break;
#define ST_ZMM(n)	case n: asm volatile("vmovdqu32 %%zmm" #n ", %0" : "=m"(buf)); break;
#define LD_XMM(n)	case n: asm volatile("movdqu %0, %%xmm" #n : : VSRC); break;
#define LD_YMM(n)	case n: asm volatile("vmovdqu %0, %%ymm" #n : : VSRC); break;
#define LD_ZMM(n)	case n: asm volatile("vmovdqu32 %0, %%zmm" #n : : VSRC); break;
#define WR_K(n)		case n: asm volatile("kmovw %0, %%k" #n : : "r"(v)); break;
#define RD_K(n)		case n: asm volatile("kmovw %%k" #n ", %0" : "=r"(v)); break;

/* Register @n (XMM, YMM or ZMM by @bytes: 16, 32, 64) into buf. */
static void store_vreg(int n, unsigned int bytes)
{
	if (bytes == 16) {
		switch (n) { EACH_VREG(ST_XMM) }
	} else if (bytes == 32) {
		switch (n) { EACH_VREG(ST_YMM) }
	} else {
		switch (n) { EACH_VREG(ST_ZMM) }
	}
}

/* @src into register @n, @bytes wide. */
static void load_vreg(int n, unsigned int bytes, const uint8_t *src)
{
	if (bytes == 16) {
		switch (n) { EACH_VREG(LD_XMM) }
	} else if (bytes == 32) {
		switch (n) { EACH_VREG(LD_YMM) }
	} else {
		switch (n) { EACH_VREG(LD_ZMM) }
	}
}

static void write_k(int n, uint32_t v)
{
	switch (n) { EACH_VREG(WR_K) }
}

static uint32_t read_k(int n)
{
	uint32_t v = 0;

	switch (n) { EACH_VREG(RD_K) }
	return v;
}

static bool has(uint32_t bits)
{
	return (xcr0_offered & bits) == bits;
}

/* CR0 and CR4 for SSE and XSAVE, and what CPUID offers. */
static void enable_features(void)
{
	struct cpuid_regs r;
	uint32_t cr;

	asm volatile("mov %%cr0, %0" : "=r"(cr));
	asm volatile("mov %0, %%cr0" : : "r"((cr & ~CR0_EM) | CR0_MP));
	cpuid(CPUID_LEAF_FEATURES, 0, &r);
	asm volatile("mov %%cr4, %0" : "=r"(cr));
	cr |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (r.ecx & CPUID_1_ECX_XSAVE) {
		cr |= CR4_OSXSAVE;
		cpuid(CPUID_XSTATE_LEAF, 0, &r);
		xcr0_offered = r.eax;
	}
	cpuid(0, 0, &r);
	if (r.eax >= CPUID_FEATURES_LEAF) {
		cpuid(CPUID_FEATURES_LEAF, 0, &r);
		pku = r.ecx & CPUID_7_ECX_PKU;
	}
	if (pku)
		cr |= CR4_PKE;
	asm volatile("mov %0, %%cr4" : : "r"(cr));
	if (pku) {
		/* OSPKE mirrors this guest's own CR4.PKE, as OSXSAVE mirrors CR4.OSXSAVE. */
		cpuid(CPUID_FEATURES_LEAF, 0, &r);
		ospke = r.ecx & CPUID_7_ECX_OSPKE;
	}
}

/* Every vector register at its widest, then the narrower XCR0 the writer keeps. */
static void writer_vregs(void)
{
	unsigned int bytes = has(XCR0_AVX512 | XCR0_AVX) ? 64 : has(XCR0_AVX) ? 32 : 16;

	for (int n = 0; n < VREGS; n++)
		for (int i = 0; i < ZMM_BYTES; i++)
			pattern[n][i] = (uint8_t)(0x50 + n * 0x11 + i * 7);
	if (bytes > 16)
		xsetbv0(xcr0_offered);
	for (int n = 0; n < VREGS; n++)
		load_vreg(n, bytes, pattern[n]);
	if (bytes == 64)
		for (int n = 0; n < VREGS; n++)
			write_k(n, 0xA500u + (uint32_t)n);
	if (xcr0_offered) {
		xsetbv0(WRITER_XCR0);
		own_xcr0 = WRITER_XCR0;
	}
}

static void writer_setup(void)
{
	uint32_t mxcsr = WRITER_MXCSR, fcw = WRITER_FCW, st0 = WRITER_ST0;

	writer_vregs();
	asm volatile("ldmxcsr %0" : : "m"(mxcsr));
	asm volatile("fninit\n\tfldcw %0\n\tfildl %1" : : "m"(fcw), "m"(st0));
	if (pku)
		wrpkru(WRITER_PKRU);
}

void ext_setup(void)
{
	enable_features();
	if (state_writer()) {
		writer_setup();
	} else if (xcr0_offered) {
		xsetbv0(xcr0_offered);
		own_xcr0 = xcr0_offered;
	}
	printk("statecheck: xcr0_offered=0x%x own_xcr0=0x%x pku=%d%s\n", xcr0_offered, own_xcr0,
	       pku, pku ? (ospke ? " ospke=1" : " ospke=0") :
			  " (CPUID.7.0:ECX.PKU=0: PKRU not testable here)");
	/*
	 * XCR0, MXCSR, FCW, x87 stack, XMM0-7, PKRU; the writer's VEX #UD and
	 * XSAVE size (two), or the reader's YMM, ZMM, k.
	 */
	state_items += 4 + VREGS + pku;
	if (state_writer())
		state_items += own_xcr0 == WRITER_XCR0 ? 3 : 0;
	else
		state_items += (has(XCR0_AVX) ? VREGS : 0) + (has(XCR0_AVX512) ? 2 * VREGS : 0);
}

/* Register @n, @bytes wide, against the writer's pattern or the reader's zeros. */
static void check_vreg(uint32_t round, int n, unsigned int bytes, const char *name)
{
	const uint64_t *got = (const uint64_t *)buf, *want = (const uint64_t *)pattern[n];

	store_vreg(n, bytes);
	for (unsigned int q = 0; q < QWORDS(bytes); q++)
		if (!state_expect(name, round, got[q], state_writer() ? want[q] : 0))
			return;
}

/* A VEX-encoded store with XCR0.AVX clear: #UD, and nothing stored. */
static int vex_probe(void)
{
	trap_expect();
	asm volatile("1: vmovdqu %%ymm0, %0\n2:\n\t" EXTABLE_ENTRY(1b, 2b)
		     : "=m"(vex_scratch) : : "memory");
	return trap_caught();
}

/*
 * The writer's XSAVE area is sized for its own XCR0: CPUID says 576 bytes
 * and an XSAVE of every component writes no byte beyond them (it would,
 * with a wider XCR0 left behind by Tally).
 */
static void check_xsave_size(uint32_t round)
{
	struct cpuid_regs r;
	uint32_t overrun = 0, end;

	cpuid(CPUID_XSTATE_LEAF, 0, &r);
	state_expect("XSAVE size for XCR0 (CPUID.D.0:EBX)", round, r.ebx, XSAVE_X87_SSE_BYTES);
	/* Guard up to the most any XCR0 could make it write (ECX). */
	end = r.ecx < sizeof(xsave_area) ? r.ecx : sizeof(xsave_area);
	memset(xsave_area + XSAVE_X87_SSE_BYTES, XSAVE_GUARD, end - XSAVE_X87_SSE_BYTES);
	asm volatile("xsave %0" : "+m"(xsave_area) : "a"(~0u), "d"(~0u));
	for (uint32_t i = XSAVE_X87_SSE_BYTES; i < end; i++)
		overrun += xsave_area[i] != XSAVE_GUARD;
	state_expect("bytes XSAVE wrote past its 576-byte area", round, overrun, 0);
}

static void check_x87(uint32_t round)
{
	uint32_t env[7];	/* FNSTENV, 32-bit protected mode: FCW, FSW, FTW, ... */
	uint32_t st0 = 0;
	uint16_t fcw;

	asm volatile("fnstcw %0" : "=m"(fcw));
	state_expect("x87 FCW", round, fcw, state_writer() ? WRITER_FCW : FCW_START);
	if (state_writer()) {
		asm volatile("fistl %0" : "=m"(st0));
		state_expect("x87 ST0", round, st0, WRITER_ST0);
		return;
	}
	asm volatile("fnstenv %0" : "=m"(env));
	state_expect("x87 FTW (all empty)", round, env[2] & 0xFFFF, FTW_ALL_EMPTY);
}

void ext_check(uint32_t round)
{
	uint32_t mxcsr;

	if (xcr0_offered)
		state_expect("XCR0", round, xgetbv0(), own_xcr0);
	if (own_xcr0 == WRITER_XCR0 && state_writer()) {
		state_expect("VEX store with XCR0.AVX=0 (vector)", round, (uint32_t)vex_probe(),
			     X86_EXC_UD);
		check_xsave_size(round);
	}
	asm volatile("stmxcsr %0" : "=m"(mxcsr));
	state_expect("MXCSR", round, mxcsr, state_writer() ? WRITER_MXCSR : MXCSR_RESET);
	check_x87(round);
	for (int n = 0; n < VREGS; n++)
		check_vreg(round, n, 16, xmm_names[n]);
	if (!state_writer() && has(XCR0_AVX))
		for (int n = 0; n < VREGS; n++)
			check_vreg(round, n, 32, ymm_names[n]);
	if (!state_writer() && has(XCR0_AVX512)) {
		for (int n = 0; n < VREGS; n++)
			check_vreg(round, n, 64, zmm_names[n]);
		for (int n = 0; n < VREGS; n++)
			state_expect(k_names[n], round, read_k(n), 0);
	}
	if (pku)
		state_expect("PKRU", round, rdpkru(), state_writer() ? WRITER_PKRU : 0);
}
