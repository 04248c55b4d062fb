/* SPDX-License-Identifier: MIT */
/* Test-guest view of the multiboot v1 information structure (spec 3.3) and its accessors. */
#ifndef GUEST_MB_H
#define GUEST_MB_H

#include <stdint.h>

#define MB_BOOTLOADER_MAGIC	0x2BADB002u	/* in EAX at entry */

/* mb_info.flags: which fields are valid. */
#define MB_INFO_MEMORY		(1u << 0)	/* mem_lower, mem_upper */
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MMAP		(1u << 6)	/* mmap_length, mmap_addr */

#define MB_LOW_MEM_END		0x100000u	/* mem_upper counts from 1 MiB */
#define MB_KIB			1024u
#define MB_MMAP_AVAILABLE	1

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;	/* KiB from 0 */
	uint32_t mem_upper;	/* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;	/* physical address of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;	/* bytes */
	uint32_t mmap_addr;
} __attribute__((packed));

/* One memory-map entry; @size counts the bytes after itself (spec 3.3). */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

/* KiB of RAM below 640 KiB, or 0 when the loader gave no memory fields. */
uint32_t mb_mem_lower(const struct mb_info *mbi);

/* KiB of RAM from 1 MiB up, or 0 when the loader gave no memory fields. */
uint32_t mb_mem_upper(const struct mb_info *mbi);

/* The first byte past the RAM that starts at 1 MiB: 1 MiB + mem_upper KiB. */
uint64_t mb_ram_end(const struct mb_info *mbi);

/* The command line, or "" when the loader gave none. */
const char *mb_cmdline(const struct mb_info *mbi);

/* The memory-map entry after @prev (the first if @prev is NULL), NULL at the end. */
const struct mb_mmap_entry *mb_mmap_next(const struct mb_info *mbi,
					 const struct mb_mmap_entry *prev);

#endif
