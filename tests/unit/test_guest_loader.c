/* SPDX-License-Identifier: MIT */
/* Unit tests for kernel/guest_loader.c: well-formed and hostile multiboot v1 kernels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <tally/elf.h>
#include <tally/errno.h>
#include <tally/guest_loader.h>
#include <tally/multiboot.h>
#include <tally/string.h>

#include "shim.h"

#define RAM_SIZE	(4 * MIB)
#define RAM_PATTERN	0xA5	/* what RAM holds before a load */
#define SCRATCH_SIZE	(16 * KIB)
#define OK_FLAGS	(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)
#define CMDLINE		"/boot/guest.elf console=ttyS0 quiet"

/* The standard test kernel: text (with the multiboot header first), then data + bss. */
#define TEXT_OFF	0x1000
#define TEXT_SIZE	0x200
#define TEXT_PA		0x100000
#define ENTRY_PA	(TEXT_PA + 0x20)
#define DATA_OFF	(TEXT_OFF + TEXT_SIZE)
#define DATA_FILESZ	0x80
#define DATA_MEMSZ	0x3000
#define DATA_PA		0x102000
#define IMG_SIZE	(DATA_OFF + DATA_FILESZ)

/* The kludge kernel: a flat file loaded at KL_PA, header KL_HDR bytes in. */
#define KL_HDR		0x40
#define KL_PA		0x200000
#define KL_SIZE		0x900
#define KL_BSS		0x2000
#define KL_ENTRY	(KL_PA + 0x100)

#define HIGHER_HALF	0xffffffff80000000ull

