/* SPDX-License-Identifier: MIT */
/* Unit tests for kernel/guest_loader.c: well-formed multiboot v1 kernels (refusals: test_guest_loader_refusals.c). */
#include "guest_loader_test.h"

/* ---------------------------------------------------------------- well-formed kernels */

static void test_elf_loads(void **state)
{
	(void)state;
	for (unsigned int elf64 = 0; elf64 < 2; elf64++) {
		memset(ram, RAM_PATTERN, RAM_SIZE);
		if (elf64)
			std_elf64();
		else
			std_elf32();
		assert_int_equal(load(IMG_SIZE), 0);
		assert_true(res.elf);
		expect_loaded(std_segs, ARRAY_SIZE(std_segs), ENTRY_PA);
	}
}

/* A virtual e_entry is translated through its segment, as GRUB does. */
static void test_elf64_higher_half_entry(void **state)
{
	struct tseg s[ARRAY_SIZE(std_segs)];

	(void)state;
	memcpy(s, std_segs, sizeof(s));
	s[0].vaddr += HIGHER_HALF;
	s[1].vaddr += HIGHER_HALF;
	std_body(OK_FLAGS);
	build_elf64(HIGHER_HALF + ENTRY_PA, s, ARRAY_SIZE(s));
	assert_int_equal(load(IMG_SIZE), 0);
	expect_loaded(s, ARRAY_SIZE(s), ENTRY_PA);
}

/* Non-PT_LOAD headers and empty PT_LOADs place nothing. */
static void test_elf_skips_other_phdrs(void **state)
{
	const struct tseg s[] = {
		{ PT_NULL, 0xFFFFFFFF, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0 },
		std_segs[0],
		{ PT_LOAD, 0x7FFFFFFF, 0, 0x7FFFFFFF, 0, 0 },
		std_segs[1],
		{ 0x6474e551 /* PT_GNU_STACK */, 0, 0, 0, 0, 0 },
	};

	(void)state;
	std_body(OK_FLAGS);
	build_elf32(ENTRY_PA, s, ARRAY_SIZE(s));
	assert_int_equal(load(IMG_SIZE), 0);
	expect_loaded(std_segs, ARRAY_SIZE(std_segs), ENTRY_PA);
}

static void test_kludge_loads(void **state)
{
	const struct tseg s = { PT_LOAD, 0, KL_PA, KL_PA, KL_SIZE, KL_SIZE + KL_BSS };

	(void)state;
	std_kludge();
	assert_int_equal(load(KL_SIZE), 0);
	assert_false(res.elf);
	expect_loaded(&s, 1, KL_ENTRY);
}

/*
 * load_end_addr short of the file end: the rest is not loaded.  And loading
 * may start inside the file: header_addr - load_addr < the header's offset.
 */
static void test_kludge_partial_and_offset(void **state)
{
	const struct tseg partial = { PT_LOAD, 0, KL_PA, KL_PA, 0x400, 0x400 };
	const struct tseg inside = { PT_LOAD, 0x20, KL_PA, KL_PA, KL_SIZE - 0x20, KL_SIZE - 0x20 };

	(void)state;
	std_kludge();
	put_kludge(KL_HDR, KL_PA + KL_HDR, KL_PA, KL_PA + 0x400, 0, KL_ENTRY);
	assert_int_equal(load(KL_SIZE), 0);
	expect_loaded(&partial, 1, KL_ENTRY);
	memset(ram, RAM_PATTERN, RAM_SIZE);
	put_kludge(KL_HDR, KL_PA + KL_HDR - 0x20, KL_PA, 0, 0, KL_ENTRY);
	assert_int_equal(load(KL_SIZE), 0);
	expect_loaded(&inside, 1, KL_ENTRY);
}

/* The address fields win over an ELF header, as in GRUB and QEMU. */
static void test_kludge_wins_over_elf(void **state)
{
	const struct tseg s = { PT_LOAD, 0, KL_PA, KL_PA, KL_SIZE, KL_SIZE + KL_BSS };

	(void)state;
	fill(0, KL_SIZE);
	build_elf32(0x12345678, std_segs, ARRAY_SIZE(std_segs));
	put_kludge(KL_HDR, KL_PA + KL_HDR, KL_PA, 0, KL_PA + KL_SIZE + KL_BSS, KL_ENTRY);
	assert_int_equal(load(KL_SIZE), 0);
	assert_false(res.elf);
	expect_loaded(&s, 1, KL_ENTRY);
}

