/* SPDX-License-Identifier: MIT */
/* The UEFI loader's hand-over: memory map, multiboot2 information block, ExitBootServices(), the jump. */

#include <efi.h>
#include <efilib.h>

#include "efi_exit.h"
#include "efi_main.h"

#define LOADER_NAME		"Tally EFI loader"
/* Descriptors of slack in the map buffer: the allocations made after sizing it add entries. */
#define MAP_SLACK_DESCS		32
/*
 * The information block's room besides the memory map: every other tag
 * counted as large as the largest, a module tag with a full command line
 * (cmdline, loader name, meminfo, ACPI, EFI64, mmap header, end tag).
 */
#define INFO_OTHER_TAGS		7
#define INFO_TAG_MAX		(sizeof(struct mb2_tag_module) + EFI_CFG_ARGS_MAX + MB2_TAG_ALIGN)
#define INFO_FIXED_BYTES	(MB2_TAG_ALIGN + (EFI_CFG_MODULES_MAX + INFO_OTHER_TAGS) * INFO_TAG_MAX)

/* The trampoline's calling convention: System V, EDI = entry, ESI = information block. */
typedef __noreturn void (*enter32_fn)(uint32_t entry, uint32_t mb2_info);

/* Size the map buffers now: after ExitBootServices() nothing may be allocated. */
EFI_STATUS handover_prepare(struct loader *ld)
{
	UINTN size = 0, key, desc_size;
	UINT32 version;

	EFI_STATUS st = BS->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	if (st != EFI_BUFFER_TOO_SMALL) {
		say(L"cannot get the memory map: %r", st);
		return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
	}
	/* The buffers below and the block's pages add descriptors of their own. */
	ld->efi_map_cap = size + MAP_SLACK_DESCS * desc_size;
	ld->mb2_map_cap = ld->efi_map_cap / desc_size;
	ld->efi_map = AllocatePool(ld->efi_map_cap);
	ld->mb2_map = AllocatePool(ld->mb2_map_cap * sizeof(*ld->mb2_map));
	ld->info_cap = ALIGN_UP(INFO_FIXED_BYTES + ld->mb2_map_cap * sizeof(*ld->mb2_map),
				EFI_PAGE_SIZE);
	if (!ld->efi_map || !ld->mb2_map ||
	    EFI_ERROR(loader_pages_low(ld, EfiLoaderData, EFI_SIZE_TO_PAGES(ld->info_cap),
				       &ld->info))) {
		say(L"out of memory for the boot information (%ld bytes)", (UINT64)ld->info_cap);
		return EFI_OUT_OF_RESOURCES;
	}
	return EFI_SUCCESS;
}

/* Write the multiboot2 information block (Multiboot2 spec 3.6) from @count converted map entries. */
static int build_info(struct loader *ld, unsigned int count)
{
	struct mb2_builder b;
	uint32_t lower_kib, upper_kib;
	size_t total;

	efi_mmap_meminfo(ld->mb2_map, count, &lower_kib, &upper_kib);
	int err = mb2_info_begin(&b, (void *)(UINTN)ld->info, ld->info_cap);
	err = err ?: mb2_info_add_cmdline(&b, ld->cfg.kernel_args);
	err = err ?: mb2_info_add_loader_name(&b, LOADER_NAME);
	for (unsigned int i = 0; !err && i < ld->cfg.module_count; i++)
		err = mb2_info_add_module(&b, ld->mod_start[i], ld->mod_end[i],
					  ld->cfg.modules[i].args);
	err = err ?: mb2_info_add_basic_meminfo(&b, lower_kib, upper_kib);
	err = err ?: mb2_info_add_mmap(&b, ld->mb2_map, count);
	if (!err && ld->rsdp)
		err = mb2_info_add_acpi(&b, ld->rsdp_new, ld->rsdp, ld->rsdp_len);
	err = err ?: mb2_info_add_efi64(&b, (uint64_t)(UINTN)ST);
	return err ?: mb2_info_finish(&b, &total);
}

/* The current map, converted and written into the block; *@key is the map's key. */
static EFI_STATUS snapshot(struct loader *ld, UINTN *key)
{
	UINTN size = ld->efi_map_cap, desc_size;
	UINT32 version;
	unsigned int count;

	EFI_STATUS st = BS->GetMemoryMap(&size, ld->efi_map, key, &desc_size, &version);
	if (EFI_ERROR(st))
		return st;
	if (efi_mmap_convert(ld->efi_map, size, desc_size, ld->mb2_map, ld->mb2_map_cap, &count) ||
	    build_info(ld, count))
		return EFI_BUFFER_TOO_SMALL;
	return EFI_SUCCESS;
}

/* What the retry steps share: the loader, its image handle, the last firmware status. */
struct exit_ctx {
	struct loader *ld;
	EFI_HANDLE image;
	EFI_STATUS status;
};

/* efi_exit_ops.snapshot: the map and the block; a message only before the first exit try. */
static int exit_snapshot(void *p, unsigned int attempt, uint64_t *key)
{
	struct exit_ctx *x = p;
	UINTN k;

	x->status = snapshot(x->ld, &k);
	if (EFI_ERROR(x->status)) {
		/* UEFI 2.10 7.4: after a first ExitBootServices() no other boot service, ConOut included. */
		if (attempt == 0)
			say(L"cannot build the boot information: %r", x->status);
		return -EIO;
	}
	*key = k;
	return 0;
}

/* efi_exit_ops.exit: ExitBootServices(); EFI_INVALID_PARAMETER means the key is stale. */
static int exit_firmware(void *p, uint64_t key)
{
	struct exit_ctx *x = p;

	x->ld->exit_attempted = true;
	x->status = BS->ExitBootServices(x->image, key);
	if (x->status == EFI_INVALID_PARAMETER)
		return -EBUSY;
	return EFI_ERROR(x->status) ? -EIO : 0;
}

/* Leave boot services and jump to the kernel; returns only on failure, with its status. */
EFI_STATUS handover(struct loader *ld, EFI_HANDLE image)
{
	static const struct efi_exit_ops ops = { exit_snapshot, exit_firmware };
	struct exit_ctx x = { ld, image, EFI_SUCCESS };

	if (efi_exit_retry(&ops, &x, EFI_EXIT_ATTEMPTS))
		return EFI_ERROR(x.status) ? x.status : EFI_LOAD_ERROR;
	((enter32_fn)(UINTN)ld->trampoline)((uint32_t)ld->entry, (uint32_t)ld->info);
}