struct tseg {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static uint8_t scratch[SCRATCH_SIZE] __attribute__((aligned(8)));	/* the image being built */
static uint8_t *ram;
static struct guest_load_result res;

static const struct tseg std_segs[] = {
	{ PT_LOAD, TEXT_OFF, TEXT_PA, TEXT_PA, TEXT_SIZE, TEXT_SIZE },
	{ PT_LOAD, DATA_OFF, DATA_PA, DATA_PA, DATA_FILESZ, DATA_MEMSZ },
};

static int setup(void **state)
{
	(void)state;
	shim_log_reset();
	memset(scratch, 0, sizeof(scratch));
	memset(&res, 0xEE, sizeof(res));
	ram = malloc(RAM_SIZE);
	assert_non_null(ram);
	memset(ram, RAM_PATTERN, RAM_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

/* ---------------------------------------------------------------- image builders */

static struct elf32_ehdr *eh32(void) { return (struct elf32_ehdr *)scratch; }
static struct elf64_ehdr *eh64(void) { return (struct elf64_ehdr *)scratch; }
static struct elf32_phdr *ph32(unsigned int i)
{
	return (struct elf32_phdr *)(scratch + sizeof(struct elf32_ehdr)) + i;
}
static struct elf64_phdr *ph64(unsigned int i)
{
	return (struct elf64_phdr *)(scratch + sizeof(struct elf64_ehdr)) + i;
}

/* Recognisable, position-dependent file bytes. */
static void fill(size_t off, size_t len)
{
	for (size_t i = off; i < off + len; i++)
		scratch[i] = (uint8_t)(i * 13 + 1);
}

static void put_mb(size_t off, uint32_t flags)
{
	struct multiboot_header h = {
		.magic = MULTIBOOT_HEADER_MAGIC, .flags = flags,
		.checksum = -(MULTIBOOT_HEADER_MAGIC + flags),
	};

	memcpy(scratch + off, &h, offsetof(struct multiboot_header, header_addr));
}

static void put_kludge(size_t off, uint32_t header_addr, uint32_t load_addr,
		       uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	uint32_t flags = OK_FLAGS | MULTIBOOT_AOUT_KLUDGE;
	struct multiboot_header h = {
		MULTIBOOT_HEADER_MAGIC, flags, -(MULTIBOOT_HEADER_MAGIC + flags),
		header_addr, load_addr, load_end, bss_end, entry,
	};

	memcpy(scratch + off, &h, sizeof(h));
}

static void elf_ident(int class)
{
	static const uint8_t magic[] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };

	memcpy(scratch, magic, sizeof(magic));
	scratch[EI_CLASS] = (uint8_t)class;
	scratch[EI_DATA] = ELFDATA2LSB;
	scratch[EI_VERSION] = EV_CURRENT;
}

static void build_elf32(uint64_t entry, const struct tseg *s, unsigned int n)
{
	struct elf32_ehdr *h = eh32();

	elf_ident(ELFCLASS32);
	h->e_type = ET_EXEC;
	h->e_machine = EM_386;
	h->e_version = EV_CURRENT;
	h->e_entry = (uint32_t)entry;
	h->e_phoff = sizeof(*h);
	h->e_ehsize = sizeof(*h);
	h->e_phentsize = sizeof(struct elf32_phdr);
	h->e_phnum = (uint16_t)n;
	for (unsigned int i = 0; i < n; i++)
		*ph32(i) = (struct elf32_phdr){
			s[i].type, (uint32_t)s[i].offset, (uint32_t)s[i].vaddr,
			(uint32_t)s[i].paddr, (uint32_t)s[i].filesz, (uint32_t)s[i].memsz, 0, 0,
		};
}

static void build_elf64(uint64_t entry, const struct tseg *s, unsigned int n)
{
	struct elf64_ehdr *h = eh64();

	elf_ident(ELFCLASS64);
	h->e_type = ET_EXEC;
	h->e_machine = EM_X86_64;
	h->e_version = EV_CURRENT;
	h->e_entry = entry;
	h->e_phoff = sizeof(*h);
	h->e_ehsize = sizeof(*h);
	h->e_phentsize = sizeof(struct elf64_phdr);
	h->e_phnum = (uint16_t)n;
	for (unsigned int i = 0; i < n; i++)
		*ph64(i) = (struct elf64_phdr){
			s[i].type, 0, s[i].offset, s[i].vaddr, s[i].paddr,
			s[i].filesz, s[i].memsz, 0,
		};
}

/* The standard kernel's bytes with a multiboot header of @flags at the start of text. */
static void std_body(uint32_t flags)
{
	fill(TEXT_OFF, IMG_SIZE - TEXT_OFF);
	put_mb(TEXT_OFF, flags);
}

static void std_elf32(void)
{
	std_body(OK_FLAGS);
	build_elf32(ENTRY_PA, std_segs, ARRAY_SIZE(std_segs));
}

static void std_elf64(void)
{
	std_body(OK_FLAGS);
	build_elf64(ENTRY_PA, std_segs, ARRAY_SIZE(std_segs));
}

static void std_kludge(void)
{
	fill(0, KL_SIZE);
	put_kludge(KL_HDR, KL_PA + KL_HDR, KL_PA, 0, KL_PA + KL_SIZE + KL_BSS, KL_ENTRY);
}

/* ---------------------------------------------------------------- running and checking */

/* Load a heap copy of exactly @size bytes of scratch, so ASan sees any read past it. */
static int load_ram(uint8_t *mem, uint64_t mem_bytes, size_t size, const char *cmdline)
{
	uint8_t *img = malloc(size);
	struct guest_load_req req = {
		.ram = mem, .mem_bytes = mem_bytes, .image = img, .image_size = size,
		.cmdline = cmdline, .name = "dom7",
	};
	int ret;

	assert_true(size <= sizeof(scratch));
	assert_non_null(img);
	memcpy(img, scratch, size);
	ret = guest_load_multiboot(&req, &res);
	assert_memory_equal(img, scratch, size);	/* the image is only read */
	free(img);
	return ret;
}

static int load(size_t size)
{
	return load_ram(ram, RAM_SIZE, size, CMDLINE);
}

/* Every RAM byte outside @keep (and the info area) still holds the pattern. */
static void assert_untouched(const struct tseg *keep, unsigned int n, bool with_info)
{
	for (uint64_t a = 0; a < RAM_SIZE; a++) {
		bool kept = with_info && a >= res.info_gpa && a < res.info_gpa + res.info_size;

		for (unsigned int i = 0; i < n && !kept; i++)
			kept = a >= keep[i].paddr && a < keep[i].paddr + keep[i].memsz;
		if (!kept && ram[a] != RAM_PATTERN)
			fail_msg("RAM byte 0x%llx written", (unsigned long long)a);
	}
}

/* The load failed with @err for @status, said so in one line, and wrote nothing. */
static void expect_fail(int ret, int err, enum guest_load_status status)
{
	assert_int_equal(ret, err);
	assert_int_equal(res.status, status);
	/* No registers to start a vCPU with. */
	assert_int_equal(res.regs.eip | res.regs.eax | res.regs.ebx, 0);
	assert_int_equal(shim_log_count(LOG_ERR), 1);
	assert_true(shim_log_contains("dom7: "));
	assert_true(shim_log_contains(guest_load_strerror(status)));
	assert_untouched(NULL, 0, false);
}

static const struct mb1_mmap_entry want_map[] = {
	{ 20, 0x0, 0x9FC00, MEM_USABLE },
	{ 20, 0x9FC00, 0x400, MEM_RESERVED },
	{ 20, 0xF0000, 0x10000, MEM_RESERVED },
	{ 20, 0x100000, RAM_SIZE - 0x100000, MEM_USABLE },
};

/* The boot information is where the result says and holds what the spec asks. */
static void check_info(const char *cmdline)
{
	uint32_t end = res.info_gpa + res.info_size;
	struct mb1_mmap_entry map[ARRAY_SIZE(want_map)];
	struct mb1_info info;

	assert_true(IS_ALIGNED(res.info_gpa, PAGE_SIZE));
	assert_true(end <= RAM_SIZE);
	/* The registers the vCPU starts with: multiboot's, from the loader alone. */
	assert_int_equal(res.regs.eip, res.entry);
	assert_int_equal(res.regs.eax, MB1_BOOTLOADER_MAGIC);
	assert_int_equal(res.regs.ebx, res.info_gpa);
	memcpy(&info, ram + res.info_gpa, sizeof(info));
	assert_int_equal(info.flags, MB1_INFO_MEMORY | MB1_INFO_CMDLINE |
			 MB1_INFO_MEM_MAP | MB1_INFO_LOADER_NAME);
	assert_int_equal(info.mem_lower, 639);
	assert_int_equal(info.mem_upper, (RAM_SIZE - MIB) / KIB);
	assert_int_equal(info.mods_count, 0);
	assert_int_equal(info.boot_device, 0);
	assert_int_equal(info.mmap_length, sizeof(want_map));
	assert_true(info.mmap_addr >= res.info_gpa + sizeof(info));
	assert_true(info.mmap_addr + sizeof(want_map) <= end);
	memcpy(map, ram + info.mmap_addr, sizeof(map));
	for (unsigned int i = 0; i < ARRAY_SIZE(want_map); i++) {
		assert_int_equal(map[i].size, want_map[i].size);
		assert_int_equal(map[i].addr, want_map[i].addr);
		assert_int_equal(map[i].len, want_map[i].len);
		assert_int_equal(map[i].type, want_map[i].type);
	}
	assert_true(info.boot_loader_name + sizeof("Tally") <= end);
	assert_string_equal((char *)ram + info.boot_loader_name, "Tally");
	assert_true(info.cmdline + strlen(cmdline) + 1 == end);
	assert_string_equal((char *)ram + info.cmdline, cmdline);
}

/* The information and segment @s share no byte. */
static void assert_info_clear_of(const struct tseg *s)
{
	uint64_t end = (uint64_t)res.info_gpa + res.info_size;

	if (res.info_gpa < s->paddr + s->memsz && s->paddr < end)
		fail_msg("info 0x%x-0x%llx overlaps the segment at 0x%llx", res.info_gpa,
			 (unsigned long long)end, (unsigned long long)s->paddr);
}

/*
 * Segments hold their file bytes then zeroes, the information is at
 * @info_gpa, clear of them, and right; nothing else changed.
 */
static void expect_loaded_info(const struct tseg *s, unsigned int n, uint32_t entry,
			       uint32_t info_gpa)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	assert_int_equal(res.status, GUEST_LOAD_OK);
	assert_int_equal(shim_log_count(LOG_ERR), 0);
	assert_int_equal(res.entry, entry);
	for (unsigned int i = 0; i < n; i++) {
		assert_memory_equal(ram + s[i].paddr, scratch + s[i].offset, s[i].filesz);
		for (uint64_t a = s[i].paddr + s[i].filesz; a < s[i].paddr + s[i].memsz; a++)
			if (ram[a])
				fail_msg("bss byte 0x%llx not zeroed", (unsigned long long)a);
		assert_info_clear_of(&s[i]);
		lo = MIN(lo, s[i].paddr);
		hi = MAX(hi, s[i].paddr + s[i].memsz);
	}
	assert_int_equal(res.image_start.raw, lo);
	assert_int_equal(res.image_end.raw, hi);
	assert_int_equal(res.info_gpa, info_gpa);
	check_info(CMDLINE);
	assert_untouched(s, n, true);
}

/* As expect_loaded_info(), with the information on the first page after the image. */
static void expect_loaded(const struct tseg *s, unsigned int n, uint32_t entry)
{
	uint64_t hi = 0;

	for (unsigned int i = 0; i < n; i++)
		hi = MAX(hi, s[i].paddr + s[i].memsz);
	expect_loaded_info(s, n, entry, (uint32_t)ALIGN_UP(hi, PAGE_SIZE));
}

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

/* ---------------------------------------------------------------- the multiboot header */

static void test_empty_image(void **state)
{
	(void)state;
	expect_fail(load(0), -ENOENT, GUEST_LOAD_EMPTY);
}

/* No header, a wrong checksum, or a header but neither ELF nor address fields. */
static void test_not_multiboot(void **state)
{
	(void)state;
	std_elf32();
	scratch[TEXT_OFF + 8] ^= 1;
	expect_fail(load(IMG_SIZE), -ENOENT, GUEST_LOAD_BAD_CHECKSUM);
	shim_log_reset();
	memset(scratch + TEXT_OFF, 0, 12);
	expect_fail(load(IMG_SIZE), -ENOENT, GUEST_LOAD_NO_HEADER);
	shim_log_reset();
	std_elf32();
	scratch[EI_MAG1] = 'X';
	expect_fail(load(IMG_SIZE), -ENOSYS, GUEST_LOAD_NOT_ELF);
}

/* The header must lie wholly within the first 8192 bytes, 4-byte aligned. */
static void test_header_search_area(void **state)
{
	const size_t size = MULTIBOOT_SEARCH + 0x100;

	(void)state;
	put_mb(MULTIBOOT_SEARCH, OK_FLAGS);
	expect_fail(load(size), -ENOENT, GUEST_LOAD_NO_HEADER);
	shim_log_reset();
	memset(scratch, 0, size);
	put_mb(MULTIBOOT_SEARCH - 8, OK_FLAGS);	/* straddles the end */
	expect_fail(load(size), -ENOENT, GUEST_LOAD_NO_HEADER);
	shim_log_reset();
	memset(scratch, 0, size);
	put_mb(0x102, OK_FLAGS);			/* misaligned */
	expect_fail(load(size), -ENOENT, GUEST_LOAD_NO_HEADER);
	/* Last place it fits: found, and the image is then not ELF. */
	shim_log_reset();
	memset(scratch, 0, size);
	put_mb(MULTIBOOT_SEARCH - 12, OK_FLAGS);
	expect_fail(load(size), -ENOSYS, GUEST_LOAD_NOT_ELF);
	/* Cut off by the end of the file. */
	shim_log_reset();
	put_mb(0x20, OK_FLAGS);
	expect_fail(load(0x28), -ENOENT, GUEST_LOAD_NO_HEADER);
}

/* A stray magic with a wrong checksum before the real header is skipped. */
static void test_stray_magic_skipped(void **state)
{
	(void)state;
	std_elf32();
	put_mb(0x800, OK_FLAGS);
	scratch[0x800 + 8] ^= 0x80;
	assert_int_equal(load(IMG_SIZE), 0);
	expect_loaded(std_segs, ARRAY_SIZE(std_segs), ENTRY_PA);
}

/* Bits 0-15 the loader cannot meet: a video mode, or anything unknown. */
static void test_required_flags_refused(void **state)
{
	(void)state;
	std_body(OK_FLAGS | MULTIBOOT_VIDEO_MODE);
	build_elf32(ENTRY_PA, std_segs, ARRAY_SIZE(std_segs));
	expect_fail(load(IMG_SIZE), -ENOSYS, GUEST_LOAD_VIDEO_MODE);
	shim_log_reset();
	std_body(OK_FLAGS | (1u << 5));
	expect_fail(load(IMG_SIZE), -ENOSYS, GUEST_LOAD_UNKNOWN_FLAGS);
	shim_log_reset();
	std_body(1u << 15);
	expect_fail(load(IMG_SIZE), -ENOSYS, GUEST_LOAD_UNKNOWN_FLAGS);
}

/* ---------------------------------------------------------------- address fields */

static void test_kludge_header_truncated(void **state)
{
	(void)state;
	put_mb(0x10, OK_FLAGS | MULTIBOOT_AOUT_KLUDGE);
	expect_fail(load(0x10 + 20), -EINVAL, GUEST_LOAD_HEADER_TRUNCATED);
	/* All 32 bytes of it must also lie in the first 8192. */
	shim_log_reset();
	memset(scratch, 0, 0x40);
	put_mb(MULTIBOOT_SEARCH - 16, OK_FLAGS | MULTIBOOT_AOUT_KLUDGE);
	expect_fail(load(MULTIBOOT_SEARCH + 64), -EINVAL, GUEST_LOAD_HEADER_TRUNCATED);
}

struct kludge_case {
	uint32_t header_addr, load_addr, load_end, bss_end, entry;
	int err;
	enum guest_load_status status;
};

static void test_kludge_bad_fields(void **state)
{
	const uint32_t h = KL_PA + KL_HDR;
	const struct kludge_case cases[] = {
		/* load_addr above header_addr */
		{ h, h + 4, 0, 0, KL_ENTRY, -EINVAL, GUEST_LOAD_KLUDGE_ADDRS },
		/* loading would start before the file */
		{ h, KL_PA - 4, 0, 0, KL_ENTRY, -EINVAL, GUEST_LOAD_KLUDGE_OFFSET },
		{ h, 0, 0, 0, KL_ENTRY, -EINVAL, GUEST_LOAD_KLUDGE_OFFSET },
		/* load_end_addr past the end of the file, or not after load_addr */
		{ h, KL_PA, KL_PA + KL_SIZE + 1, 0, KL_ENTRY, -EINVAL, GUEST_LOAD_KLUDGE_OFFSET },
		{ h, KL_PA, 0xFFFFFFFF, 0, KL_ENTRY, -EINVAL, GUEST_LOAD_KLUDGE_OFFSET },
		{ h, KL_PA, KL_PA, 0, KL_ENTRY, -EINVAL, GUEST_LOAD_KLUDGE_ADDRS },
		{ h, KL_PA, KL_PA - 1, 0, KL_ENTRY, -EINVAL, GUEST_LOAD_KLUDGE_ADDRS },
		/* bss_end_addr before the end of the loaded part */
		{ h, KL_PA, 0, KL_PA + KL_SIZE - 1, KL_ENTRY, -EINVAL, GUEST_LOAD_KLUDGE_ADDRS },
		{ h, KL_PA, KL_PA + 0x400, KL_PA + 0x3FF, KL_ENTRY, -EINVAL, GUEST_LOAD_KLUDGE_ADDRS },
		/* entry outside the loaded bytes (in bss, before, after) */
		{ h, KL_PA, 0, KL_PA + 0x10000, KL_PA + KL_SIZE, -EINVAL, GUEST_LOAD_ENTRY_OUTSIDE },
		{ h, KL_PA, 0, 0, KL_PA - 1, -EINVAL, GUEST_LOAD_ENTRY_OUTSIDE },
		{ h, KL_PA, 0, 0, 0xFFFFFFFF, -EINVAL, GUEST_LOAD_ENTRY_OUTSIDE },
		/* outside RAM */
		{ h, KL_PA, 0, 0xFFFFFFFF, KL_ENTRY, -ERANGE, GUEST_LOAD_SEG_OUTSIDE_RAM },
		{ 0xFFFFFFF0, 0xFFFFFFF0 - KL_HDR, 0, 0, 0xFFFFFFF0, -ERANGE,
		  GUEST_LOAD_SEG_OUTSIDE_RAM },
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct kludge_case *c = &cases[i];

		shim_log_reset();
		std_kludge();
		put_kludge(KL_HDR, c->header_addr, c->load_addr, c->load_end, c->bss_end,
			   c->entry);
		expect_fail(load(KL_SIZE), c->err, c->status);
	}
}

/* ---------------------------------------------------------------- ELF headers */

static void test_elf_truncated_header(void **state)
{
	(void)state;
	elf_ident(ELFCLASS32);
	put_mb(16, OK_FLAGS);
	expect_fail(load(sizeof(struct elf32_ehdr) - 1), -EINVAL, GUEST_LOAD_ELF_TRUNCATED);
	shim_log_reset();
	elf_ident(ELFCLASS64);
	expect_fail(load(sizeof(struct elf64_ehdr) - 4), -EINVAL, GUEST_LOAD_ELF_TRUNCATED);
}

static void test_elf_unsupported(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 7; i++) {
		shim_log_reset();
		memset(scratch, 0, sizeof(scratch));
		std_elf64();
		switch (i) {
		case 0: scratch[EI_CLASS] = 3; break;
		case 1: scratch[EI_DATA] = 2; break;		/* big-endian */
		case 2: scratch[EI_VERSION] = 0; break;
		case 3: eh64()->e_version = 2; break;
		case 4: eh64()->e_type = 3; break;		/* ET_DYN */
		case 5: eh64()->e_machine = EM_386; break;	/* ELF64 must be x86-64 */
		case 6: std_elf32(); eh32()->e_machine = EM_X86_64; break;
		}
		expect_fail(load(IMG_SIZE), -ENOSYS, GUEST_LOAD_ELF_UNSUPPORTED);
	}
}

