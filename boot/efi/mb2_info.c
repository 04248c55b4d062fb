// SPDX-License-Identifier: MIT
/* The multiboot2 information block the UEFI loader hands Tally, written tag by tag. */

/*
 * Multiboot2 spec 3.6: an 8-byte header (total_size, reserved), then tags,
 * each starting 8-byte aligned with its type and its size (header included,
 * padding excluded), then an end tag {0, 8}.  Padding is written as zeros so
 * that the block's bytes do not depend on what the buffer held.
 */

#include "efi_loader.h"

static void mb2_zero(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = 0;
}

static void mb2_copy(uint8_t *dst, const void *src, size_t n)
{
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++)
		dst[i] = s[i];
}

static size_t mb2_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/*
 * Reserve a tag of @size bytes (header included) and write its header:
 * a pointer to it, zeroed through its padding, or NULL (and the builder
 * marked full) when it does not fit.
 */
static uint8_t *mb2_tag_start(struct mb2_builder *b, uint32_t type, size_t size)
{
	size_t padded = ALIGN_UP(size, MB2_TAG_ALIGN);
	struct mb2_tag hdr = { type, (uint32_t)size };
	uint8_t *p;

	if (b->full || size > UINT32_MAX || padded < size || padded > b->cap - b->used) {
		b->full = true;
		return NULL;
	}
	p = b->buf + b->used;
	mb2_zero(p, padded);
	mb2_copy(p, &hdr, sizeof(hdr));
	b->used += padded;
	return p;
}

int mb2_info_begin(struct mb2_builder *b, void *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->used = sizeof(struct mb2_info_header);
	b->full = cap < b->used;
	if (b->full)
		return -ENOSPC;
	mb2_zero(b->buf, b->used);
	return 0;
}

static int mb2_add_string(struct mb2_builder *b, uint32_t type, const char *s)
{
	size_t len = mb2_strlen(s) + 1;
	uint8_t *p = mb2_tag_start(b, type, sizeof(struct mb2_tag) + len);

	if (!p)
		return -ENOSPC;
	mb2_copy(p + offsetof(struct mb2_tag_string, string), s, len);
	return 0;
}

int mb2_info_add_cmdline(struct mb2_builder *b, const char *cmdline)
{
	return mb2_add_string(b, MB2_TAG_CMDLINE, cmdline);
}

int mb2_info_add_loader_name(struct mb2_builder *b, const char *name)
{
	return mb2_add_string(b, MB2_TAG_LOADER_NAME, name);
}

int mb2_info_add_module(struct mb2_builder *b, uint32_t start, uint32_t end, const char *cmdline)
{
	size_t len = mb2_strlen(cmdline) + 1;
	uint8_t *p = mb2_tag_start(b, MB2_TAG_MODULE, sizeof(struct mb2_tag_module) + len);

	if (!p)
		return -ENOSPC;
	mb2_copy(p + offsetof(struct mb2_tag_module, mod_start), &start, sizeof(start));
	mb2_copy(p + offsetof(struct mb2_tag_module, mod_end), &end, sizeof(end));
	mb2_copy(p + offsetof(struct mb2_tag_module, cmdline), cmdline, len);
	return 0;
}

int mb2_info_add_basic_meminfo(struct mb2_builder *b, uint32_t mem_lower, uint32_t mem_upper)
{
	uint8_t *p = mb2_tag_start(b, MB2_TAG_BASIC_MEMINFO, sizeof(struct mb2_tag_basic_meminfo));

	if (!p)
		return -ENOSPC;
	mb2_copy(p + offsetof(struct mb2_tag_basic_meminfo, mem_lower), &mem_lower, 4);
	mb2_copy(p + offsetof(struct mb2_tag_basic_meminfo, mem_upper), &mem_upper, 4);
	return 0;
}

int mb2_info_add_mmap(struct mb2_builder *b, const struct mb2_mmap_entry *entries,
		      unsigned int count)
{
	size_t body = (size_t)count * sizeof(*entries);
	uint8_t *p = mb2_tag_start(b, MB2_TAG_MMAP, sizeof(struct mb2_tag_mmap) + body);
	uint32_t entry_size = sizeof(*entries), version = MB2_MMAP_ENTRY_VERSION;

	if (!p)
		return -ENOSPC;
	mb2_copy(p + offsetof(struct mb2_tag_mmap, entry_size), &entry_size, sizeof(entry_size));
	mb2_copy(p + offsetof(struct mb2_tag_mmap, entry_version), &version, sizeof(version));
	mb2_copy(p + sizeof(struct mb2_tag_mmap), entries, body);
	return 0;
}

int mb2_info_add_acpi(struct mb2_builder *b, bool is_new, const void *rsdp, size_t len)
{
	uint8_t *p;

	/* Multiboot2 spec 3.6.14-15: a copy of RSDPv1 (20 bytes) or of RSDPv2 (its Length, >= 36). */
	if (is_new ? len < ACPI_RSDP_V2_LEN : len != ACPI_RSDP_V1_LEN)
		return -EINVAL;
	p = mb2_tag_start(b, is_new ? MB2_TAG_ACPI_NEW : MB2_TAG_ACPI_OLD,
			  sizeof(struct mb2_tag_acpi) + len);
	if (!p)
		return -ENOSPC;
	mb2_copy(p + offsetof(struct mb2_tag_acpi, rsdp), rsdp, len);
	return 0;
}

int mb2_info_add_efi64(struct mb2_builder *b, uint64_t system_table)
{
	uint8_t *p = mb2_tag_start(b, MB2_TAG_EFI64, sizeof(struct mb2_tag_efi64));

	if (!p)
		return -ENOSPC;
	mb2_copy(p + offsetof(struct mb2_tag_efi64, pointer), &system_table, sizeof(system_table));
	return 0;
}

int mb2_info_finish(struct mb2_builder *b, size_t *total)
{
	struct mb2_info_header hdr;

	if (!mb2_tag_start(b, MB2_TAG_END, sizeof(struct mb2_tag)))
		return -ENOSPC;
	hdr = (struct mb2_info_header){ (uint32_t)b->used, 0 };
	mb2_copy(b->buf, &hdr, sizeof(hdr));
	*total = b->used;
	return 0;
}
