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

/* One CPU's VMX capability MSRs, as read on that CPU (SDM Vol. 3D, Appendix A). */
struct vmx_caps {
	uint64_t basic;			/* IA32_VMX_BASIC */
	uint64_t ctl[VMX_CTL_COUNT];	/* each word's capability MSR, TRUE_* where BASIC offers them */
	uint64_t misc;			/* IA32_VMX_MISC */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid_cap;
};

struct vmx_config;
/*
 * Can a CPU with capabilities @cpu run with the settings @boot the boot
 * CPU computed?  Every CPU uses the boot CPU's VMCS revision, control
 * words, CR fixed bits and preemption-timer rate, and the EPT/VPID
 * features it chose, as Xen requires of each CPU.  Returns NULL if so,
 * else what differs first ("VMCS revision", "pin-based controls", ...).
 */
const char *vmx_caps_mismatch(const struct vmx_config *boot, const struct vmx_caps *cpu);

#endif