static void test_elf_bad_header_sizes(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 5; i++) {
		shim_log_reset();
		std_elf32();
		switch (i) {
		case 0: eh32()->e_ehsize = sizeof(struct elf32_ehdr) + 4; break;
		case 1: eh32()->e_phentsize = sizeof(struct elf32_phdr) - 4; break;
		case 2: eh32()->e_phentsize = sizeof(struct elf64_phdr); break;
		case 3: eh32()->e_phnum = 0; break;
		case 4: eh32()->e_phnum = PN_XNUM; break;
		}
		expect_fail(load(IMG_SIZE), -EINVAL, GUEST_LOAD_ELF_BAD_HEADER);
	}
}

static void test_phdrs_outside_file(void **state)
{
	(void)state;
	std_elf32();
	eh32()->e_phoff = IMG_SIZE - sizeof(struct elf32_phdr) + 1;
	expect_fail(load(IMG_SIZE), -EINVAL, GUEST_LOAD_PHDRS_OUTSIDE_FILE);
	shim_log_reset();
	std_elf64();
	eh64()->e_phoff = UINT64_MAX - 8;	/* wraps 2^64 */
	expect_fail(load(IMG_SIZE), -EINVAL, GUEST_LOAD_PHDRS_OUTSIDE_FILE);
	shim_log_reset();
	std_elf32();
	eh32()->e_phnum = 200;			/* table runs past the file */
	expect_fail(load(IMG_SIZE), -EINVAL, GUEST_LOAD_PHDRS_OUTSIDE_FILE);
}

