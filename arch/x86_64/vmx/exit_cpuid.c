/* SPDX-License-Identifier: MIT */
/* CPUID for guests: the host's answers, minus what Tally does not virtualize, plus its own leaves. */
#include <arch/cpu.h>
#include <arch/cpuid_xsave.h>
#include <arch/sdm_checks.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <arch/xstate.h>
#include <public/tally.h>
#include <tally/arch.h>
#include <tally/domain.h>

#define CPUID_1_EDX_MTRR	(1u << 12)
#define CPUID_1_ECX_TSC_DEADLINE_BIT CPUID_1_ECX_TSC_DEADLINE
#define HV_LEAF_LAST		(TALLY_CPUID_BASE + 0xFF)

/* Leaf 1 bits Tally hides (SDM Vol. 2A, CPUID, tables 3-10 and 3-11). */
#define CPUID_1_ECX_DTES64	(1u << 2)
#define CPUID_1_ECX_DS_CPL	(1u << 4)
#define CPUID_1_ECX_EST		(1u << 7)
#define CPUID_1_ECX_TM2		(1u << 8)
/* Leaf 1 ECX: VMX is Tally's; the rest needs state Tally does not switch or emulate. */
static const uint32_t leaf1_ecx_hidden = CPUID_1_ECX_MONITOR | CPUID_1_ECX_VMX |
	CPUID_1_ECX_SMX | CPUID_1_ECX_PDCM | CPUID_1_ECX_DTES64 | CPUID_1_ECX_DS_CPL |
	CPUID_1_ECX_EST | CPUID_1_ECX_TM2;
/* Every vCPU has an x2APIC with a TSC-deadline timer (arch/vlapic.h). */
static const uint32_t leaf1_ecx_shown = CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE_BIT;
/* XSAVE features, shown only as far as Tally switches their state (arch/xstate.h). */
static const uint32_t leaf1_ecx_xsave = CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_AVX;
/*
 * MTRR MSRs are not emulated; debug store, thermal monitor and ACPI
 * thermal control (their MSRs and the APIC's thermal LVT) neither, nor
 * SpeedStep (IA32_PERF_CTL).  MCE and MCA stay: the machine-check MSRs
 * read as a CPU without banks (exit_msr.c).
 */
#define CPUID_1_EDX_DS		(1u << 21)
#define CPUID_1_EDX_ACPI	(1u << 22)
#define CPUID_1_EDX_TM		(1u << 29)
#define CPUID_1_EDX_PBE		(1u << 31)
static const uint32_t leaf1_edx_hidden = CPUID_1_EDX_MTRR | CPUID_1_EDX_DS | CPUID_1_EDX_ACPI |
	CPUID_1_EDX_TM | CPUID_1_EDX_PBE;
#define HV_LEAF_TIMING		(TALLY_CPUID_BASE + 0x10)	/* TSC and APIC timer kHz */
#define LEAF_TSC_CRYSTAL	0x15
#define LEAF_FREQUENCY		0x16
/*
 * Leaf 7: SGX, INVPCID (not enabled), TSX, MPX; AVX2 and AVX-512 follow XCR0
 * support.  IA32_TSC_ADJUST is shown where guests may write their TSC (TSC
 * offsetting, exit_msr.c); else its #GP is what the SDM says (Vol. 4,
 * table 2-2: the MSR exists if CPUID.07H:EBX[1]).
 */
#define CPUID_7_EBX_TSC_ADJUST	(1u << 1)
static const uint32_t leaf7_ebx_hidden = CPUID_7_EBX_SGX |
	CPUID_7_EBX_INVPCID | (1u << 11) | (1u << 14);
/*
 * Leaf 7 EDX: the speculation-control MSRs (IA32_SPEC_CTRL, PRED_CMD,
 * FLUSH_CMD, ARCH_CAPABILITIES, CORE_CAPABILITIES) are not offered: each
 * bit would promise an MSR that #GPs here, and Linux reads
 * ARCH_CAPABILITIES without a fault handler.
 */
#define CPUID_7_EDX_SPEC_CTRL	(1u << 26)	/* IBRS and IBPB */
#define CPUID_7_EDX_STIBP	(1u << 27)
#define CPUID_7_EDX_L1D_FLUSH	(1u << 28)
#define CPUID_7_EDX_ARCH_CAP	(1u << 29)
#define CPUID_7_EDX_CORE_CAP	(1u << 30)
#define CPUID_7_EDX_SSBD	(1u << 31)
static const uint32_t leaf7_edx_hidden = CPUID_7_EDX_SPEC_CTRL | CPUID_7_EDX_STIBP |
	CPUID_7_EDX_L1D_FLUSH | CPUID_7_EDX_ARCH_CAP | CPUID_7_EDX_CORE_CAP | CPUID_7_EDX_SSBD;
