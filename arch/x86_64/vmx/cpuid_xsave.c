/* SPDX-License-Identifier: MIT */
/* CPUID leaf 0xD as a guest sees it (arch/cpuid_xsave.h); no hardware access. */
#include <arch/cpuid_xsave.h>

#define XSAVE_COMPONENTS	64
#define XSAVE_ALIGN		64

/*
 * What a guest may use of sub-leaf 1: XSAVEOPT, XSAVEC and XGETBV1 need
 * nothing from Tally (they act on the guest's XCR0 and its own memory).
 * XSAVES/XRSTORS #UD in a guest unless the secondary control "enable
 * XSAVES/XRSTORS" is set (SDM Vol. 3C, 26.3), which Tally does not set,
 * nor does it switch IA32_XSS; XFD's MSRs are not switched either.
 */
#define XSAVE_1_EAX_SHOWN	(XSAVE_1_EAX_XSAVEOPT | XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XGETBV1)

uint32_t cpuid_xsave_standard_size(uint64_t bits, cpuid_xsave_raw_fn raw, void *ctx)
{
	uint32_t size = XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE;

	/* Standard format: each component at its own fixed offset, sub-leaf EBX (SDM Vol. 1, 13.4.3). */
	for (uint32_t i = XSAVE_FIRST_EXTENDED; i < XSAVE_COMPONENTS; i++) {
		struct cpuid_regs r;

		if (!(bits & (1ull << i)))
			continue;
		r = raw(ctx, i);
		if (r.ebx + r.eax > size)
			size = r.ebx + r.eax;
	}
	return size;
}

uint32_t cpuid_xsave_compacted_size(uint64_t bits, cpuid_xsave_raw_fn raw, void *ctx)
{
	uint32_t size = XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE;

	/*
	 * Compacted format (SDM Vol. 1, 13.4.3): the enabled components one
	 * after another in order of their number, each aligned to 64 bytes
	 * when its sub-leaf's ECX[1] says so.
	 */
	for (uint32_t i = XSAVE_FIRST_EXTENDED; i < XSAVE_COMPONENTS; i++) {
		struct cpuid_regs r;

		if (!(bits & (1ull << i)))
			continue;
		r = raw(ctx, i);
		if (r.ecx & XSAVE_N_ECX_ALIGN64)
			size = (size + XSAVE_ALIGN - 1) & ~(uint32_t)(XSAVE_ALIGN - 1);
		size += r.eax;
	}
	return size;
}

void cpuid_xsave_filter(uint32_t sub, struct cpuid_regs *c, uint64_t mask, uint64_t xcr0,
			cpuid_xsave_raw_fn raw, void *ctx)
{
	xcr0 &= mask;
	if (!mask) {
		*c = (struct cpuid_regs){ 0 };	/* no XSAVE: CPUID.1:ECX.XSAVE is clear too */
	} else if (sub == 0) {
		/* EBX: for the XCR0 now enabled; ECX: for everything that may be (table 3-8). */
		*c = (struct cpuid_regs){ .eax = (uint32_t)mask,
					  .ebx = cpuid_xsave_standard_size(xcr0, raw, ctx),
					  .ecx = cpuid_xsave_standard_size(mask, raw, ctx),
					  .edx = (uint32_t)(mask >> 32) };
	} else if (sub == 1) {
		/*
		 * EBX: the XSAVEC/XSAVES area for XCR0 | IA32_XSS, XSS being 0
		 * here; Linux sizes its compacted buffers from it when XSAVEC
		 * is shown, so it must not be 0 then.  ECX/EDX: no XSS bits.
		 */
		c->eax &= XSAVE_1_EAX_SHOWN;
		c->ebx = (c->eax & XSAVE_1_EAX_XSAVEC) ? cpuid_xsave_compacted_size(xcr0, raw, ctx) : 0;
		c->ecx = c->edx = 0;
	} else if (sub >= XSAVE_COMPONENTS || !(mask & (1ull << sub))) {
		*c = (struct cpuid_regs){ 0 };
	} else {
		c->ecx &= ~XSAVE_N_ECX_SUPERVISOR;	/* user components only are in @mask */
	}
}
