/* SPDX-License-Identifier: MIT */
/* Unit tests for kernel/multiboot.c: well-formed and hostile multiboot v1/v2 information. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <tally/acpi.h>
#include <tally/errno.h>
#include <tally/multiboot.h>
#include <tally/string.h>

#include "shim.h"

#define MB2_BUF_SIZE	(64 * 1024)
#define MB2_ALIGN	8
#define RSDP_V1_LEN	20
#define RSDP_V2_LEN	36

static struct boot_info info;	/* 12 KiB: kept off the stack */

static unsigned int logged_problems(void)
{
	return shim_log_count(LOG_WARN) + shim_log_count(LOG_ERR);
}

static int reset(void **state)
{
	(void)state;
	shim_log_reset();
	return 0;
}

/* ---------------------------------------------------------------- multiboot2 builder */

struct mb2_builder {
	uint8_t buf[MB2_BUF_SIZE] __attribute__((aligned(MB2_ALIGN)));
	uint32_t len;
};

static struct mb2_builder b;

/* The first tag, right after the information header. */
#define FIRST_TAG	(b.buf + sizeof(struct mb2_info_header))

static void mb2_begin(void)
{
	memset(&b, 0, sizeof(b));
	b.len = sizeof(struct mb2_info_header);
}

/* Append a tag of @size bytes (header included) and return it. */
static void *mb2_add(uint32_t type, uint32_t size)
{
	struct mb2_tag *t = (void *)(b.buf + b.len);

	assert_true(b.len + ALIGN_UP(size, MB2_ALIGN) <= sizeof(b.buf));
	t->type = type;
	t->size = size;
	b.len += ALIGN_UP(size < sizeof(*t) ? sizeof(*t) : size, MB2_ALIGN);
	return t;
}

static void mb2_string(uint32_t type, const char *s)
{
	struct mb2_tag_string *t = mb2_add(type, sizeof(*t) + strlen(s) + 1);

	memcpy(t->string, s, strlen(s) + 1);
}

static void mb2_module(uint32_t start, uint32_t end, const char *cmdline)
{
	struct mb2_tag_module *t = mb2_add(MB2_TAG_MODULE,
					   sizeof(*t) + strlen(cmdline) + 1);

	t->mod_start = start;
	t->mod_end = end;
	memcpy(t->cmdline, cmdline, strlen(cmdline) + 1);
}

/* A memory map tag with @n entries @entry_size apart. */
static void mb2_mmap(uint32_t entry_size, const struct mem_range *r, unsigned int n)
{
	struct mb2_tag_mmap *t = mb2_add(MB2_TAG_MMAP, sizeof(*t) + n * entry_size);
	uint8_t *p = (uint8_t *)(t + 1);

	t->entry_size = entry_size;
	for (unsigned int i = 0; i < n; i++, p += entry_size) {
		struct mb2_mmap_entry e = { r[i].base, r[i].len, r[i].type, 0 };

		memcpy(p, &e, MIN(sizeof(e), entry_size));
	}
}

static void mb2_acpi(uint32_t type, uint8_t fill, uint32_t n)
{
	struct mb2_tag_acpi *t = mb2_add(type, sizeof(*t) + n);

	memset(t->rsdp, fill, n);
}

static void mb2_finish(void)
{
	mb2_add(MB2_TAG_END, sizeof(struct mb2_tag));
	((struct mb2_info_header *)b.buf)->total_size = b.len;
}

/* Parse a heap copy of exactly @avail bytes, so that ASan sees any read past it. */
static int mb2_run(size_t avail)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, b.buf, MIN(avail, sizeof(b.buf)));
	ret = mb2_parse(copy, avail, &info);
	if (avail >= sizeof(struct mb2_info_header))
		assert_ptr_equal((void *)(uintptr_t)info.info_start.raw, copy);
	free(copy);
	assert_int_equal(info.protocol, BOOT_MULTIBOOT2);
	return ret;
}

static const struct mem_range sample_map[] = {
	{ 0x0, 0x9fc00, MEM_USABLE },
	{ 0x9fc00, 0x400, MEM_RESERVED },
	{ 0x100000, 0x7ee0000, MEM_USABLE },
	{ 0x7fe0000, 0x20000, MEM_ACPI_RECLAIMABLE },
	{ 0xfffc0000, 0x40000, 77 },	/* unknown types are passed on too */
};

static void assert_map(const struct mem_range *want, unsigned int n)
{
	assert_int_equal(info.mmap_count, n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(info.mmap[i].base, want[i].base);
		assert_int_equal(info.mmap[i].len, want[i].len);
		assert_int_equal(info.mmap[i].type, want[i].type);
	}
}

