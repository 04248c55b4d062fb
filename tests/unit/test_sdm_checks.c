/* SPDX-License-Identifier: MIT */
/* Unit tests: the CPU's checks on MOV to CR0/CR4, WRMSR to EFER, PDPTEs (arch/x86_64/vmx/sdm_checks.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/sdm_checks.h>
#include <tally/errno.h>

#include "shim.h"

#define EXT_ALL		(CPUID_80000001_EDX_SYSCALL | CPUID_80000001_EDX_NX | CPUID_80000001_EDX_LM)
#define CR0_PROT	(CR0_PE | CR0_ET | CR0_NE)		/* 32-bit protected mode, no paging */
#define CR0_PAGED	(CR0_PROT | CR0_PG)
#define AR_CODE32	0xC09Bu		/* what the multiboot entry state loads */
#define AR_CODE64	(0xA09Bu)	/* L set, D clear */
#define AR_TSS_BUSY32	0x008Bu		/* type 11 */
#define AR_TSS_BUSY16	0x0083u		/* type 3 */
#define MAXPHYADDR	39
#define GARBAGE_HIGH	0xA5A5A5A500000000ull
#define NO_EFER		0xDEADull	/* what *efer holds when a call must not write it */

/* A 32-bit protected-mode guest, paging off, on a CPU with LM, NX and SYSCALL. */
static struct sdm_mode mode32(void)
{
	return (struct sdm_mode){ .cr0 = CR0_PROT, .efer = 0, .cs_ar = AR_CODE32,
				  .tr_ar = AR_TSS_BUSY32, .ext_edx = EXT_ALL,
				  .maxphyaddr = MAXPHYADDR };
}

/* The same guest in 64-bit mode. */
static struct sdm_mode mode64(void)
{
	struct sdm_mode m = mode32();

	m.cr0 = CR0_PAGED;
	m.cr4 = CR4_PAE;
	m.efer = EFER_LME | EFER_LMA;
	m.cs_ar = AR_CODE64;
	return m;
}

struct efer_case {
	const char *what;
	uint64_t cr0, efer;	/* before */
	uint32_t ext_edx;
	uint64_t val;
	int rc;
	uint64_t want;		/* EFER after, if rc == 0 */
};

static const struct efer_case efer_cases[] = {
	{ "LME set with paging off", CR0_PROT, 0, EXT_ALL, EFER_LME, 0, EFER_LME },
	{ "LME set with paging on: #GP", CR0_PAGED, 0, EXT_ALL, EFER_LME, -EINVAL, 0 },
	{ "LME cleared in IA-32e mode: #GP", CR0_PAGED, EFER_LME | EFER_LMA, EXT_ALL, 0,
	  -EINVAL, 0 },
	{ "LME kept, NXE set, with paging on: LMA kept", CR0_PAGED, EFER_LME | EFER_LMA, EXT_ALL,
	  EFER_LME | EFER_NXE, 0, EFER_LME | EFER_LMA | EFER_NXE },
	{ "LME cleared with paging off", CR0_PROT, EFER_LME, EXT_ALL, 0, 0, 0 },
	{ "reserved bit 1: #GP", CR0_PROT, 0, EXT_ALL, 1ull << 1, -EINVAL, 0 },
	{ "reserved bit 9: #GP", CR0_PROT, 0, EXT_ALL, 1ull << 9, -EINVAL, 0 },
	{ "SVME (AMD) is reserved on Intel: #GP", CR0_PROT, 0, EXT_ALL, 1ull << 12, -EINVAL, 0 },
	{ "reserved bit 63: #GP", CR0_PROT, 0, EXT_ALL, 1ull << 63, -EINVAL, 0 },
	{ "LMA written as 1 is ignored", CR0_PROT, 0, EXT_ALL, EFER_LMA, 0, 0 },
	{ "LMA written as 0 in IA-32e mode is ignored", CR0_PAGED, EFER_LME | EFER_LMA, EXT_ALL,
	  EFER_LME, 0, EFER_LME | EFER_LMA },
	{ "NXE without CPUID NX: #GP", CR0_PROT, 0, EXT_ALL & ~CPUID_80000001_EDX_NX, EFER_NXE,
	  -EINVAL, 0 },
	{ "LME without CPUID LM: #GP", CR0_PROT, 0, CPUID_80000001_EDX_SYSCALL, EFER_LME,
	  -EINVAL, 0 },
	{ "SCE with CPUID SYSCALL only", CR0_PROT, 0, CPUID_80000001_EDX_SYSCALL, EFER_SCE, 0,
	  EFER_SCE },
	{ "SCE with CPUID LM only (Intel hides SYSCALL outside 64-bit mode)", CR0_PROT, 0,
	  CPUID_80000001_EDX_LM, EFER_SCE, 0, EFER_SCE },
	{ "SCE with neither: #GP", CR0_PROT, 0, CPUID_80000001_EDX_NX, EFER_SCE, -EINVAL, 0 },
	{ "SCE, LME and NXE together", CR0_PROT, 0, EXT_ALL, EFER_SCE | EFER_LME | EFER_NXE, 0,
	  EFER_SCE | EFER_LME | EFER_NXE },
};

