/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the UEFI loader's checks of tally.elf (boot/efi/elf_image.c).
 *
 * Input: a mode byte (MODE_*; its low bits the room for segments, 0-7),
 * then the file, in a heap block of exactly its size so that any read past
 * it trips ASan.  An accepted file must be one the loader can load without
 * another check: every segment inside the file, below 4 GiB, apart from the
 * others, the entry in one, a multiboot2 header with a good checksum in the
 * first 32 KiB; a refused one gives a terminated "tally.elf: " message.
 */
#include <stdlib.h>
#include <string.h>

#include <tally/elf.h>

#include "../../boot/efi/efi_loader.h"
#include "harness.h"

#define MODE_ROOM	0x07	/* room for segments: 0-7 */
#define MODE_FIX_IDENT	0x08	/* make the ELF identification and machine right */
#define MODE_FIX_MB2	0x10	/* a good multiboot2 header right after the program headers */
#define MODE_NO_SHDRS	0x20	/* drop the section header table (e_shoff = 0) */

#define FILE_MAX	(64 * 1024)
#define SEG_MAX		8

static void fix_ident(uint8_t *file, size_t size)
{
	struct elf64_ehdr *e = (void *)file;

	if (size < sizeof(*e))
		return;
	memcpy(e->e_ident, "\177ELF", 4);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
}

static void fix_mb2(uint8_t *file, size_t size)
{
	struct mb2_header h = { MB2_HEADER_MAGIC, MB2_ARCH_I386, sizeof(h), 0 };
	const struct elf64_ehdr *e = (const void *)file;
	uint64_t off = sizeof(*e);

	if (size >= sizeof(*e) && e->e_phoff == sizeof(*e))
		off += (uint64_t)e->e_phnum * e->e_phentsize;
	off = ALIGN_UP(off, MB2_HEADER_ALIGN);
	h.checksum = -(h.magic + h.architecture + h.header_length);
	if (off + sizeof(h) <= size)
		memcpy(file + off, &h, sizeof(h));
}

/* Is there a header with a good checksum, 8-byte aligned, within the first 32 KiB? */
static bool has_mb2_header(const uint8_t *file, size_t size)
{
	size_t area = MIN(size, (size_t)MB2_HEADER_SEARCH);

	for (size_t off = 0; off + sizeof(struct mb2_header) <= area; off += MB2_HEADER_ALIGN) {
		struct mb2_header h;

		memcpy(&h, file + off, sizeof(h));
		if (h.magic == MB2_HEADER_MAGIC)
			return !(uint32_t)(h.magic + h.architecture + h.header_length + h.checksum) &&
			       h.architecture == MB2_ARCH_I386 && off + h.header_length <= area;
	}
	return false;
}

static void check_accepted(const uint8_t *file, size_t size, const struct efi_elf_segment *segs,
			   unsigned int count, unsigned int room, uint64_t entry)
{
	bool entry_inside = false;

	FUZZ_CHECK(count >= 1 && count <= room);
	FUZZ_CHECK(size >= sizeof(struct elf64_ehdr));
	FUZZ_CHECK(entry == ((const struct elf64_ehdr *)(const void *)file)->e_entry);
	FUZZ_CHECK(has_mb2_header(file, size));
	for (unsigned int i = 0; i < count; i++) {
		const struct efi_elf_segment *s = &segs[i];

		FUZZ_CHECK(s->file_offset <= size && s->file_size <= size - s->file_offset);
		FUZZ_CHECK(s->file_size <= s->mem_size && s->mem_size > 0);
		FUZZ_CHECK(s->paddr < EFI_LOADER_ADDR_LIMIT &&
			   s->mem_size <= EFI_LOADER_ADDR_LIMIT - s->paddr);
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(s->paddr >= segs[j].paddr + segs[j].mem_size ||
				   segs[j].paddr >= s->paddr + s->mem_size);
		entry_inside |= entry >= s->paddr && entry < s->paddr + s->mem_size;
	}
	FUZZ_CHECK(entry_inside);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int mode = (unsigned int)fuzz_take(&in, 1), room = mode & MODE_ROOM, count = 0;
	size_t len;
	const uint8_t *bytes = fuzz_bytes(&in, FILE_MAX, &len);
	uint8_t *file = malloc(len ? len : 1);
	struct efi_elf_segment segs[SEG_MAX];
	char why[EFI_WHY_MAX];
	uint64_t entry = 0;
	int rc;

	memcpy(file, bytes, len);
	if (mode & MODE_FIX_IDENT)
		fix_ident(file, len);
	if ((mode & MODE_NO_SHDRS) && len >= sizeof(struct elf64_ehdr))
		((struct elf64_ehdr *)(void *)file)->e_shoff = 0;
	if (mode & MODE_FIX_MB2)
		fix_mb2(file, len);
	rc = efi_elf_check(file, len, segs, room, &count, &entry, why, sizeof(why));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOSPC);
	FUZZ_CHECK(memchr(why, '\0', sizeof(why)));
	if (rc) {
		FUZZ_CHECK(!strncmp(why, "tally.elf: ", 11));
	} else {
		FUZZ_CHECK(!strcmp(why, ""));
		check_accepted(file, len, segs, count, room, entry);
	}
	free(file);
	return 0;
}
