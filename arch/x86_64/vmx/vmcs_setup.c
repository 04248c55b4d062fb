/* SPDX-License-Identifier: MIT */
/* Filling a new vCPU's VMCS: controls, host state, and the multiboot entry state. */
#include <arch/cpu.h>
#include <arch/debugreg.h>
#include <arch/msr_rules.h>
#include <arch/desc.h>
#include <arch/trap.h>
#include <arch/vmcs.h>
#include <arch/vmx.h>
#include <arch/vmx_controls.h>
#include <arch/vmx_fault_inject.h>
#include <arch/vmx_cpu.h>
#include <arch/vmx_insn.h>
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/percpu.h>
#include <tally/string.h>

/* Segment access rights (SDM 25.4.1, table 25-2). */
#define AR_CODE32	0xC09B	/* present, code exec/read accessed, S, D, G */
#define AR_DATA32	0xC093	/* present, data read/write accessed, S, D, G */
#define AR_TSS32_BUSY	0x008B
#define AR_UNUSABLE	0x10000
#define AR_CODE16	0x009B	/* present, code exec/read accessed, 16-bit */
#define AR_DATA16	0x0093
#define REAL_LIMIT	0xFFFF
#define REAL_IVT_LIMIT	0x3FF
#define CR0_RESET	0x60000010ull	/* CD, NW, ET: CR0 after INIT (SDM table 10-1) */
#define FLAT_LIMIT	0xFFFFFFFFu
#define TSS_LIMIT	0x67
#define GUEST_CS	0x10
#define GUEST_DS	0x18
#define DR7_INIT	0x400
#define PAT_POWER_ON	0x0007040600070406ull	/* SDM 11.12.4 */
#define VMCS_NO_LINK	(~0ull)

extern const char vmx_exit_stub[];

/* CR bits the guest must not see or change: host-owned ones read from the shadow. */
static uint64_t cr0_host_owned(void)
{
	return vmx_config.cr0_fixed0 & ~(CR0_PE | CR0_PG);
}

static uint64_t cr4_host_owned(void)
{
	return vmx_config.cr4_fixed0 | CR4_VMXE;
}

static void setup_controls(const struct vcpu *v)
{
	vmcs_write(VMCS_PIN_BASED_CONTROLS, vmx_config.pin);
	vmcs_write(VMCS_PROC_BASED_CONTROLS, vmx_config.proc);
	vmcs_write(VMCS_SECONDARY_PROC_BASED_CONTROLS, vmx_config.proc2);
	vmcs_write(VMCS_EXIT_CONTROLS, vmx_config.exit);
	vmcs_write(VMCS_ENTRY_CONTROLS, vmx_config.entry & ~ENTRY_IA32E_MODE_GUEST);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_MSR_BITMAP, vmx_config.msr_bitmap.raw);
	/* The guest's TSC: the host's plus this (exit_msr.c); effective with the control on. */
	vmcs_write(VMCS_TSC_OFFSET, v->arch.tsc_offset);
	vmcs_write(VMCS_EPT_POINTER, v->domain->arch.eptp);
	if (vmx_config.vpid)
		vmcs_write(VMCS_VPID, v->arch.vpid);
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, cr0_host_owned());
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, cr4_host_owned());
	vmcs_write(VMCS_CR0_READ_SHADOW, CR0_PE | CR0_ET);
	vmcs_write(VMCS_CR4_READ_SHADOW, 0);
	vmcs_write(VMCS_LINK_POINTER, VMCS_NO_LINK);
}

/* Host state: this CPU's descriptor tables and stack; exits land in vmx_exit_stub. */
static void setup_host_state(void)
{
	struct percpu *cpu = this_cpu();

	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SELECTOR, SEL_CODE64);
	vmcs_write(VMCS_HOST_SS_SELECTOR, SEL_DATA);
	vmcs_write(VMCS_HOST_DS_SELECTOR, SEL_DATA);
	vmcs_write(VMCS_HOST_ES_SELECTOR, SEL_DATA);
	vmcs_write(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_TR_SELECTOR, SEL_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_GS_BASE, (uint64_t)(uintptr_t)cpu);
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&cpu->arch.tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, (uint64_t)(uintptr_t)cpu->arch.gdt);
	vmcs_write(VMCS_HOST_IDTR_BASE, idt_base());
	vmcs_write(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmcs_write(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RSP, cpu->stack_top);
	vmcs_write(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_stub);
}

static void setup_segment(enum vmcs_field selector, uint16_t sel, uint32_t ar)
{
	/* A segment's fields sit at the same offset from ES's in each group (App. B). */
	unsigned int off = selector - VMCS_GUEST_ES_SELECTOR;

	vmcs_write(selector, sel);
	vmcs_write((enum vmcs_field)(VMCS_GUEST_ES_BASE + off), 0);
	vmcs_write((enum vmcs_field)(VMCS_GUEST_ES_LIMIT + off),
		   ar == AR_TSS32_BUSY ? TSS_LIMIT : ar == AR_UNUSABLE ? 0 : FLAT_LIMIT);
	vmcs_write((enum vmcs_field)(VMCS_GUEST_ES_ACCESS_RIGHTS + off), ar);
}

