/* SPDX-License-Identifier: MIT */
/* Unit tests for boot/efi/elf_image.c: on a made-up tally.elf and on the real one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/elf.h>

#include "../../boot/efi/efi_loader.h"

/*
 * The made-up image: headers, then segment 0's file bytes at 0x1000 (the
 * multiboot2 header first, as tally.elf's .boot section), segment 1's at
 * 0x2000, and the section header table last, as ld lays it out.
 */
#define IMG_SEG0_OFF	0x1000u
#define IMG_SEG1_OFF	0x2000u
#define IMG_SHDR_OFF	0x2800u
#define IMG_SHNUM	2u
#define IMG_SIZE	(IMG_SHDR_OFF + IMG_SHNUM * 64u)
#define IMG_SEG0_PA	0x200000u
#define IMG_SEG1_PA	0x400000u
#define IMG_ENTRY	0x200040u
#define IMG_PHNUM	3u		/* two PT_LOADs and a PT_NULL between them */
#define SEG_MAX		8u
#define PT_NOTE		4

static uint8_t img[IMG_SIZE];
static struct efi_elf_segment segs[SEG_MAX];
static unsigned int seg_count;
static uint64_t entry;
static char why[EFI_WHY_MAX];

static struct elf64_ehdr *ehdr(void) { return (struct elf64_ehdr *)img; }
static struct elf64_phdr *phdr(unsigned int i) { return (struct elf64_phdr *)(img + 64 + i * 56); }

static void put_mb2_header(size_t off, uint32_t arch, uint32_t len, uint32_t fix)
{
	struct mb2_header h = { MB2_HEADER_MAGIC, arch, len, 0 };

	h.checksum = -(h.magic + h.architecture + h.header_length) + fix;
	memcpy(img + off, &h, sizeof(h));
}

static int make_image(void **state)
{
	struct elf64_ehdr *e = ehdr();

	(void)state;
	memset(img, 0, sizeof(img));
	memcpy(e->e_ident, "\177ELF", 4);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = IMG_ENTRY;
	e->e_phoff = 64;
	e->e_shoff = IMG_SHDR_OFF;
	e->e_ehsize = 64;
	e->e_phentsize = 56;
	e->e_phnum = IMG_PHNUM;
	e->e_shentsize = 64;
	e->e_shnum = IMG_SHNUM;
	*phdr(0) = (struct elf64_phdr){ .p_type = PT_LOAD, .p_offset = IMG_SEG0_OFF,
		.p_vaddr = IMG_SEG0_PA, .p_paddr = IMG_SEG0_PA, .p_filesz = 0x1000, .p_memsz = 0x3000 };
	*phdr(1) = (struct elf64_phdr){ .p_type = PT_NOTE, .p_offset = 0, .p_filesz = 0x10 };
	*phdr(2) = (struct elf64_phdr){ .p_type = PT_LOAD, .p_offset = IMG_SEG1_OFF,
		.p_vaddr = IMG_SEG1_PA, .p_paddr = IMG_SEG1_PA, .p_filesz = 0x800, .p_memsz = 0x1000 };
	put_mb2_header(IMG_SEG0_OFF, MB2_ARCH_I386, 24, 0);
	return 0;
}

static int check_size(size_t size, unsigned int max)
{
	memset(why, 'x', sizeof(why) - 1);
	why[sizeof(why) - 1] = '\0';
	seg_count = 0xdead;
	entry = 0xdead;
	return efi_elf_check(img, size, segs, max, &seg_count, &entry, why, sizeof(why));
}

static int check(void)
{
	return check_size(sizeof(img), SEG_MAX);
}

static void expect_refusal(const char *message)
{
	assert_int_equal(check(), -EINVAL);
	assert_string_equal(why, message);
	assert_int_equal(seg_count, 0xdead);
}

static void test_good_image(void **state)
{
	(void)state;
	assert_int_equal(check(), 0);
	assert_string_equal(why, "");
	assert_int_equal(seg_count, 2);
	assert_int_equal(entry, IMG_ENTRY);
	assert_int_equal(segs[0].paddr, IMG_SEG0_PA);
	assert_int_equal(segs[0].file_offset, IMG_SEG0_OFF);
	assert_int_equal(segs[0].file_size, 0x1000);
	assert_int_equal(segs[0].mem_size, 0x3000);
	assert_int_equal(segs[1].paddr, IMG_SEG1_PA);
	assert_int_equal(segs[1].file_offset, IMG_SEG1_OFF);
	assert_int_equal(segs[1].file_size, 0x800);
	assert_int_equal(segs[1].mem_size, 0x1000);
}

