/* SPDX-License-Identifier: MIT */
/* Unit tests for kernel/linux_loader.c: synthetic bzImages, good and malformed, the zero page and e820. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <tally/boot_info.h>
#include <tally/errno.h>
#include <tally/linux_loader.h>
#include <tally/string.h>
#include <tally/vplatform.h>

#include "shim.h"

#define RAM_SIZE	(16 * MIB)
#define RAM_PATTERN	0xA5	/* what RAM holds before a load */
#define SETUP_SECTS	4
#define KERNEL_OFF	((SETUP_SECTS + 1) * LINUX_SECTOR_SIZE)
#define KERNEL_SIZE	0x3000
#define IMG_SIZE	(KERNEL_OFF + KERNEL_SIZE)
#define INIT_SIZE	0x40000
#define CMDLINE		"console=ttyS0 quiet rdinit=/init"
#define RSDP_GPA	0xE0000
#define INITRD_SIZE	0x2345
#define PROTO_2_15	0x020F
#define JUMP_SHORT	0xEB
#define HDR_END		0x26C	/* the 2.15 header ends here: the jump reaches it */

static uint8_t image[IMG_SIZE + LINUX_SECTOR_SIZE];
static uint8_t initrd[INITRD_SIZE];
static uint8_t *ram;
static struct linux_load_result res;

static struct linux_setup_header *hdr(void)
{
	return (struct linux_setup_header *)(image + LINUX_SETUP_HEADER_OFF);
}

static struct linux_boot_params *zero_page(void)
{
	return (struct linux_boot_params *)(ram + LINUX_ZERO_PAGE_GPA);
}

/* A 2.15, non-relocatable kernel loaded high, with a recognisable payload. */
static void build_image(void)
{
	struct linux_setup_header *h = hdr();

	memset(image, 0, sizeof(image));
	for (size_t i = KERNEL_OFF; i < IMG_SIZE; i++)
		image[i] = (uint8_t)(i * 7 + 3);
	h->setup_sects = SETUP_SECTS;
	h->boot_flag = LINUX_BOOT_FLAG;
	h->jump = (uint16_t)(JUMP_SHORT | ((HDR_END - 0x202) << 8));
	h->header = LINUX_HDRS_MAGIC;
	h->version = PROTO_2_15;
	h->loadflags = LINUX_LOADED_HIGH | LINUX_CAN_USE_HEAP;
	h->code32_start = VPLATFORM_HIGH_MEMORY;
	h->initrd_addr_max = 0x7FFFFFFF;
	h->kernel_alignment = 2 * MIB;
	h->cmdline_size = 2047;
	h->pref_address = VPLATFORM_HIGH_MEMORY;
	h->init_size = INIT_SIZE;
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 11 + 5);
}

static int setup(void **state)
{
	(void)state;
	shim_log_reset();
	build_image();
	memset(&res, 0xEE, sizeof(res));
	ram = malloc(RAM_SIZE);
	assert_non_null(ram);
	memset(ram, RAM_PATTERN, RAM_SIZE);
	return 0;
}

