/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: walking a guest's page tables (arch/x86_64/vmx/guest_walk.c)
 * in every paging mode, with large pages, and every fault: not present,
 * reserved bits, tables outside RAM, non-canonical addresses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/cpu.h>
#include <arch/guest_walk.h>

#include "shim.h"

#define RAM_BYTES	0x10000
#define P		(1ull << 0)
#define RW		(1ull << 1)
#define PS		(1ull << 7)
#define XD		(1ull << 63)
#define CR4_LA57_BIT	(1ull << 12)

/* Guest RAM: paging structures live here; reads outside it fail. */
static uint8_t ram[RAM_BYTES];
static unsigned int reads;

static int read_ram(void *ctx, uint64_t gpa, unsigned int size, uint64_t *val)
{
	assert_ptr_equal(ctx, ram);
	assert_true(size == 4 || size == 8);
	reads++;
	if (gpa >= RAM_BYTES || RAM_BYTES - gpa < size)
		return -1;
	*val = 0;
	memcpy(val, ram + gpa, size);
	return 0;
}

static void put64(uint64_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }
static void put32(uint64_t gpa, uint32_t v) { memcpy(ram + gpa, &v, 4); }

static int setup(void **state __unused)
{
	memset(ram, 0, sizeof(ram));
	reads = 0;
	return 0;
}

static enum guest_walk_status walk(const struct guest_paging *p, uint64_t la,
				   struct guest_walk_result *res)
{
	return guest_walk(p, la, read_ram, ram, res);
}

static void expect_ok(const struct guest_paging *p, uint64_t la, uint64_t gpa,
		      unsigned int level, uint64_t page_size)
{
	struct guest_walk_result res;

	assert_int_equal(walk(p, la, &res), GUEST_WALK_OK);
	assert_int_equal(res.status, GUEST_WALK_OK);
	assert_int_equal(res.gpa, gpa);
	assert_int_equal(res.level, level);
	assert_int_equal(res.page_size, page_size);
}

static void expect_fault(const struct guest_paging *p, uint64_t la, enum guest_walk_status s,
			 unsigned int level)
{
	struct guest_walk_result res;

	assert_int_equal(walk(p, la, &res), s);
	assert_int_equal(res.status, s);
	assert_int_equal(res.level, level);
}

static void test_no_paging(void **state __unused)
{
	struct guest_paging p = { .cr0 = CR0_PE, .maxphyaddr = 40 };

	expect_ok(&p, 0xFEE00300, 0xFEE00300, 0, 4096);
	/* Without paging a linear address has 32 bits. */
	expect_ok(&p, 0x100001234ull, 0x1234, 0, 4096);
	assert_int_equal(reads, 0);
}

static void test_32bit(void **state __unused)
{
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .maxphyaddr = 40 };

	put32(0x1000 + 1 * 4, 0x2000 | P | RW);		/* PDE 1 -> table at 0x2000 */
	put32(0x2000 + 3 * 4, 0x7000 | P);		/* PTE 3 -> 0x7000 */
	expect_ok(&p, 0x00403123, 0x7123, 1, 4096);
	assert_int_equal(reads, 2);
	expect_fault(&p, 0x00404000, GUEST_WALK_NOT_PRESENT, 1);
	expect_fault(&p, 0x00800000, GUEST_WALK_NOT_PRESENT, 2);
	/* A PDE pointing outside RAM. */
	put32(0x1000 + 4 * 4, 0x00F00000 | P);
	expect_fault(&p, 0x01000000, GUEST_WALK_BAD_TABLE, 1);
	/* Upper 32 bits of the linear address are ignored. */
	expect_ok(&p, 0xFFFFFFFF00403123ull, 0x7123, 1, 4096);
}

static void test_32bit_4m_pages(void **state __unused)
{
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PSE,
				  .maxphyaddr = 36 };

	/* PSE-36: PDE bits 16:13 are address bits 35:32. */
	put32(0x1000 + 2 * 4, 0x00C00000 | (0x5u << 13) | PS | P);
	expect_ok(&p, 0x00812345, 0x500C12345ull, 2, 4u << 20);
	/* Bit 21 is reserved; so are address bits past MAXPHYADDR (here 36). */
	put32(0x1000 + 3 * 4, 0x00C00000 | (1u << 21) | PS | P);
	expect_fault(&p, 0x00C00000, GUEST_WALK_RESERVED, 2);
	put32(0x1000 + 3 * 4, 0x00C00000 | (0x10u << 13) | PS | P);
	expect_fault(&p, 0x00C00000, GUEST_WALK_RESERVED, 2);
	p.maxphyaddr = 40;
	expect_ok(&p, 0x00C00001, 0x1000C00001ull, 2, 4u << 20);
	/* Without CR4.PSE the PS bit is ignored: the PDE points at a page table (outside RAM here). */
	p.cr4 = 0;
	expect_fault(&p, 0x00812345, GUEST_WALK_BAD_TABLE, 1);
}

