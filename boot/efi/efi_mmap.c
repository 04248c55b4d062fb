// SPDX-License-Identifier: MIT
/* The UEFI memory map as multiboot2 memory map entries, and the basic meminfo from them. */

/*
 * UEFI 2.10 7.2 does not promise that GetMemoryMap() returns descriptors
 * sorted or merged, and a typical map splits one stretch of RAM into dozens
 * of descriptors by their boot-time owner.  Each descriptor is therefore
 * inserted in address order and merged with a neighbour of the same
 * multiboot2 type that it touches, so that Tally sees few, sorted entries.
 * The descriptor's attributes (cacheability, runtime) do not matter here.
 */

#include "efi_loader.h"

/*
 * No x86-64 CPU addresses more than 52 bits (SDM vol. 3A 4.1.4, MAXPHYADDR):
 * a descriptor reaching past that is corrupt, and refusing it keeps every
 * sum below from wrapping.
 */
#define EFI_MMAP_ADDR_LIMIT	(1ull << 52)

/* Multiboot2 spec 3.6.8 types (the E820 ones) for an EFI_MEMORY_TYPE. */
static uint32_t mmap_type(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		/* Free once ExitBootServices() returned (UEFI 2.10 7.4). */
		return MEM_USABLE;
	case EFI_ACPI_RECLAIM_MEMORY:
		return MEM_ACPI_RECLAIMABLE;
	case EFI_ACPI_MEMORY_NVS:
		return MEM_ACPI_NVS;
	case EFI_UNUSABLE_MEMORY:
		return MEM_BAD;
	default:
		/* Runtime services, MMIO, PAL code, persistent and unaccepted memory, OEM types. */
		return MEM_RESERVED;
	}
}

static void mmap_remove(struct mb2_mmap_entry *out, unsigned int *count, unsigned int i)
{
	for (; i + 1 < *count; i++)
		out[i] = out[i + 1];
	(*count)--;
}

/* Insert @e in address order, merging it with a neighbour it touches: 0 or -ENOSPC. */
static int mmap_insert(struct mb2_mmap_entry *out, unsigned int max, unsigned int *count,
		       struct mb2_mmap_entry e)
{
	unsigned int i = 0;

	while (i < *count && out[i].addr <= e.addr)
		i++;
	if (i > 0 && out[i - 1].type == e.type && out[i - 1].addr + out[i - 1].len == e.addr) {
		out[i - 1].len += e.len;
		if (i < *count && out[i].type == e.type && e.addr + e.len == out[i].addr) {
			out[i - 1].len += out[i].len;
			mmap_remove(out, count, i);
		}
		return 0;
	}
	if (i < *count && out[i].type == e.type && e.addr + e.len == out[i].addr) {
		out[i].addr = e.addr;
		out[i].len += e.len;
		return 0;
	}
	if (*count == max)
		return -ENOSPC;
	for (unsigned int j = *count; j > i; j--)
		out[j] = out[j - 1];
	out[i] = e;
	(*count)++;
	return 0;
}

int efi_mmap_convert(const void *efi_map, size_t map_size, size_t desc_size,
		     struct mb2_mmap_entry *out, unsigned int max, unsigned int *count)
{
	const uint8_t *map = efi_map;
	unsigned int n = 0;

	if (desc_size < sizeof(struct efi_mmap_desc))
		return -EINVAL;
	for (size_t off = 0; desc_size <= map_size - off && off <= map_size; off += desc_size) {
		struct efi_mmap_desc d;

		/* The firmware's stride need not keep descriptors aligned: copy bytewise. */
		for (size_t i = 0; i < sizeof(d); i++)
			((uint8_t *)&d)[i] = map[off + i];
		if (!d.number_of_pages)
			continue;
		if (!IS_ALIGNED(d.physical_start, EFI_MMAP_PAGE_SIZE) ||
		    d.physical_start > EFI_MMAP_ADDR_LIMIT ||
		    d.number_of_pages > (EFI_MMAP_ADDR_LIMIT - d.physical_start) / EFI_MMAP_PAGE_SIZE)
			return -EINVAL;
		struct mb2_mmap_entry e = {
			d.physical_start, d.number_of_pages * EFI_MMAP_PAGE_SIZE, mmap_type(d.type), 0,
		};
		if (mmap_insert(out, max, &n, e))
			return -ENOSPC;
	}
	*count = n;
	return 0;
}

/* Multiboot2 spec 3.6.8: lower memory ends at 640 KiB; upper memory counts from 1 MiB. */
#define MEMINFO_LOWER_MAX	(640 * KIB)
#define MEMINFO_UPPER_BASE	MIB

void efi_mmap_meminfo(const struct mb2_mmap_entry *map, unsigned int count,
		      uint32_t *lower_kib, uint32_t *upper_kib)
{
	uint64_t lower = 0, upper = 0;

	for (unsigned int i = 0; i < count; i++) {
		const struct mb2_mmap_entry *e = &map[i];
		uint64_t end = e->addr + e->len;

		if (e->type != MEM_USABLE)
			continue;
		if (e->addr == 0)
			lower = MIN(end, MEMINFO_LOWER_MAX);
		if (e->addr <= MEMINFO_UPPER_BASE && end > MEMINFO_UPPER_BASE)
			upper = end - MEMINFO_UPPER_BASE;
	}
	*lower_kib = (uint32_t)(lower / KIB);
	*upper_kib = (uint32_t)MIN(upper / KIB, (uint64_t)UINT32_MAX);
}
