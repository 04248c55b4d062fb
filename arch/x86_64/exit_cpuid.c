/* SPDX-License-Identifier: MIT */
/* CPUID for guests: the host's answers, minus what Tally does not virtualize, plus its own leaves. */
#include <arch/cpu.h>
#include <arch/vmexit.h>
#include <public/tally.h>
#include <tally/domain.h>

#define CPUID_1_EDX_MTRR	(1u << 12)
#define CPUID_1_ECX_TSC_DEADLINE_BIT CPUID_1_ECX_TSC_DEADLINE
#define HV_LEAF_LAST		(TALLY_CPUID_BASE + 0xFF)

/* Leaf 1 ECX: VMX is Tally's; the rest needs state Tally does not switch or emulate yet. */
static const uint32_t leaf1_ecx_hidden = CPUID_1_ECX_MONITOR | CPUID_1_ECX_VMX |
	CPUID_1_ECX_SMX | CPUID_1_ECX_PDCM | CPUID_1_ECX_X2APIC |
	CPUID_1_ECX_TSC_DEADLINE_BIT | CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE | CPUID_1_ECX_AVX;
/* No local APIC yet; MTRR MSRs are not emulated. */
static const uint32_t leaf1_edx_hidden = CPUID_1_EDX_APIC | CPUID_1_EDX_MTRR;
/* Leaf 7: SGX, INVPCID (not enabled), TSX, MPX and AVX2/AVX-512 (no XSAVE). */
static const uint32_t leaf7_ebx_hidden = CPUID_7_EBX_SGX | CPUID_7_EBX_AVX2 |
	CPUID_7_EBX_INVPCID | (1u << 11) | (1u << 14) | CPUID_7_EBX_AVX512F |
	(1u << 17) | (1u << 21) | (0x7u << 26) | (3u << 30);
static const uint32_t leaf7_ecx_hidden = (1u << 1) | CPUID_7_ECX_WAITPKG | (1u << 6) |
	(1u << 11) | (1u << 12) | (1u << 14);

static void hypervisor_leaf(uint32_t leaf, struct cpuid_regs *c)
{
	*c = (struct cpuid_regs){ 0 };
	if (leaf == TALLY_CPUID_BASE) {
		c->eax = TALLY_CPUID_BASE;	/* highest hypervisor leaf */
		c->ebx = TALLY_CPUID_SIGNATURE_EBX;
		c->ecx = TALLY_CPUID_SIGNATURE_ECX;
		c->edx = TALLY_CPUID_SIGNATURE_EDX;
	}
}

static void filter(const struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *c)
{
	switch (leaf) {
	case 1:
		c->ecx = (c->ecx & ~leaf1_ecx_hidden) | CPUID_1_ECX_HYPERVISOR;
		c->edx &= ~leaf1_edx_hidden;
		/* Initial APIC ID and logical processor count: this vCPU's. */
		c->ebx = (c->ebx & 0xFFFF) | (v->domain->vcpu_count << 16) | (v->id << 24);
		break;
	case 7:
		if (sub == 0) {
			c->ebx &= ~leaf7_ebx_hidden;
			c->ecx &= ~leaf7_ecx_hidden;
		}
		break;
	case 0xA:	/* no performance monitoring */
	case 0xD:	/* no XSAVE */
		*c = (struct cpuid_regs){ 0 };
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

void vmexit_cpuid(struct vcpu *v, struct guest_regs *r)
{
	uint32_t leaf = (uint32_t)r->gpr[GUEST_RAX], sub = (uint32_t)r->gpr[GUEST_RCX];
	struct cpuid_regs c;

	if (leaf >= TALLY_CPUID_BASE && leaf <= HV_LEAF_LAST) {
		hypervisor_leaf(leaf, &c);
	} else {
		c = cpuid(leaf, sub);
		filter(v, leaf, sub, &c);
	}
	r->gpr[GUEST_RAX] = c.eax;
	r->gpr[GUEST_RBX] = c.ebx;
	r->gpr[GUEST_RCX] = c.ecx;
	r->gpr[GUEST_RDX] = c.edx;
	vmexit_skip_instruction();
}