/*
 * Leaf 6 (power management): only ARAT (the APIC timer runs in every
 * C-state: true of the virtual one).  APERF/MPERF (ECX[0]) would have
 * Linux read two MSRs on every tick, each an exit; HWP, the energy bias
 * and the thermal interrupt name MSRs Tally does not model.
 */
#define LEAF_POWER		6
#define CPUID_6_EAX_ARAT	(1u << 2)
static const uint32_t leaf7_ebx_avx512 = CPUID_7_EBX_AVX512F | (1u << 17) | (1u << 21) |
	(0x7u << 26) | (3u << 30);
static const uint32_t leaf7_ecx_hidden = CPUID_7_ECX_WAITPKG;
static const uint32_t leaf7_ecx_avx512 = (1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) |
	(1u << 14);
#define LEAF_EXT_FEATURES	0x80000001u
#define LEAF_ADDRESS_SIZES	0x80000008u
#define ADDRESS_SIZES_PHYS	0xFFu		/* EAX[7:0]: MAXPHYADDR */

static void hypervisor_leaf(uint32_t leaf, struct cpuid_regs *c)
{
	*c = (struct cpuid_regs){ 0 };
	if (leaf == TALLY_CPUID_BASE) {
		c->eax = HV_LEAF_TIMING;	/* highest hypervisor leaf */
		c->ebx = TALLY_CPUID_SIGNATURE_EBX;
		c->ecx = TALLY_CPUID_SIGNATURE_ECX;
		c->edx = TALLY_CPUID_SIGNATURE_EDX;
	} else if (leaf == HV_LEAF_TIMING) {
		/* The measured rates, not the CPU's nominal ones (as VMware's leaf). */
		c->eax = (uint32_t)arch_tsc_khz();
		c->ebx = (uint32_t)arch_tsc_khz();	/* the APIC timer counts at the TSC rate */
	}
}

/*
 * Leaves 0x15 and 0x16 describe the measured TSC: crystal = TSC (ratio 1/1),
 * which also clocks the virtual APIC timer; 0x16 in MHz.  Linux takes the
 * TSC rate as crystal_khz * EBX / EAX with crystal_khz = ECX / 1000
 * (native_calibrate_tsc()), exactly the measured kHz, and its APIC timer
 * period from crystal_khz.  ECX is 32 bits: a TSC of 4.29 GHz or more
 * shows no crystal (ECX = 0), and Linux calibrates instead.
 */
static bool timing_leaf(uint32_t leaf, struct cpuid_regs *c)
{
	uint64_t khz;

	if (leaf != LEAF_TSC_CRYSTAL && leaf != LEAF_FREQUENCY)
		return false;
	khz = arch_tsc_khz();
	if (leaf == LEAF_TSC_CRYSTAL) {
		uint64_t hz = khz * 1000;

		*c = (struct cpuid_regs){ .eax = 1, .ebx = 1, .ecx = hz > UINT32_MAX ? 0 : (uint32_t)hz };
		return true;
	}
	if (leaf == LEAF_FREQUENCY) {
		*c = (struct cpuid_regs){ .eax = (uint32_t)(khz / 1000), .ebx = (uint32_t)(khz / 1000),
					  .ecx = (uint32_t)(khz / 1000) };
		return true;
	}
	return false;
}

/* Leaf 1 ECX's XSAVE bits: XSAVE/AVX as Tally switches them; OSXSAVE is the guest's CR4 bit. */
static uint32_t leaf1_xsave_bits(uint32_t ecx)
{
	uint64_t mask = xstate_guest_mask();
	uint32_t bits = 0;

	if (!mask)
		return 0;
	bits = ecx & (CPUID_1_ECX_XSAVE | ((mask & XCR0_AVX) ? CPUID_1_ECX_AVX : 0));
	if (vmcs_read(VMCS_GUEST_CR4) & CR4_OSXSAVE)
		bits |= CPUID_1_ECX_OSXSAVE;
	return bits;
}

