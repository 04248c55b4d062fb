/* SPDX-License-Identifier: MIT */
/* The x86-64 part of vCPUs and domains: saved registers, VMCS, EPT. */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <tally/types.h>
#include <arch/debugreg.h>
#include <tally/vlapic.h>
#include <arch/vmx.h>
#include <arch/xstate.h>
#include <tally/spinlock.h>
#include <tally/vcpu_boot.h>

/*
 * General registers saved by the VM-exit stub, indexed by the x86 register
 * number (as exit qualifications encode them).  Slot 4 (RSP) is unused:
 * the guest's RSP lives in the VMCS.  16 slots keep the stack aligned.
 */
enum guest_reg {
	GUEST_RAX, GUEST_RCX, GUEST_RDX, GUEST_RBX, GUEST_RSP_UNUSED, GUEST_RBP,
	GUEST_RSI, GUEST_RDI, GUEST_R8, GUEST_R9, GUEST_R10, GUEST_R11,
	GUEST_R12, GUEST_R13, GUEST_R14, GUEST_R15, GUEST_REG_COUNT,
};

struct guest_regs {
	uint64_t gpr[GUEST_REG_COUNT];
};

struct arch_vcpu {
	struct guest_regs regs;		/* while not on the CPU */
	struct xstate xstate;		/* x87/SSE/AVX/PKRU state and XCR0, while not on the CPU */
	struct debugreg_state dregs;	/* CR2, DR0-DR3, DR6, while not on the CPU */
	hpa_t vmcs;
	uint16_t vpid;
	bool vmcs_ready;		/* set up on its CPU */
	bool launched;			/* VMLAUNCH done; VMRESUME from now on */
	struct vcpu_boot_regs boot;	/* registers at the first instruction, for the VMCS setup */
	uint64_t syscall_msrs[5];	/* STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE */
	uint64_t tsc_offset;		/* guest TSC - host TSC; also its IA32_TSC_ADJUST (exit_msr.c) */
	uint64_t misc_enable;		/* its IA32_MISC_ENABLE (arch/msr_rules.h) */
	uint64_t exits[EXIT_REASON_MAX];	/* VM exits by basic reason (SDM App. C) */
	struct vlapic vlapic;
	struct spinlock apic_lock;	/* vlapic: its CPU and IPI senders */
	bool hlt_if;			/* halted with interrupts enabled: an interrupt wakes it */
	volatile bool apic_hint;	/* the APIC may have an interrupt to deliver */
	bool window_exiting;		/* interrupt-window exiting is on in the VMCS */
	bool nmi_window_exiting;	/* NMI-window exiting is on in the VMCS (vcpu_apic.c) */
	bool nmi_window_open;		/* an NMI-window exit came: the CPU would take an NMI now */
	volatile bool init_pending;	/* an INIT arrived: its CPU resets it to wait for SIPI */
	bool sipi_latched;		/* a SIPI came with the INIT still pending: start at once */
	uint64_t nmis_injected;		/* counter: NMIs delivered into the guest */
	uint64_t inits;			/* counter: INITs taken (reset to wait-for-SIPI) */
	bool real_mode_start;		/* started by SIPI: real mode at sipi_vector's page */
	uint8_t sipi_vector;
};

struct arch_domain {
	hpa_t ept_root;
	uint64_t eptp;
	uint64_t ept_tables;		/* pages of EPT paging structures */
};

#endif
