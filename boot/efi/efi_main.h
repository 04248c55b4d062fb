/* SPDX-License-Identifier: MIT */
/* The UEFI loader's firmware glue: state shared by boot/efi/main.c and boot/efi/handover.c. */
#ifndef TALLY_EFI_MAIN_H
#define TALLY_EFI_MAIN_H

/* Included after <efi.h>: these are gnu-efi types. */
#include "efi_loader.h"

#define LOADER_RANGES_MAX	(EFI_CFG_MODULES_MAX + 8)	/* kernel, modules, trampoline, info */
#define LOADER_SEGMENTS_MAX	16				/* tally.elf's PT_LOADs */
/* ACPI 6.5 5.2.5.3: revision 2 and later have the 64-bit fields and @length. */
#define ACPI_RSDP_REVISION_2	2

/* Print one "tally-efi: ..." line on the firmware console (ConOut, which OVMF copies to COM1). */
#define say(fmt, ...)	Print(L"tally-efi: " fmt L"\n", ##__VA_ARGS__)

/* Pages the loader took with AllocatePages(), given back on failure. */
struct loader_range {
	EFI_PHYSICAL_ADDRESS base;
	UINTN pages;
};

struct loader {
	EFI_FILE_HANDLE root;			/* the loader's own volume */
	struct efi_cfg cfg;			/* tally.cfg */
	uint64_t entry;				/* tally.elf's e_entry (32-bit code) */
	uint32_t mod_start[EFI_CFG_MODULES_MAX], mod_end[EFI_CFG_MODULES_MAX];
	const void *rsdp;			/* NULL: no ACPI table in the firmware */
	size_t rsdp_len;
	bool rsdp_new;				/* ACPI 2.0+ RSDP (multiboot2 ACPI new tag) */
	EFI_PHYSICAL_ADDRESS trampoline;	/* the copy of enter32.asm */
	EFI_PHYSICAL_ADDRESS info;		/* the multiboot2 information block */
	size_t info_cap;
	void *efi_map;				/* GetMemoryMap()'s buffer */
	UINTN efi_map_cap;
	struct mb2_mmap_entry *mb2_map;		/* the converted map */
	unsigned int mb2_map_cap;
	bool exit_attempted;			/* ExitBootServices() was called */
	struct loader_range ranges[LOADER_RANGES_MAX];
	unsigned int range_count;
};

/* boot/efi/enter32.asm: the trampoline's bytes, copied below 4 GiB before use. */
extern const UINT8 enter32_start[], enter32_end[];

/* gnu-efi's crt0 (_start) calls this with the System V convention after relocating the image. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);
/* Allocate the memory map buffers and the information block (boot services still up): EFI status. */
EFI_STATUS handover_prepare(struct loader *ld);
/* Exit boot services and enter the kernel; returns only on failure, with its status. */
EFI_STATUS handover(struct loader *ld, EFI_HANDLE image);
/* Pages anywhere below 4 GiB, tracked in @ld for release: EFI status. */
EFI_STATUS loader_pages_low(struct loader *ld, EFI_MEMORY_TYPE type, UINTN pages,
			    EFI_PHYSICAL_ADDRESS *addr);

#endif