static void filter_leaf7(uint32_t sub, struct cpuid_regs *c)
{
	uint64_t mask = xstate_guest_mask();

	if (sub != 0)
		return;
	c->ebx &= ~leaf7_ebx_hidden;
	if (!vmexit_tsc_writable())
		c->ebx &= ~CPUID_7_EBX_TSC_ADJUST;
	c->ecx &= ~leaf7_ecx_hidden;
	c->edx &= ~leaf7_edx_hidden;
	/* OSPKE is the guest's own CR4.PKE, not the host's (SDM Vol. 2A, CPUID leaf 07H). */
	c->ecx &= ~CPUID_7_ECX_OSPKE;
	if (vmcs_read(VMCS_GUEST_CR4) & CR4_PKE)
		c->ecx |= CPUID_7_ECX_OSPKE;
	if (!(mask & XCR0_AVX))
		c->ebx &= ~CPUID_7_EBX_AVX2;
	if ((mask & XCR0_AVX512) != XCR0_AVX512) {
		c->ebx &= ~leaf7_ebx_avx512;
		c->ecx &= ~leaf7_ecx_avx512;
	}
}

static struct cpuid_regs host_xsave_subleaf(void *ctx __unused, uint32_t sub)
{
	return cpuid(CPUID_XSAVE_LEAF, sub);
}

/* Leaf 0xD describes only the components Tally switches, sized for the guest's XCR0. */
static void filter_xsave_leaf(const struct vcpu *v, uint32_t sub, struct cpuid_regs *c)
{
	cpuid_xsave_filter(sub, c, xstate_guest_mask(), v->arch.xstate.xcr0, host_xsave_subleaf,
			   NULL);
}

static void filter(const struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *c)
{
	switch (leaf) {
	case 0:		/* the timing leaves exist even if the CPU stops short of them */
		c->eax = MAX(c->eax, LEAF_FREQUENCY);
		break;
	case 1:
		c->ecx = (c->ecx & ~(leaf1_ecx_hidden | leaf1_ecx_xsave)) |
			 leaf1_xsave_bits(c->ecx) | leaf1_ecx_shown | CPUID_1_ECX_HYPERVISOR;
		c->edx &= ~leaf1_edx_hidden;
		/* The APIC flag follows IA32_APIC_BASE's global enable (SDM 11.4.3). */
		if (vlapic_mode(&v->arch.vlapic) == VLAPIC_MODE_DISABLED)
			c->edx &= ~CPUID_1_EDX_APIC;
		else
			c->edx |= CPUID_1_EDX_APIC;
		/* Initial APIC ID and logical processor count: this vCPU's. */
		c->ebx = (c->ebx & 0xFFFF) | (v->domain->vcpu_count << 16) | (v->id << 24);
		break;
	case LEAF_POWER:
		*c = (struct cpuid_regs){ .eax = c->eax & CPUID_6_EAX_ARAT };
		break;
	case 7:
		filter_leaf7(sub, c);
		break;
	case 0xA:	/* no performance monitoring */
		*c = (struct cpuid_regs){ 0 };
		break;
	case 0xD:
		filter_xsave_leaf(v, sub, c);
		break;
	case 0xB:
	case 0x1F:
		c->edx = v->id;
		break;
	case 0x80000001:
		c->edx &= ~CPUID_80000001_EDX_RDTSCP;
		break;
	default:
		break;
	}
}

/* CPUID leaf @leaf, subleaf @sub, as @v sees it. */
static struct cpuid_regs guest_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs c;

	if (leaf >= TALLY_CPUID_BASE && leaf <= HV_LEAF_LAST) {
		hypervisor_leaf(leaf, &c);
	} else if (!timing_leaf(leaf, &c)) {
		c = cpuid(leaf, sub);
		filter(v, leaf, sub, &c);
	}
	return c;
}

/*
 * Leaves 0x80000001 and 0x80000008 are the same for every vCPU (filter()
 * reads nothing of the vCPU for them): computed once, since every MMIO exit
 * and many CR writes ask, and a CPUID costs an exit of its own when Tally
 * itself runs nested.  Any CPU may fill them: each computes the same values.
 */
void vmexit_guest_features(const struct vcpu *v, struct sdm_mode *m)
{
	static uint32_t ext_edx, maxphyaddr;
	static bool ready;

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		ext_edx = guest_cpuid(v, LEAF_EXT_FEATURES, 0).edx;
		maxphyaddr = guest_cpuid(v, LEAF_ADDRESS_SIZES, 0).eax & ADDRESS_SIZES_PHYS;
		__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
	}
	m->ext_edx = ext_edx;
	m->maxphyaddr = maxphyaddr;
}

void vmexit_cpuid(struct vcpu *v, struct guest_regs *r)
{
	struct cpuid_regs c = guest_cpuid(v, (uint32_t)r->gpr[GUEST_RAX], (uint32_t)r->gpr[GUEST_RCX]);

	r->gpr[GUEST_RAX] = c.eax;
	r->gpr[GUEST_RBX] = c.ebx;
	r->gpr[GUEST_RCX] = c.ecx;
	r->gpr[GUEST_RDX] = c.edx;
	vmexit_skip_instruction();
}