/* ---------------------------------------------------------------- multiboot2 tests */

static void test_mb2_valid(void **state)
{
	(void)state;
	mb2_begin();
	mb2_string(MB2_TAG_CMDLINE, "loglevel=3 console=com1");
	mb2_string(MB2_TAG_LOADER_NAME, "GRUB 2.06");
	mb2_add(MB2_TAG_BASIC_MEMINFO, 16);
	mb2_module(0x200000, 0x201000, "guest1 mem=64M");
	mb2_module(0x300000, 0x300000, "");
	mb2_mmap(sizeof(struct mb2_mmap_entry), sample_map, ARRAY_SIZE(sample_map));
	mb2_acpi(MB2_TAG_ACPI_OLD, 0x11, RSDP_V1_LEN);
	mb2_add(21, 12);	/* unknown tag: skipped */
	mb2_finish();

	assert_int_equal(mb2_run(b.len), 0);
	assert_int_equal(info.errors, 0);
	assert_int_equal(logged_problems(), 0);
	assert_int_equal(info.info_size, b.len);
	assert_string_equal(info.cmdline, "loglevel=3 console=com1");
	assert_string_equal(info.loader, "GRUB 2.06");
	assert_int_equal(info.module_count, 2);
	assert_int_equal(info.modules[0].start.raw, 0x200000);
	assert_int_equal(info.modules[0].size, 0x1000);
	assert_string_equal(info.modules[0].cmdline, "guest1 mem=64M");
	assert_int_equal(info.modules[1].start.raw, 0x300000);
	assert_int_equal(info.modules[1].size, 0);
	assert_string_equal(info.modules[1].cmdline, "");
	assert_map(sample_map, ARRAY_SIZE(sample_map));
	assert_int_equal(info.rsdp_len, RSDP_V1_LEN);
	assert_int_equal(info.rsdp[0], 0x11);
	assert_int_equal(info.rsdp[RSDP_V1_LEN - 1], 0x11);
	assert_int_equal(info.rsdp[RSDP_V1_LEN], 0);
}

static void test_mb2_minimal(void **state)
{
	(void)state;
	mb2_begin();
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);
	assert_int_equal(info.info_size, 16);
	assert_int_equal(info.mmap_count + info.module_count + info.rsdp_len, 0);
	assert_string_equal(info.cmdline, "");
	/* Slack after total_size is never looked at. */
	assert_int_equal(mb2_run(b.len + 100), 0);
	assert_int_equal(info.info_size, 16);
}

static void test_mb2_acpi_new_preferred(void **state)
{
	static const uint32_t orders[2][2] = {
		{ MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW },
		{ MB2_TAG_ACPI_NEW, MB2_TAG_ACPI_OLD },
	};

	(void)state;
	for (int i = 0; i < 2; i++) {
		mb2_begin();
		for (int j = 0; j < 2; j++)
			if (orders[i][j] == MB2_TAG_ACPI_NEW)
				mb2_acpi(MB2_TAG_ACPI_NEW, 0x22, RSDP_V2_LEN);
			else
				mb2_acpi(MB2_TAG_ACPI_OLD, 0x11, RSDP_V1_LEN);
		mb2_finish();
		assert_int_equal(mb2_run(b.len), 0);
		assert_int_equal(info.rsdp_len, RSDP_V2_LEN);
		assert_int_equal(info.rsdp[0], 0x22);
		assert_int_equal(info.rsdp[RSDP_V2_LEN - 1], 0x22);
	}
	/* A longer copy (future RSDP) is cut to what boot_info keeps. */
	mb2_begin();
	mb2_acpi(MB2_TAG_ACPI_NEW, 0x33, RSDP_V2_LEN + 8);
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);
	assert_int_equal(info.rsdp_len, RSDP_V2_LEN);
}

static void test_mb2_acpi_too_short(void **state)
{
	(void)state;
	mb2_begin();
	mb2_acpi(MB2_TAG_ACPI_NEW, 0x22, RSDP_V1_LEN);
	mb2_acpi(MB2_TAG_ACPI_OLD, 0x11, 10);
	mb2_finish();
	assert_int_equal(mb2_run(b.len), -EINVAL);
	assert_int_equal(info.rsdp_len, 0);
	assert_int_equal(info.errors, 2);
	assert_true(logged_problems() >= 2);
}