static void test_too_many_phdrs(void **state)
{
	struct tseg s[GUEST_LOAD_MAX_SEGMENTS + 1];

	(void)state;
	std_elf32();
	eh32()->e_phnum = GUEST_LOAD_MAX_PHDRS + 1;
	expect_fail(load(IMG_SIZE), -E2BIG, GUEST_LOAD_TOO_MANY_PHDRS);
	/* More non-empty PT_LOADs than the loader keeps. */
	shim_log_reset();
	for (unsigned int i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = (struct tseg){ PT_LOAD, TEXT_OFF, TEXT_PA + i * PAGE_SIZE,
				      TEXT_PA + i * PAGE_SIZE, 0x10, 0x10 };
	build_elf32(ENTRY_PA, s, ARRAY_SIZE(s));
	expect_fail(load(IMG_SIZE), -E2BIG, GUEST_LOAD_TOO_MANY_PHDRS);
}

static void test_no_loadable_segments(void **state)
{
	const struct tseg s[] = {
		{ PT_LOAD, TEXT_OFF, TEXT_PA, TEXT_PA, 0, 0 },
		{ PT_NULL, TEXT_OFF, TEXT_PA, TEXT_PA, 0x10, 0x10 },
	};

	(void)state;
	std_body(OK_FLAGS);
	build_elf32(ENTRY_PA, s, ARRAY_SIZE(s));
	expect_fail(load(IMG_SIZE), -EINVAL, GUEST_LOAD_NO_SEGMENTS);
}

/* ---------------------------------------------------------------- ELF segments */

struct seg_case {
	struct tseg seg;	/* replaces the data segment */
	uint64_t entry;
	int err;
	enum guest_load_status status;
};

static const struct seg_case seg_cases[] = {
	{ { PT_LOAD, DATA_OFF, DATA_PA, DATA_PA, 0x100, 0x80 }, ENTRY_PA,
	  -EINVAL, GUEST_LOAD_SEG_FILESZ },
	{ { PT_LOAD, DATA_OFF, DATA_PA, DATA_PA, DATA_FILESZ + 1, DATA_MEMSZ }, ENTRY_PA,
	  -EINVAL, GUEST_LOAD_SEG_OUTSIDE_FILE },
	{ { PT_LOAD, UINT64_MAX - 0x10, DATA_PA, DATA_PA, 0x20, 0x20 }, ENTRY_PA,
	  -EINVAL, GUEST_LOAD_SEG_OUTSIDE_FILE },
	{ { PT_LOAD, IMG_SIZE, DATA_PA, DATA_PA, 1, 0x20 }, ENTRY_PA,
	  -EINVAL, GUEST_LOAD_SEG_OUTSIDE_FILE },
	{ { PT_LOAD, DATA_OFF, DATA_PA, RAM_SIZE - 0x40, DATA_FILESZ, DATA_FILESZ }, ENTRY_PA,
	  -ERANGE, GUEST_LOAD_SEG_OUTSIDE_RAM },
	{ { PT_LOAD, DATA_OFF, DATA_PA, RAM_SIZE, 0, 1 }, ENTRY_PA,
	  -ERANGE, GUEST_LOAD_SEG_OUTSIDE_RAM },
	{ { PT_LOAD, DATA_OFF, DATA_PA, DATA_PA, DATA_FILESZ, 1ull << 40 }, ENTRY_PA,
	  -ERANGE, GUEST_LOAD_SEG_OUTSIDE_RAM },		/* huge p_memsz */
	{ { PT_LOAD, DATA_OFF, 0, UINT64_MAX - 0xFFF, DATA_FILESZ, 0x2000 }, ENTRY_PA,
	  -EOVERFLOW, GUEST_LOAD_SEG_WRAP },
	{ { PT_LOAD, DATA_OFF, 0, DATA_PA, DATA_FILESZ, UINT64_MAX }, ENTRY_PA,
	  -EOVERFLOW, GUEST_LOAD_SEG_WRAP },
	{ { PT_LOAD, DATA_OFF, DATA_PA, TEXT_PA + 0x100, DATA_FILESZ, DATA_MEMSZ }, ENTRY_PA,
	  -EINVAL, GUEST_LOAD_SEG_OVERLAP },
	{ { PT_LOAD, DATA_OFF, DATA_PA, TEXT_PA + TEXT_SIZE - 1, DATA_FILESZ, DATA_FILESZ }, ENTRY_PA,
	  -EINVAL, GUEST_LOAD_SEG_OVERLAP },
	/* in the legacy area, but reaching into text at 1 MiB */
	{ { PT_LOAD, DATA_OFF, DATA_PA, 0xFFFFF, DATA_FILESZ, DATA_FILESZ }, ENTRY_PA,
	  -EINVAL, GUEST_LOAD_SEG_OVERLAP },
	/* entry in bss, past everything, just before text */
	{ std_segs[1], DATA_PA + DATA_FILESZ, -EINVAL, GUEST_LOAD_ENTRY_OUTSIDE },
	{ std_segs[1], 0x300000, -EINVAL, GUEST_LOAD_ENTRY_OUTSIDE },
	{ std_segs[1], TEXT_PA - 1, -EINVAL, GUEST_LOAD_ENTRY_OUTSIDE },
	{ std_segs[1], 1ull << 32 | ENTRY_PA, -EINVAL, GUEST_LOAD_ENTRY_OUTSIDE },
};

static void run_seg_cases(bool elf64)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(seg_cases); i++) {
		const struct seg_case *c = &seg_cases[i];
		const struct tseg s[] = { std_segs[0], c->seg };

		/* ELF32 fields cannot hold the 64-bit cases. */
		if (!elf64 && (c->seg.offset > UINT32_MAX || c->seg.paddr > UINT32_MAX ||
			       c->seg.memsz > UINT32_MAX || c->entry > UINT32_MAX))
			continue;
		shim_log_reset();
		std_body(OK_FLAGS);
		if (elf64)
			build_elf64(c->entry, s, ARRAY_SIZE(s));
		else
			build_elf32(c->entry, s, ARRAY_SIZE(s));
		expect_fail(load(IMG_SIZE), c->err, c->status);
	}
}