/*
 * A vCPU started by SIPI: real mode at the vector's page, CS = vector << 8,
 * IP = 0, as after INIT-SIPI on real hardware (SDM 9.1.1, 11.6.1).
 */
static void setup_real_mode(const struct vcpu *v)
{
	uint16_t cs = (uint16_t)v->arch.sipi_vector << 8;
	uint64_t cr0 = vmx_cr_fixed(CR0_RESET, vmx_config.cr0_fixed0,
				    vmx_config.cr0_fixed1, CR0_PE | CR0_PG);

	setup_segment(VMCS_GUEST_CS_SELECTOR, cs, AR_CODE16);
	vmcs_write(VMCS_GUEST_CS_BASE, (uint64_t)cs << 4);
	vmcs_write(VMCS_GUEST_CS_LIMIT, REAL_LIMIT);
	for (enum vmcs_field f = VMCS_GUEST_ES_SELECTOR; f <= VMCS_GUEST_GS_SELECTOR; f += 2) {
		if (f == VMCS_GUEST_CS_SELECTOR)
			continue;
		setup_segment(f, 0, AR_DATA16);
		vmcs_write((enum vmcs_field)(VMCS_GUEST_ES_LIMIT + (f - VMCS_GUEST_ES_SELECTOR)),
			   REAL_LIMIT);
	}
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, REAL_IVT_LIMIT);
	vmcs_write(VMCS_GUEST_CR0, cr0);
	vmcs_write(VMCS_CR0_READ_SHADOW, CR0_RESET);
	vmcs_write(VMCS_GUEST_RIP, 0);
}

/* 32-bit protected mode, paging off, flat segments: the state a boot protocol starts in. */
static void setup_guest_state(const struct vcpu *v)
{
	uint64_t cr0 = vmx_cr_fixed(CR0_PE | CR0_ET, vmx_config.cr0_fixed0,
				    vmx_config.cr0_fixed1, CR0_PE | CR0_PG);

	setup_segment(VMCS_GUEST_CS_SELECTOR, GUEST_CS, AR_CODE32);
	setup_segment(VMCS_GUEST_DS_SELECTOR, GUEST_DS, AR_DATA32);
	setup_segment(VMCS_GUEST_ES_SELECTOR, GUEST_DS, AR_DATA32);
	setup_segment(VMCS_GUEST_FS_SELECTOR, GUEST_DS, AR_DATA32);
	setup_segment(VMCS_GUEST_GS_SELECTOR, GUEST_DS, AR_DATA32);
	setup_segment(VMCS_GUEST_SS_SELECTOR, GUEST_DS, AR_DATA32);
	setup_segment(VMCS_GUEST_TR_SELECTOR, 0, AR_TSS32_BUSY);
	setup_segment(VMCS_GUEST_LDTR_SELECTOR, 0, AR_UNUSABLE);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0);
	vmcs_write(VMCS_GUEST_CR0, cr0);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmcs_write(VMCS_GUEST_CR4, vmx_cr_fixed(0, vmx_config.cr4_fixed0, vmx_config.cr4_fixed1, 0));
	vmcs_write(VMCS_GUEST_DR7, DR7_INIT);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_RIP, v->arch.boot.eip);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_RESERVED_1);
	vmcs_write(VMCS_GUEST_IA32_EFER, 0);
	vmcs_write(VMCS_GUEST_IA32_PAT, PAT_POWER_ON);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_GUEST_PENDING_DEBUG, 0);
}

int vmx_vcpu_setup(struct vcpu *v)
{
	hpa_t vmcs;
	uint32_t *rev;

	if (mem_alloc(PAGE_SIZE, PAGE_SIZE, 0, &vmcs) < 0)
		return -ENOMEM;
	rev = arch_phys_to_virt(vmcs.raw, PAGE_SIZE);
	memset(rev, 0, PAGE_SIZE);
	*rev = vmx_config.revision;
	if (!vmclear(vmcs.raw) || !vmptrld(vmcs.raw)) {
		mem_free(vmcs, PAGE_SIZE);
		return -EIO;
	}
	v->arch.vmcs = vmcs;
	if (!v->arch.misc_enable)	/* INIT keeps it: set once (never 0 after, exit_msr.c) */
		v->arch.misc_enable = MISC_ENABLE_POWER_ON;
	setup_controls(v);
	setup_host_state();
	setup_guest_state(v);
	/* CR2, DR0-DR3, DR6: DR0-DR3 go with the vCPU from the start only if MOV DR cannot exit. */
	debugreg_init(&v->arch.dregs, !(vmx_config.proc & CPU_BASED_MOV_DR_EXITING));
	if (v->arch.real_mode_start)
		setup_real_mode(v);
	v->arch.regs.gpr[GUEST_RAX] = v->arch.boot.eax;
	v->arch.regs.gpr[GUEST_RBX] = v->arch.boot.ebx;
	/* The other GPRs start at 0 (EBP and EDI as Linux's 32-bit protocol requires). */
	v->arch.regs.gpr[GUEST_RSI] = v->arch.boot.esi;
	vmx_fault_inject_entry(v);
	v->arch.vmcs_ready = true;
	return 0;
}