static void test_every_prefix_refused(void **state)
{
	(void)state;
	for (size_t size = 0; size < sizeof(img); size++) {
		assert_int_equal(check_size(size, SEG_MAX), -EINVAL);
		assert_non_null(strstr(why, "tally.elf: truncated: "));
	}
	assert_int_equal(check_size(0, SEG_MAX), -EINVAL);
	assert_string_equal(why, "tally.elf: truncated: shorter than an ELF64 header");
}

static void test_identity_refusals(void **state)
{
	(void)state;
	img[EI_MAG3] = 'G';
	expect_refusal("tally.elf: not an ELF file (bad magic)");
	make_image(state);
	img[EI_CLASS] = ELFCLASS32;
	expect_refusal("tally.elf: not ELF64");
	make_image(state);
	img[EI_DATA] = 2;	/* ELFDATA2MSB */
	expect_refusal("tally.elf: not little-endian");
	make_image(state);
	ehdr()->e_type = 3;	/* ET_DYN */
	expect_refusal("tally.elf: not an executable (e_type)");
	make_image(state);
	ehdr()->e_machine = EM_386;
	expect_refusal("tally.elf: not for x86-64 (e_machine)");
}

static void test_header_table_refusals(void **state)
{
	(void)state;
	ehdr()->e_phnum = 0;
	expect_refusal("tally.elf: bad program header count or size");
	make_image(state);
	ehdr()->e_phnum = PN_XNUM;
	expect_refusal("tally.elf: bad program header count or size");
	make_image(state);
	ehdr()->e_phentsize = 32;
	expect_refusal("tally.elf: bad program header count or size");
	make_image(state);
	ehdr()->e_phoff = IMG_SIZE - 56 * IMG_PHNUM + 1;
	expect_refusal("tally.elf: truncated: program headers outside the file");
	ehdr()->e_phoff = UINT64_MAX - 8;
	expect_refusal("tally.elf: truncated: program headers outside the file");
	make_image(state);
	ehdr()->e_shoff = IMG_SHDR_OFF + 1;
	expect_refusal("tally.elf: truncated: section headers outside the file");
	ehdr()->e_shoff = UINT64_MAX - 63;
	ehdr()->e_shnum = 0;
	expect_refusal("tally.elf: truncated: section headers outside the file");
	ehdr()->e_shoff = 0;	/* no section header table: nothing to check */
	assert_int_equal(check(), 0);
}

static void test_segment_refusals(void **state)
{
	(void)state;
	phdr(2)->p_filesz = IMG_SIZE - IMG_SEG1_OFF + 1;
	phdr(2)->p_memsz = 0x10000;
	expect_refusal("tally.elf: truncated: a PT_LOAD segment beyond the end of the file");
	phdr(2)->p_offset = UINT64_MAX;
	phdr(2)->p_filesz = 2;
	expect_refusal("tally.elf: truncated: a PT_LOAD segment beyond the end of the file");
	make_image(state);
	phdr(2)->p_memsz = 0x7ff;
	expect_refusal("tally.elf: a PT_LOAD segment's file size exceeds its memory size");
	make_image(state);
	phdr(2)->p_paddr = 4 * GIB - 0x800;
	expect_refusal("tally.elf: a PT_LOAD segment at 0xfffff800 reaches above 4 GiB");
	phdr(2)->p_paddr = UINT64_MAX - 0x7ff;
	expect_refusal("tally.elf: a PT_LOAD segment at 0xfffffffffffff800 reaches above 4 GiB");
	phdr(2)->p_paddr = 4 * GIB - 0x1000;	/* ends at 4 GiB exactly */
	assert_int_equal(check(), 0);
	assert_int_equal(segs[1].paddr, 4 * GIB - 0x1000);
	phdr(2)->p_paddr = IMG_SEG0_PA + 0x2fff;
	expect_refusal("tally.elf: two PT_LOAD segments overlap");
	phdr(2)->p_paddr = IMG_SEG0_PA - 0xfff;
	expect_refusal("tally.elf: two PT_LOAD segments overlap");
	phdr(2)->p_paddr = IMG_SEG0_PA + 0x3000;	/* touching is fine */
	assert_int_equal(check(), 0);
	phdr(2)->p_paddr = IMG_SEG0_PA - 0x1000;
	assert_int_equal(check(), 0);
}

