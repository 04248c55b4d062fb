/* SPDX-License-Identifier: MIT */
/* VMX control words and CR fixed bits from the capability MSRs, and each CPU's against the boot CPU's. */
#include <arch/vmx.h>
#include <arch/vmx_controls.h>
#include <arch/vmx_cpu.h>
#include <tally/errno.h>

int vmx_control_compute(uint64_t cap, uint32_t required, uint32_t optional,
			uint32_t *value, uint32_t *missing)
{
	uint32_t must_be_one = (uint32_t)cap;
	uint32_t may_be_one = (uint32_t)(cap >> 32);

	*missing = required & ~may_be_one;
	if (*missing)
		return -ENODEV;
	*value = must_be_one | required | (optional & may_be_one);
	return 0;
}

uint64_t vmx_cr_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt)
{
	uint64_t fixed = (value | fixed0) & fixed1;

	return (fixed & ~exempt) | (value & exempt);
}

struct bit_name {
	uint32_t bit;
	const char *name;
};

static const struct bit_name pin_names[] = {
	{ PIN_EXTERNAL_INTERRUPT_EXITING, "external-interrupt exiting" },
	{ PIN_NMI_EXITING, "NMI exiting" },
	{ PIN_VIRTUAL_NMIS, "virtual NMIs" },
	{ PIN_PREEMPTION_TIMER, "VMX-preemption timer" },
	{ 0, NULL },
};

static const struct bit_name proc_names[] = {
	{ CPU_BASED_INTERRUPT_WINDOW_EXITING, "interrupt-window exiting" },
	{ CPU_BASED_NMI_WINDOW_EXITING, "NMI-window exiting" },
	{ CPU_BASED_TSC_OFFSETTING, "use TSC offsetting" },
	{ CPU_BASED_HLT_EXITING, "HLT exiting" },
	{ CPU_BASED_MWAIT_EXITING, "MWAIT exiting" },
	{ CPU_BASED_RDPMC_EXITING, "RDPMC exiting" },
	{ CPU_BASED_CR8_LOAD_EXITING, "CR8-load exiting" },
	{ CPU_BASED_CR8_STORE_EXITING, "CR8-store exiting" },
	{ CPU_BASED_MOV_DR_EXITING, "MOV-DR exiting" },
	{ CPU_BASED_UNCOND_IO_EXITING, "unconditional I/O exiting" },
	{ CPU_BASED_USE_IO_BITMAPS, "use I/O bitmaps" },
	{ CPU_BASED_USE_MSR_BITMAPS, "use MSR bitmaps" },
	{ CPU_BASED_MONITOR_EXITING, "MONITOR exiting" },
	{ CPU_BASED_SECONDARY_CONTROLS, "activate secondary controls" },
	{ 0, NULL },
};

static const struct bit_name proc2_names[] = {
	{ SECONDARY_ENABLE_EPT, "enable EPT" },
	{ SECONDARY_ENABLE_VPID, "enable VPID" },
	{ SECONDARY_UNRESTRICTED_GUEST, "unrestricted guest" },
	{ SECONDARY_ENABLE_RDTSCP, "enable RDTSCP" },
	{ SECONDARY_VIRTUALIZE_X2APIC, "virtualize x2APIC mode" },
	{ SECONDARY_APIC_REGISTER_VIRT, "APIC-register virtualization" },
	{ SECONDARY_VIRTUAL_INTR_DELIVERY, "virtual-interrupt delivery" },
	{ 0, NULL },
};

static const struct bit_name exit_names[] = {
	{ EXIT_SAVE_DEBUG_CONTROLS, "save debug controls" },
	{ EXIT_HOST_ADDRESS_SPACE_SIZE, "host address-space size" },
	{ EXIT_ACK_INTERRUPT_ON_EXIT, "acknowledge interrupt on exit" },
	{ EXIT_SAVE_IA32_PAT, "save IA32_PAT" },
	{ EXIT_LOAD_IA32_PAT, "load IA32_PAT" },
	{ EXIT_SAVE_IA32_EFER, "save IA32_EFER" },
	{ EXIT_LOAD_IA32_EFER, "load IA32_EFER" },
	{ 0, NULL },
};