/* Back to the good image and untouched RAM, within one test. */
static void reset(void)
{
	shim_log_reset();
	build_image();
	memset(ram, RAM_PATTERN, RAM_SIZE);
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static struct linux_load_req req_of(size_t size, const char *cmdline, bool with_initrd)
{
	return (struct linux_load_req){
		.ram = ram, .mem_bytes = RAM_SIZE, .image = image, .image_size = size,
		.initrd = with_initrd ? initrd : NULL, .initrd_size = with_initrd ? INITRD_SIZE : 0,
		.cmdline = cmdline, .rsdp_gpa = RSDP_GPA, .name = "d1 linux",
	};
}

/* RAM bytes in [from, to) that still hold the pattern: all of them, or the first that does not. */
static uint64_t untouched_until(uint64_t from, uint64_t to)
{
	for (uint64_t a = from; a < to; a++)
		if (ram[a] != RAM_PATTERN)
			return a;
	return to;
}

/* A refusal: its errno, its status, exactly one error line naming it, and RAM untouched. */
static void expect_refused(const struct linux_load_req *req, int err,
			   enum linux_load_status st, const char *words)
{
	shim_log_reset();
	assert_int_equal(linux_load(req, &res), err);
	assert_int_equal(res.status, st);
	assert_int_equal(shim_log_count(LOG_ERR), 1);
	if (!shim_log_contains(words))
		print_error("line: %s\n", shim_log_last());
	assert_true(shim_log_contains(words));
	assert_true(shim_log_contains("d1 linux: Linux kernel refused: "));
	assert_int_equal(untouched_until(0, RAM_SIZE), RAM_SIZE);
}

static void test_loads_fixed_kernel(void **state)
{
	struct linux_load_req req = req_of(IMG_SIZE, CMDLINE, false);
	struct linux_boot_params *bp = zero_page();

	(void)state;
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(res.status, LINUX_LOAD_OK);
	assert_int_equal(shim_log_count(LOG_ERR), 0);
	/* boot.rst, 32-bit boot protocol: EIP at the kernel, ESI the zero page, the rest 0. */
	assert_int_equal(res.regs.eip, VPLATFORM_HIGH_MEMORY);
	assert_int_equal(res.regs.esi, LINUX_ZERO_PAGE_GPA);
	assert_int_equal(res.regs.eax, 0);
	assert_int_equal(res.regs.ebx, 0);
	assert_int_equal(res.kernel_gpa, VPLATFORM_HIGH_MEMORY);
	assert_int_equal(res.kernel_size, KERNEL_SIZE);
	assert_int_equal(res.kernel_end, VPLATFORM_HIGH_MEMORY + INIT_SIZE);
	assert_int_equal(res.version, PROTO_2_15);
	assert_memory_equal(ram + VPLATFORM_HIGH_MEMORY, image + KERNEL_OFF, KERNEL_SIZE);
	/* The setup code is not loaded, nor anything past the kernel's bytes. */
	assert_int_equal(untouched_until(VPLATFORM_HIGH_MEMORY + KERNEL_SIZE, RAM_SIZE), RAM_SIZE);
	assert_int_equal(untouched_until(0, LINUX_ZERO_PAGE_GPA), LINUX_ZERO_PAGE_GPA);
	assert_int_equal(untouched_until(VPLATFORM_EBDA_BASE, VPLATFORM_HIGH_MEMORY),
			 VPLATFORM_HIGH_MEMORY);
	/* The zero page: the image's header, with the loader's fields. */
	assert_int_equal(bp->hdr.header, LINUX_HDRS_MAGIC);
	assert_int_equal(bp->hdr.version, PROTO_2_15);
	assert_int_equal(bp->hdr.init_size, INIT_SIZE);
	assert_int_equal(bp->hdr.type_of_loader, LINUX_LOADER_UNDEFINED);
	assert_int_equal(bp->hdr.loadflags, LINUX_LOADED_HIGH);	/* no heap: no setup code runs */
	assert_int_equal(bp->hdr.code32_start, VPLATFORM_HIGH_MEMORY);
	assert_int_equal(bp->hdr.cmd_line_ptr, LINUX_CMDLINE_GPA);
	assert_string_equal((char *)ram + LINUX_CMDLINE_GPA, CMDLINE);
	assert_int_equal(bp->hdr.ramdisk_image, 0);
	assert_int_equal(bp->hdr.ramdisk_size, 0);
	assert_int_equal(bp->acpi_rsdp_addr, RSDP_GPA);
	assert_int_equal(bp->ext_cmd_line_ptr, 0);
	assert_int_equal(bp->sentinel, 0);
	/* The map: low RAM, the EBDA-to-1-MiB hole, RAM from 1 MiB, the device window. */
	assert_int_equal(bp->e820_entries, 4);
	assert_int_equal(bp->e820_table[0].addr, 0);
	assert_int_equal(bp->e820_table[0].size, VPLATFORM_EBDA_BASE);
	assert_int_equal(bp->e820_table[0].type, MEM_USABLE);
	assert_int_equal(bp->e820_table[1].addr, VPLATFORM_EBDA_BASE);
	assert_int_equal(bp->e820_table[1].size, VPLATFORM_HIGH_MEMORY - VPLATFORM_EBDA_BASE);
	assert_int_equal(bp->e820_table[1].type, MEM_RESERVED);
	assert_int_equal(bp->e820_table[2].addr, VPLATFORM_HIGH_MEMORY);
	assert_int_equal(bp->e820_table[2].size, RAM_SIZE - VPLATFORM_HIGH_MEMORY);
	assert_int_equal(bp->e820_table[2].type, MEM_USABLE);
	assert_int_equal(bp->e820_table[3].addr, VPLATFORM_DEVICE_BASE);
	assert_int_equal(bp->e820_table[3].size, VPLATFORM_DEVICE_END - VPLATFORM_DEVICE_BASE);
	assert_int_equal(bp->e820_table[3].type, MEM_RESERVED);
	assert_int_equal(bp->e820_table[4].size, 0);
}

static void test_initrd_at_top(void **state)
{
	struct linux_load_req req = req_of(IMG_SIZE, CMDLINE, true);
	uint64_t want = ALIGN_DOWN(RAM_SIZE - INITRD_SIZE, PAGE_SIZE);

	(void)state;
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(res.initrd_gpa, want);
	assert_int_equal(zero_page()->hdr.ramdisk_image, want);
	assert_int_equal(zero_page()->hdr.ramdisk_size, INITRD_SIZE);
	assert_memory_equal(ram + want, initrd, INITRD_SIZE);
	assert_int_equal(untouched_until(want + INITRD_SIZE, RAM_SIZE), RAM_SIZE);

	/* Below initrd_addr_max, the highest byte it may occupy. */
	reset();
	hdr()->initrd_addr_max = 4 * MIB - 1;
	req = req_of(IMG_SIZE, CMDLINE, true);
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(res.initrd_gpa, ALIGN_DOWN(4 * MIB - INITRD_SIZE, PAGE_SIZE));
	assert_true(res.initrd_gpa + INITRD_SIZE <= 4 * MIB);
	assert_int_equal(untouched_until(4 * MIB, RAM_SIZE), RAM_SIZE);
}

static void test_relocatable(void **state)
{
	struct linux_load_req req;

	(void)state;
	hdr()->relocatable_kernel = 1;
	hdr()->pref_address = 4 * MIB;
	req = req_of(IMG_SIZE, CMDLINE, false);
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(res.kernel_gpa, 4 * MIB);
	assert_int_equal(res.regs.eip, 4 * MIB);
	assert_int_equal(zero_page()->hdr.code32_start, 4 * MIB);
	assert_memory_equal(ram + 4 * MIB, image + KERNEL_OFF, KERNEL_SIZE);
	assert_int_equal(untouched_until(VPLATFORM_HIGH_MEMORY, 4 * MIB), 4 * MIB);

	/*
	 * pref_address where init_size does not fit: the decompressor would
	 * still run from pref_address (it never starts lower), so refused.
	 */
	reset();
	hdr()->relocatable_kernel = 1;
	hdr()->pref_address = RAM_SIZE - 2 * MIB;
	hdr()->init_size = 4 * MIB;
	req = req_of(IMG_SIZE, CMDLINE, false);
	expect_refused(&req, -ERANGE, LINUX_LOAD_INIT_SIZE, "init_size does not fit");

	/* A misaligned pref_address: loaded at the first aligned address, run from pref_address. */
	reset();
	hdr()->relocatable_kernel = 1;
	hdr()->pref_address = 3 * MIB;
	hdr()->init_size = 4 * MIB;
	req = req_of(IMG_SIZE, CMDLINE, false);
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(res.kernel_gpa, 2 * MIB);
	assert_int_equal(res.kernel_end, 7 * MIB);
}

static void test_setup_sects_zero_means_four(void **state)
{
	struct linux_load_req req = req_of(IMG_SIZE, "", false);

	(void)state;
	hdr()->setup_sects = 0;		/* (4 + 1) sectors, as SETUP_SECTS gives */
	assert_int_equal(linux_load(&req, &res), 0);
	assert_memory_equal(ram + VPLATFORM_HIGH_MEMORY, image + KERNEL_OFF, KERNEL_SIZE);
	assert_string_equal((char *)ram + LINUX_CMDLINE_GPA, "");

	reset();
	hdr()->setup_sects = 1;		/* the kernel then starts at 1 KiB */
	req = req_of(IMG_SIZE, NULL, false);
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(res.kernel_size, IMG_SIZE - 2 * LINUX_SECTOR_SIZE);
	assert_memory_equal(ram + VPLATFORM_HIGH_MEMORY, image + 2 * LINUX_SECTOR_SIZE, 16);
}

/* Before 2.14 the kernel does not read acpi_rsdp_addr: it stays 0. */
static void test_rsdp_only_from_2_14(void **state)
{
	struct linux_load_req req = req_of(IMG_SIZE, CMDLINE, false);

	(void)state;
	hdr()->version = LINUX_PROTOCOL_RSDP - 1;
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(zero_page()->acpi_rsdp_addr, 0);
	hdr()->version = LINUX_PROTOCOL_RSDP;
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(zero_page()->acpi_rsdp_addr, RSDP_GPA);
}

static void test_refuses_bad_headers(void **state)
{
	struct linux_load_req req = req_of(IMG_SIZE, CMDLINE, false);

	(void)state;
	req.image_size = 0x207;
	expect_refused(&req, -EINVAL, LINUX_LOAD_TRUNCATED, "shorter than its setup header");
	req.image_size = IMG_SIZE;
	hdr()->header = 0x53726449;
	expect_refused(&req, -ENOENT, LINUX_LOAD_NO_MAGIC, "not a bzImage");
	hdr()->header = LINUX_HDRS_MAGIC;
	hdr()->boot_flag = 0;
	expect_refused(&req, -ENOENT, LINUX_LOAD_NO_MAGIC, "not a bzImage");
	hdr()->boot_flag = LINUX_BOOT_FLAG;
	hdr()->version = 0x0209;
	expect_refused(&req, -ENOSYS, LINUX_LOAD_OLD_PROTOCOL, "older than 2.10 (0x209)");
	hdr()->version = PROTO_2_15;
	hdr()->loadflags = 0;
	expect_refused(&req, -ENOSYS, LINUX_LOAD_NOT_LOADED_HIGH, "not LOADED_HIGH");
	hdr()->loadflags = LINUX_LOADED_HIGH;
	req.image_size = KERNEL_OFF;
	expect_refused(&req, -EINVAL, LINUX_LOAD_NO_KERNEL, "after the setup sectors (0xa00)");
	req.image_size = IMG_SIZE;
	/* The header ends where its jump says: a jump short of init_size cuts 2.10's fields. */
	hdr()->jump = JUMP_SHORT | (0x20 << 8);
	expect_refused(&req, -EINVAL, LINUX_LOAD_TRUNCATED, "shorter than its setup header");
	hdr()->jump = JUMP_SHORT;	/* so short that even the version lies beyond it */
	expect_refused(&req, -ENOSYS, LINUX_LOAD_OLD_PROTOCOL, "older than 2.10 (0x0)");
}

static void test_refuses_bad_placement(void **state)
{
	struct linux_load_req req = req_of(IMG_SIZE, CMDLINE, false);

	(void)state;
	hdr()->pref_address = 4 * GIB;		/* fixed, and only above 4 GiB */
	expect_refused(&req, -ENOSYS, LINUX_LOAD_64BIT_ONLY, "64-bit entry only");
	hdr()->pref_address = VPLATFORM_HIGH_MEMORY;
	hdr()->init_size = RAM_SIZE;		/* from 1 MiB, one MiB too many */
	expect_refused(&req, -ERANGE, LINUX_LOAD_INIT_SIZE, "init_size does not fit");
	hdr()->init_size = RAM_SIZE - VPLATFORM_HIGH_MEMORY;	/* exactly fits */
	assert_int_equal(linux_load(&req, &res), 0);
	reset();
	hdr()->pref_address = RAM_SIZE - 0x1000;	/* fixed kernels run at pref_address */
	expect_refused(&req, -ERANGE, LINUX_LOAD_INIT_SIZE, "init_size does not fit");
	hdr()->pref_address = VPLATFORM_HIGH_MEMORY;
	hdr()->relocatable_kernel = 1;
	hdr()->kernel_alignment = 3 * MIB;
	expect_refused(&req, -EINVAL, LINUX_LOAD_BAD_ALIGNMENT, "not a power of two (0x300000)");
	hdr()->kernel_alignment = 0;
	expect_refused(&req, -EINVAL, LINUX_LOAD_BAD_ALIGNMENT, "not a power of two");
}

static void test_refuses_long_cmdline(void **state)
{
	char line[LINUX_CMDLINE_MAX + 8];
	struct linux_load_req req = req_of(IMG_SIZE, line, false);

	(void)state;
	memset(line, 'x', sizeof(line));
	line[2047] = '\0';			/* cmdline_size bytes: fits */
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(strlen((char *)ram + LINUX_CMDLINE_GPA), 2047);
	memset(ram, RAM_PATTERN, RAM_SIZE);
	line[2047] = 'x';
	line[2048] = '\0';			/* one more */
	expect_refused(&req, -E2BIG, LINUX_LOAD_CMDLINE_TOO_LONG, "cmdline_size (0x800)");
	hdr()->cmdline_size = 0xFFFFFFFF;	/* the kernel's limit above Tally's */
	line[2048] = 'x';
	line[LINUX_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(linux_load(&req, &res), 0);
	memset(ram, RAM_PATTERN, RAM_SIZE);
	line[LINUX_CMDLINE_MAX - 1] = 'x';
	line[LINUX_CMDLINE_MAX] = '\0';
	expect_refused(&req, -E2BIG, LINUX_LOAD_CMDLINE_TOO_LONG, "cmdline_size (0x1000)");
}

static void test_refuses_big_initrd(void **state)
{
	static uint8_t big[RAM_SIZE];
	struct linux_load_req req = req_of(IMG_SIZE, CMDLINE, true);

	(void)state;
	/* It would fit exactly above the kernel's init_size area; a byte less does not. */
	hdr()->initrd_addr_max = VPLATFORM_HIGH_MEMORY + INIT_SIZE + INITRD_SIZE - 1;
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(res.initrd_gpa, VPLATFORM_HIGH_MEMORY + INIT_SIZE);
	memset(ram, RAM_PATTERN, RAM_SIZE);
	hdr()->initrd_addr_max--;
	expect_refused(&req, -ERANGE, LINUX_LOAD_INITRD_TOO_BIG, "below initrd_addr_max (0x2345)");
	hdr()->initrd_addr_max = 0x7FFFFFFF;
	req.initrd = big;
	req.initrd_size = RAM_SIZE - VPLATFORM_HIGH_MEMORY - INIT_SIZE + 1;
	expect_refused(&req, -ERANGE, LINUX_LOAD_INITRD_TOO_BIG, "initrd does not fit");
	req.initrd_size = RAM_SIZE + 1;
	expect_refused(&req, -ERANGE, LINUX_LOAD_INITRD_TOO_BIG, "initrd does not fit");
	req.initrd_size = RAM_SIZE - VPLATFORM_HIGH_MEMORY - INIT_SIZE;	/* the largest */
	assert_int_equal(linux_load(&req, &res), 0);
	assert_int_equal(res.initrd_gpa, VPLATFORM_HIGH_MEMORY + INIT_SIZE);
}

static void test_bad_args(void **state)
{
	struct linux_load_req req = req_of(IMG_SIZE, CMDLINE, false);

	(void)state;
	assert_int_equal(linux_load(&req, NULL), -EINVAL);
	req.ram = NULL;
	expect_refused(&req, -EINVAL, LINUX_LOAD_BAD_ARGS, "bad RAM");
	req.ram = ram;
	req.mem_bytes = RAM_SIZE - 1;
	expect_refused(&req, -EINVAL, LINUX_LOAD_BAD_ARGS, "bad RAM");
	req.mem_bytes = RAM_SIZE;
	req.image = ram + MIB;			/* the image inside the RAM it is copied to */
	expect_refused(&req, -EINVAL, LINUX_LOAD_BAD_ARGS, "bad RAM");
	req.image = image;
	req.initrd_size = 10;			/* a size without a buffer */
	expect_refused(&req, -EINVAL, LINUX_LOAD_BAD_ARGS, "bad RAM");
	req.image = NULL;
	req.initrd_size = 0;
	req.image_size = 0;
	expect_refused(&req, -EINVAL, LINUX_LOAD_TRUNCATED, "shorter");
	assert_string_equal(linux_load_strerror(LINUX_LOAD_STATUS_COUNT), "unknown loader status");
	assert_string_equal(linux_load_strerror(LINUX_LOAD_OK), "loaded");
}

static void test_is_bzimage(void **state)
{
	(void)state;
	assert_true(linux_is_bzimage(image, IMG_SIZE));
	assert_false(linux_is_bzimage(image, 0x205));	/* the magic cut off */
	assert_false(linux_is_bzimage(NULL, IMG_SIZE));
	hdr()->boot_flag = 0x55AA;
	assert_false(linux_is_bzimage(image, IMG_SIZE));
}

static void test_e820_sizes(void **state)
{
	struct linux_e820_entry map[LINUX_E820_ENTRIES_MAX];

	(void)state;
	/* The smallest domain: 2 MiB. */
	assert_int_equal(linux_e820_build(2 * MIB, map), 4);
	assert_int_equal(map[2].addr, MIB);
	assert_int_equal(map[2].size, MIB);
	/* RAM reaching into the device window is cut there; above 4 GiB it shows again. */
	assert_int_equal(linux_e820_build(5 * GIB, map), 5);
	assert_int_equal(map[2].size, VPLATFORM_DEVICE_BASE - MIB);
	assert_int_equal(map[3].addr, VPLATFORM_DEVICE_BASE);
	assert_int_equal(map[3].type, MEM_RESERVED);
	assert_int_equal(map[4].addr, 4 * GIB);
	assert_int_equal(map[4].size, GIB);
	assert_int_equal(map[4].type, MEM_USABLE);
	/* Exactly 4 GiB: nothing above. */
	assert_int_equal(linux_e820_build(4 * GIB, map), 4);
}

/* Every truncation of a good image is refused with one line, or loads exactly what it holds. */
static void test_every_truncation(void **state)
{
	(void)state;
	for (size_t size = 0; size <= IMG_SIZE; size += (size < 0x280 ? 1 : 0x80)) {
		struct linux_load_req req = req_of(size, CMDLINE, false);
		int err;

		shim_log_reset();
		memset(ram, RAM_PATTERN, 2 * MIB);
		err = linux_load(&req, &res);
		if (err) {
			assert_int_equal(shim_log_count(LOG_ERR), 1);
			assert_int_equal(untouched_until(0, 2 * MIB), 2 * MIB);
		} else {
			assert_true(size > KERNEL_OFF);
			assert_int_equal(res.kernel_size, size - KERNEL_OFF);
		}
	}
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_loads_fixed_kernel),
		T(test_initrd_at_top),
		T(test_relocatable),
		T(test_setup_sects_zero_means_four),
		T(test_rsdp_only_from_2_14),
		T(test_refuses_bad_headers),
		T(test_refuses_bad_placement),
		T(test_refuses_long_cmdline),
		T(test_refuses_big_initrd),
		T(test_bad_args),
		T(test_is_bzimage),
		T(test_e820_sizes),
		T(test_every_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
