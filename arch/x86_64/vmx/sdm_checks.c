/* SPDX-License-Identifier: MIT */
/* The checks a CPU makes on MOV to CR0/CR4 and WRMSR to IA32_EFER (see arch/sdm_checks.h). */
#include <arch/sdm_checks.h>
#include <tally/errno.h>

#define QUAL_CR_MASK		0xFull		/* bits 3:0 */
#define QUAL_TYPE_SHIFT		4		/* bits 5:4 */
#define QUAL_TYPE_MASK		0x3ull
#define QUAL_GPR_SHIFT		8		/* bits 11:8 */
#define QUAL_GPR_MASK		0xFull
#define GPR_RSP			4
#define LOW_32			0xFFFFFFFFull

bool sdm_64bit_mode(const struct sdm_mode *m)
{
	return (m->efer & EFER_LMA) && (m->cs_ar & AR_CS_L);
}

uint64_t sdm_cr_operand(const struct sdm_mode *m, uint64_t raw)
{
	return sdm_64bit_mode(m) ? raw : raw & LOW_32;
}

/* The EFER bits this CPU has, from CPUID.80000001H:EDX (SDM Vol. 3A, table 2-1). */
static uint64_t efer_writable(uint32_t ext_edx)
{
	uint64_t bits = 0;

	/* Intel reports SYSCALL only to 64-bit code; any CPU with LM has SCE. */
	if (ext_edx & (CPUID_80000001_EDX_SYSCALL | CPUID_80000001_EDX_LM))
		bits |= EFER_SCE;
	if (ext_edx & CPUID_80000001_EDX_LM)
		bits |= EFER_LME;
	if (ext_edx & CPUID_80000001_EDX_NX)
		bits |= EFER_NXE;
	return bits;
}

int sdm_efer_write(const struct sdm_mode *m, uint64_t val, uint64_t *efer)
{
	uint64_t writable = efer_writable(m->ext_edx);

	if (val & ~(writable | EFER_LMA))
		return -EINVAL;
	/* "IA32_EFER.LME cannot be modified while paging is enabled" (5.1.2). */
	if (((val ^ m->efer) & EFER_LME) && (m->cr0 & CR0_PG))
		return -EINVAL;
	*efer = (val & writable) | (m->efer & EFER_LMA);
	return 0;
}

/* Enabling paging with LME set activates IA-32e mode; the CPU refuses it from a bad state. */
static bool ia32e_activation_ok(const struct sdm_mode *m)
{
	return (m->cr4 & CR4_PAE) && !(m->cs_ar & AR_CS_L) &&
	       (m->tr_ar & AR_TYPE_MASK) != TSS_TYPE_BUSY16;
}

int sdm_cr0_write(const struct sdm_mode *m, uint64_t val, uint64_t *efer)
{
	bool paging_on = (val & CR0_PG) && !(m->cr0 & CR0_PG);

	if ((val & CR0_HIGH_RESERVED) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return -EINVAL;
	if (paging_on && (m->efer & EFER_LME) && !ia32e_activation_ok(m))
		return -EINVAL;
	/* 64-bit code must go to compatibility mode before it turns paging off (10.8.5.4). */
	if (!(val & CR0_PG) && sdm_64bit_mode(m))
		return -EINVAL;
	*efer = m->efer & ~EFER_LMA;
	if ((val & CR0_PG) && (m->efer & EFER_LME))
		*efer |= EFER_LMA;
	return 0;
}

int sdm_cr4_write(const struct sdm_mode *m, uint64_t val, uint64_t supported)
{
	if ((val & CR4_VMXE) || (val & ~supported))
		return -EINVAL;
	if (!(val & CR4_PAE) && (m->efer & EFER_LMA))
		return -EINVAL;
	return 0;
}

bool sdm_pdpte_valid(uint64_t pdpte, unsigned int maxphyaddr)
{
	uint64_t high = maxphyaddr >= 64 ? 0 : ~0ull << maxphyaddr;

	if (!(pdpte & PDPTE_PRESENT))
		return true;
	return !(pdpte & (PDPTE_RESERVED_LOW | high));
}

struct sdm_cr_access sdm_cr_access_decode(uint64_t qual)
{
	unsigned int gpr = (unsigned int)((qual >> QUAL_GPR_SHIFT) & QUAL_GPR_MASK);

	return (struct sdm_cr_access){
		.cr = (unsigned int)(qual & QUAL_CR_MASK),
		.type = (enum sdm_cr_access_type)((qual >> QUAL_TYPE_SHIFT) & QUAL_TYPE_MASK),
		.gpr = gpr,
		.gpr_is_rsp = gpr == GPR_RSP,
	};
}