/* The header itself is hostile. */
static void test_mb2_bad_total_size(void **state)
{
	struct mb2_info_header *h = (void *)b.buf;

	(void)state;
	mb2_begin();
	mb2_string(MB2_TAG_CMDLINE, "x");
	mb2_finish();

	assert_int_equal(mb2_run(b.len - 1), -EINVAL);	/* bigger than the buffer */
	assert_int_equal(info.errors, 1);
	assert_string_equal(info.cmdline, "");
	assert_int_equal(info.info_size, 0);
	assert_true(logged_problems() > 0);

	for (uint32_t bad = 0; bad < sizeof(*h); bad++) {
		h->total_size = bad;
		assert_int_equal(mb2_run(b.len), -EINVAL);
	}
	assert_int_equal(mb2_run(4), -EINVAL);		/* not even a header */
	assert_int_equal(mb2_parse(NULL, 64, &info), -EINVAL);
}

static void test_mb2_total_size_over_limit(void **state)
{
	static uint8_t big[MB2_INFO_MAX_SIZE + 16] __attribute__((aligned(8)));
	struct mb2_info_header *h = (void *)big;

	(void)state;
	h->total_size = MB2_INFO_MAX_SIZE + 8;
	assert_int_equal(mb2_parse(big, sizeof(big), &info), -EINVAL);
	assert_true(logged_problems() > 0);
}

/* Tags whose size cannot be right end the walk, keeping what came before. */
static void test_mb2_bad_tag_sizes(void **state)
{
	static const uint32_t bad_sizes[] = { 0, 1, 7, 4096, UINT32_MAX };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		shim_log_reset();
		mb2_begin();
		mb2_string(MB2_TAG_CMDLINE, "kept");
		mb2_module(0x1000, 0x2000, "m");
		struct mb2_tag *bad = mb2_add(MB2_TAG_LOADER_NAME, 16);
		mb2_string(MB2_TAG_CMDLINE, "never seen");
		mb2_finish();
		bad->size = bad_sizes[i];

		assert_int_equal(mb2_run(b.len), -EINVAL);
		assert_string_equal(info.cmdline, "kept");
		assert_int_equal(info.module_count, 1);
		assert_string_equal(info.loader, "");
		assert_int_equal(info.errors, 1);
		assert_int_equal(info.info_size, b.len);
		assert_true(logged_problems() > 0);
	}
}

/* The last tag runs past total_size by a little (the END tag is missing too). */
static void test_mb2_tag_past_total(void **state)
{
	struct mb2_tag_string *t;

	(void)state;
	mb2_begin();
	mb2_string(MB2_TAG_LOADER_NAME, "L");
	t = mb2_add(MB2_TAG_CMDLINE, 24);
	memcpy(t->string, "abcdefghijklmno", 16);
	((struct mb2_info_header *)b.buf)->total_size = b.len - 4;
	assert_int_equal(mb2_run(b.len - 4), -EINVAL);
	assert_string_equal(info.loader, "L");
	assert_string_equal(info.cmdline, "");
	assert_true(logged_problems() > 0);
}

/*
 * A tag whose size overlaps the next tag: the walk lands inside the module
 * tag, reads mod_start/mod_end as a type and a size, and stops there.
 */
static void test_mb2_overlapping_tags(void **state)
{
	struct mb2_tag_string *t;

	(void)state;
	mb2_begin();
	t = mb2_add(MB2_TAG_CMDLINE, 16);
	memcpy(t->string, "over", 5);
	mb2_module(0x100000, 3, "swallowed");
	mb2_finish();
	t->tag.size = 24;	/* the module tag's header is now cmdline bytes */
	assert_int_equal(mb2_run(b.len), -EINVAL);
	assert_string_equal(info.cmdline, "over");
	assert_int_equal(info.module_count, 0);
	assert_int_equal(info.errors, 1);
	assert_true(logged_problems() > 0);
}

static void test_mb2_missing_end(void **state)
{
	(void)state;
	mb2_begin();
	mb2_string(MB2_TAG_CMDLINE, "no end");
	mb2_mmap(sizeof(struct mb2_mmap_entry), sample_map, 2);
	((struct mb2_info_header *)b.buf)->total_size = b.len;
	assert_int_equal(mb2_run(b.len), -EINVAL);
	assert_string_equal(info.cmdline, "no end");
	assert_map(sample_map, 2);
	assert_int_equal(info.errors, 1);
	assert_true(shim_log_contains("end tag"));

	/* Fewer than 8 bytes left after the last tag: still no END. */
	((struct mb2_info_header *)b.buf)->total_size = b.len + 4;
	assert_int_equal(mb2_run(b.len + 4), -EINVAL);
	assert_int_equal(info.errors, 1);
}

