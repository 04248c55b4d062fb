/* SPDX-License-Identifier: MIT */
/* VMX bring-up: capability checks, control words, VMXON on each CPU (SDM Vol. 3C, ch. 24). */
#include <arch/cpu.h>
#include <arch/vmcs.h>
#include <arch/vmx.h>
#include <arch/vmx_controls.h>
#include <arch/vmx_cpu.h>
#include <arch/vmx_insn.h>
#include <arch/xstate.h>
#include <tally/arch.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/options.h>
#include <tally/percpu.h>
#include <tally/sched.h>
#include <tally/string.h>

struct vmx_config vmx_config;

/* What to do about each refusal, said with it. */
#define HOW_NO_VMX	"; enable nested VMX on the host (kvm_intel nested=1, QEMU -cpu host) " \
			"or run under Bochs (make run EMU=bochs)"
#define HOW_FIRMWARE	"; enable VT-x (Intel Virtualization Technology) in the firmware setup"
/* EPT with unrestricted guest came with Westmere (2010); every later Intel CPU has all of it. */
#define HOW_NEWER_CPU	"; Tally needs a newer CPU (Westmere or later)"

/* What Tally asks of each control word: required bits, then optional ones. */
static const struct {
	uint32_t required, optional;
} wanted[VMX_CTL_COUNT] = {
	/*
	 * The preemption timer ends slices even where a CPU (or an emulator)
	 * delivers the host's timer interrupt late; optional, with the
	 * matching exit control to keep a slice's rest across other exits.
	 * Virtual NMIs, optional, let the CPU track a guest's NMI blocking
	 * and enable NMI-window exiting (SDM 25.3, 26.7.6; vcpu_apic.c).
	 */
	[VMX_CTL_PIN] = { PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING,
			  PIN_PREEMPTION_TIMER | PIN_VIRTUAL_NMIS },
	[VMX_CTL_PROC] = { CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING |
			   CPU_BASED_RDPMC_EXITING | CPU_BASED_UNCOND_IO_EXITING |
			   /* else MOV to CR8 would write the host's own TPR */
			   CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
			   CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_MONITOR_EXITING |
			   CPU_BASED_SECONDARY_CONTROLS,
			   /* DR0-DR3 switched only once a guest uses them (arch/debugreg.h) */
			   CPU_BASED_MOV_DR_EXITING |
			   /* a guest may write its TSC (exit_msr.c); else IA32_TSC writes #GP */
			   CPU_BASED_TSC_OFFSETTING },
	/* WBINVD exiting where offered: else a guest's WBINVD flushes the host's caches. */
	[VMX_CTL_PROC2] = { SECONDARY_ENABLE_EPT | SECONDARY_UNRESTRICTED_GUEST,
			    SECONDARY_ENABLE_VPID | SECONDARY_WBINVD_EXITING },
	/*
	 * The debug controls keep the guest's DR7 and IA32_DEBUGCTL in the
	 * VMCS: without them every exit leaves DR7 at 400H (SDM Vol. 3C,
	 * 28.5.1) and the guest's breakpoints are gone.  Every VMX CPU has
	 * them (default1 in the plain capability MSRs, App. A.4, A.5).
	 */
	[VMX_CTL_EXIT] = { EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_ACK_INTERRUPT_ON_EXIT |
			   EXIT_SAVE_DEBUG_CONTROLS |
			   EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT |
			   EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER, EXIT_SAVE_PREEMPTION_TIMER },
	[VMX_CTL_ENTRY] = { ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_LOAD_IA32_PAT |
			    ENTRY_LOAD_IA32_EFER, 0 },
};

/* The capability MSR of each word: the TRUE_* ones where VMX_BASIC says so (A.2). */
static uint64_t control_cap(enum vmx_control_word w, bool true_ctls)
{
	static const uint32_t plain[VMX_CTL_COUNT] = {
		MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_PROCBASED_CTLS,
		MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_ENTRY_CTLS,
	};
	static const uint32_t true_msr[VMX_CTL_COUNT] = {
		MSR_IA32_VMX_TRUE_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_TRUE_EXIT_CTLS,
		MSR_IA32_VMX_TRUE_ENTRY_CTLS,
	};

	return rdmsr(true_ctls ? true_msr[w] : plain[w]);
}