static void test_efer_write(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(efer_cases) / sizeof(efer_cases[0]); i++) {
		const struct efer_case *c = &efer_cases[i];
		struct sdm_mode m = mode32();
		uint64_t efer = NO_EFER;
		int rc;

		m.cr0 = c->cr0;
		m.efer = c->efer;
		m.ext_edx = c->ext_edx;
		rc = sdm_efer_write(&m, c->val, &efer);
		if (rc != c->rc || efer != (c->rc ? NO_EFER : c->want))
			fail_msg("efer: %s: rc %d efer %#llx, expected rc %d efer %#llx", c->what, rc,
				 (unsigned long long)efer, c->rc,
				 (unsigned long long)(c->rc ? NO_EFER : c->want));
	}
}

struct cr0_case {
	const char *what;
	struct sdm_mode (*mode)(void);
	uint64_t cr4, efer;	/* replace the mode's, if efer is not NO_EFER */
	uint32_t cs_ar, tr_ar;	/* replace the mode's, if not 0 */
	uint64_t val;
	int rc;
	uint64_t want_efer;
};

static const struct cr0_case cr0_cases[] = {
	{ "NE flip, no paging", mode32, 0, NO_EFER, 0, 0, CR0_PROT & ~CR0_NE, 0, 0 },
	{ "PG without PE: #GP", mode32, 0, NO_EFER, 0, 0, CR0_PG | CR0_ET, -EINVAL, 0 },
	{ "NW without CD: #GP", mode32, 0, NO_EFER, 0, 0, CR0_PROT | CR0_NW, -EINVAL, 0 },
	{ "CD and NW (the reset value)", mode32, 0, NO_EFER, 0, 0, CR0_PROT | CR0_NW | CR0_CD,
	  0, 0 },
	{ "CD alone", mode32, 0, NO_EFER, 0, 0, CR0_PROT | CR0_CD, 0, 0 },
	{ "bit 32 in 64-bit mode: #GP", mode64, CR4_PAE, NO_EFER, 0, 0, CR0_PAGED | (1ull << 32),
	  -EINVAL, 0 },
	{ "32-bit paging (LME clear)", mode32, 0, 0, 0, 0, CR0_PAGED, 0, 0 },
	{ "PAE paging (LME clear)", mode32, CR4_PAE, 0, 0, 0, CR0_PAGED, 0, 0 },
	{ "paging with LME and no PAE: #GP", mode32, 0, EFER_LME, 0, 0, CR0_PAGED, -EINVAL, 0 },
	{ "paging with LME and PAE: IA-32e mode", mode32, CR4_PAE, EFER_LME, 0, 0, CR0_PAGED, 0,
	  EFER_LME | EFER_LMA },
	{ "IA-32e activation with CS.L set: #GP", mode32, CR4_PAE, EFER_LME, AR_CODE64, 0,
	  CR0_PAGED, -EINVAL, 0 },
	{ "IA-32e activation with a 16-bit TSS: #GP", mode32, CR4_PAE, EFER_LME, 0,
	  AR_TSS_BUSY16, CR0_PAGED, -EINVAL, 0 },
	{ "16-bit TSS without LME: fine", mode32, CR4_PAE, 0, 0, AR_TSS_BUSY16, CR0_PAGED, 0, 0 },
	{ "PG cleared in 64-bit mode: #GP", mode64, CR4_PAE, NO_EFER, 0, 0, CR0_PROT, -EINVAL, 0 },
	{ "PG cleared in compatibility mode: IA-32e mode ends", mode64, CR4_PAE, NO_EFER,
	  AR_CODE32, 0, CR0_PROT, 0, EFER_LME },
	{ "WP set in 64-bit mode keeps IA-32e mode", mode64, CR4_PAE, NO_EFER, 0, 0,
	  CR0_PAGED | CR0_WP, 0, EFER_LME | EFER_LMA },
	{ "PE cleared with PG set in 64-bit mode: #GP", mode64, CR4_PAE, NO_EFER, 0, 0,
	  CR0_PAGED & ~CR0_PE, -EINVAL, 0 },
};

