/* SPDX-License-Identifier: MIT */
/* Tally's UEFI loader (BOOTX64.EFI): reads tally.cfg, loads tally.elf and its modules, enters Tally as multiboot2. */

/*
 * The firmware glue around the pure logic of efi_loader.h: files come from
 * the volume this image was loaded from, memory from AllocatePages() below
 * 4 GiB (the multiboot2 entry is 32-bit), and the hand-over leaves boot
 * services (UEFI 2.10 section 7.4) before boot/efi/enter32.asm drops to the
 * i386 state Multiboot2 spec 3.3 describes.  Every failure prints one line
 * on ConOut and returns its status to the firmware, which then moves on to
 * its next boot option; what was allocated is given back first.
 */

#include <efi.h>
#include <efilib.h>

#include "efi_main.h"

#define CFG_PATH	"/tally.cfg"
#define CFG_SIZE_MAX	(64 * KIB)	/* a config file larger than this is not a config file */

/* Give back every page range and pool buffer the loader holds. */
static void loader_release(struct loader *ld)
{
	for (unsigned int i = 0; i < ld->range_count; i++)
		BS->FreePages(ld->ranges[i].base, ld->ranges[i].pages);
	ld->range_count = 0;
	if (ld->efi_map)
		FreePool(ld->efi_map);
	if (ld->mb2_map)
		FreePool(ld->mb2_map);
	if (ld->root)
		ld->root->Close(ld->root);
	FreePool(ld);
}

/* Allocate @pages of @type: at *@addr exactly, or anywhere below it; tracked for release. */
static EFI_STATUS loader_pages(struct loader *ld, EFI_ALLOCATE_TYPE how, EFI_MEMORY_TYPE type,
			       UINTN pages, EFI_PHYSICAL_ADDRESS *addr)
{
	if (ld->range_count == LOADER_RANGES_MAX)
		return EFI_OUT_OF_RESOURCES;
	EFI_STATUS st = BS->AllocatePages(how, type, pages, addr);
	if (EFI_ERROR(st))
		return st;
	ld->ranges[ld->range_count].base = *addr;
	ld->ranges[ld->range_count].pages = pages;
	ld->range_count++;
	return EFI_SUCCESS;
}

/* Pages anywhere below 4 GiB, where the 32-bit kernel can reach them. */
EFI_STATUS loader_pages_low(struct loader *ld, EFI_MEMORY_TYPE type, UINTN pages,
			    EFI_PHYSICAL_ADDRESS *addr)
{
	*addr = EFI_LOADER_ADDR_LIMIT - 1;
	return loader_pages(ld, AllocateMaxAddress, type, pages, addr);
}

/* The volume this loader was read from (its LoadedImage's device). */
static EFI_STATUS open_volume(struct loader *ld, EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_STATUS st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
	if (!EFI_ERROR(st))
		st = BS->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&fs);
	if (!EFI_ERROR(st))
		st = fs->OpenVolume(fs, &ld->root);
	if (EFI_ERROR(st)) {
		ld->root = NULL;
		say(L"cannot open the loader's volume: %r", st);
	}
	return st;
}

/* Open @path ("/dir/file", tally.cfg's spelling) for reading; *@size gets its length. */
static EFI_STATUS file_open(struct loader *ld, const char *path, EFI_FILE_HANDLE *fh, UINT64 *size)
{
	CHAR16 name[EFI_CFG_PATH_MAX];
	unsigned int i;

	/* UEFI 2.10 13.5.1: file names are UCS-2, directories split by '\'. */
	for (i = 0; path[i] && i + 1 < EFI_CFG_PATH_MAX; i++)
		name[i] = path[i] == '/' ? L'\\' : (CHAR16)(unsigned char)path[i];
	name[i] = 0;
	EFI_STATUS st = ld->root->Open(ld->root, fh, name, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st)) {
		say(L"cannot open %a: %r", path, st);
		return st;
	}
	EFI_FILE_INFO *info = LibFileInfo(*fh);
	if (!info) {
		(*fh)->Close(*fh);
		say(L"cannot read %a's size", path);
		return EFI_DEVICE_ERROR;
	}
	*size = info->FileSize;
	FreePool(info);
	return EFI_SUCCESS;
}

