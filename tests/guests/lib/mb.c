/* SPDX-License-Identifier: MIT */
/* Test-guest multiboot v1 accessors: every field is checked against its flag first. */
#include <stddef.h>
#include "mb.h"

/* Paging is off and segments are flat, so a physical address is a pointer. */
static const void *phys_ptr(uint32_t addr)
{
	return (const void *)(uintptr_t)addr;
}

/* KiB of RAM below 640 KiB, or 0 when the loader gave no memory fields. */
uint32_t mb_mem_lower(const struct mb_info *mbi)
{
	return (mbi->flags & MB_INFO_MEMORY) ? mbi->mem_lower : 0;
}

/* KiB of RAM from 1 MiB up, or 0 when the loader gave no memory fields. */
uint32_t mb_mem_upper(const struct mb_info *mbi)
{
	return (mbi->flags & MB_INFO_MEMORY) ? mbi->mem_upper : 0;
}

/* The first byte past the RAM that starts at 1 MiB: 1 MiB + mem_upper KiB. */
uint64_t mb_ram_end(const struct mb_info *mbi)
{
	return MB_LOW_MEM_END + (uint64_t)mb_mem_upper(mbi) * MB_KIB;
}

/* The command line, or "" when the loader gave none. */
const char *mb_cmdline(const struct mb_info *mbi)
{
	if (!(mbi->flags & MB_INFO_CMDLINE) || !mbi->cmdline)
		return "";
	return phys_ptr(mbi->cmdline);
}

/* The memory-map entry after @prev (the first if @prev is NULL), NULL at the end. */
const struct mb_mmap_entry *mb_mmap_next(const struct mb_info *mbi,
					 const struct mb_mmap_entry *prev)
{
	uint32_t end = mbi->mmap_addr + mbi->mmap_length;
	uint32_t next;

	if (!(mbi->flags & MB_INFO_MMAP))
		return NULL;
	next = prev ? (uint32_t)(uintptr_t)prev + sizeof(prev->size) + prev->size
		    : mbi->mmap_addr;
	if (next + sizeof(struct mb_mmap_entry) > end)
		return NULL;
	return phys_ptr(next);
}
