/* SPDX-License-Identifier: MIT */
/* Control-register exits: CR0/CR4 writes that touch host-owned bits, and CR8 (the virtual TPR).
 *
 * Every check a CPU makes on these moves is in arch/sdm_checks.h (pure);
 * this file reads the guest's mode from the VMCS, applies the outcome, and
 * keeps the VMCS consistent with it (IA-32e mode, PDPTEs), so that a move
 * the CPU would accept enters again and one it would refuse gets #GP.
 *
 * Locking: CR8 is the virtual APIC's TPR, taken under the vCPU's apic_lock
 * as every access to that APIC (arch/x86_64/vmx/vcpu_apic.c); the rest is the
 * current vCPU's VMCS, on its own CPU. */
#include <arch/cpu.h>
#include <arch/sdm_checks.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <arch/vmx.h>
#include <arch/vmx_controls.h>
#include <arch/vmx_cpu.h>
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/spinlock.h>

#define PDPT_ADDR_MASK		0xFFFFFFE0ull	/* CR3[31:5] in PAE paging (SDM Vol. 3A, 5.4.1) */
#define PDPTE_BYTES		8
/* A MOV to CR0/CR4 reloads the PDPTEs when it changes one of these (SDM Vol. 3A, 5.4.1). */
#define CR0_PDPTE_RELOAD	(CR0_PG | CR0_CD | CR0_NW)
#define CR4_PDPTE_RELOAD	(CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)

void vmexit_guest_mode(struct sdm_mode *m)
{
	uint64_t cr0_mask = vmcs_read(VMCS_CR0_GUEST_HOST_MASK);
	uint64_t cr4_mask = vmcs_read(VMCS_CR4_GUEST_HOST_MASK);

	*m = (struct sdm_mode){
		.cr0 = (vmcs_read(VMCS_GUEST_CR0) & ~cr0_mask) |
		       (vmcs_read(VMCS_CR0_READ_SHADOW) & cr0_mask),
		.cr4 = (vmcs_read(VMCS_GUEST_CR4) & ~cr4_mask) |
		       (vmcs_read(VMCS_CR4_READ_SHADOW) & cr4_mask),
		.efer = vmcs_read(VMCS_GUEST_IA32_EFER),
		.cs_ar = (uint32_t)vmcs_read(VMCS_GUEST_CS_ACCESS_RIGHTS),
		.tr_ar = (uint32_t)vmcs_read(VMCS_GUEST_TR_ACCESS_RIGHTS),
	};
}

/* The register an access names: RSP is in the VMCS, the others in the exit stub's block. */
static uint64_t read_gpr(const struct guest_regs *r, const struct sdm_cr_access *a)
{
	return a->gpr_is_rsp ? vmcs_read(VMCS_GUEST_RSP) : r->gpr[a->gpr];
}

static void write_gpr(struct guest_regs *r, const struct sdm_cr_access *a, uint64_t val)
{
	if (a->gpr_is_rsp)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		r->gpr[a->gpr] = val;
}

/*
 * PAE paging without IA-32e mode: with EPT, VM entry takes the PDPTEs from
 * the VMCS (SDM Vol. 3C, "Loading Page-Directory-Pointer-Table Entries"),
 * so they are read here, as the CPU reads them at the MOV.  All four are
 * checked before any is written: a bad one is #GP with nothing changed.
 */
static bool load_pdptes(struct vcpu *v, struct sdm_mode *m, uint64_t cr3)
{
	uint64_t gpa = cr3 & PDPT_ADDR_MASK, pdpte[PDPTE_COUNT];
	const uint64_t *p;

	vmexit_guest_features(v, m);	/* MAXPHYADDR */
	if (gpa + PDPTE_COUNT * PDPTE_BYTES > v->domain->ram_bytes)
		return false;
	p = arch_phys_to_virt(v->domain->ram.raw + gpa, PDPTE_COUNT * PDPTE_BYTES);
	for (int i = 0; i < PDPTE_COUNT; i++) {
		pdpte[i] = p[i];	/* once: the guest's other vCPUs may be changing it */
		if (!sdm_pdpte_valid(pdpte[i], m->maxphyaddr))
			return false;
	}
	for (int i = 0; i < PDPTE_COUNT; i++)
		vmcs_write((enum vmcs_field)(VMCS_GUEST_PDPTE0 + 2 * i), pdpte[i]);
	return true;
}