static int compute_controls(bool true_ctls)
{
	uint32_t *out[VMX_CTL_COUNT] = {
		&vmx_config.pin, &vmx_config.proc, &vmx_config.proc2,
		&vmx_config.exit, &vmx_config.entry,
	};

	for (int w = 0; w < VMX_CTL_COUNT; w++) {
		uint32_t missing;

		if (!vmx_control_compute(control_cap(w, true_ctls), wanted[w].required,
					 wanted[w].optional, out[w], &missing))
			continue;
		log_err("vmx: cannot run guests: the CPU lacks the %s control '%s'" HOW_NEWER_CPU,
			vmx_control_word_name(w),
			vmx_control_bit_name(w, (unsigned int)__builtin_ctz(missing)));
		return -ENODEV;
	}
	return 0;
}

static int check_ept(void)
{
	static const struct { uint64_t bit; const char *name; } need[] = {
		{ EPT_CAP_WALK_4, "4-level EPT walks" },
		{ EPT_CAP_MEMTYPE_WB, "write-back EPT structures" },
		{ EPT_CAP_2M_PAGES, "2 MiB EPT pages" },
		{ EPT_CAP_INVEPT, "INVEPT" },
		{ EPT_CAP_INVEPT_SINGLE, "single-context INVEPT" },
	};
	uint64_t cap = vmx_config.ept_vpid_cap;

	for (unsigned int i = 0; i < ARRAY_SIZE(need); i++) {
		if (!(cap & need[i].bit)) {
			log_err("vmx: cannot run guests: the CPU lacks %s" HOW_NEWER_CPU, need[i].name);
			return -ENODEV;
		}
	}
	vmx_config.ept_1g = cap & EPT_CAP_1G_PAGES;
	/* VPIDs only pay off with single-context INVVPID to flush a dead one. */
	vmx_config.vpid = (vmx_config.proc2 & SECONDARY_ENABLE_VPID) &&
			  (cap & VPID_CAP_INVVPID) && (cap & VPID_CAP_INVVPID_SINGLE);
	if (!vmx_config.vpid)
		vmx_config.proc2 &= ~SECONDARY_ENABLE_VPID;
	return 0;
}

static bool feature_control_allows_vmx(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		/* Unlocked: enable VMX and lock, as firmware should have (SDM 24.7). */
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED);
		return true;
	}
	return fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

/*
 * The preemption timer only if its value survives exits and the command
 * line does not ask for the LAPIC timer (`sched_timer=lapic`, as on a CPU
 * or nested hypervisor without it); else the timer interrupt alone.
 */
static void use_preemption_timer(void)
{
	vmx_config.preemption_timer = (vmx_config.pin & PIN_PREEMPTION_TIMER) &&
				      (vmx_config.exit & EXIT_SAVE_PREEMPTION_TIMER) &&
				      options.sched_timer != SCHED_TIMER_LAPIC;
	if (!vmx_config.preemption_timer) {
		vmx_config.pin &= ~PIN_PREEMPTION_TIMER;
		vmx_config.exit &= ~EXIT_SAVE_PREEMPTION_TIMER;
		return;
	}
	vmx_config.preemption_shift = VMX_MISC_PREEMPTION_SHIFT(rdmsr(MSR_IA32_VMX_MISC));
}

static int detect_basics(void)
{
	uint64_t basic;

	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) {
		log_warn("vmx: this CPU has no VMX (CPUID.1:ECX.VMX=0): Tally cannot run guests"
			 HOW_NO_VMX);
		return -ENODEV;
	}
	if (!feature_control_allows_vmx()) {
		log_warn("vmx: VMX is disabled and locked by the firmware "
			 "(IA32_FEATURE_CONTROL): Tally cannot run guests" HOW_FIRMWARE);
		return -ENODEV;
	}
	basic = rdmsr(MSR_IA32_VMX_BASIC);
	if ((basic & VMX_BASIC_MEMTYPE_MASK) != VMX_BASIC_MEMTYPE_WB ||
	    VMX_BASIC_VMCS_SIZE(basic) > PAGE_SIZE) {
		log_err("vmx: cannot run guests: unsupported VMCS memory type or size "
			"(IA32_VMX_BASIC=%#lx)" HOW_NEWER_CPU, basic);
		return -ENODEV;
	}
	vmx_config.revision = basic & VMX_BASIC_REVISION_MASK;
	if (compute_controls(basic & VMX_BASIC_TRUE_CTLS) < 0)
		return -ENODEV;
	/* Turned on per entry, only while an interrupt waits for the guest. */
	vmx_config.proc_window_exiting = control_cap(VMX_CTL_PROC, basic & VMX_BASIC_TRUE_CTLS) >> 32 &
					 CPU_BASED_INTERRUPT_WINDOW_EXITING;
	/* NMI-window exiting is valid only with virtual NMIs (SDM 26.2.1.1); also turned on per entry. */
	vmx_config.virtual_nmis = vmx_config.pin & PIN_VIRTUAL_NMIS;
	vmx_config.proc_nmi_window_exiting = vmx_config.virtual_nmis &&
		(control_cap(VMX_CTL_PROC, basic & VMX_BASIC_TRUE_CTLS) >> 32 & CPU_BASED_NMI_WINDOW_EXITING);
	use_preemption_timer();
	return 0;
}

