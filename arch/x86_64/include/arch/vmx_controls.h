/* SPDX-License-Identifier: MIT */
/* Computing VMX control words and CR values from capability MSRs (pure logic). */
#ifndef ARCH_VMX_CONTROLS_H
#define ARCH_VMX_CONTROLS_H

#include <tally/types.h>

enum vmx_control_word {
	VMX_CTL_PIN,
	VMX_CTL_PROC,
	VMX_CTL_PROC2,
	VMX_CTL_EXIT,
	VMX_CTL_ENTRY,
	VMX_CTL_COUNT,
};

/*
 * Compute a control word from its capability MSR @cap (SDM Vol. 3D, A.3-A.5:
 * bits 31:0 are the allowed 0-settings, a 1 there means the control must
 * be 1; bits 63:32 are the allowed 1-settings).  The result has every
 * @required bit, every @optional bit the CPU allows, and every bit the CPU
 * insists on.  Returns 0, or -ENODEV with *@missing holding the required
 * bits the CPU cannot set (and *@value undefined).
 */
int vmx_control_compute(uint64_t cap, uint32_t required, uint32_t optional,
			uint32_t *value, uint32_t *missing);

/* Name of control bit @bit (0-31) of @word, for "missing feature" messages. */
const char *vmx_control_bit_name(enum vmx_control_word word, unsigned int bit);
/* Name of control word @word ("pin-based", "secondary", ...). */
const char *vmx_control_word_name(enum vmx_control_word word);

/*
 * Apply the fixed-bit MSRs to a CR0 or CR4 value (SDM Vol. 3D, A.7, A.8):
 * bits set in @fixed0 must be 1, bits clear in @fixed1 must be 0.  Bits in
 * @exempt (CR0.PE and CR0.PG for an unrestricted guest) are left as given.
 */
uint64_t vmx_cr_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt);

#endif
