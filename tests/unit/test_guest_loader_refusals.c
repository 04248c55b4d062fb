/* SPDX-License-Identifier: MIT */
/* Unit tests for kernel/guest_loader.c: malformed and hostile multiboot v1 kernels, refused whole. */
#include "guest_loader_test.h"

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