static void test_mb2_mmap_bad_entry_size(void **state)
{
	static const uint32_t bad[] = { 0, 8, 16, 23 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		shim_log_reset();
		mb2_begin();
		mb2_mmap(sizeof(struct mb2_mmap_entry), sample_map, 3);
		((struct mb2_tag_mmap *)FIRST_TAG)->entry_size = bad[i];
		mb2_string(MB2_TAG_CMDLINE, "after");
		mb2_finish();
		assert_int_equal(mb2_run(b.len), -EINVAL);
		assert_int_equal(info.mmap_count, 0);
		assert_string_equal(info.cmdline, "after");
		assert_int_equal(info.errors, 1);
		assert_true(logged_problems() > 0);
	}
	/* A tag too short to hold entry_size at all, last before END. */
	mb2_begin();
	mb2_add(MB2_TAG_MMAP, 12);
	mb2_finish();
	assert_int_equal(mb2_run(b.len), -EINVAL);
	assert_int_equal(info.errors, 1);
}

static void test_mb2_mmap_entry_size_larger(void **state)
{
	(void)state;
	mb2_begin();
	mb2_mmap(40, sample_map, ARRAY_SIZE(sample_map));
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);
	assert_map(sample_map, ARRAY_SIZE(sample_map));

	/* A partial trailing entry is not an entry. */
	mb2_begin();
	mb2_mmap(sizeof(struct mb2_mmap_entry), sample_map, 3);
	((struct mb2_tag *)FIRST_TAG)->size -= 1;
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);
	assert_map(sample_map, 2);
	/* A huge entry size just means no entries. */
	mb2_begin();
	mb2_mmap(sizeof(struct mb2_mmap_entry), sample_map, 3);
	((struct mb2_tag_mmap *)FIRST_TAG)->entry_size = UINT32_MAX;
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);
	assert_int_equal(info.mmap_count, 0);
}

/* Sorting, merging and overlap resolution belong to the memory code. */
static void test_mb2_mmap_unsorted_overlapping(void **state)
{
	static const struct mem_range messy[] = {
		{ 0x100000, 0x100000, MEM_USABLE },
		{ 0x0, 0x9f000, MEM_USABLE },
		{ 0x180000, 0x10000, MEM_RESERVED },	/* inside the first */
		{ 0x100000, 0x100000, MEM_USABLE },	/* duplicate */
		{ 0x5000, 0, MEM_USABLE },		/* empty */
		{ UINT64_MAX - 0xfff, 0x2000, MEM_USABLE },	/* wraps */
	};

	(void)state;
	mb2_begin();
	mb2_mmap(sizeof(struct mb2_mmap_entry), messy, ARRAY_SIZE(messy));
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);
	assert_map(messy, ARRAY_SIZE(messy));
}

static void test_mb2_mmap_too_many(void **state)
{
	static struct mem_range many[BOOT_MAX_MMAP + 10];

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct mem_range){ i * PAGE_SIZE, PAGE_SIZE, MEM_USABLE };
	mb2_begin();
	mb2_mmap(sizeof(struct mb2_mmap_entry), many, 100);
	mb2_mmap(sizeof(struct mb2_mmap_entry), many + 100, ARRAY_SIZE(many) - 100);
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);
	assert_map(many, BOOT_MAX_MMAP);
	assert_int_equal(info.errors, 0);
	assert_int_equal(shim_log_count(LOG_WARN), 1);	/* once, not 10 times */
	assert_true(shim_log_contains("memory map"));
}

static void test_mb2_module_bounds(void **state)
{
	(void)state;
	mb2_begin();
	mb2_module(0x400000, 0x500000, "first");
	mb2_module(0x600000, 0x5fffff, "backwards");
	mb2_module(0xfffff000, 0xffffffff, "last");
	mb2_add(MB2_TAG_MODULE, 12);		/* too short for mod_end */
	mb2_finish();
	assert_int_equal(mb2_run(b.len), -EINVAL);
	assert_int_equal(info.module_count, 2);
	assert_string_equal(info.modules[0].cmdline, "first");
	assert_int_equal(info.modules[0].size, 0x100000);
	assert_string_equal(info.modules[1].cmdline, "last");
	assert_int_equal(info.modules[1].start.raw, 0xfffff000);
	assert_int_equal(info.modules[1].size, 0xfff);
	assert_int_equal(info.errors, 2);
	assert_true(shim_log_contains("ends before"));
}

static void test_mb2_modules_too_many(void **state)
{
	(void)state;
	mb2_begin();
	for (unsigned int i = 0; i < BOOT_MAX_MODULES + 3; i++)
		mb2_module(i * 0x1000, i * 0x1000 + 0x800, "m");
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);
	assert_int_equal(info.module_count, BOOT_MAX_MODULES);
	assert_int_equal(info.modules[BOOT_MAX_MODULES - 1].start.raw,
			 (BOOT_MAX_MODULES - 1) * 0x1000);
	assert_int_equal(shim_log_count(LOG_WARN), 1);
}

