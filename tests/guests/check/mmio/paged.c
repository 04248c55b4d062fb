/* SPDX-License-Identifier: MIT */
/*
 * mmio, paged: Tally must fetch the instruction through the guest's page
 * tables.  32-bit paging (SDM Vol. 3A, 4.3) maps RAM one to one, the
 * device also at ALIAS_VA, and two code pages at CODE_VA to physical pages
 * that are not adjacent, so an instruction across their boundary can only
 * be read by translating each page.
 */
#include "guest.h"
#include "mmio.h"

#define PTE_P		0x001u
#define PTE_RW		0x002u
#define PT_ENTRIES	1024u
#define PDE_SHIFT	22
#define PTE_SHIFT	12
#define CR0_PG		0x80000000u
#define ALIAS_VA	0x40000000u	/* -> DEV_BASE */
#define CODE_VA		0x40400000u	/* two pages -> two physical pages, not adjacent */
#define BOUNDARY	(CODE_VA + PAGE_SIZE)

static uint32_t *pd;

static uint32_t *table_for(uint32_t va)
{
	uint32_t *pde = &pd[va >> PDE_SHIFT], *pt;

	if (!(*pde & PTE_P)) {
		pt = page_alloc();
		if (!pt)
			return NULL;
		memset(pt, 0, PAGE_SIZE);
		*pde = (uint32_t)pt | PTE_P | PTE_RW;
	}
	return (uint32_t *)(*pde & ~(PAGE_SIZE - 1));
}

static bool map(uint32_t va, uint32_t pa)
{
	uint32_t *pt = table_for(va);

	if (!pt)
		return false;
	pt[(va >> PTE_SHIFT) & (PT_ENTRIES - 1)] = pa | PTE_P | PTE_RW;
	return true;
}

/* Identity-map RAM, the device twice, the code pages apart; false if out of pages. */
static bool build(uint8_t **low, uint8_t **high)
{
	uint32_t end = page_pool_end();

	pd = page_alloc();
	*low = page_alloc();
	(void)page_alloc();		/* a gap: the two code pages are not adjacent */
	*high = page_alloc();
	if (!pd || !*low || !*high)
		return false;
	memset(pd, 0, PAGE_SIZE);
	for (uint32_t pa = 0; pa < end; pa += PAGE_SIZE)
		if (!map(pa, pa))
			return false;
	return map(DEV_BASE, DEV_BASE) && map(ALIAS_VA, DEV_BASE) &&
	       map(CODE_VA, (uint32_t)*low) && map(BOUNDARY, (uint32_t)*high);
}

static void paging(bool on)
{
	uint32_t cr0;

	if (on)
		asm volatile("movl %0, %%cr3" : : "r"(pd) : "memory");
	asm volatile("movl %%cr0, %0" : "=r"(cr0));
	cr0 = on ? cr0 | CR0_PG : cr0 & ~CR0_PG;
	asm volatile("movl %0, %%cr0\n\tjmp 1f\n1:" : : "r"(cr0) : "memory");
}

/* Run the code at @va with EBX = the device's alias and EAX = @eax; returns EAX. */
static uint32_t call_at(uint32_t va, uint32_t eax)
{
	asm volatile("call *%1" : "+a"(eax) : "r"(va), "b"(ALIAS_VA) : "memory", "ecx", "edx");
	return eax;
}

static uint32_t count(void)
{
	return *(volatile uint32_t *)(DEV_BASE + 0x100);
}

void mmio_paged(const struct mb_info *mbi)
{
	uint8_t *low, *high;
	uint32_t v, n0;

	page_pool_init(mbi);
	if (!build(&low, &high)) {
		guest_error("out of pages for the page tables");
		return;
	}
	/* movl 0x10(%ebx),%eax: the opcode on one page, ModRM and displacement on the next. */
	low[PAGE_SIZE - 1] = 0x8b;
	high[0] = 0x43; high[1] = 0x10; high[2] = 0xc3;
	paging(true);
	n0 = count();
	asm volatile("movl $0x5a5a0001, 0x28(%0)" : : "b"(ALIAS_VA) : "memory");
	v = *(volatile uint32_t *)(DEV_BASE + 0x28);
	guest_check(v == 0x5a5a0001, "paged: a store through the alias reads back 0x%x", v);
	v = call_at(BOUNDARY - 1, 0);
	guest_check(v == 0x0000beef, "paged: movl across a page boundary loads 0x%x "
		    "(expected 0xbeef)", v);
	paging(false);
	/* movw %ax,0x1a(%ebx): the operand-size prefix alone on the first page. */
	low[PAGE_SIZE - 1] = 0x66;
	high[0] = 0x89; high[1] = 0x43; high[2] = 0x1a; high[3] = 0xc3;
	paging(true);
	call_at(BOUNDARY - 1, 0xfeedcafe);
	v = *(volatile uint32_t *)(DEV_BASE + 0x18);
	paging(false);
	guest_check(v == 0xcafe0000, "paged: movw across a page boundary stores: 0x%x "
		    "(expected 0xcafe0000)", v);
	guest_check(count() - n0 == 5, "paged: 5 accesses counted: %u", count() - n0);
}