static void test_segment_count(void **state)
{
	(void)state;
	assert_int_equal(check_size(sizeof(img), 1), -ENOSPC);
	assert_string_equal(why, "tally.elf: more PT_LOAD segments than the loader takes");
	phdr(2)->p_memsz = 0;	/* an empty PT_LOAD loads nothing and is skipped */
	phdr(2)->p_filesz = 0;
	assert_int_equal(check_size(sizeof(img), 1), 0);
	assert_int_equal(seg_count, 1);
	phdr(0)->p_type = PT_NULL;
	expect_refusal("tally.elf: no PT_LOAD segment");
}

static void test_entry(void **state)
{
	(void)state;
	ehdr()->e_entry = IMG_SEG1_PA + 0xfff;	/* in segment 1's bss */
	assert_int_equal(check(), 0);
	assert_int_equal(entry, IMG_SEG1_PA + 0xfff);
	ehdr()->e_entry = IMG_SEG1_PA + 0x1000;
	expect_refusal("tally.elf: entry point 0x401000 outside the PT_LOAD segments");
	ehdr()->e_entry = 0x100000;
	expect_refusal("tally.elf: entry point 0x100000 outside the PT_LOAD segments");
}

static void test_mb2_header_refusals(void **state)
{
	(void)state;
	memset(img + IMG_SEG0_OFF, 0, 16);
	expect_refusal("tally.elf: no multiboot2 header in the first 32 KiB");
	put_mb2_header(IMG_SEG0_OFF + 4, MB2_ARCH_I386, 24, 0);	/* not 8-byte aligned */
	expect_refusal("tally.elf: no multiboot2 header in the first 32 KiB");
	make_image(state);
	put_mb2_header(IMG_SEG0_OFF, MB2_ARCH_I386, 24, 1);
	expect_refusal("tally.elf: multiboot2 header checksum is wrong");
	put_mb2_header(IMG_SEG0_OFF, 4, 24, 0);	/* MIPS, with a good checksum */
	expect_refusal("tally.elf: multiboot2 header is not for i386 (architecture 0)");
	put_mb2_header(IMG_SEG0_OFF, MB2_ARCH_I386, 8, 0);
	expect_refusal("tally.elf: multiboot2 header length out of range");
	put_mb2_header(IMG_SEG0_OFF, MB2_ARCH_I386, IMG_SIZE, 0);
	expect_refusal("tally.elf: multiboot2 header length out of range");
}