static void test_mb2_string_not_terminated(void **state)
{
	struct mb2_tag_string *t;
	struct mb2_tag_module *m;

	(void)state;
	mb2_begin();
	t = mb2_add(MB2_TAG_CMDLINE, 8 + 5);
	memcpy(t->string, "abcde", 5);		/* no NUL inside the tag */
	memset(t->string + 5, 'Z', 3);		/* padding is not part of it */
	m = mb2_add(MB2_TAG_MODULE, sizeof(*m) + 3);
	m->mod_end = 0x1000;
	memcpy(m->cmdline, "xyz", 3);
	mb2_finish();
	assert_int_equal(mb2_run(b.len), -EINVAL);
	assert_string_equal(info.cmdline, "abcde");
	assert_int_equal(info.module_count, 1);
	assert_string_equal(info.modules[0].cmdline, "xyz");
	assert_int_equal(info.errors, 2);
	assert_true(logged_problems() >= 2);
}

static void test_mb2_string_too_long(void **state)
{
	static char long_line[BOOT_CMDLINE_MAX + 100];

	(void)state;
	memset(long_line, 'c', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	mb2_begin();
	mb2_string(MB2_TAG_CMDLINE, long_line);
	mb2_string(MB2_TAG_LOADER_NAME, long_line + 200);
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);	/* cut, but not malformed */
	assert_int_equal(strlen(info.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(info.loader), BOOT_LOADER_MAX - 1);
	assert_int_equal(info.errors, 0);
	assert_int_equal(shim_log_count(LOG_WARN), 2);

	/* Exactly fitting is not cut. */
	shim_log_reset();
	mb2_begin();
	mb2_string(MB2_TAG_CMDLINE, long_line + sizeof(long_line) - BOOT_CMDLINE_MAX);
	mb2_finish();
	assert_int_equal(mb2_run(b.len), 0);
	assert_int_equal(strlen(info.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(logged_problems(), 0);
}

/* ---------------------------------------------------------------- multiboot v1 */

#define PHYS_SIZE	(256 * 1024)
#define INFO_PA		0x1000
#define MODS_PA		0x2000
#define MMAP_PA		0x3000
#define STR_PA		0x8000

/* Fake physical memory; [hole_start, hole_end) and everything past size is unmapped. */
struct fake_phys {
	uint8_t *mem;
	uint64_t size;
	uint64_t hole_start, hole_end;
	unsigned int calls;
};

static struct fake_phys phys;

static const void *fake_read(uint64_t pa, uint64_t len, void *ctx)
{
	struct fake_phys *f = ctx;

	f->calls++;
	if (pa + len < pa || pa + len > f->size)
		return NULL;
	if (pa < f->hole_end && pa + len > f->hole_start)
		return NULL;
	return f->mem + pa;
}

static int phys_setup(void **state)
{
	(void)state;
	shim_log_reset();
	phys.size = PHYS_SIZE;
	phys.mem = calloc(1, phys.size);	/* exact size: ASan sees overreads */
	phys.hole_start = phys.hole_end = 0;
	phys.calls = 0;
	return phys.mem ? 0 : -1;
}

static int phys_teardown(void **state)
{
	(void)state;
	free(phys.mem);
	return 0;
}

static struct mb1_info *mb1_info(void)
{
	return (struct mb1_info *)(phys.mem + INFO_PA);
}

static void put_string(uint64_t pa, const char *s)
{
	memcpy(phys.mem + pa, s, strlen(s) + 1);
}

static void put_module(unsigned int i, uint32_t start, uint32_t end, uint32_t cmdline)
{
	struct mb1_module m = { start, end, cmdline, 0 };

	memcpy(phys.mem + MODS_PA + i * sizeof(m), &m, sizeof(m));
}

/* Write a memory map entry at @off whose size field says @size; returns the next offset. */
static uint32_t put_mmap(uint32_t off, uint32_t size, const struct mem_range *r)
{
	struct mb1_mmap_entry e = { size, r->base, r->len, r->type };

	memcpy(phys.mem + MMAP_PA + off, &e, sizeof(e));
	return off + sizeof(uint32_t) + size;
}

static uint32_t put_sample_map(unsigned int n)
{
	uint32_t off = 0;

	for (unsigned int i = 0; i < n; i++)
		off = put_mmap(off, 20, &sample_map[i]);
	return off;
}

static int mb1_run(void)
{
	int ret = mb1_parse(INFO_PA, fake_read, &phys, &info);

	assert_int_equal(info.protocol, BOOT_MULTIBOOT1);
	assert_int_equal(info.info_start.raw, INFO_PA);
	assert_int_equal(info.info_size, sizeof(struct mb1_info));
	assert_int_equal(info.rsdp_len, 0);
	return ret;
}

static void test_mb1_valid(void **state)
{
	struct mb1_info *mi = mb1_info();

	(void)state;
	mi->flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS |
		    MB1_INFO_MEM_MAP | MB1_INFO_LOADER_NAME;
	mi->mem_lower = 639;
	mi->mem_upper = 1024;
	mi->cmdline = STR_PA;
	put_string(STR_PA, "serial=0x3f8 loglevel=2");
	mi->boot_loader_name = STR_PA + 0x100;
	put_string(STR_PA + 0x100, "QEMU");
	mi->mods_count = 2;
	mi->mods_addr = MODS_PA;
	put_module(0, 0x10000, 0x18000, STR_PA + 0x200);
	put_string(STR_PA + 0x200, "guest.elf role=net");
	put_module(1, 0x20000, 0x20010, 0);
	mi->mmap_addr = MMAP_PA;
	mi->mmap_length = put_sample_map(ARRAY_SIZE(sample_map));

	assert_int_equal(mb1_run(), 0);
	assert_int_equal(info.errors, 0);
	assert_int_equal(logged_problems(), 0);
	assert_string_equal(info.cmdline, "serial=0x3f8 loglevel=2");
	assert_string_equal(info.loader, "QEMU");
	assert_int_equal(info.module_count, 2);
	assert_int_equal(info.modules[0].start.raw, 0x10000);
	assert_int_equal(info.modules[0].size, 0x8000);
	assert_string_equal(info.modules[0].cmdline, "guest.elf role=net");
	assert_int_equal(info.modules[1].size, 0x10);
	assert_string_equal(info.modules[1].cmdline, "");
	/* The real map wins over mem_lower/mem_upper. */
	assert_map(sample_map, ARRAY_SIZE(sample_map));
}

static void test_mb1_flags_honoured(void **state)
{
	struct mb1_info *mi = mb1_info();

	(void)state;
	/* Every pointer is junk; with no flag set, none may be followed. */
	memset(mi, 0xff, sizeof(*mi));
	mi->flags = 0;
	assert_int_equal(mb1_run(), 0);
	assert_int_equal(info.mmap_count + info.module_count, 0);
	assert_string_equal(info.cmdline, "");
	assert_int_equal(phys.calls, 1);
}

static void test_mb1_info_unreadable(void **state)
{
	(void)state;
	phys.hole_start = INFO_PA + 8;
	phys.hole_end = INFO_PA + 9;
	assert_int_equal(mb1_run(), -EINVAL);
	assert_int_equal(info.errors, 1);
	assert_true(logged_problems() > 0);
	assert_int_equal(mb1_parse(PHYS_SIZE - 4, fake_read, &phys, &info), -EINVAL);
	assert_int_equal(mb1_parse(INFO_PA, NULL, &phys, &info), -EINVAL);
}

static void test_mb1_synthesised_map(void **state)
{
	static const struct mem_range want[] = {
		{ 0, 639 * KIB, MEM_USABLE },
		{ MIB, 0xfffffc00ull * KIB, MEM_USABLE },
	};
	struct mb1_info *mi = mb1_info();

	(void)state;
	mi->flags = MB1_INFO_MEMORY;
	mi->mem_lower = 639;
	mi->mem_upper = 0xfffffc00;	/* no 32-bit overflow in KiB -> bytes */
	assert_int_equal(mb1_run(), 0);
	assert_map(want, 2);

	/* A map flag with an empty map falls back as well. */
	mi->flags |= MB1_INFO_MEM_MAP;
	mi->mmap_addr = MMAP_PA;
	mi->mmap_length = 0;
	assert_int_equal(mb1_run(), 0);
	assert_map(want, 2);
}

/* A string ending right before unmapped memory still reads whole. */
static void test_mb1_string_at_end_of_memory(void **state)
{
	struct mb1_info *mi = mb1_info();

	(void)state;
	mi->flags = MB1_INFO_CMDLINE | MB1_INFO_LOADER_NAME;
	mi->cmdline = PHYS_SIZE - 4;
	put_string(PHYS_SIZE - 4, "abc");
	mi->boot_loader_name = STR_PA;
	phys.hole_start = STR_PA + 37;
	phys.hole_end = STR_PA + 0x1000;
	put_string(STR_PA, "GNU GRUB 0.97 with a longish name...");	/* 36 + NUL */
	assert_int_equal(mb1_run(), 0);
	assert_string_equal(info.cmdline, "abc");
	assert_string_equal(info.loader, "GNU GRUB 0.97 with a longish name...");
	assert_int_equal(logged_problems(), 0);
	/* Halving chunks: far fewer calls than one per byte. */
	assert_true(phys.calls < 40);
}

static void test_mb1_string_runs_into_hole(void **state)
{
	struct mb1_info *mi = mb1_info();

	(void)state;
	mi->flags = MB1_INFO_CMDLINE | MB1_INFO_LOADER_NAME;
	mi->cmdline = PHYS_SIZE - 3;
	memcpy(phys.mem + PHYS_SIZE - 3, "xyz", 3);	/* no NUL before the end */
	mi->boot_loader_name = PHYS_SIZE + 0x1000;	/* unmapped */
	assert_int_equal(mb1_run(), -EINVAL);
	assert_string_equal(info.cmdline, "xyz");
	assert_string_equal(info.loader, "");
	assert_int_equal(info.errors, 2);
	assert_true(logged_problems() >= 2);
}

static void test_mb1_string_too_long(void **state)
{
	struct mb1_info *mi = mb1_info();

	(void)state;
	mi->flags = MB1_INFO_CMDLINE | MB1_INFO_LOADER_NAME;
	mi->cmdline = STR_PA;
	memset(phys.mem + STR_PA, 'a', 4096);		/* NUL far away */
	mi->boot_loader_name = STR_PA + 8192;
	memset(phys.mem + STR_PA + 8192, 'b', BOOT_LOADER_MAX - 1);
	assert_int_equal(mb1_run(), 0);
	assert_int_equal(strlen(info.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(info.loader), BOOT_LOADER_MAX - 1);	/* fits exactly */
	assert_int_equal(shim_log_count(LOG_WARN), 1);
	assert_int_equal(info.errors, 0);
}

static void test_mb1_mmap_bad_sizes(void **state)
{
	static const uint32_t bad[] = { 0, 4, 19, 1000, UINT32_MAX };
	struct mb1_info *mi = mb1_info();

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint32_t off, bad_off;

		shim_log_reset();
		mi->flags = MB1_INFO_MEM_MAP | MB1_INFO_MEMORY;
		mi->mmap_addr = MMAP_PA;
		off = put_sample_map(2);
		bad_off = off;
		off = put_mmap(off, 20, &sample_map[2]);
		off = put_mmap(off, 20, &sample_map[3]);
		mi->mmap_length = off;
		memcpy(phys.mem + MMAP_PA + bad_off, &bad[i], sizeof(bad[i]));
		assert_int_equal(mb1_run(), -EINVAL);
		assert_map(sample_map, 2);	/* kept; no synthesised map either */
		assert_int_equal(info.errors, 1);
		assert_true(logged_problems() > 0);
	}
}

static void test_mb1_mmap_variable_entries(void **state)
{
	struct mb1_info *mi = mb1_info();
	uint32_t off = 0;

	(void)state;
	mi->flags = MB1_INFO_MEM_MAP;
	mi->mmap_addr = MMAP_PA;
	off = put_mmap(off, 20, &sample_map[0]);
	off = put_mmap(off, 28, &sample_map[1]);	/* a bigger entry */
	off = put_mmap(off, 20, &sample_map[2]);
	mi->mmap_length = off + 7;	/* trailing bytes too few for an entry */
	assert_int_equal(mb1_run(), 0);
	assert_map(sample_map, 3);

	/* An entry whose size field runs past mmap_length. */
	off = put_mmap(off, 28, &sample_map[3]);
	mi->mmap_length = off - 1;
	assert_int_equal(mb1_run(), -EINVAL);
	assert_map(sample_map, 3);
	assert_int_equal(info.errors, 1);
	assert_true(logged_problems() > 0);
}

static void test_mb1_mmap_unreadable(void **state)
{
	struct mb1_info *mi = mb1_info();

	(void)state;
	mi->flags = MB1_INFO_MEM_MAP | MB1_INFO_MEMORY;
	mi->mem_lower = 600;
	mi->mem_upper = 2048;
	mi->mmap_addr = PHYS_SIZE - 30;
	memcpy(phys.mem + PHYS_SIZE - 30, &(struct mb1_mmap_entry){ 20, 0x1000, 0x2000, 1 }, 24);
	mi->mmap_length = 48;		/* the second entry is off the end */
	assert_int_equal(mb1_run(), -EINVAL);
	assert_int_equal(info.mmap_count, 1);
	assert_int_equal(info.mmap[0].base, 0x1000);
	assert_true(logged_problems() > 0);
}

static void test_mb1_mmap_too_many(void **state)
{
	struct mb1_info *mi = mb1_info();
	uint32_t off = 0;

	(void)state;
	mi->flags = MB1_INFO_MEM_MAP;
	mi->mmap_addr = MMAP_PA;
	for (unsigned int i = 0; i < BOOT_MAX_MMAP + 20; i++)
		off = put_mmap(off, 20, &(struct mem_range){ i * PAGE_SIZE, PAGE_SIZE, MEM_USABLE });
	mi->mmap_length = off;
	assert_int_equal(mb1_run(), 0);
	assert_int_equal(info.mmap_count, BOOT_MAX_MMAP);
	assert_int_equal(info.mmap[BOOT_MAX_MMAP - 1].base, (BOOT_MAX_MMAP - 1) * PAGE_SIZE);
	assert_int_equal(shim_log_count(LOG_WARN), 1);
}

static void test_mb1_modules(void **state)
{
	struct mb1_info *mi = mb1_info();

	(void)state;
	mi->flags = MB1_INFO_MODS;
	mi->mods_addr = MODS_PA;
	mi->mods_count = 4;
	put_module(0, 0x10000, 0x11000, STR_PA);
	put_string(STR_PA, "one");
	put_module(1, 0x30000, 0x20000, STR_PA);	/* backwards */
	put_module(2, 0x40000, 0x48000, PHYS_SIZE + 64);	/* cmdline unmapped */
	put_module(3, 0x50000, 0x50001, STR_PA);
	assert_int_equal(mb1_run(), -EINVAL);
	assert_int_equal(info.module_count, 3);
	assert_string_equal(info.modules[0].cmdline, "one");
	assert_int_equal(info.modules[1].start.raw, 0x40000);
	assert_string_equal(info.modules[1].cmdline, "");
	assert_int_equal(info.modules[2].size, 1);
	assert_int_equal(info.errors, 2);
	assert_true(logged_problems() >= 2);
}

static void test_mb1_modules_hostile_count(void **state)
{
	struct mb1_info *mi = mb1_info();

	(void)state;
	mi->flags = MB1_INFO_MODS;
	mi->mods_addr = MODS_PA;
	mi->mods_count = UINT32_MAX;
	for (unsigned int i = 0; i < BOOT_MAX_MODULES; i++)
		put_module(i, i * 0x1000, i * 0x1000 + 0x10, 0);
	assert_int_equal(mb1_run(), 0);
	assert_int_equal(info.module_count, BOOT_MAX_MODULES);
	assert_int_equal(shim_log_count(LOG_WARN), 1);
	assert_true(phys.calls < 2 * BOOT_MAX_MODULES);

	/* The module array itself unmapped. */
	shim_log_reset();
	mi->mods_count = 2;
	mi->mods_addr = PHYS_SIZE - 16;
	assert_int_equal(mb1_run(), -EINVAL);
	assert_int_equal(info.module_count, 1);
	assert_int_equal(info.errors, 1);
	assert_true(logged_problems() > 0);
}

#define T(fn)		cmocka_unit_test_setup(fn, reset)
#define TP(fn)		cmocka_unit_test_setup_teardown(fn, phys_setup, phys_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mb2_valid),
		T(test_mb2_minimal),
		T(test_mb2_acpi_new_preferred),
		T(test_mb2_acpi_too_short),
		T(test_mb2_bad_total_size),
		T(test_mb2_total_size_over_limit),
		T(test_mb2_bad_tag_sizes),
		T(test_mb2_tag_past_total),
		T(test_mb2_overlapping_tags),
		T(test_mb2_missing_end),
		T(test_mb2_mmap_bad_entry_size),
		T(test_mb2_mmap_entry_size_larger),
		T(test_mb2_mmap_unsorted_overlapping),
		T(test_mb2_mmap_too_many),
		T(test_mb2_module_bounds),
		T(test_mb2_modules_too_many),
		T(test_mb2_string_not_terminated),
		T(test_mb2_string_too_long),
		TP(test_mb1_valid),
		TP(test_mb1_flags_honoured),
		TP(test_mb1_info_unreadable),
		TP(test_mb1_synthesised_map),
		TP(test_mb1_string_at_end_of_memory),
		TP(test_mb1_string_runs_into_hole),
		TP(test_mb1_string_too_long),
		TP(test_mb1_mmap_bad_sizes),
		TP(test_mb1_mmap_variable_entries),
		TP(test_mb1_mmap_unreadable),
		TP(test_mb1_mmap_too_many),
		TP(test_mb1_modules),
		TP(test_mb1_modules_hostile_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
