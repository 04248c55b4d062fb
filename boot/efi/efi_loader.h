/* SPDX-License-Identifier: MIT */
/* Tally's UEFI loader: its pure logic (config, ELF checks, multiboot2 block, memory map). */
#ifndef TALLY_EFI_LOADER_H
#define TALLY_EFI_LOADER_H

/*
 * Every function declared here is pure: no firmware call, no libc, no
 * global state, so that the same files build freestanding into BOOTX64.EFI
 * and for the host under ASan+UBSan (tests/unit/test_efi_*.c).  Messages
 * go to a caller-given @why buffer, one line without a newline.
 */

#include <tally/acpi_tables.h>
#include <tally/errno.h>
#include <tally/multiboot.h>
#include <tally/types.h>

/* ---------------------------------------------------------------- tally.cfg */

#define EFI_CFG_PATH_MAX	128			/* a path, NUL included */
#define EFI_CFG_ARGS_MAX	BOOT_CMDLINE_MAX	/* a command line, NUL included */
#define EFI_CFG_MODULES_MAX	16			/* its own: fixed arrays on the firmware stack */
#define EFI_CFG_LINE_MAX	1024			/* a config line, newline excluded */
#define EFI_WHY_MAX		128			/* a @why buffer that never truncates */

struct efi_cfg_module {
	char path[EFI_CFG_PATH_MAX];	/* absolute on the loader's volume: "/initrd" */
	char args[EFI_CFG_ARGS_MAX];	/* the module's command line: "" when none */
};

struct efi_cfg {
	char kernel_path[EFI_CFG_PATH_MAX];	/* the multiboot2 line's file */
	char kernel_args[EFI_CFG_ARGS_MAX];	/* Tally's command line */
	struct efi_cfg_module modules[EFI_CFG_MODULES_MAX];
	unsigned int module_count;
};

/*
 * Parse tally.cfg's @len bytes at @text (GRUB's words: "multiboot2 /FILE
 * ARGS" once, then "module2 /FILE ARGS" lines; '#' comments, blank lines)
 * into @out.  Returns 0, or -EINVAL with "line N: ..." in @why.
 */
int efi_cfg_parse(const char *text, size_t len, struct efi_cfg *out, char *why, size_t why_len);

/* ---------------------------------------------------------------- tally.elf */

/* Multiboot2 spec 3.1: the header lies 8-byte aligned in the first 32 KiB. */
#define MB2_HEADER_MAGIC	0xE85250D6u
#define MB2_HEADER_SEARCH	32768u
#define MB2_HEADER_ALIGN	8u
#define MB2_ARCH_I386		0u
/* How far the loader may put anything: the multiboot2 entry is 32-bit. */
#define EFI_LOADER_ADDR_LIMIT	(4 * GIB)

/* The multiboot2 header's fixed part (Multiboot2 spec 3.1.1). */
struct mb2_header {
	uint32_t magic;
	uint32_t architecture;
	uint32_t header_length;
	uint32_t checksum;		/* magic + architecture + length + checksum == 0 */
} __packed;

/* One PT_LOAD: copy file_size bytes from file_offset to paddr, zero up to mem_size. */
struct efi_elf_segment {
	uint64_t paddr, file_offset, file_size, mem_size;
};

/*
 * Check tally.elf's @size bytes at @file: an ELF64 x86-64 executable whose
 * PT_LOADs lie inside the file, below 4 GiB, apart from each other, whose
 * entry lies in one of them, and which holds a valid multiboot2 header.
 * Fills @segs (room for @max), *@count and *@entry.  Returns 0, -EINVAL
 * (or -ENOSPC: more than @max PT_LOADs) with the reason in @why.
 */
int efi_elf_check(const uint8_t *file, size_t size, struct efi_elf_segment *segs,
		  unsigned int max, unsigned int *count, uint64_t *entry,
		  char *why, size_t why_len);

/* ---------------------------------------------------------------- multiboot2 information */

/* Tags Tally's parser does not read but the UEFI loader gives (Multiboot2 spec 3.6.8, 3.6.12). */
#define MB2_TAG_EFI64		12
#define MB2_TAG_ALIGN		8u
#define MB2_MMAP_ENTRY_VERSION	0

struct mb2_tag_basic_meminfo {
	struct mb2_tag tag;
	uint32_t mem_lower;	/* KiB from 0 */
	uint32_t mem_upper;	/* KiB from 1 MiB to the first hole */
} __packed;