static const struct bit_name entry_names[] = {
	{ ENTRY_LOAD_DEBUG_CONTROLS, "load debug controls" },
	{ ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest" },
	{ ENTRY_LOAD_IA32_PAT, "load IA32_PAT" },
	{ ENTRY_LOAD_IA32_EFER, "load IA32_EFER" },
	{ 0, NULL },
};

static const struct {
	const char *name;
	const struct bit_name *bits;
} words[VMX_CTL_COUNT] = {
	[VMX_CTL_PIN] = { "pin-based", pin_names },
	[VMX_CTL_PROC] = { "processor-based", proc_names },
	[VMX_CTL_PROC2] = { "secondary processor-based", proc2_names },
	[VMX_CTL_EXIT] = { "VM-exit", exit_names },
	[VMX_CTL_ENTRY] = { "VM-entry", entry_names },
};

const char *vmx_control_word_name(enum vmx_control_word word)
{
	return word < VMX_CTL_COUNT ? words[word].name : "?";
}

const char *vmx_control_bit_name(enum vmx_control_word word, unsigned int bit)
{
	if (word >= VMX_CTL_COUNT || bit > 31)
		return "?";
	for (const struct bit_name *b = words[word].bits; b->name; b++)
		if (b->bit == (1u << bit))
			return b->name;
	return "unnamed control";
}

/* The EPT/VPID capability bits the boot CPU's settings use. */
static uint64_t ept_vpid_relied_on(const struct vmx_config *boot)
{
	uint64_t bits = EPT_CAPS_REQUIRED;

	if (boot->ept_1g)
		bits |= EPT_CAP_1G_PAGES;
	if (boot->vpid)
		bits |= VPID_CAP_INVVPID | VPID_CAP_INVVPID_SINGLE;
	return bits;
}

/* Does @cap allow exactly @value: its 1s allowed, nothing else forced to 1 (A.3-A.5)? */
static bool word_allowed(uint64_t cap, uint32_t value)
{
	uint32_t out, missing;

	return !vmx_control_compute(cap, value, 0, &out, &missing) && out == value;
}

static const char *const ctl_mismatch[VMX_CTL_COUNT] = {
	[VMX_CTL_PIN] = "pin-based controls",
	[VMX_CTL_PROC] = "processor-based controls",
	[VMX_CTL_PROC2] = "secondary processor-based controls",
	[VMX_CTL_EXIT] = "VM-exit controls",
	[VMX_CTL_ENTRY] = "VM-entry controls",
};

static const char *controls_mismatch(const struct vmx_config *boot, const struct vmx_caps *cpu)
{
	const uint32_t used[VMX_CTL_COUNT] = {
		boot->pin, boot->proc, boot->proc2, boot->exit, boot->entry,
	};

	for (int w = 0; w < VMX_CTL_COUNT; w++)
		if (!word_allowed(cpu->ctl[w], used[w]))
			return ctl_mismatch[w];
	/* Turned on per entry while an interrupt waits (allowed-1 setting, A.3.2). */
	if (boot->proc_window_exiting &&
	    !((cpu->ctl[VMX_CTL_PROC] >> 32) & CPU_BASED_INTERRUPT_WINDOW_EXITING))
		return ctl_mismatch[VMX_CTL_PROC];
	if (boot->proc_nmi_window_exiting &&
	    !((cpu->ctl[VMX_CTL_PROC] >> 32) & CPU_BASED_NMI_WINDOW_EXITING))
		return ctl_mismatch[VMX_CTL_PROC];
	return NULL;
}

const char *vmx_caps_mismatch(const struct vmx_config *boot, const struct vmx_caps *cpu)
{
	uint64_t relied = ept_vpid_relied_on(boot);
	const char *ctl;

	/* Every VMCS and VMXON region carries the boot CPU's revision (SDM 25.2). */
	if ((cpu->basic & VMX_BASIC_REVISION_MASK) != boot->revision)
		return "VMCS revision";
	ctl = controls_mismatch(boot, cpu);
	if (ctl)
		return ctl;
	if ((cpu->ept_vpid_cap & relied) != relied)
		return "EPT/VPID capabilities";
	/* Applied to this CPU's CR0/CR4 before VMXON and to every guest's (A.7, A.8). */
	if (cpu->cr0_fixed0 != boot->cr0_fixed0 || cpu->cr0_fixed1 != boot->cr0_fixed1 ||
	    cpu->cr4_fixed0 != boot->cr4_fixed0 || cpu->cr4_fixed1 != boot->cr4_fixed1)
		return "CR0/CR4 fixed bits";
	if (boot->preemption_timer &&
	    VMX_MISC_PREEMPTION_SHIFT(cpu->misc) != boot->preemption_shift)
		return "VMX-preemption timer rate";
	return NULL;
}