static void test_cr0_write(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cr0_cases) / sizeof(cr0_cases[0]); i++) {
		const struct cr0_case *c = &cr0_cases[i];
		struct sdm_mode m = c->mode();
		uint64_t efer = NO_EFER;
		int rc;

		m.cr4 = c->cr4;
		if (c->efer != NO_EFER)
			m.efer = c->efer;
		if (c->cs_ar)
			m.cs_ar = c->cs_ar;
		if (c->tr_ar)
			m.tr_ar = c->tr_ar;
		rc = sdm_cr0_write(&m, c->val, &efer);
		if (rc != c->rc || efer != (c->rc ? NO_EFER : c->want_efer))
			fail_msg("cr0: %s: rc %d efer %#llx, expected rc %d efer %#llx", c->what, rc,
				 (unsigned long long)efer, c->rc,
				 (unsigned long long)(c->rc ? NO_EFER : c->want_efer));
	}
}

static void test_cr4_write(void **state)
{
	struct sdm_mode m32 = mode32(), m64 = mode64();
	const uint64_t supported = 0x3767FFull;	/* a Skylake's IA32_VMX_CR4_FIXED1 */

	(void)state;
	assert_int_equal(sdm_cr4_write(&m32, CR4_PAE | CR4_PGE, supported), 0);
	assert_int_equal(sdm_cr4_write(&m32, CR4_VMXE, supported), -EINVAL);
	assert_int_equal(sdm_cr4_write(&m32, 1ull << 12, supported), -EINVAL);	/* LA57 */
	assert_int_equal(sdm_cr4_write(&m32, 1ull << 40, ~0ull), 0);	/* a bit the CPU has */
	assert_int_equal(sdm_cr4_write(&m64, CR4_PAE | CR4_PSE, supported), 0);
	assert_int_equal(sdm_cr4_write(&m64, CR4_PSE, supported), -EINVAL);	/* PAE cleared */
	m64.cs_ar = AR_CODE32;	/* compatibility mode: still IA-32e */
	assert_int_equal(sdm_cr4_write(&m64, 0, supported), -EINVAL);
}