/* Read all @size bytes of the open file @fh into @buf, then close it. */
static EFI_STATUS file_read(EFI_FILE_HANDLE fh, const char *path, void *buf, UINT64 size)
{
	UINTN got = size;
	EFI_STATUS st = fh->Read(fh, &got, buf);
	fh->Close(fh);
	if (EFI_ERROR(st)) {
		say(L"cannot read %a: %r", path, st);
		return st;
	}
	if (got != size) {
		say(L"%a: short read (%ld of %ld bytes)", path, (UINT64)got, size);
		return EFI_END_OF_FILE;
	}
	return EFI_SUCCESS;
}

/* Read the whole file @path into a new pool buffer *@buf (FreePool it). */
static EFI_STATUS file_slurp(struct loader *ld, const char *path, UINT64 limit,
			     UINT8 **buf, UINT64 *size)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st = file_open(ld, path, &fh, size);
	if (EFI_ERROR(st))
		return st;
	if (*size > limit) {
		fh->Close(fh);
		say(L"%a: too large (%ld bytes, at most %ld)", path, *size, limit);
		return EFI_BAD_BUFFER_SIZE;
	}
	/* One spare byte: an empty file still gets a buffer. */
	*buf = AllocatePool(*size + 1);
	if (!*buf) {
		fh->Close(fh);
		say(L"out of memory for %a (%ld bytes)", path, *size);
		return EFI_OUT_OF_RESOURCES;
	}
	st = file_read(fh, path, *buf, *size);
	if (EFI_ERROR(st))
		FreePool(*buf);
	return st;
}

/* Read and parse tally.cfg from the loader's volume into ld->cfg. */
static EFI_STATUS load_config(struct loader *ld)
{
	UINT8 *text;
	UINT64 size;
	char why[EFI_WHY_MAX];

	EFI_STATUS st = file_slurp(ld, CFG_PATH, CFG_SIZE_MAX, &text, &size);
	if (EFI_ERROR(st))
		return st;
	int err = efi_cfg_parse((const char *)text, size, &ld->cfg, why, sizeof(why));
	FreePool(text);
	if (err) {
		say(L"tally.cfg %a", why);
		return EFI_LOAD_ERROR;
	}
	return EFI_SUCCESS;
}

/* The page-aligned span [*lo, *hi) that covers every segment. */
static void segments_span(const struct efi_elf_segment *segs, unsigned int count,
			  uint64_t *lo, uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned int i = 0; i < count; i++) {
		*lo = MIN(*lo, segs[i].paddr);
		*hi = MAX(*hi, segs[i].paddr + segs[i].mem_size);
	}
	*lo = ALIGN_DOWN(*lo, EFI_PAGE_SIZE);
	*hi = ALIGN_UP(*hi, EFI_PAGE_SIZE);
}

/* Claim the kernel's physical span (its PT_LOADs' p_paddr) and copy the segments there. */
static EFI_STATUS place_kernel(struct loader *ld, const UINT8 *file,
			       const struct efi_elf_segment *segs, unsigned int count)
{
	uint64_t lo, hi;

	segments_span(segs, count, &lo, &hi);
	EFI_PHYSICAL_ADDRESS at = lo;
	EFI_STATUS st = loader_pages(ld, AllocateAddress, EfiLoaderData,
				     EFI_SIZE_TO_PAGES(hi - lo), &at);
	if (EFI_ERROR(st)) {
		say(L"cannot place %a at 0x%lx-0x%lx: %r", ld->cfg.kernel_path, lo, hi, st);
		return st;
	}
	for (unsigned int i = 0; i < count; i++) {
		UINT8 *dst = (UINT8 *)(UINTN)segs[i].paddr;
		CopyMem(dst, (void *)(file + segs[i].file_offset), segs[i].file_size);
		/* The rest of mem_size is bss (ELF64 gABI, p_memsz > p_filesz). */
		ZeroMem(dst + segs[i].file_size, segs[i].mem_size - segs[i].file_size);
	}
	return EFI_SUCCESS;
}

/* Read, check and place tally.elf; ld->entry gets its entry point. */
static EFI_STATUS load_kernel(struct loader *ld)
{
	struct efi_elf_segment segs[LOADER_SEGMENTS_MAX];
	unsigned int count;
	char why[EFI_WHY_MAX];
	UINT8 *file;
	UINT64 size;

	EFI_STATUS st = file_slurp(ld, ld->cfg.kernel_path, EFI_LOADER_ADDR_LIMIT, &file, &size);
	if (EFI_ERROR(st))
		return st;
	if (efi_elf_check(file, size, segs, LOADER_SEGMENTS_MAX, &count, &ld->entry,
			  why, sizeof(why))) {
		/* @why names the file itself ("tally.elf: truncated: ..."). */
		say(L"%a", why);
		st = EFI_LOAD_ERROR;
	} else {
		st = place_kernel(ld, file, segs, count);
	}
	FreePool(file);
	return st;
}