static void test_elf32_bad_segments(void **state)
{
	(void)state;
	run_seg_cases(false);
}

static void test_elf64_bad_segments(void **state)
{
	(void)state;
	run_seg_cases(true);
}

/* A physical entry at 4 GiB or above is out of reach: needs RAM beyond 4 GiB. */
static void test_elf64_entry_above_4g(void **state)
{
	const uint64_t mem = 4 * GIB + 2 * MIB;
	const struct tseg s[] = {
		std_segs[0],
		{ PT_LOAD, DATA_OFF, 4 * GIB, 4 * GIB, DATA_FILESZ, DATA_FILESZ },
	};
	uint8_t *big = mmap(NULL, mem, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	(void)state;
	if (big == MAP_FAILED)
		skip();
	std_body(OK_FLAGS);
	build_elf64(4 * GIB + 0x10, s, ARRAY_SIZE(s));
	assert_int_equal(load_ram(big, mem, IMG_SIZE, CMDLINE), -ERANGE);
	assert_int_equal(res.status, GUEST_LOAD_ENTRY_ABOVE_4G);
	for (uint64_t a = 0; a < DATA_FILESZ; a++)
		assert_int_equal(big[4 * GIB + a], 0);
	for (uint64_t a = 0; a < TEXT_SIZE; a++)
		assert_int_equal(big[TEXT_PA + a], 0);
	/* Loaded high with the entry low: the information would be above 4 GiB. */
	shim_log_reset();
	build_elf64(ENTRY_PA, s, ARRAY_SIZE(s));
	assert_int_equal(load_ram(big, mem, IMG_SIZE, CMDLINE), -ENOSPC);
	assert_int_equal(res.status, GUEST_LOAD_NO_ROOM_FOR_INFO);
	munmap(big, mem);
}

/* ---------------------------------------------------------------- info area and arguments */

static void test_info_does_not_fit(void **state)
{
	char *line = malloc(PAGE_SIZE);

	(void)state;
	assert_non_null(line);
	/* bss up to the last byte of RAM */
	std_kludge();
	put_kludge(KL_HDR, KL_PA + KL_HDR, KL_PA, 0, RAM_SIZE, KL_ENTRY);
	expect_fail(load(KL_SIZE), -ENOSPC, GUEST_LOAD_NO_ROOM_FOR_INFO);
	/* one page left, but not for this command line */
	shim_log_reset();
	put_kludge(KL_HDR, KL_PA + KL_HDR, KL_PA, 0, RAM_SIZE - PAGE_SIZE, KL_ENTRY);
	memset(line, 'x', PAGE_SIZE - 1);
	line[PAGE_SIZE - 1] = '\0';
	assert_int_equal(load_ram(ram, RAM_SIZE, KL_SIZE, line), -ENOSPC);
	assert_int_equal(res.status, GUEST_LOAD_NO_ROOM_FOR_INFO);
	assert_untouched(NULL, 0, false);
	/* a short one fits, right up against the end of RAM */
	assert_int_equal(load(KL_SIZE), 0);
	assert_int_equal(res.info_gpa, RAM_SIZE - PAGE_SIZE);
	check_info(CMDLINE);
	free(line);
}

static void test_cmdline_too_long(void **state)
{
	char *line = malloc(GUEST_LOAD_CMDLINE_MAX + 1);

	(void)state;
	assert_non_null(line);
	memset(line, 'y', GUEST_LOAD_CMDLINE_MAX);
	line[GUEST_LOAD_CMDLINE_MAX] = '\0';
	std_elf32();
	assert_int_equal(load_ram(ram, RAM_SIZE, IMG_SIZE, line), -E2BIG);
	assert_int_equal(res.status, GUEST_LOAD_CMDLINE_TOO_LONG);
	assert_untouched(NULL, 0, false);
	/* one shorter fits */
	line[GUEST_LOAD_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(load_ram(ram, RAM_SIZE, IMG_SIZE, line), 0);
	check_info(line);
	free(line);
}

static void test_bad_args(void **state)
{
	struct guest_load_req req = {
		.ram = NULL, .mem_bytes = RAM_SIZE, .image = scratch, .image_size = IMG_SIZE,
	};

	(void)state;
	std_elf32();
	assert_int_equal(guest_load_multiboot(&req, &res), -EINVAL);
	assert_int_equal(res.status, GUEST_LOAD_BAD_ARGS);
	req.ram = ram;
	req.mem_bytes = RAM_SIZE - PAGE_SIZE;		/* not whole 2 MiB pages */
	assert_int_equal(guest_load_multiboot(&req, &res), -EINVAL);
	req.mem_bytes = 0;
	assert_int_equal(guest_load_multiboot(&req, &res), -EINVAL);
	req.mem_bytes = RAM_SIZE;
	req.image = NULL;
	assert_int_equal(guest_load_multiboot(&req, &res), -EINVAL);
	req.image = ram + 0x300000;			/* inside the RAM it would fill */
	assert_int_equal(guest_load_multiboot(&req, &res), -EINVAL);
	assert_int_equal(res.status, GUEST_LOAD_BAD_ARGS);
	assert_int_equal(guest_load_multiboot(NULL, &res), -EINVAL);
	assert_int_equal(guest_load_multiboot(&req, NULL), -EINVAL);
	assert_untouched(NULL, 0, false);
}

static void test_strerror(void **state)
{
	(void)state;
	for (unsigned int s = 0; s < GUEST_LOAD_STATUS_COUNT; s++) {
		const char *m = guest_load_strerror(s);

		assert_non_null(m);
		assert_true(strlen(m) > 0);
		for (unsigned int t = 0; t < s; t++)
			assert_string_not_equal(m, guest_load_strerror(t));
	}
	assert_string_equal(guest_load_strerror(GUEST_LOAD_STATUS_COUNT),
			    "unknown loader status");
	assert_string_equal(guest_load_strerror((enum guest_load_status)-1),
			    "unknown loader status");
}

/* ---------------------------------------------------------------- hostile images */

/* A fresh valid image of kind @kind % 3 (ELF32, ELF64, flat); returns its size. */
static size_t build_kind(unsigned int kind)
{
	memset(scratch, 0, sizeof(scratch));
	if (kind % 3 == 0)
		std_elf32();
	else if (kind % 3 == 1)
		std_elf64();
	else
		std_kludge();
	return kind % 3 == 2 ? KL_SIZE : IMG_SIZE;
}

/* Every prefix of valid images: no read past the end (ASan), never a bad success. */
static void test_every_truncation(void **state)
{
	(void)state;
	for (unsigned int kind = 0; kind < 3; kind++) {
		size_t full = build_kind(kind);

		for (size_t size = 0; size < full; size++) {
			int ret = load(size);

			/* A flat image with load_end_addr 0 loads whatever is there. */
			assert_true(ret < 0 || (kind == 2 && size > KL_HDR));
		}
	}
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random corruption of headers: memory safety is ASan's to check, sanity ours. */
static void test_random_corruption(void **state)
{
	const unsigned int rounds = 6000;
	unsigned int loaded = 0;

	(void)state;
	for (unsigned int r = 0; r < rounds; r++) {
		unsigned int kind = r % 3;
		size_t full = build_kind(kind);
		unsigned int flips = 1 + rng() % 6;

		for (unsigned int f = 0; f < flips; f++) {
			/* Mostly the ELF header and program headers, sometimes the multiboot one. */
			size_t mb = kind == 2 ? KL_HDR : TEXT_OFF;
			size_t at = rng() % 4 ? rng() % 0xC0 :
				    mb + rng() % sizeof(struct multiboot_header);

			scratch[at] = rng() % 2 ? (uint8_t)rng() : scratch[at] ^ (uint8_t)(1u << rng() % 8);
		}
		shim_log_reset();
		if (load(rng() % 8 ? full : rng() % (full + 1)) < 0) {
			assert_int_not_equal(res.status, GUEST_LOAD_OK);
			assert_int_equal(shim_log_count(LOG_ERR), 1);
			continue;
		}
		loaded++;
		assert_true(res.image_start.raw < res.image_end.raw);
		assert_true(res.image_end.raw <= RAM_SIZE);
		assert_true(res.entry >= res.image_start.raw && res.entry < res.image_end.raw);
		assert_true(res.info_gpa >= res.image_end.raw);
		assert_true((uint64_t)res.info_gpa + res.info_size <= RAM_SIZE);
	}
	assert_true(loaded > 0);
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
		T(test_empty_image),
		T(test_not_multiboot),
		T(test_header_search_area),
		T(test_stray_magic_skipped),
		T(test_required_flags_refused),
		T(test_kludge_header_truncated),
		T(test_kludge_bad_fields),
		T(test_elf_truncated_header),
		T(test_elf_unsupported),
		T(test_elf_bad_header_sizes),
		T(test_phdrs_outside_file),
		T(test_too_many_phdrs),
		T(test_no_loadable_segments),
		T(test_elf32_bad_segments),
		T(test_elf64_bad_segments),
		T(test_elf64_entry_above_4g),
		T(test_info_does_not_fit),
		T(test_cmdline_too_long),
		T(test_bad_args),
		T(test_strerror),
		T(test_every_truncation),
		T(test_random_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