static void test_pdpte_valid(void **state)
{
	(void)state;
	assert_true(sdm_pdpte_valid(0, MAXPHYADDR));
	assert_true(sdm_pdpte_valid(~0ull & ~PDPTE_PRESENT, MAXPHYADDR));	/* not present */
	assert_true(sdm_pdpte_valid(0x7FFFFFF000ull | PDPTE_PRESENT, MAXPHYADDR));
	assert_true(sdm_pdpte_valid(0x1000ull | PDPTE_PRESENT | (1ull << 3) | (1ull << 4) |
				    (0x7ull << 9), MAXPHYADDR));	/* PWT, PCD, ignored */
	assert_false(sdm_pdpte_valid(0x1000ull | PDPTE_PRESENT | (1ull << 1), MAXPHYADDR));
	assert_false(sdm_pdpte_valid(0x1000ull | PDPTE_PRESENT | (1ull << 2), MAXPHYADDR));
	for (unsigned int bit = 5; bit <= 8; bit++)
		assert_false(sdm_pdpte_valid(PDPTE_PRESENT | (1ull << bit), MAXPHYADDR));
	assert_false(sdm_pdpte_valid(PDPTE_PRESENT | (1ull << MAXPHYADDR), MAXPHYADDR));
	assert_true(sdm_pdpte_valid(PDPTE_PRESENT | (1ull << MAXPHYADDR), MAXPHYADDR + 1));
	assert_false(sdm_pdpte_valid(PDPTE_PRESENT | (1ull << 63), 52));	/* no XD in a PDPTE */
	assert_true(sdm_pdpte_valid(PDPTE_PRESENT | (1ull << 63), 64));
}

static void test_cr_access_decode(void **state)
{
	struct sdm_cr_access a;

	(void)state;
	a = sdm_cr_access_decode(0x400);	/* MOV CR0, ESP: CR 0, MOV to CR, register 4 */
	assert_int_equal(a.cr, 0);
	assert_int_equal(a.type, SDM_CR_MOV_TO);
	assert_int_equal(a.gpr, 4);
	assert_true(a.gpr_is_rsp);
	a = sdm_cr_access_decode(0x318);	/* MOV RBX, CR8 */
	assert_int_equal(a.cr, 8);
	assert_int_equal(a.type, SDM_CR_MOV_FROM);
	assert_int_equal(a.gpr, 3);
	assert_false(a.gpr_is_rsp);
	a = sdm_cr_access_decode(0x418);	/* MOV RSP, CR8 */
	assert_int_equal(a.type, SDM_CR_MOV_FROM);
	assert_true(a.gpr_is_rsp);
	a = sdm_cr_access_decode(0xF08);	/* MOV CR8, R15 */
	assert_int_equal(a.gpr, 15);
	assert_false(a.gpr_is_rsp);
	a = sdm_cr_access_decode(0xABCD0030ull | (1ull << 6));	/* LMSW from memory */
	assert_int_equal(a.type, SDM_CR_LMSW);
	assert_int_equal(a.cr, 0);
	a = sdm_cr_access_decode(0x24);		/* CLTS */
	assert_int_equal(a.type, SDM_CR_CLTS);
	assert_int_equal(a.cr, 4);
}

static void test_cr_operand(void **state)
{
	struct sdm_mode m32 = mode32(), m64 = mode64(), compat = mode64();
	const uint64_t raw = GARBAGE_HIGH | CR0_PROT;

	(void)state;
	compat.cs_ar = AR_CODE32;
	assert_false(sdm_64bit_mode(&m32));
	assert_true(sdm_64bit_mode(&m64));
	assert_false(sdm_64bit_mode(&compat));
	/* Outside 64-bit mode the upper half left over from 64-bit code is no operand. */
	assert_int_equal(sdm_cr_operand(&m32, raw), CR0_PROT);
	assert_int_equal(sdm_cr_operand(&compat, raw), CR0_PROT);
	assert_int_equal(sdm_cr_operand(&m64, raw), raw);
	/* A legacy-mode guest with CS.L set in its descriptor: not 64-bit without LMA. */
	m32.cs_ar = AR_CODE64;
	assert_int_equal(sdm_cr_operand(&m32, raw), CR0_PROT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_efer_write),
		cmocka_unit_test(test_cr0_write),
		cmocka_unit_test(test_cr4_write),
		cmocka_unit_test(test_pdpte_valid),
		cmocka_unit_test(test_cr_access_decode),
		cmocka_unit_test(test_cr_operand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
