/* SPDX-License-Identifier: MIT */
/* Multiboot v1 and v2 information layouts and their parsers. */
#ifndef TALLY_MULTIBOOT_H
#define TALLY_MULTIBOOT_H

#include <tally/boot_info.h>

/* Values the boot loader leaves in EAX. */
#define MB1_BOOTLOADER_MAGIC	0x2BADB002u
#define MB2_BOOTLOADER_MAGIC	0x36D76289u

/* Multiboot v1 information structure (Multiboot Specification 0.6.96, 3.3). */
#define MB1_INFO_MEMORY		(1u << 0)
#define MB1_INFO_CMDLINE	(1u << 2)
#define MB1_INFO_MODS		(1u << 3)
#define MB1_INFO_MEM_MAP	(1u << 6)
#define MB1_INFO_LOADER_NAME	(1u << 9)

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[6];
} __packed;

struct mb1_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t cmdline;
	uint32_t reserved;
} __packed;

/* A memory map entry; @size counts the bytes after itself. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __packed;

/* An entry's bytes after its @size field, the least @size may say. */
#define MB1_MMAP_ENTRY_BODY	(sizeof(struct mb1_mmap_entry) - sizeof(uint32_t))
/* Where mem_upper starts counting (Multiboot Specification 0.6.96, 3.3). */
#define MB1_HIGH_MEMORY_BASE	MIB

/* Multiboot2 information (Multiboot2 Specification 1.0, 3.6). */
enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_info_header {
	uint32_t total_size;
	uint32_t reserved;
} __packed;

struct mb2_tag {
	uint32_t type;
	uint32_t size;		/* including this header, excluding padding to 8 */
} __packed;

struct mb2_tag_string {		/* CMDLINE, LOADER_NAME */
	struct mb2_tag tag;
	char string[];
} __packed;

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start;
	uint32_t mod_end;
	char cmdline[];
} __packed;

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
	/* followed by entries of entry_size bytes */
} __packed;

struct mb2_mmap_entry {
	uint64_t addr;
	uint64_t len;
	uint32_t type;
	uint32_t reserved;
} __packed;

struct mb2_tag_acpi {		/* ACPI_OLD, ACPI_NEW: a copy of the RSDP */
	struct mb2_tag tag;
	uint8_t rsdp[];
} __packed;

/* Largest multiboot2 information structure Tally accepts. */
#define MB2_INFO_MAX_SIZE	(1u << 20)

/*
 * Parse the multiboot2 information at @mbi, of which @avail bytes may be read,
 * into @out (zeroed first).  Returns 0, or -EINVAL when something was
 * malformed: @out then holds every item that was valid, and out->errors
 * counts the ones skipped.  Each problem is logged once.
 */
int mb2_parse(const void *mbi, size_t avail, struct boot_info *out);

/*
 * Parse the multiboot v1 information at physical address @info_pa, reading
 * memory through @read.  Same contract as mb2_parse().
 */
int mb1_parse(uint64_t info_pa, phys_read_fn read, void *ctx, struct boot_info *out);

#endif
