/* SPDX-License-Identifier: MIT */
/* Tally's own page tables: an identity map of all RAM and the low 4 GiB of MMIO.
 *
 * The boot code maps only the first 4 GiB with 2 MiB pages.  Here the final
 * tables replace them: physical page 0 is left unmapped so a NULL
 * dereference faults, and RAM above 4 GiB becomes reachable. */
#include <arch/cpu.h>
#include <arch/pgtable.h>
#include <tally/arch.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/panic.h>
#include <tally/string.h>

#define BOOT_MAP_LIMIT	(4 * GIB)

static uint64_t mapped_limit = BOOT_MAP_LIMIT;

static uint64_t alloc_table(void *ctx __unused)
{
	hpa_t pa;

	/* Below 4 GiB: application processors load CR3 in 32-bit mode. */
	if (mem_alloc(PAGE_SIZE, PAGE_SIZE, BOOT_MAP_LIMIT, &pa) < 0)
		return 0;
	memset((void *)(uintptr_t)pa.raw, 0, PAGE_SIZE);
	return pa.raw;
}

static uint64_t *table_ptr(uint64_t pa, void *ctx __unused)
{
	return (uint64_t *)(uintptr_t)pa;
}

void arch_paging_init(uint64_t top)
{
	bool gb_pages = cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_PDPE1GB;
	struct pgtable_fmt fmt = {
		.present_mask = PTE_PRESENT,
		.table_flags = PTE_PRESENT | PTE_WRITE,
		.max_leaf = gb_pages ? PT_LEVEL_1G : PT_LEVEL_2M,
	};
	struct pgtable_mem mem = { alloc_table, table_ptr, NULL };
	uint64_t root = alloc_table(NULL);
	uint64_t limit = ALIGN_UP(MAX(top, BOOT_MAP_LIMIT), 2 * MIB);
	int err;

	if (!root)
		panic("paging: no memory for the page tables");
	err = pgtable_map(&fmt, &mem, root, PAGE_SIZE, PAGE_SIZE, limit - PAGE_SIZE,
			  PTE_PRESENT | PTE_WRITE);
	if (err)
		panic("paging: building the identity map failed (%d)", err);
	write_cr3(root);
	mapped_limit = limit;
	log_debug("paging: identity map up to %#lx, %s pages, page 0 unmapped",
		  limit, gb_pages ? "1 GiB" : "2 MiB");
}

uint64_t arch_mapped_limit(void)
{
	return mapped_limit;
}

void *arch_phys_to_virt(uint64_t pa, uint64_t len)
{
	if (pa < PAGE_SIZE || pa >= mapped_limit || len > mapped_limit - pa)
		return NULL;
	return (void *)(uintptr_t)pa;
}
