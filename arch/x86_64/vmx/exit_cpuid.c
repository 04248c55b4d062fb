/* SPDX-License-Identifier: MIT */
/* CPUID for guests: the host's answers, minus what Tally does not virtualize, plus its own leaves. */
#include <arch/cpu.h>
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

/* Leaf 1 ECX: VMX is Tally's; the rest needs state Tally does not switch or emulate. */
static const uint32_t leaf1_ecx_hidden = CPUID_1_ECX_MONITOR | CPUID_1_ECX_VMX |
	CPUID_1_ECX_SMX | CPUID_1_ECX_PDCM;
/* Every vCPU has an x2APIC with a TSC-deadline timer (arch/vlapic.h). */
static const uint32_t leaf1_ecx_shown = CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE_BIT;
/* XSAVE features, shown only as far as Tally switches their state (arch/xstate.h). */
static const uint32_t leaf1_ecx_xsave = CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_AVX;
/* MTRR MSRs are not emulated. */
static const uint32_t leaf1_edx_hidden = CPUID_1_EDX_MTRR;
#define HV_LEAF_TIMING		(TALLY_CPUID_BASE + 0x10)	/* TSC and APIC timer kHz */
#define LEAF_TSC_CRYSTAL	0x15
#define LEAF_FREQUENCY		0x16
/*
 * Leaf 7: SGX, INVPCID (not enabled), TSX, MPX; AVX2 and AVX-512 follow XCR0
 * support.  IA32_TSC_ADJUST too: a guest's TSC is the host's (no TSC
 * offsetting, RDTSC without exits, and the virtual APIC's TSC deadlines and
 * the scheduler's compare guest values with the host TSC), so the MSR
 * could only read 0 and refuse writes; without the bit, its #GP is what
 * the SDM says (Vol. 4, table 2-2: the MSR exists if CPUID.07H:EBX[1]).
 */
#define CPUID_7_EBX_TSC_ADJUST	(1u << 1)
static const uint32_t leaf7_ebx_hidden = CPUID_7_EBX_TSC_ADJUST | CPUID_7_EBX_SGX |
	CPUID_7_EBX_INVPCID | (1u << 11) | (1u << 14);
static const uint32_t leaf7_ebx_avx512 = CPUID_7_EBX_AVX512F | (1u << 17) | (1u << 21) |
	(0x7u << 26) | (3u << 30);
static const uint32_t leaf7_ecx_hidden = CPUID_7_ECX_WAITPKG;
static const uint32_t leaf7_ecx_avx512 = (1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) |
	(1u << 14);
#define XSAVE_LEAF_XSAVES	(1u << 3)	/* leaf 0xD.1 EAX: XSAVES/IA32_XSS, not offered */
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
 * which also clocks the virtual APIC timer; 0x16 in MHz.
 */
static bool timing_leaf(uint32_t leaf, struct cpuid_regs *c)
{
	uint64_t khz;

	if (leaf != LEAF_TSC_CRYSTAL && leaf != LEAF_FREQUENCY)
		return false;
	khz = arch_tsc_khz();
	if (leaf == LEAF_TSC_CRYSTAL) {
		*c = (struct cpuid_regs){ .eax = 1, .ebx = 1, .ecx = (uint32_t)(khz * 1000) };
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
	c->ecx &= ~leaf7_ecx_hidden;
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

/* Leaf 0xD describes only the components Tally switches. */
static void filter_xsave_leaf(uint32_t sub, struct cpuid_regs *c)
{
	uint64_t mask = xstate_guest_mask();

	if (sub == 0) {
		c->eax = (uint32_t)mask;
		c->edx = (uint32_t)(mask >> 32);
	} else if (sub == 1) {
		c->eax &= ~XSAVE_LEAF_XSAVES;
		c->ebx = c->ecx = c->edx = 0;
	} else if (sub >= 64 || !(mask & (1ull << sub))) {
		*c = (struct cpuid_regs){ 0 };
	}
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
		c->edx |= CPUID_1_EDX_APIC;
		c->edx &= ~leaf1_edx_hidden;
		/* Initial APIC ID and logical processor count: this vCPU's. */
		c->ebx = (c->ebx & 0xFFFF) | (v->domain->vcpu_count << 16) | (v->id << 24);
		break;
	case 7:
		filter_leaf7(sub, c);
		break;
	case 0xA:	/* no performance monitoring */
		*c = (struct cpuid_regs){ 0 };
		break;
	case 0xD:
		filter_xsave_leaf(sub, c);
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

void vmexit_guest_features(const struct vcpu *v, struct sdm_mode *m)
{
	m->ext_edx = guest_cpuid(v, LEAF_EXT_FEATURES, 0).edx;
	m->maxphyaddr = guest_cpuid(v, LEAF_ADDRESS_SIZES, 0).eax & ADDRESS_SIZES_PHYS;
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
