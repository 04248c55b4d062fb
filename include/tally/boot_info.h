/* SPDX-License-Identifier: MIT */
/* What Tally keeps of the boot loader's information (multiboot v1 or v2). */
#ifndef TALLY_BOOT_INFO_H
#define TALLY_BOOT_INFO_H

#include <tally/types.h>

#define BOOT_MAX_MMAP		128
#define BOOT_MAX_MODULES	1024	/* a sane bound: the rest are dropped, with a line */
#define BOOT_CMDLINE_MAX	512
#define BOOT_LOADER_MAX		64
#define BOOT_RSDP_MAX		36	/* ACPI 2.0+ RSDP length */

/* Memory map entry types, as in E820 and both multiboot specifications. */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type;		/* enum mem_type; unknown values count as reserved */
};

struct boot_module {
	hpa_t start;
	uint64_t size;
	char cmdline[BOOT_CMDLINE_MAX];
};

enum boot_protocol {
	BOOT_MULTIBOOT1 = 1,
	BOOT_MULTIBOOT2 = 2,
};

/*
 * A self-contained copy: nothing in here points into the boot loader's
 * memory, which the frame allocator may hand out once the copy is taken.
 */
struct boot_info {
	enum boot_protocol protocol;
	char loader[BOOT_LOADER_MAX];
	char cmdline[BOOT_CMDLINE_MAX];
	struct mem_range mmap[BOOT_MAX_MMAP];
	unsigned int mmap_count;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned int module_count;
	uint8_t rsdp[BOOT_RSDP_MAX];	/* copy of the RSDP the loader gave */
	unsigned int rsdp_len;		/* 0: none given, 20: ACPI 1.0, 36: 2.0+ */
	hpa_t info_start;		/* the loader's information structure itself */
	uint64_t info_size;
	unsigned int errors;		/* malformed items skipped while parsing */
};

#endif