/* Read module @i into pages of its own below 4 GiB (page-aligned, as multiboot2 loaders do). */
static EFI_STATUS load_module(struct loader *ld, unsigned int i)
{
	const char *path = ld->cfg.modules[i].path;
	EFI_FILE_HANDLE fh;
	EFI_PHYSICAL_ADDRESS at;
	UINT64 size;

	EFI_STATUS st = file_open(ld, path, &fh, &size);
	if (EFI_ERROR(st))
		return st;
	/* An empty module still gets a page, so that its start is a real address. */
	UINTN pages = size ? EFI_SIZE_TO_PAGES(size) : 1;
	if (size >= EFI_LOADER_ADDR_LIMIT ||
	    EFI_ERROR(loader_pages_low(ld, EfiLoaderData, pages, &at))) {
		fh->Close(fh);
		say(L"out of memory for module %a (%ld bytes)", path, size);
		return EFI_OUT_OF_RESOURCES;
	}
	st = file_read(fh, path, (void *)(UINTN)at, size);
	ld->mod_start[i] = (uint32_t)at;
	ld->mod_end[i] = (uint32_t)(at + size);
	return st;
}

/* The ACPI RSDP from the configuration table: ACPI 2.0's GUID first, else 1.0's (UEFI 2.10 4.6). */
static void find_rsdp(struct loader *ld)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	const struct acpi_rsdp *v1 = NULL;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		const struct acpi_rsdp *r = t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi20) && r->revision >= ACPI_RSDP_REVISION_2) {
			ld->rsdp = r;
			ld->rsdp_new = true;
			ld->rsdp_len = ACPI_RSDP_V2_LEN;
			return;
		}
		if (!CompareGuid(&t->VendorGuid, &acpi10) || !CompareGuid(&t->VendorGuid, &acpi20))
			v1 = r;
	}
	if (v1) {
		ld->rsdp = v1;
		ld->rsdp_new = false;
		ld->rsdp_len = ACPI_RSDP_V1_LEN;
	}
}

/* Copy the trampoline (boot/efi/enter32.asm) to a page below 4 GiB that stays mapped. */
static EFI_STATUS place_trampoline(struct loader *ld)
{
	UINTN len = (UINTN)(enter32_end - enter32_start);
	EFI_STATUS st = loader_pages_low(ld, EfiLoaderCode, EFI_SIZE_TO_PAGES(len),
					 &ld->trampoline);
	if (EFI_ERROR(st)) {
		say(L"out of memory for the trampoline (%ld bytes)", (UINT64)len);
		return st;
	}
	CopyMem((void *)(UINTN)ld->trampoline, (void *)enter32_start, len);
	return EFI_SUCCESS;
}

/* Load everything the hand-over needs: config, kernel, modules, trampoline, ACPI. */
static EFI_STATUS load_all(struct loader *ld, EFI_HANDLE image)
{
	EFI_STATUS st = open_volume(ld, image);
	if (!EFI_ERROR(st))
		st = load_config(ld);
	if (!EFI_ERROR(st))
		st = load_kernel(ld);
	for (unsigned int i = 0; !EFI_ERROR(st) && i < ld->cfg.module_count; i++)
		st = load_module(ld, i);
	if (!EFI_ERROR(st))
		st = place_trampoline(ld);
	if (!EFI_ERROR(st))
		find_rsdp(ld);
	return st;
}

/* UEFI entry point: load Tally and start it, or return why not. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	InitializeLib(image, systab);
	struct loader *ld = AllocateZeroPool(sizeof(*ld));
	if (!ld) {
		say(L"out of memory for the loader's state (%ld bytes)", (UINT64)sizeof(*ld));
		return EFI_OUT_OF_RESOURCES;
	}
	EFI_STATUS st = load_all(ld, image);
	if (!EFI_ERROR(st))
		st = handover_prepare(ld);
	if (!EFI_ERROR(st)) {
		say(L"starting %a with %d modules", ld->cfg.kernel_path, ld->cfg.module_count);
		st = handover(ld, image);
	}
	/* Only a failure gets here; after a failed ExitBootServices() the
	 * firmware is left as it is (UEFI 2.10 7.4: no other boot service). */
	if (!ld->exit_attempted)
		loader_release(ld);
	return st;
}
