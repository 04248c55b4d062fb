/* SPDX-License-Identifier: MIT */
/* RDMSR/WRMSR for guests: an allow-list; anything else gets #GP and never reaches hardware. */
#include <arch/cpu.h>
#include <arch/msr_rules.h>
#include <arch/sdm_checks.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <arch/vcpu_apic.h>
#include <arch/vmx.h>
#include <arch/vmx_cpu.h>
#include <tally/domain.h>

#define MSR_IA32_BIOS_SIGN_ID	0x8B

/* The SYSCALL MSRs the VMCS does not hold: switched with the vCPU. */
static const uint32_t syscall_msrs[5] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE,
};
#define SYSCALL_MSR_KERNEL_GS_BASE	4	/* its index above */

static int syscall_index(uint32_t msr)
{
	for (int i = 0; i < 5; i++)
		if (syscall_msrs[i] == msr)
			return i;
	return -1;
}

/*
 * Only KERNEL_GS_BASE can change while the guest runs (SWAPGS): the other
 * four change by WRMSR alone, which exits (every MSR is intercepted), and
 * write_allowed() keeps the vCPU's copy of them current.
 */
void vmexit_save_guest_msrs(struct vcpu *v)
{
	v->arch.syscall_msrs[SYSCALL_MSR_KERNEL_GS_BASE] = rdmsr(MSR_KERNEL_GS_BASE);
}

void vmexit_load_guest_msrs(const struct vcpu *v)
{
	/* Unrolled: five WRMSRs with constant MSR numbers, no loop and no table loads. */
#pragma GCC unroll 5
	for (int i = 0; i < 5; i++)
		wrmsr(syscall_msrs[i], v->arch.syscall_msrs[i]);
}

/* Addresses the CPU would refuse with #GP: bits 63:47 not all equal. */
static bool canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* PAT entries may only hold the memory types UC, WC, WT, WP, WB, UC- (SDM 11.12.2). */
static bool pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (pat >> (8 * i)) & 0xFF;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* Value of allowed MSR @msr into *@val; false if the guest may not read it. */
static bool read_allowed(const struct vcpu *v, uint32_t msr, uint64_t *val)
{
	int i = syscall_index(msr);

	if (i >= 0) {
		*val = rdmsr(msr);	/* the guest's own value is loaded while it runs */
		return true;
	}
	switch (msr) {
	case MSR_IA32_TSC: *val = rdtsc() + v->arch.tsc_offset; return true;
	case MSR_IA32_TSC_ADJUST:
		if (!vmexit_tsc_writable())
			return false;
		*val = v->arch.tsc_offset;	/* equal by the rules (arch/msr_rules.h) */
		return true;
	case MSR_IA32_MCG_CAP: *val = MSR_IA32_MCG_CAP_GUEST; return true;
	case MSR_IA32_MCG_STATUS: *val = 0; return true;	/* no machine check in progress */
	case MSR_IA32_PAT: *val = vmcs_read(VMCS_GUEST_IA32_PAT); return true;
	case MSR_EFER: *val = vmcs_read(VMCS_GUEST_IA32_EFER); return true;
	case MSR_FS_BASE: *val = vmcs_read(VMCS_GUEST_FS_BASE); return true;
	case MSR_GS_BASE: *val = vmcs_read(VMCS_GUEST_GS_BASE); return true;
	case MSR_IA32_SYSENTER_CS: *val = vmcs_read(VMCS_GUEST_SYSENTER_CS); return true;
	case MSR_IA32_SYSENTER_ESP: *val = vmcs_read(VMCS_GUEST_SYSENTER_ESP); return true;
	case MSR_IA32_SYSENTER_EIP: *val = vmcs_read(VMCS_GUEST_SYSENTER_EIP); return true;
	case MSR_IA32_MISC_ENABLE: *val = v->arch.misc_enable; return true;
	case MSR_IA32_BIOS_SIGN_ID: *val = 0; return true;
	default: return false;
	}
}

/*
 * EFER as the CPU takes a WRMSR (arch/sdm_checks.h): an accepted value
 * must also pass the VM-entry checks, which tie LME to CR0.PG and LMA to
 * the IA-32e mode control; a change of LME with paging on is #GP there.
 */
static bool write_efer(const struct vcpu *v, uint64_t val)
{
	struct sdm_mode m;
	uint64_t efer;

	vmexit_guest_mode(&m);
	vmexit_guest_features(v, &m);
	if (sdm_efer_write(&m, val, &efer) < 0)
		return false;
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	return true;
}