struct mb2_tag_efi64 {
	struct mb2_tag tag;
	uint64_t pointer;	/* the EFI system table */
} __packed;

/* A multiboot2 information block being written into a caller's buffer. */
struct mb2_builder {
	uint8_t *buf;
	size_t cap;		/* bytes at @buf */
	size_t used;		/* bytes written, a multiple of MB2_TAG_ALIGN */
	bool full;		/* a tag did not fit: finish refuses */
};

/* Start a block at @buf (@cap bytes, 8-byte aligned): 0 or -ENOSPC. */
int mb2_info_begin(struct mb2_builder *b, void *buf, size_t cap);
/* Add the boot command line tag: 0 or -ENOSPC. */
int mb2_info_add_cmdline(struct mb2_builder *b, const char *cmdline);
/* Add the boot loader name tag: 0 or -ENOSPC. */
int mb2_info_add_loader_name(struct mb2_builder *b, const char *name);
/* Add a module at [@start, @end) with its command line: 0 or -ENOSPC. */
int mb2_info_add_module(struct mb2_builder *b, uint32_t start, uint32_t end,
			const char *cmdline);
/* Add basic memory information (KiB): 0 or -ENOSPC. */
int mb2_info_add_basic_meminfo(struct mb2_builder *b, uint32_t mem_lower,
			       uint32_t mem_upper);
/* Add the memory map tag with @count entries: 0 or -ENOSPC. */
int mb2_info_add_mmap(struct mb2_builder *b, const struct mb2_mmap_entry *entries,
		      unsigned int count);
/* Add a copy of the RSDP's @len bytes (ACPI_OLD: 20, ACPI_NEW: >= 36): 0, -EINVAL or -ENOSPC. */
int mb2_info_add_acpi(struct mb2_builder *b, bool is_new, const void *rsdp, size_t len);
/* Add the EFI 64-bit system table pointer: 0 or -ENOSPC. */
int mb2_info_add_efi64(struct mb2_builder *b, uint64_t system_table);
/* Add the end tag, set total_size into *@total: 0, or -ENOSPC (also after an earlier one). */
int mb2_info_finish(struct mb2_builder *b, size_t *total);

/* ---------------------------------------------------------------- memory map */

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10 7.2, GetMemoryMap()); the firmware's stride may be larger. */
struct efi_mmap_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t physical_start;
	uint64_t virtual_start;
	uint64_t number_of_pages;
	uint64_t attribute;
};

/* EFI_MEMORY_TYPE (UEFI 2.10 7.2, table 7-5). */
enum efi_memory_type {
	EFI_RESERVED_MEMORY_TYPE = 0,
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_RUNTIME_SERVICES_CODE = 5,
	EFI_RUNTIME_SERVICES_DATA = 6,
	EFI_CONVENTIONAL_MEMORY = 7,
	EFI_UNUSABLE_MEMORY = 8,
	EFI_ACPI_RECLAIM_MEMORY = 9,
	EFI_ACPI_MEMORY_NVS = 10,
	EFI_MEMORY_MAPPED_IO = 11,
	EFI_MEMORY_MAPPED_IO_PORT_SPACE = 12,
	EFI_PAL_CODE = 13,
	EFI_PERSISTENT_MEMORY = 14,
	EFI_UNACCEPTED_MEMORY = 15,
};

/* EFI pages are 4 KiB whatever the CPU's page size (UEFI 2.10 7.2). */
#define EFI_MMAP_PAGE_SIZE	4096u

/*
 * Convert the EFI memory map (@map_size bytes of descriptors @desc_size
 * apart) into multiboot2 entries at @out (room for @max), sorted by address
 * as the firmware gives them, adjacent entries of one type merged.  Memory
 * the loader and boot services used counts as available: it is free once
 * ExitBootServices() returned.  Returns 0, -EINVAL (bad @desc_size) or
 * -ENOSPC.
 */
int efi_mmap_convert(const void *efi_map, size_t map_size, size_t desc_size,
		     struct mb2_mmap_entry *out, unsigned int max, unsigned int *count);

/*
 * Basic memory information from a converted map (Multiboot2 spec 3.6.8):
 * *@lower_kib available from 0 (at most 640), *@upper_kib available from
 * 1 MiB up to the first hole.
 */
void efi_mmap_meminfo(const struct mb2_mmap_entry *map, unsigned int count,
		      uint32_t *lower_kib, uint32_t *upper_kib);

#endif
