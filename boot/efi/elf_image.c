// SPDX-License-Identifier: MIT
/* The UEFI loader's checks of tally.elf before loading it: ELF64 layout, multiboot2 header. */

/*
 * Everything is checked against the file's real size, so that a file cut
 * short anywhere is refused here rather than loaded half: the section
 * header table, which the linker puts last, has to be inside the file too
 * although the loader never reads it.
 */

#include "efi_loader.h"
#include "efi_why.h"
#include <tally/elf.h>

/* gABI 4, "Sections": sizeof(Elf64_Shdr). */
#define ELF64_SHDR_SIZE	64u

static int elf_fail(struct efi_why *w, const char *what)
{
	efi_why_str(w, "tally.elf: ");
	efi_why_str(w, what);
	return -EINVAL;
}

/* Is [off, off + len) inside a file of @size bytes, without wrapping? */
static bool elf_inside(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int elf_check_header(struct efi_why *w, const uint8_t *file, size_t size)
{
	const struct elf64_ehdr *eh = (const void *)file;
	uint64_t sh_count;

	if (size < sizeof(*eh))
		return elf_fail(w, "truncated: shorter than an ELF64 header");
	if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3)
		return elf_fail(w, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elf_fail(w, "not ELF64");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elf_fail(w, "not little-endian");
	if (eh->e_type != ET_EXEC)
		return elf_fail(w, "not an executable (e_type)");
	if (eh->e_machine != EM_X86_64)
		return elf_fail(w, "not for x86-64 (e_machine)");
	if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM ||
	    eh->e_phentsize < sizeof(struct elf64_phdr))
		return elf_fail(w, "bad program header count or size");
	if (!elf_inside(eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize, size))
		return elf_fail(w, "truncated: program headers outside the file");
	/* e_shnum 0 with a table: the count is in section header 0 (gABI 4). */
	sh_count = eh->e_shnum ? eh->e_shnum : 1;
	if (eh->e_shoff &&
	    (eh->e_shentsize < ELF64_SHDR_SIZE ||
	     !elf_inside(eh->e_shoff, sh_count * eh->e_shentsize, size)))
		return elf_fail(w, "truncated: section headers outside the file");
	return 0;
}

static bool elf_overlap(const struct efi_elf_segment *a, const struct efi_elf_segment *b)
{
	return a->paddr < b->paddr + b->mem_size && b->paddr < a->paddr + a->mem_size;
}

/* Check one PT_LOAD against the file and the ones before it. */
static int elf_check_segment(struct efi_why *w, const struct efi_elf_segment *s,
			     const struct efi_elf_segment *before, unsigned int n, size_t size)
{
	if (!elf_inside(s->file_offset, s->file_size, size))
		return elf_fail(w, "truncated: a PT_LOAD segment beyond the end of the file");
	if (s->file_size > s->mem_size)
		return elf_fail(w, "a PT_LOAD segment's file size exceeds its memory size");
	if (!elf_inside(s->paddr, s->mem_size, EFI_LOADER_ADDR_LIMIT)) {
		elf_fail(w, "a PT_LOAD segment at ");
		efi_why_hex(w, s->paddr);
		efi_why_str(w, " reaches above 4 GiB");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++)
		if (elf_overlap(s, &before[i]))
			return elf_fail(w, "two PT_LOAD segments overlap");
	return 0;
}

static int elf_collect(struct efi_why *w, const uint8_t *file, size_t size,
		       struct efi_elf_segment *segs, unsigned int max, unsigned int *count)
{
	const struct elf64_ehdr *eh = (const void *)file;
	unsigned int n = 0;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph =
			(const void *)(file + eh->e_phoff + (uint64_t)i * eh->e_phentsize);
		struct efi_elf_segment s = {
			ph->p_paddr, ph->p_offset, ph->p_filesz, ph->p_memsz,
		};

		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		int rc = elf_check_segment(w, &s, segs, n, size);
		if (rc)
			return rc;
		if (n == max) {
			elf_fail(w, "more PT_LOAD segments than the loader takes");
			return -ENOSPC;
		}
		segs[n++] = s;
	}
	if (!n)
		return elf_fail(w, "no PT_LOAD segment");
	*count = n;
	return 0;
}

/* Multiboot2 spec 3.1.1-3.1.2: magic, i386, a length within the search area, the checksum. */
static int elf_check_mb2(struct efi_why *w, const uint8_t *file, size_t size)
{
	size_t area = MIN(size, (size_t)MB2_HEADER_SEARCH);

	for (size_t off = 0; off + sizeof(struct mb2_header) <= area; off += MB2_HEADER_ALIGN) {
		const struct mb2_header *h = (const void *)(file + off);

		if (h->magic != MB2_HEADER_MAGIC)
			continue;
		if (h->header_length < sizeof(*h) || !elf_inside(off, h->header_length, area))
			return elf_fail(w, "multiboot2 header length out of range");
		if ((uint32_t)(h->magic + h->architecture + h->header_length + h->checksum))
			return elf_fail(w, "multiboot2 header checksum is wrong");
		if (h->architecture != MB2_ARCH_I386)
			return elf_fail(w, "multiboot2 header is not for i386 (architecture 0)");
		return 0;
	}
	return elf_fail(w, "no multiboot2 header in the first 32 KiB");
}

int efi_elf_check(const uint8_t *file, size_t size, struct efi_elf_segment *segs,
		  unsigned int max, unsigned int *count, uint64_t *entry,
		  char *why, size_t why_len)
{
	struct efi_why w;
	unsigned int n = 0;
	int rc;

	efi_why_start(&w, why, why_len);
	rc = elf_check_header(&w, file, size);
	if (!rc)
		rc = elf_collect(&w, file, size, segs, max, &n);
	if (!rc)
		rc = elf_check_mb2(&w, file, size);
	if (rc)
		return rc;
	uint64_t e = ((const struct elf64_ehdr *)(const void *)file)->e_entry;
	for (unsigned int i = 0; i < n; i++) {
		if (e >= segs[i].paddr && e - segs[i].paddr < segs[i].mem_size) {
			*count = n;
			*entry = e;
			return 0;
		}
	}
	elf_fail(&w, "entry point ");
	efi_why_hex(&w, e);
	efi_why_str(&w, " outside the PT_LOAD segments");
	return -EINVAL;
}