/* PAE: PDPT at 0x1020 (32-byte aligned), PD at 0x3000, PT at 0x4000. */
static void pae_tables(void)
{
	put64(0x1020 + 1 * 8, 0x3000 | P);
	put64(0x3000 + 1 * 8, 0x4000 | P | RW);
	put64(0x4000 + 1 * 8, 0x9000 | P);
	put64(0x3000 + 2 * 8, 0x00400000 | (1ull << 12) | PS | P);	/* 2 MiB, PAT bit */
}

static void test_pae(void **state __unused)
{
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1020, .cr4 = CR4_PAE,
				  .maxphyaddr = 40 };

	pae_tables();
	expect_ok(&p, 0x40201234, 0x9234, 1, 4096);
	expect_ok(&p, 0x40412345, 0x00412345, 2, 2u << 20);
	expect_fault(&p, 0x00000000, GUEST_WALK_NOT_PRESENT, 3);
	expect_fault(&p, 0x40601000, GUEST_WALK_NOT_PRESENT, 2);
	/* A PDPTE with bit 1 (reserved in PAE) set. */
	put64(0x1020 + 2 * 8, 0x3000 | RW | P);
	expect_fault(&p, 0x80000000, GUEST_WALK_RESERVED, 3);
	/* XD without EFER.NXE is reserved; with it, allowed. */
	put64(0x4000 + 2 * 8, 0xA000 | XD | P);
	expect_fault(&p, 0x40202000, GUEST_WALK_RESERVED, 1);
	p.efer = EFER_NXE;
	expect_ok(&p, 0x40202000, 0xA000, 1, 4096);
	/* A 2 MiB page with bit 13 set: reserved. */
	put64(0x3000 + 3 * 8, 0x00600000 | (1ull << 13) | PS | P);
	expect_fault(&p, 0x40600000, GUEST_WALK_RESERVED, 2);
}

static void test_pae_pdptes_from_vmcs(void **state __unused)
{
	/* The CPU's loaded PDPTEs win over memory (SDM Vol. 3C: loaded at MOV to CR3). */
	uint64_t pdpte[4] = { 0, 0x3000 | P, 0, 0 };
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1020, .cr4 = CR4_PAE,
				  .maxphyaddr = 40, .pdpte = pdpte };

	pae_tables();
	put64(0x1020 + 1 * 8, 0);	/* changed in memory since */
	expect_ok(&p, 0x40201234, 0x9234, 1, 4096);
	assert_int_equal(reads, 2);	/* PDE and PTE only */
	pdpte[1] = 0;
	expect_fault(&p, 0x40201234, GUEST_WALK_NOT_PRESENT, 3);
}

/* 4-level tables for la 0xFFFF800000201000: PML4[256], PDPT[0], PD[1], PT[1]. */
static void long_tables(uint64_t root)
{
	put64(root + 256 * 8, 0x3000 | P | RW);
	put64(0x3000 + 0 * 8, 0x4000 | P | RW);
	put64(0x4000 + 1 * 8, 0x5000 | P | RW);
	put64(0x5000 + 1 * 8, 0xB000 | P | XD);
	put64(0x3000 + 1 * 8, 0x40000000 | PS | P);		/* 1 GiB at PDPT[1] */
	put64(0x4000 + 2 * 8, 0x00E00000 | PS | P);		/* 2 MiB at PD[2] */
}