bool vmexit_tsc_writable(void)
{
	return vmx_config.proc & CPU_BASED_TSC_OFFSETTING;
}

/*
 * The guest's TSC moves: the VMCS offset (this vCPU's VMCS is current)
 * and the copy the RDMSRs and the APIC's deadline conversion read.  A
 * real CPU's TSC and TSC_ADJUST are per logical processor, and so are
 * these: a write on one vCPU moves that vCPU's TSC alone (SDM Vol. 3B,
 * 17.17.3), as Linux expects when it brings a CPU's TSC_ADJUST in line.
 */
static bool set_tsc_offset(struct vcpu *v, uint64_t offset)
{
	v->arch.tsc_offset = offset;
	vmcs_write(VMCS_TSC_OFFSET, offset);
	return true;
}

/* Store @val in @v's allowed MSR @msr; false if the guest may not write it (or not that value). */
static bool write_allowed(struct vcpu *v, uint32_t msr, uint64_t val)
{
	int i = syscall_index(msr);

	if (i >= 0) {
		if (msr != MSR_STAR && msr != MSR_SFMASK && !canonical(val))
			return false;
		/* IA32_FMASK's bits 63:32 are reserved (SDM Vol. 4, table 2-2): #GP, not a host fault. */
		if (msr == MSR_SFMASK && (val >> 32))
			return false;
		v->arch.syscall_msrs[i] = val;	/* a switch saves only KERNEL_GS_BASE */
		wrmsr(msr, val);
		return true;
	}
	switch (msr) {
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return false;
		vmcs_write(VMCS_GUEST_IA32_PAT, val);
		return true;
	case MSR_EFER: return write_efer(v, val);
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!canonical(val))
			return false;
		vmcs_write(msr == MSR_FS_BASE ? VMCS_GUEST_FS_BASE :
			   msr == MSR_GS_BASE ? VMCS_GUEST_GS_BASE :
			   msr == MSR_IA32_SYSENTER_ESP ? VMCS_GUEST_SYSENTER_ESP :
			   VMCS_GUEST_SYSENTER_EIP, val);
		return true;
	case MSR_IA32_SYSENTER_CS: vmcs_write(VMCS_GUEST_SYSENTER_CS, val & 0xFFFF); return true;
	case MSR_IA32_TSC:
		return vmexit_tsc_writable() && set_tsc_offset(v, msr_tsc_write_offset(val, rdtsc()));
	case MSR_IA32_TSC_ADJUST:
		return vmexit_tsc_writable() && set_tsc_offset(v, val);
	case MSR_IA32_MISC_ENABLE:
		return msr_misc_enable_write(v->arch.misc_enable, val, &v->arch.misc_enable) == 0;
	case MSR_IA32_MCG_STATUS: return msr_mcg_status_write(val) == 0;
	case MSR_IA32_BIOS_SIGN_ID:
		return true;	/* accepted and ignored, as firmware-owned */
	default: return false;
	}
}

void vmexit_rdmsr(struct vcpu *v, struct guest_regs *r)
{
	uint32_t msr = (uint32_t)r->gpr[GUEST_RCX];
	uint64_t val = 0;
	enum vcpu_apic_msr_result apic = vcpu_apic_msr_read(v, msr, &val);

	if (apic == VCPU_APIC_GP || (apic == VCPU_APIC_NOT_MINE && !read_allowed(v, msr, &val))) {
		vmexit_inject_gp();
		return;
	}
	r->gpr[GUEST_RAX] = (uint32_t)val;
	r->gpr[GUEST_RDX] = val >> 32;
	vmexit_skip_instruction();
}

void vmexit_wrmsr(struct vcpu *v, struct guest_regs *r)
{
	uint64_t val = (r->gpr[GUEST_RDX] << 32) | (uint32_t)r->gpr[GUEST_RAX];
	uint32_t msr = (uint32_t)r->gpr[GUEST_RCX];
	enum vcpu_apic_msr_result apic = vcpu_apic_msr_write(v, msr, val);

	if (apic == VCPU_APIC_GP || (apic == VCPU_APIC_NOT_MINE && !write_allowed(v, msr, val))) {
		vmexit_inject_gp();
		return;
	}
	vmexit_skip_instruction();
}
