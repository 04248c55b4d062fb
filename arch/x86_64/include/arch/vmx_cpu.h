/* SPDX-License-Identifier: MIT */
/* VMX on this machine: what the CPUs offer, the controls Tally uses, VMXON per CPU. */
#ifndef ARCH_VMX_CPU_H
#define ARCH_VMX_CPU_H

#include <tally/types.h>

/* Computed once on the boot CPU; every CPU uses the same settings. */
struct vmx_config {
	uint32_t revision;
	uint32_t pin, proc, proc2, exit, entry;	/* control words */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid_cap;
	bool vpid;			/* VPIDs in use */
	bool ept_1g;			/* EPT may map 1 GiB pages */
	bool preemption_timer;		/* slices end by the VMX-preemption timer */
	bool proc_window_exiting;	/* interrupt-window exiting may be turned on */
	bool virtual_nmis;		/* the "virtual NMIs" pin-based control is on */
	bool proc_nmi_window_exiting;	/* NMI-window exiting may be turned on (needs virtual NMIs) */
	unsigned int preemption_shift;	/* its rate: one tick per 2^shift TSC cycles */
	hpa_t msr_bitmap;		/* all ones: every RDMSR/WRMSR exits */
};

extern struct vmx_config vmx_config;

/*
 * Check VMX and every capability Tally needs, and compute the control
 * words.  Returns 0, or -ENODEV after one line saying what is missing.
 */
int vmx_detect(void);

/*
 * On a CPU other than the boot CPU, after vmx_detect(): 0 if its VMX
 * capabilities allow the boot CPU's settings, else -ENODEV after one line
 * saying what differs (the CPU must then stay out of VMX operation).
 */
int vmx_cpu_check(void);

/* Enter VMX operation on the calling CPU (after vmx_detect()): 0 or -ENODEV. */
int vmx_cpu_enable(void);

struct vcpu;
/* Create and fill @v's VMCS on the calling CPU, leaving it current: 0, -ENOMEM or -EIO. */
int vmx_vcpu_setup(struct vcpu *v);

/*
 * Arm the VMX-preemption timer to end guest mode at TSC @deadline, or just
 * after (if in use).  True if @deadline has passed: armed with 0, the next
 * entry exits before any guest instruction.
 */
bool vmx_arm_timer(uint64_t deadline);

#endif