static void test_4level(void **state __unused)
{
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PAE,
				  .efer = EFER_LMA | EFER_LME | EFER_NXE, .maxphyaddr = 40 };

	long_tables(0x1000);
	expect_ok(&p, 0xFFFF800000201ABCull, 0xBABC, 1, 4096);
	expect_ok(&p, 0xFFFF800040123456ull, 0x40123456, 3, 1ull << 30);
	expect_ok(&p, 0xFFFF800000412345ull, 0x00E12345, 2, 2u << 20);
	expect_fault(&p, 0x0000000000201000ull, GUEST_WALK_NOT_PRESENT, 4);
	expect_fault(&p, 0x0000800000000000ull, GUEST_WALK_NON_CANONICAL, 4);
	expect_fault(&p, 0xFFFF000000000000ull, GUEST_WALK_NON_CANONICAL, 4);
	/* XD without NXE: reserved. */
	p.efer &= ~EFER_NXE;
	expect_fault(&p, 0xFFFF800000201000ull, GUEST_WALK_RESERVED, 1);
}

static void test_4level_reserved(void **state __unused)
{
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PAE,
				  .efer = EFER_LMA | EFER_NXE, .maxphyaddr = 40 };

	long_tables(0x1000);
	/* PS in a PML4E is reserved. */
	put64(0x1000 + 1 * 8, 0x3000 | PS | P);
	expect_fault(&p, 0x0000008000000000ull, GUEST_WALK_RESERVED, 4);
	/* An address bit at MAXPHYADDR (40) or above. */
	put64(0x5000 + 3 * 8, (1ull << 40) | 0xB000 | P);
	expect_fault(&p, 0xFFFF800000203000ull, GUEST_WALK_RESERVED, 1);
	p.maxphyaddr = 46;
	expect_ok(&p, 0xFFFF800000203000ull, (1ull << 40) | 0xB000, 1, 4096);
	/* A 1 GiB page's bits 29:13 are reserved. */
	put64(0x3000 + 2 * 8, 0x80000000 | (1ull << 20) | PS | P);
	expect_fault(&p, 0xFFFF800080000000ull, GUEST_WALK_RESERVED, 3);
	/* Bits 62:52 are ignored (software use, protection keys). */
	put64(0x3000 + 2 * 8, 0x80000000 | (0x7FFull << 52) | PS | P);
	expect_ok(&p, 0xFFFF800080000010ull, 0x80000010, 3, 1ull << 30);
	/* A table outside RAM. */
	p.cr3 = 0x200000;
	expect_fault(&p, 0xFFFF800000201000ull, GUEST_WALK_BAD_TABLE, 4);
}

static void test_5level(void **state __unused)
{
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x8000,
				  .cr4 = CR4_PAE | CR4_LA57_BIT,
				  .efer = EFER_LMA | EFER_NXE, .maxphyaddr = 46 };

	/* PML5[0x1FF] -> the PML4 at 0x1000. */
	put64(0x8000 + 0x1FF * 8, 0x1000 | P | RW);
	long_tables(0x1000);
	expect_ok(&p, 0xFFFF800000201ABCull, 0xBABC, 1, 4096);
	/* Canonical under 57 bits, not under 48. */
	put64(0x8000 + 0xFF * 8, 0x1000 | P);
	expect_ok(&p, 0x00FF800000201000ull, 0xB000, 1, 4096);
	expect_fault(&p, 0x0100000000000000ull, GUEST_WALK_NON_CANONICAL, 5);
	expect_fault(&p, 0x0000000000000000ull, GUEST_WALK_NOT_PRESENT, 5);
	put64(0x8000, 0x1000 | PS | P);
	expect_fault(&p, 0x0000000000000000ull, GUEST_WALK_RESERVED, 5);
	p.cr4 &= ~CR4_LA57_BIT;
	p.cr3 = 0x1000;
	expect_fault(&p, 0x00FF800000201000ull, GUEST_WALK_NON_CANONICAL, 4);
}

static void test_names(void **state __unused)
{
	assert_string_equal(guest_walk_status_name(GUEST_WALK_OK), "ok");
	assert_string_equal(guest_walk_status_name(GUEST_WALK_NOT_PRESENT), "not present");
	assert_string_equal(guest_walk_status_name((enum guest_walk_status)42), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_paging, setup),
		cmocka_unit_test_setup(test_32bit, setup),
		cmocka_unit_test_setup(test_32bit_4m_pages, setup),
		cmocka_unit_test_setup(test_pae, setup),
		cmocka_unit_test_setup(test_pae_pdptes_from_vmcs, setup),
		cmocka_unit_test_setup(test_4level, setup),
		cmocka_unit_test_setup(test_4level_reserved, setup),
		cmocka_unit_test_setup(test_5level, setup),
		cmocka_unit_test_setup(test_names, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
