/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the multiboot v1 and v2 boot information parsers (kernel/multiboot.c).
 *
 * Input: one byte whose bit 0 picks the protocol, then
 * - multiboot2: the information structure itself, parsed in place;
 * - multiboot v1: the offset of struct mb1_info (16 bits), a hole that
 *   reads as unmapped (offset and length, 16 bits each), then physical
 *   memory from address 0, through which every pointer in it is followed.
 */
#include <stdlib.h>
#include <string.h>

#include <tally/errno.h>
#include <tally/multiboot.h>

#include "harness.h"
#include "shim.h"

#define PROTO_V1	0x01
/* mb1_string() reads a string of @size bytes in at most size + log2(size) calls. */
#define STRING_READS(size)	((size) + 16)
/* The parser promises that a huge module count or memory map stays cheap. */
#define MB1_MAX_READS	(1 + 2 * STRING_READS(BOOT_CMDLINE_MAX) + \
			 BOOT_MAX_MODULES * (1 + STRING_READS(BOOT_CMDLINE_MAX)) + \
			 BOOT_MAX_MMAP + 1)

static struct boot_info info;	/* 12 KiB: kept off the stack */

static bool terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

/* What both parsers promise about @bi after returning @ret. */
static void check_boot_info(const struct boot_info *bi, int ret)
{
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK((ret == 0) == (bi->errors == 0));
	/* Each problem is logged once, where it is found. */
	FUZZ_CHECK(shim_log_count(LOG_WARN) + shim_log_count(LOG_ERR) >= bi->errors);
	FUZZ_CHECK(bi->mmap_count <= BOOT_MAX_MMAP);
	FUZZ_CHECK(bi->module_count <= BOOT_MAX_MODULES);
	FUZZ_CHECK(bi->rsdp_len == 0 || bi->rsdp_len == 20 || bi->rsdp_len == BOOT_RSDP_MAX);
	FUZZ_CHECK(terminated(bi->cmdline, sizeof(bi->cmdline)));
	FUZZ_CHECK(terminated(bi->loader, sizeof(bi->loader)));
	for (unsigned int i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];

		/* Both protocols give 32-bit bounds, and a module never ends before it starts. */
		FUZZ_CHECK(m->start.raw <= UINT32_MAX && m->size <= UINT32_MAX - m->start.raw);
		FUZZ_CHECK(terminated(m->cmdline, sizeof(m->cmdline)));
	}
}

/* An exactly sized heap copy: 8-aligned as loaders leave it, and ASan sees a read past its end. */
static void fuzz_mb2(struct fuzz_input *in)
{
	uint8_t *mbi = malloc(in->size ? in->size : 1);
	int ret;

	FUZZ_CHECK(mbi);
	memcpy(mbi, in->data, in->size);
	ret = mb2_parse(mbi, in->size, &info);
	check_boot_info(&info, ret);
	FUZZ_CHECK(info.protocol == BOOT_MULTIBOOT2);
	FUZZ_CHECK(info.info_size <= in->size);
	if (ret == 0)
		FUZZ_CHECK(info.info_size >= sizeof(struct mb2_info_header) &&
			   info.info_start.raw == (uintptr_t)mbi);
	free(mbi);
}

static void fuzz_mb1(struct fuzz_input *in)
{
	uint64_t info_pa = fuzz_take(in, 2);
	uint64_t hole = fuzz_take(in, 2), hole_len = fuzz_take(in, 2);
	struct fuzz_phys phys = {
		.region[0] = { 0, in->data, in->size },
		.limit = in->size,
		.hole_start = hole,
		.hole_end = hole + hole_len,
	};
	int ret = mb1_parse(info_pa, fuzz_phys_read, &phys, &info);

	fuzz_phys_release(&phys);
	check_boot_info(&info, ret);
	FUZZ_CHECK(info.protocol == BOOT_MULTIBOOT1);
	FUZZ_CHECK(info.rsdp_len == 0);
	FUZZ_CHECK(phys.reads <= MB1_MAX_READS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	shim_log_reset();
	if (fuzz_take(&in, 1) & PROTO_V1)
		fuzz_mb1(&in);
	else
		fuzz_mb2(&in);
	return 0;
}