/* PAE paging after a move that set @cr0/@cr4 and @efer, having changed a @reload bit. */
static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer, bool reload)
{
	return reload && (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA);
}

/* MOV to CR0: the guest sees its value; the CPU keeps the bits VMX needs. */
static bool guest_write_cr0(struct vcpu *v, struct sdm_mode *m, uint64_t val)
{
	uint64_t efer, entry = vmcs_read(VMCS_ENTRY_CONTROLS);

	if (sdm_cr0_write(m, val, &efer) < 0)
		return false;
	if (pae_paging(val, m->cr4, efer, (val ^ m->cr0) & CR0_PDPTE_RELOAD) &&
	    !load_pdptes(v, m, vmcs_read(VMCS_GUEST_CR3)))
		return false;
	/* IA-32e mode follows EFER.LMA, which PG and LME set (SDM Vol. 3A, 10.8.5). */
	entry = (efer & EFER_LMA) ? entry | ENTRY_IA32E_MODE_GUEST : entry & ~ENTRY_IA32E_MODE_GUEST;
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_ENTRY_CONTROLS, entry);
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, vmx_cr_fixed(val, vmx_config.cr0_fixed0,
						vmx_config.cr0_fixed1, CR0_PE | CR0_PG));
	return true;
}

/* MOV to CR4: VMXE stays Tally's; bits the CPU does not have are refused. */
static bool guest_write_cr4(struct vcpu *v, struct sdm_mode *m, uint64_t val)
{
	if (sdm_cr4_write(m, val, vmx_config.cr4_fixed1) < 0)
		return false;
	if (pae_paging(m->cr0, val, m->efer, (val ^ m->cr4) & CR4_PDPTE_RELOAD) &&
	    !load_pdptes(v, m, vmcs_read(VMCS_GUEST_CR3)))
		return false;
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, vmx_cr_fixed(val, vmx_config.cr4_fixed0,
						vmx_config.cr4_fixed1, 0));
	return true;
}

/*
 * CR8 is the virtual APIC's TPR seen through its priority class (SDM Vol.
 * 3A, 11.8.6.1 "Interaction of Task Priorities between CR8 and APIC"):
 * one value, so raising CR8 masks interrupts and a TPR written through the
 * x2APIC MSR reads back through CR8.  A lower TPR may let a waiting
 * interrupt in: the next entry looks (apic_hint).
 */
static bool guest_write_cr8(struct vcpu *v, uint64_t val)
{
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);
	int err = vlapic_cr8_write(&v->arch.vlapic, val);

	v->arch.apic_hint = true;
	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	return err == 0;
}

static uint64_t guest_read_cr8(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&v->arch.apic_lock);
	uint64_t cr8 = vlapic_cr8_read(&v->arch.vlapic);

	spin_unlock_irqrestore(&v->arch.apic_lock, flags);
	return cr8;
}

static bool mov_to_cr(struct vcpu *v, struct sdm_mode *m, unsigned int cr, uint64_t val)
{
	switch (cr) {
	case 0: return guest_write_cr0(v, m, val);
	case 4: return guest_write_cr4(v, m, val);
	case 8: return guest_write_cr8(v, val);
	default: return false;	/* CR3 loads do not exit (EPT) */
	}
}

void vmexit_cr_access(struct vcpu *v, struct guest_regs *r)
{
	struct sdm_cr_access a = sdm_cr_access_decode(vmcs_read(VMCS_EXIT_QUALIFICATION));
	struct sdm_mode m;

	vmexit_guest_mode(&m);
	if (a.type == SDM_CR_MOV_TO) {
		if (!mov_to_cr(v, &m, a.cr, sdm_cr_operand(&m, read_gpr(r, &a)))) {
			vmexit_inject_gp();
			return;
		}
	} else if (a.type == SDM_CR_MOV_FROM && a.cr == 8) {
		/* Only 64-bit code can name CR8: the whole register is written. */
		write_gpr(r, &a, guest_read_cr8(v));
	} else {
		vmexit_crash(v, "unexpected control-register access exit");
		return;
	}
	vmexit_skip_instruction();
}
