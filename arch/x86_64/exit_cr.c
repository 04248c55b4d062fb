/* SPDX-License-Identifier: MIT */
/* Control-register exits: CR0/CR4 writes that touch host-owned bits, and CR8 (SDM 28.1.3). */
#include <arch/cpu.h>
#include <arch/vmcs.h>
#include <arch/vmexit.h>
#include <arch/vmx.h>
#include <arch/vmx_controls.h>
#include <arch/vmx_cpu.h>
#include <tally/arch.h>
#include <tally/domain.h>

/* Exit qualification for control-register accesses (table 28-3). */
union cr_qual {
	uint64_t raw;
	struct {
		uint64_t cr : 4;
		uint64_t access : 2;	/* 0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW */
		uint64_t lmsw_memory : 1;
		uint64_t reserved0 : 1;
		uint64_t gpr : 4;
		uint64_t reserved1 : 4;
		uint64_t lmsw_data : 16;
		uint64_t reserved2 : 32;
	};
};
_Static_assert(sizeof(union cr_qual) == 8, "CR exit qualification is 64 bits");

#define CR_ACCESS_MOV_TO	0
#define CR_ACCESS_MOV_FROM	1
#define EFER_LMA		(1ull << 10)
#define PDPTE_COUNT		4
#define PDPT_ALIGN		32

/* PAE paging without long mode: VM entry takes the PDPTEs from the VMCS (SDM 26.3.2.4). */
static bool load_pdptes(struct vcpu *v, uint64_t cr3)
{
	uint64_t gpa = cr3 & ~(uint64_t)(PDPT_ALIGN - 1) & 0xFFFFFFFFull;
	const uint64_t *pdpte;

	if (gpa + PDPTE_COUNT * 8 > v->domain->ram_bytes)
		return false;
	pdpte = arch_phys_to_virt(v->domain->ram.raw + gpa, PDPTE_COUNT * 8);
	for (int i = 0; i < PDPTE_COUNT; i++)
		vmcs_write((enum vmcs_field)(VMCS_GUEST_PDPTE0 + 2 * i), pdpte[i]);
	return true;
}

/* MOV to CR0: the guest sees its value; the CPU keeps the bits VMX needs. */
static bool guest_write_cr0(struct vcpu *v, uint64_t val)
{
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	uint64_t entry = vmcs_read(VMCS_ENTRY_CONTROLS);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)))
		return false;
	/* Paging on with EFER.LME activates long mode; off deactivates it (SDM 10.8.5). */
	if ((val & CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E_MODE_GUEST;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~ENTRY_IA32E_MODE_GUEST;
	}
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_ENTRY_CONTROLS, entry);
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, vmx_cr_fixed(val, vmx_config.cr0_fixed0,
						vmx_config.cr0_fixed1, CR0_PE | CR0_PG));
	if ((val & CR0_PG) && !(efer & EFER_LMA) && (vmcs_read(VMCS_GUEST_CR4) & CR4_PAE))
		return load_pdptes(v, vmcs_read(VMCS_GUEST_CR3));
	return true;
}

/* MOV to CR4: VMXE stays Tally's; bits the CPU does not have are refused. */
static bool guest_write_cr4(struct vcpu *v, uint64_t val)
{
	if ((val & CR4_VMXE) || (val & ~vmx_config.cr4_fixed1))
		return false;
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, vmx_cr_fixed(val, vmx_config.cr4_fixed0,
						vmx_config.cr4_fixed1, 0));
	if ((vmcs_read(VMCS_GUEST_CR0) & CR0_PG) && (val & CR4_PAE) &&
	    !(vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA))
		return load_pdptes(v, vmcs_read(VMCS_GUEST_CR3));
	return true;
}

void vmexit_cr_access(struct vcpu *v, struct guest_regs *r)
{
	union cr_qual q = { .raw = vmcs_read(VMCS_EXIT_QUALIFICATION) };
	uint64_t *gpr = &r->gpr[q.gpr];
	bool ok = true;

	if (q.gpr == GUEST_RSP_UNUSED) {
		vmexit_crash(v, "control-register move through RSP is not emulated");
		return;
	}
	if (q.access == CR_ACCESS_MOV_TO) {
		switch (q.cr) {
		case 0: ok = guest_write_cr0(v, *gpr); break;
		case 4: ok = guest_write_cr4(v, *gpr); break;
		case 8: ok = !(*gpr >> 4); if (ok) v->arch.cr8 = *gpr; break;
		default: ok = false; break;
		}
	} else if (q.access == CR_ACCESS_MOV_FROM && q.cr == 8) {
		*gpr = v->arch.cr8;
	} else {
		vmexit_crash(v, "unexpected control-register access exit");
		return;
	}
	if (!ok) {
		vmexit_inject_gp();
		return;
	}
	vmexit_skip_instruction();
}
