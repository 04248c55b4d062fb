/* SPDX-License-Identifier: MIT */
/* Switching guests' extended state with XSAVE/XRSTOR (SDM Vol. 1, ch. 13), or FXSAVE without it.
 *
 * While a guest runs, XCR0 holds the guest's own value.  Saving and
 * restoring run with XCR0 = every component Tally manages, so that a
 * guest's AVX registers are saved even when the next guest never enabled
 * AVX, and no guest ever sees another's registers.  PKRU is one of those
 * components: XSAVE manages it whenever XCR0[9] is set, whatever CR4.PKE
 * (SDM Vol. 1, 13.3), so it is switched for a guest that uses protection
 * keys without putting PKRU in its own XCR0. */
#include <arch/cpu.h>
#include <arch/xstate.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/string.h>

#define CPUID_XSTATE_LEAF	0xD
#define CPUID_FEATURES_LEAF	7
#define CPUID_7_ECX_PKU		(1u << 3)	/* protection keys for user-mode pages */
#define FXSAVE_FCW		0	/* offsets in the legacy area (SDM Vol. 1, table 10-2) */
#define FXSAVE_MXCSR		24
#define FCW_POWER_ON		0x037F
#define MXCSR_POWER_ON		0x1F80

static uint64_t host_mask;	/* 0: no XSAVE, FXSAVE only */

static inline void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void xsave(void *area, uint64_t mask)
{
	__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"((uint32_t)mask),
			 "d"((uint32_t)(mask >> 32)) : "memory");
}

static inline void xrstor(const void *area, uint64_t mask)
{
	__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"((uint32_t)mask),
			 "d"((uint32_t)(mask >> 32)) : "memory");
}

/*
 * Protection keys with no XSAVE component for PKRU: CR4.PKE is the
 * guest's, so its PKRU would stay in the CPU for the next guest to read.
 */
static bool pkru_unswitchable(uint64_t supported)
{
	if (cpuid(0, 0).eax < CPUID_FEATURES_LEAF)
		return false;
	return (cpuid(CPUID_FEATURES_LEAF, 0).ecx & CPUID_7_ECX_PKU) && !(supported & XCR0_PKRU);
}

int xstate_init(void)
{
	struct cpuid_regs r = { 0 };
	uint64_t supported = 0;

	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) {
		r = cpuid(CPUID_XSTATE_LEAF, 0);
		supported = ((uint64_t)r.edx << 32 | r.eax) & XCR0_GUEST_CAPABLE;
		if ((supported & XCR0_AVX512) != XCR0_AVX512)
			supported &= ~XCR0_AVX512;
	}
	if (pkru_unswitchable(supported)) {
		log_err("xstate: the CPU has protection keys, but XSAVE cannot switch PKRU");
		return -ENODEV;
	}
	if (!supported)
		return 0;
	if (r.ecx > XSTATE_AREA_SIZE) {
		log_err("xstate: XSAVE area of %u bytes exceeds %u", r.ecx, XSTATE_AREA_SIZE);
		return -ENODEV;
	}
	host_mask = supported;
	log_info("xstate: xsave mask=%#lx area=%u bytes", host_mask, r.ecx);
	return 0;
}

void xstate_cpu_enable(void)
{
	write_cr4(read_cr4() | CR4_OSFXSR | (host_mask ? CR4_OSXSAVE : 0));
	if (host_mask)
		xsetbv(0, host_mask);
}

void xstate_vcpu_init(struct xstate *x)
{
	/* XSTATE_BV = 0 in the header: XRSTOR loads every component's init state. */
	memset(x->area, 0, sizeof(x->area));
	*(uint16_t *)&x->area[FXSAVE_FCW] = FCW_POWER_ON;
	*(uint32_t *)&x->area[FXSAVE_MXCSR] = MXCSR_POWER_ON;
	x->xcr0 = XCR0_X87;
}

void xstate_save(struct xstate *x)
{
	if (!host_mask) {
		fxsave(x->area);
		return;
	}
	/* XSAVE saves only what XCR0 enables (SDM Vol. 1, 13.7); the guest's XCR0 is in it now. */
	if (x->xcr0 != host_mask)
		xsetbv(0, host_mask);
	xsave(x->area, host_mask);
}

void xstate_restore(const struct xstate *x)
{
	if (!host_mask) {
		fxrstor(x->area);
		return;
	}
	/* XCR0 is every component's here (xstate_save() or xstate_drop() set it): XRSTOR loads all. */
	xrstor(x->area, host_mask);
	xsetbv(0, x->xcr0);
}

void xstate_drop(const struct xstate *x)
{
	if (host_mask && x->xcr0 != host_mask)
		xsetbv(0, host_mask);
}

void xstate_resume(const struct xstate *x)
{
	if (host_mask && x->xcr0 != host_mask)
		xsetbv(0, x->xcr0);
}

int xstate_set_xcr0(struct xstate *x, uint64_t value)
{
	/* SDM Vol. 1, 13.3: x87 always; AVX needs SSE; AVX-512 all at once, with AVX. */
	if (!(value & XCR0_X87) || (value & ~host_mask) ||
	    ((value & XCR0_AVX) && !(value & XCR0_SSE)) ||
	    ((value & XCR0_AVX512) && ((value & XCR0_AVX512) != XCR0_AVX512 ||
					!(value & XCR0_AVX))))
		return -EINVAL;
	x->xcr0 = value;
	xsetbv(0, value);
	return 0;
}

uint64_t xstate_guest_mask(void)
{
	return host_mask;
}
