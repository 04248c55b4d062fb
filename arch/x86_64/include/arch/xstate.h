/* SPDX-License-Identifier: MIT */
/* Guests' extended state (x87, SSE, AVX, AVX-512, PKRU): XSAVE where the CPU has it, else FXSAVE. */
#ifndef ARCH_XSTATE_H
#define ARCH_XSTATE_H

#include <tally/types.h>

/* XCR0 bits (SDM Vol. 1, 13.3). */
#define XCR0_X87		(1ull << 0)
#define XCR0_SSE		(1ull << 1)
#define XCR0_AVX		(1ull << 2)
#define XCR0_AVX512		(7ull << 5)	/* opmask, ZMM_Hi256, Hi16_ZMM: all or none */
#define XCR0_PKRU		(1ull << 9)	/* protection-key rights (SDM Vol. 1, 13.5.7) */
/* The user state components Tally switches for guests. */
#define XCR0_GUEST_CAPABLE	(XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_PKRU)

#define XSTATE_AREA_SIZE	4096	/* per vCPU; checked against CPUID leaf 0xD */

/* Per-vCPU extended state: the save area and the guest's XCR0 (docs/STATE.md). */
struct xstate {
	uint8_t area[XSTATE_AREA_SIZE] __attribute__((aligned(64)));
	uint64_t xcr0;
};

/*
 * On the boot CPU: find what the CPU supports; 0, or -ENODEV if a save
 * area would not fit or the CPU has protection keys whose PKRU XSAVE
 * cannot switch.
 */
int xstate_init(void);
/* On every CPU: turn on CR4.OSFXSR/OSXSAVE and load the host XCR0. */
void xstate_cpu_enable(void);
/* Reset state for a new vCPU (x87 and SSE at power-on values, XCR0 = x87). */
void xstate_vcpu_init(struct xstate *x);
/* Save the running guest's state (switching away from it). */
void xstate_save(struct xstate *x);
/*
 * Load a guest's state and its XCR0 (switching to it), after
 * xstate_save() or xstate_drop() of the vCPU that ran before: XRSTOR
 * loads only what XCR0 enables (SDM Vol. 1, 13.8), so with that vCPU's
 * XCR0 the rest of its registers would stay for this one to read.
 */
void xstate_restore(const struct xstate *x);
/* The running vCPU's state is thrown away (its domain ended): XCR0 back to Tally's. */
void xstate_drop(const struct xstate *x);
/* After xstate_save(), the same vCPU goes on: its registers are still in the CPU; its XCR0 back. */
void xstate_resume(const struct xstate *x);
/*
 * The guest's XSETBV of @value to XCR0, while it is current: 0 (loaded),
 * or -EINVAL when the value is not allowed (the caller injects #GP).
 */
int xstate_set_xcr0(struct xstate *x, uint64_t value);
/* XCR0 bits guests may enable (0 when the CPU has no XSAVE). */
uint64_t xstate_guest_mask(void);

#endif