/* Multiboot2 spec 3.1: the whole header within the first 32 KiB. */
static void test_mb2_search_area(void **state)
{
	static uint8_t big[MB2_HEADER_SEARCH + 4096];
	struct elf64_ehdr *e = (struct elf64_ehdr *)big;
	struct mb2_header h = { MB2_HEADER_MAGIC, MB2_ARCH_I386, 16, 0 };

	(void)state;
	memcpy(big, img, IMG_SHDR_OFF);
	e->e_shoff = 0;
	h.checksum = -(h.magic + h.header_length);
	memset(big + IMG_SEG0_OFF, 0, 16);
	memcpy(big + MB2_HEADER_SEARCH - 16, &h, sizeof(h));
	assert_int_equal(efi_elf_check(big, sizeof(big), segs, SEG_MAX, &seg_count, &entry,
				       why, sizeof(why)), 0);
	h.header_length = 24;	/* 16 bytes in the area, 8 past it */
	h.checksum = -(h.magic + h.header_length);
	memcpy(big + MB2_HEADER_SEARCH - 16, &h, sizeof(h));
	assert_int_equal(efi_elf_check(big, sizeof(big), segs, SEG_MAX, &seg_count, &entry,
				       why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "tally.elf: multiboot2 header length out of range");
	memset(big + MB2_HEADER_SEARCH - 16, 0, 16);
	memcpy(big + MB2_HEADER_SEARCH - 8, &h, 8);	/* the fixed part straddles the end */
	assert_int_equal(efi_elf_check(big, sizeof(big), segs, SEG_MAX, &seg_count, &entry,
				       why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "tally.elf: no multiboot2 header in the first 32 KiB");
	memset(big + MB2_HEADER_SEARCH - 8, 0, 8);
	memcpy(big + MB2_HEADER_SEARCH, &h, sizeof(h));
	assert_int_equal(efi_elf_check(big, sizeof(big), segs, SEG_MAX, &seg_count, &entry,
				       why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "tally.elf: no multiboot2 header in the first 32 KiB");
}

/* ---------------------------------------------------------------- the real tally.elf */

static const char *test_program;

static uint8_t *read_tally_elf(size_t *size)
{
	char path[4096];
	const char *slash = strrchr(test_program, '/');
	FILE *f;
	uint8_t *buf;

	/* The test runs as BUILD/unit/test_efi_elf; the kernel is BUILD/tally.elf. */
	assert_non_null(slash);
	snprintf(path, sizeof(path), "%.*s/../tally.elf", (int)(slash - test_program), test_program);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (make builds it before the unit tests)", path);
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(*size);
	assert_int_equal(fread(buf, 1, *size, f), *size);
	fclose(f);
	return buf;
}

static void test_real_tally_elf(void **state)
{
	size_t size;
	uint8_t *file = read_tally_elf(&size);
	const struct elf64_ehdr *e = (const void *)file;

	(void)state;
	assert_int_equal(efi_elf_check(file, size, segs, SEG_MAX, &seg_count, &entry,
				       why, sizeof(why)), 0);
	assert_int_equal(entry, e->e_entry);
	assert_true(seg_count >= 1);
	assert_int_equal(segs[0].paddr, 2 * MIB);	/* linker.ld: the image at 2 MiB */
	assert_true(segs[0].file_size <= segs[0].mem_size);
	/* The section header table ends the file: any cut is refused. */
	for (size_t cut = 0; cut < size; cut++) {
		if (efi_elf_check(file, cut, segs, SEG_MAX, &seg_count, &entry, why, sizeof(why)) != -EINVAL)
			fail_msg("a prefix of %zu bytes of %zu was not refused", cut, size);
	}
	free(file);
}

/*
 * Without its section header table, the real file is accepted exactly
 * from the length where its last PT_LOAD's file bytes end.
 */
static void test_real_tally_elf_without_sections(void **state)
{
	size_t size, needed = 0;
	uint8_t *file = read_tally_elf(&size);
	struct elf64_ehdr *e = (void *)file;

	(void)state;
	e->e_shoff = 0;
	assert_int_equal(efi_elf_check(file, size, segs, SEG_MAX, &seg_count, &entry,
				       why, sizeof(why)), 0);
	for (unsigned int i = 0; i < seg_count; i++)
		needed = MAX(needed, segs[i].file_offset + segs[i].file_size);
	assert_true(needed > MB2_HEADER_SEARCH);
	for (size_t cut = 0; cut <= needed + PAGE_SIZE && cut <= size; cut++) {
		int rc = efi_elf_check(file, cut, segs, SEG_MAX, &seg_count, &entry, why, sizeof(why));

		if (rc != (cut < needed ? -EINVAL : 0))
			fail_msg("a prefix of %zu bytes (%zu needed): %d (%s)", cut, needed, rc, why);
	}
	free(file);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_image, make_image),
		cmocka_unit_test_setup(test_every_prefix_refused, make_image),
		cmocka_unit_test_setup(test_identity_refusals, make_image),
		cmocka_unit_test_setup(test_header_table_refusals, make_image),
		cmocka_unit_test_setup(test_segment_refusals, make_image),
		cmocka_unit_test_setup(test_segment_count, make_image),
		cmocka_unit_test_setup(test_entry, make_image),
		cmocka_unit_test_setup(test_mb2_header_refusals, make_image),
		cmocka_unit_test_setup(test_mb2_search_area, make_image),
		cmocka_unit_test(test_real_tally_elf),
		cmocka_unit_test(test_real_tally_elf_without_sections),
	};

	(void)argc;
	test_program = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