/* A kernel in low memory whose info would reach the EBDA gets it at 1 MiB. */
static void test_low_kernel_info_at_1mib(void **state)
{
	const uint32_t pa = 0x10000, size = 0x9FB00 - pa;	/* ends 0x100 short of the EBDA */
	const struct tseg s = { PT_LOAD, 0, pa, pa, size, size };
	uint8_t *big = malloc(size);
	struct guest_load_req req = {
		.ram = ram, .mem_bytes = RAM_SIZE, .image = big, .image_size = size,
		.cmdline = CMDLINE, .name = "dom7",
	};

	(void)state;
	assert_non_null(big);
	put_kludge(0, pa, pa, 0, 0, pa + 0x20);
	memcpy(big, scratch, sizeof(struct multiboot_header));
	memset(big + sizeof(struct multiboot_header), 0x5A, size - sizeof(struct multiboot_header));
	assert_int_equal(guest_load_multiboot(&req, &res), 0);
	assert_int_equal(res.info_gpa, 0x100000);
	assert_memory_equal(ram + pa, big, size);
	check_info(CMDLINE);
	assert_untouched(&s, 1, true);
	free(big);
}

/*
 * What `nasm -f elf32` and `ld -m elf_i386 -Ttext=0x100000` make of a
 * kernel: the ELF headers in a read-only segment of their own at 0xff000,
 * in the legacy area, then text at 1 MiB, rodata and bss.  QEMU's -kernel
 * loads it, and so must Tally (which refused it: "segment in the reserved
 * area 0x9fc00-0x100000 (0xff000)"): a domain's RAM there is its own.
 */
#define LD_HDR_PA	0xFF000
#define LD_RODATA_PA	0x101000
#define LD_BSS_PA	0x102080
#define LD_BSS_SIZE	0x1000

static void test_ld_headers_in_legacy_area(void **state)
{
	(void)state;
	for (unsigned int elf64 = 0; elf64 < 2; elf64++) {
		const uint64_t hdrs = elf64 ? sizeof(struct elf64_ehdr) + 4 * sizeof(struct elf64_phdr)
					    : sizeof(struct elf32_ehdr) + 4 * sizeof(struct elf32_phdr);
		const struct tseg s[] = {
			{ PT_LOAD, 0, LD_HDR_PA, LD_HDR_PA, hdrs, hdrs },
			{ PT_LOAD, TEXT_OFF, TEXT_PA, TEXT_PA, TEXT_SIZE, TEXT_SIZE },
			{ PT_LOAD, DATA_OFF, LD_RODATA_PA, LD_RODATA_PA, DATA_FILESZ, DATA_FILESZ },
			{ PT_LOAD, 0x80, LD_BSS_PA, LD_BSS_PA, 0, LD_BSS_SIZE },
		};
		char note[64];

		memset(ram, RAM_PATTERN, RAM_SIZE);
		shim_log_reset();
		std_body(OK_FLAGS);
		if (elf64)
			build_elf64(ENTRY_PA, s, ARRAY_SIZE(s));
		else
			build_elf32(ENTRY_PA, s, ARRAY_SIZE(s));
		assert_int_equal(load(IMG_SIZE), 0);
		/* Its bytes at 0xff000, the information on the page after bss. */
		expect_loaded(s, ARRAY_SIZE(s), ENTRY_PA);
		assert_int_equal(res.image_start.raw, LD_HDR_PA);
		assert_int_equal(res.info_gpa, ALIGN_UP(LD_BSS_PA + LD_BSS_SIZE, PAGE_SIZE));
		/* Said once, at debug level, for the one segment there. */
		snprintf(note, sizeof(note), "dom7: segment 0xff000-0x%llx lies in the legacy area",
			 (unsigned long long)(LD_HDR_PA + hdrs));
		assert_int_equal(shim_log_count(LOG_DEBUG), 1);
		assert_true(shim_log_contains(note));
	}
}

/* A flat image of KL_SIZE file bytes at @pa with bss up to @memsz, and where its info goes. */
struct place_case {
	uint32_t pa, memsz;
	uint32_t info_gpa;
	unsigned int legacy;	/* 1 if it touches [0x9fc00, 1 MiB): one debug line */
};

/*
 * Wherever in RAM an image lies, it is loaded and the information goes on
 * the page after it, unless that would not lie wholly below the EBDA: then
 * at 1 MiB, in RAM the map calls usable and past the image.
 */