int vmx_detect(void)
{
	hpa_t bitmap;

	if (detect_basics() < 0)
		return -ENODEV;
	vmx_config.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_config.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_config.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_config.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	vmx_config.ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (check_ept() < 0)
		return -ENODEV;
	if (mem_alloc(PAGE_SIZE, PAGE_SIZE, 0, &bitmap) < 0)
		return -ENOMEM;
	memset(arch_phys_to_virt(bitmap.raw, PAGE_SIZE), 0xFF, PAGE_SIZE);
	vmx_config.msr_bitmap = bitmap;
	/* Every CPU's VMXON region now, so memory use is settled before domains exist. */
	for (unsigned int i = 0; i < percpu_count; i++)
		percpu_area[i].arch.vmxon_region = mem_alloc_page_zeroed().raw;
	log_info("vmx: revision=%#x ept_1g=%d vpid=%d preemption_timer=%d pin=%#x proc=%#x proc2=%#x exit=%#x entry=%#x",
		 vmx_config.revision, vmx_config.ept_1g, vmx_config.vpid,
		 vmx_config.preemption_timer, vmx_config.pin,
		 vmx_config.proc, vmx_config.proc2, vmx_config.exit, vmx_config.entry);
	return 0;
}

/* This CPU's capability MSRs, the control ones as VMX_BASIC says to read them. */
static void read_caps(struct vmx_caps *c)
{
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	for (int w = 0; w < VMX_CTL_COUNT; w++)
		c->ctl[w] = control_cap(w, c->basic & VMX_BASIC_TRUE_CTLS);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	c->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
}

int vmx_cpu_check(void)
{
	struct vmx_caps caps;
	const char *differs;

	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) {
		log_err("vmx: cpu%u has no VMX, unlike the boot CPU", this_cpu()->id);
		return -ENODEV;
	}
	read_caps(&caps);
	differs = vmx_caps_mismatch(&vmx_config, &caps);
	if (!differs)
		return 0;
	log_err("vmx: cpu%u's VMX capabilities differ from the boot CPU's in its %s",
		this_cpu()->id, differs);
	return -ENODEV;
}

int vmx_cpu_enable(void)
{
	uint64_t region = this_cpu()->arch.vmxon_region;
	uint32_t *rev = arch_phys_to_virt(region, PAGE_SIZE);

	if (!rev || !feature_control_allows_vmx()) {
		log_err("vmx: VMX disabled by the firmware on this CPU" HOW_FIRMWARE);
		return -ENODEV;
	}
	write_cr0(vmx_cr_fixed(read_cr0(), vmx_config.cr0_fixed0, vmx_config.cr0_fixed1, 0));
	write_cr4(vmx_cr_fixed(read_cr4() | CR4_VMXE, vmx_config.cr4_fixed0,
			       vmx_config.cr4_fixed1, 0));
	xstate_cpu_enable();
	*rev = vmx_config.revision;
	if (!vmxon(region)) {
		log_err("vmx: VMXON failed on this CPU");
		return -ENODEV;
	}
	return 0;
}

bool vmx_arm_timer(uint64_t deadline)
{
	uint64_t now = rdtsc(), ticks = 0;

	if (!vmx_config.preemption_timer)
		return false;
	/*
	 * It ticks when TSC bit X changes (SDM 25.5.1), the first time maybe
	 * a cycle after entry: two ticks more than the whole ones in the wait
	 * never exit before @deadline, where nothing would be due yet.
	 */
	if (deadline > now)
		ticks = ((deadline - now) >> vmx_config.preemption_shift) + 2;
	vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, MIN(ticks, UINT32_MAX));
	return !ticks;
}

