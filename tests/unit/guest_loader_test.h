/* SPDX-License-Identifier: MIT */
/* What the multiboot loader's unit tests share (test_guest_loader*.c): RAM, image builders, checks. */
#ifndef TEST_GUEST_LOADER_H
#define TEST_GUEST_LOADER_H

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

static inline int setup(void **state)
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

static inline int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

/* ---------------------------------------------------------------- image builders */

static inline struct elf32_ehdr *eh32(void) { return (struct elf32_ehdr *)scratch; }
static inline struct elf64_ehdr *eh64(void) { return (struct elf64_ehdr *)scratch; }
static inline struct elf32_phdr *ph32(unsigned int i)
{
	return (struct elf32_phdr *)(scratch + sizeof(struct elf32_ehdr)) + i;
}
static inline struct elf64_phdr *ph64(unsigned int i)
{
	return (struct elf64_phdr *)(scratch + sizeof(struct elf64_ehdr)) + i;
}

/* Recognisable, position-dependent file bytes. */
static inline void fill(size_t off, size_t len)
{
	for (size_t i = off; i < off + len; i++)
		scratch[i] = (uint8_t)(i * 13 + 1);
}

static inline void put_mb(size_t off, uint32_t flags)
{
	struct multiboot_header h = {
		.magic = MULTIBOOT_HEADER_MAGIC, .flags = flags,
		.checksum = -(MULTIBOOT_HEADER_MAGIC + flags),
	};

	memcpy(scratch + off, &h, offsetof(struct multiboot_header, header_addr));
}

static inline void put_kludge(size_t off, uint32_t header_addr, uint32_t load_addr,
		       uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	uint32_t flags = OK_FLAGS | MULTIBOOT_AOUT_KLUDGE;
	struct multiboot_header h = {
		MULTIBOOT_HEADER_MAGIC, flags, -(MULTIBOOT_HEADER_MAGIC + flags),
		header_addr, load_addr, load_end, bss_end, entry,
	};

	memcpy(scratch + off, &h, sizeof(h));
}

static inline void elf_ident(int class)
{
	static const uint8_t magic[] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };

	memcpy(scratch, magic, sizeof(magic));
	scratch[EI_CLASS] = (uint8_t)class;
	scratch[EI_DATA] = ELFDATA2LSB;
	scratch[EI_VERSION] = EV_CURRENT;
}

static inline void build_elf32(uint64_t entry, const struct tseg *s, unsigned int n)
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

static inline void build_elf64(uint64_t entry, const struct tseg *s, unsigned int n)
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
static inline void std_body(uint32_t flags)
{
	fill(TEXT_OFF, IMG_SIZE - TEXT_OFF);
	put_mb(TEXT_OFF, flags);
}

static inline void std_elf32(void)
{
	std_body(OK_FLAGS);
	build_elf32(ENTRY_PA, std_segs, ARRAY_SIZE(std_segs));
}

static inline void std_elf64(void)
{
	std_body(OK_FLAGS);
	build_elf64(ENTRY_PA, std_segs, ARRAY_SIZE(std_segs));
}

static inline void std_kludge(void)
{
	fill(0, KL_SIZE);
	put_kludge(KL_HDR, KL_PA + KL_HDR, KL_PA, 0, KL_PA + KL_SIZE + KL_BSS, KL_ENTRY);
}

/* ---------------------------------------------------------------- running and checking */

/* Load a heap copy of exactly @size bytes of scratch, so ASan sees any read past it. */
static inline int load_ram(uint8_t *mem, uint64_t mem_bytes, size_t size, const char *cmdline)
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

static inline int load(size_t size)
{
	return load_ram(ram, RAM_SIZE, size, CMDLINE);
}

/* Every RAM byte outside @keep (and the info area) still holds the pattern. */
static inline void assert_untouched(const struct tseg *keep, unsigned int n, bool with_info)
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
static inline void expect_fail(int ret, int err, enum guest_load_status status)
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
static inline void check_info(const char *cmdline)
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
static inline void assert_info_clear_of(const struct tseg *s)
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
static inline void expect_loaded_info(const struct tseg *s, unsigned int n, uint32_t entry,
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
static inline void expect_loaded(const struct tseg *s, unsigned int n, uint32_t entry)
{
	uint64_t hi = 0;

	for (unsigned int i = 0; i < n; i++)
		hi = MAX(hi, s[i].paddr + s[i].memsz);
	expect_loaded_info(s, n, entry, (uint32_t)ALIGN_UP(hi, PAGE_SIZE));
}

#endif