static const struct place_case place_cases[] = {
	{ 0x0, 0x1000, 0x1000, 0 },		/* at 0 */
	{ 0x10000, 0x1000, 0x11000, 0 },	/* wholly below 640 KiB, and its info */
	{ 0x9EC00, 0x1000, 0x100000, 0 },	/* ending at the EBDA: info would start there */
	{ 0x9F000, 0x1000, 0x100000, 1 },	/* straddling 0x9fc00 */
	{ 0x9FC00, 0x1000, 0x100000, 1 },	/* starting at the EBDA */
	{ 0xA0000, 0x1000, 0x100000, 1 },	/* where VGA memory is on a PC */
	{ 0xF0000, 0x10000, 0x100000, 1 },	/* the whole BIOS ROM area, ending at 1 MiB */
	{ 0xFF000, 0x1000, 0x100000, 1 },	/* ending exactly at 1 MiB */
	{ 0xFF800, 0x1000, 0x101000, 1 },	/* straddling 1 MiB */
	{ 0x100000, 0x1000, 0x101000, 0 },	/* starting at 1 MiB */
};

static void test_image_anywhere_below_1mib(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(place_cases); i++) {
		const struct place_case *c = &place_cases[i];
		const struct tseg s = { PT_LOAD, 0, c->pa, c->pa, KL_SIZE, c->memsz };

		memset(ram, RAM_PATTERN, RAM_SIZE);
		shim_log_reset();
		fill(0, KL_SIZE);
		put_kludge(KL_HDR, c->pa + KL_HDR, c->pa, 0, c->pa + c->memsz, c->pa + 0x100);
		if (load(KL_SIZE) != 0)
			fail_msg("image at 0x%x refused: %s", c->pa, guest_load_strerror(res.status));
		expect_loaded_info(&s, 1, c->pa + 0x100, c->info_gpa);
		assert_int_equal(shim_log_count(LOG_DEBUG), c->legacy);
	}
}

/* The information may end exactly at the EBDA; one byte longer, it goes to 1 MiB. */
static void test_info_up_to_the_ebda(void **state)
{
	const uint32_t pa = 0x9E000, info = 0x9F000;	/* 0xc00 bytes from the EBDA */
	const struct tseg s = { PT_LOAD, 0, pa, pa, KL_SIZE, info - pa };
	char line[0xC00];
	size_t fixed;

	(void)state;
	fill(0, KL_SIZE);
	put_kludge(KL_HDR, pa + KL_HDR, pa, 0, info, pa + 0x100);
	assert_int_equal(load_ram(ram, RAM_SIZE, KL_SIZE, ""), 0);
	fixed = res.info_size - 1;	/* everything but the command line and its NUL */
	assert_true(fixed < sizeof(line));
	memset(line, 'z', sizeof(line));
	line[0x9FC00 - info - fixed - 1] = '\0';
	memset(ram, RAM_PATTERN, RAM_SIZE);
	assert_int_equal(load_ram(ram, RAM_SIZE, KL_SIZE, line), 0);
	assert_int_equal(res.info_gpa, info);
	assert_int_equal(res.info_gpa + res.info_size, 0x9FC00);
	check_info(line);
	assert_untouched(&s, 1, true);
	line[strlen(line)] = 'z';
	line[0x9FC00 - info - fixed] = '\0';
	memset(ram, RAM_PATTERN, RAM_SIZE);
	assert_int_equal(load_ram(ram, RAM_SIZE, KL_SIZE, line), 0);
	assert_int_equal(res.info_gpa, 0x100000);
	check_info(line);
	assert_untouched(&s, 1, true);
}

static void test_null_and_empty_cmdline(void **state)
{
	(void)state;
	std_elf32();
	assert_int_equal(load_ram(ram, RAM_SIZE, IMG_SIZE, NULL), 0);
	check_info("");
	assert_int_equal(load_ram(ram, RAM_SIZE, IMG_SIZE, ""), 0);
	check_info("");
}

/* Optional flag bits (16-31) other than the address fields are ignored. */
static void test_optional_flags_ignored(void **state)
{
	(void)state;
	std_body(OK_FLAGS | (1u << 20) | (1u << 31));
	build_elf32(ENTRY_PA, std_segs, ARRAY_SIZE(std_segs));
	assert_int_equal(load(IMG_SIZE), 0);
	expect_loaded(std_segs, ARRAY_SIZE(std_segs), ENTRY_PA);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_elf_loads),
		T(test_elf64_higher_half_entry),
		T(test_elf_skips_other_phdrs),
		T(test_kludge_loads),
		T(test_kludge_partial_and_offset),
		T(test_kludge_wins_over_elf),
		T(test_low_kernel_info_at_1mib),
		T(test_ld_headers_in_legacy_area),
		T(test_image_anywhere_below_1mib),
		T(test_info_up_to_the_ebda),
		T(test_null_and_empty_cmdline),
		T(test_optional_flags_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
