/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the multiboot v1 guest loader, ELF and address-field images (kernel/guest_loader.c).
 *
 * Input: a mode byte (MODE_*), the length of the guest's command line
 * (one byte) and its bytes, then the kernel image.  Guest RAM is an
 * anonymous mapping between two inaccessible guard pages, emptied before
 * each load, so the pages the kernel reports resident afterwards are
 * exactly the pages the loader wrote: a refused image must leave none, and
 * a loaded one only those of its segments and its boot information, which
 * Tally's own multiboot v1 parser then reads back.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <tally/errno.h>
#include <tally/guest_loader.h>
#include <tally/multiboot.h>

#include "harness.h"
#include "shim.h"

#define MODE_FIX_CHECKSUM	0x01	/* repair the first header's checksum */
#define MODE_LONG_CMDLINE	0x02	/* a command line of GUEST_LOAD_CMDLINE_MAX bytes */

#define RAM_BYTES	(2 * MIB)	/* the smallest domain */
#define RAM_PAGES	(RAM_BYTES / PAGE_SIZE)
#define EBDA_BASE	0x9FC00ull	/* the map the loader gives calls [EBDA, 1 MiB) reserved */
#define HIGH_MEMORY	MIB
#define MB1_MMAP_COUNT	4

static uint8_t *ram;
static unsigned char resident[RAM_PAGES];
static struct boot_info readback;	/* 12 KiB: kept off the stack */

/* RAM with a guard page on each side; 4 KiB pages, so residency is per page. */
static void ram_map(void)
{
	uint8_t *m = mmap(NULL, RAM_BYTES + 2 * PAGE_SIZE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	FUZZ_CHECK(m != MAP_FAILED);
	ram = m + PAGE_SIZE;
	FUZZ_CHECK(!mprotect(ram, RAM_BYTES, PROT_READ | PROT_WRITE));
	FUZZ_CHECK(!madvise(ram, RAM_BYTES, MADV_NOHUGEPAGE));
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* True if guest-physical @pa was the loader's to write. */
static bool writable(const struct guest_load_result *r, uint64_t pa)
{
	return (pa >= r->image_start.raw && pa < r->image_end.raw) ||
	       (pa >= r->info_gpa && pa - r->info_gpa < r->info_size);
}

/* Pages written outside the image and its information, or nonzero bytes there; 0 if none. */
static unsigned int stray_writes(const struct guest_load_result *r)
{
	unsigned int stray = 0;

	FUZZ_CHECK(!mincore(ram, RAM_BYTES, resident));
	for (uint64_t pg = 0; pg < RAM_PAGES; pg++) {
		uint64_t pa = pg * PAGE_SIZE;

		if (!(resident[pg] & 1))
			continue;
		if (!r || (!overlaps(pa, PAGE_SIZE, r->image_start.raw,
				     r->image_end.raw - r->image_start.raw) &&
			   !overlaps(pa, PAGE_SIZE, r->info_gpa, r->info_size))) {
			stray++;
			continue;
		}
		for (uint64_t b = pa; b < pa + PAGE_SIZE; b++)
			stray += !writable(r, b) && ram[b];
	}
	return stray;
}

/* Where a loaded kernel starts and finds its boot information. */
static void check_layout(const struct guest_load_result *r)
{
	FUZZ_CHECK(r->status == GUEST_LOAD_OK);
	FUZZ_CHECK(r->image_start.raw < r->image_end.raw && r->image_end.raw <= RAM_BYTES);
	FUZZ_CHECK(r->entry >= r->image_start.raw && r->entry < r->image_end.raw);
	FUZZ_CHECK(r->info_gpa % PAGE_SIZE == 0 && r->info_size > 0);
	FUZZ_CHECK(r->info_gpa + r->info_size <= RAM_BYTES);
	FUZZ_CHECK(!overlaps(r->info_gpa, r->info_size, r->image_start.raw,
			     r->image_end.raw - r->image_start.raw));
	FUZZ_CHECK(!overlaps(r->info_gpa, r->info_size, EBDA_BASE, HIGH_MEMORY - EBDA_BASE));
}

/* The boot information, as a multiboot v1 kernel (here Tally's own parser) reads it. */
static void check_readback(const struct guest_load_result *r, const char *cmdline)
{
	struct fuzz_phys phys = { .region[0] = { 0, ram, RAM_BYTES }, .limit = RAM_BYTES };
	int ret = mb1_parse(r->info_gpa, fuzz_phys_read, &phys, &readback);

	fuzz_phys_release(&phys);
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(!strcmp(readback.loader, GUEST_LOAD_LOADER_NAME));
	FUZZ_CHECK(!strncmp(readback.cmdline, cmdline, sizeof(readback.cmdline) - 1));
	FUZZ_CHECK(readback.mmap_count == MB1_MMAP_COUNT && readback.module_count == 0);
	FUZZ_CHECK(readback.mmap[MB1_MMAP_COUNT - 1].base + readback.mmap[MB1_MMAP_COUNT - 1].len ==
		   RAM_BYTES);
}

/* Make the first header's checksum right, so that mutations of its flags and fields count. */
static void fix_checksum(uint8_t *img, size_t len)
{
	for (size_t off = 0; off + 3 * sizeof(uint32_t) <= MIN(len, MULTIBOOT_SEARCH);
	     off += MULTIBOOT_HEADER_ALIGN) {
		struct multiboot_header h;

		memcpy(&h, img + off, 3 * sizeof(uint32_t));
		if (h.magic != MULTIBOOT_HEADER_MAGIC)
			continue;
		h.checksum = -(h.magic + h.flags);
		memcpy(img + off, &h, 3 * sizeof(uint32_t));
		return;
	}
}

/* The command line from the input (NUL-terminated), or a too-long one. */
static char *take_cmdline(struct fuzz_input *in, unsigned int mode)
{
	size_t len, want = fuzz_take(in, 1);
	const uint8_t *p = fuzz_bytes(in, want, &len);
	char *s;

	if (mode & MODE_LONG_CMDLINE)
		len = GUEST_LOAD_CMDLINE_MAX;
	s = malloc(len + 1);
	FUZZ_CHECK(s);
	if (mode & MODE_LONG_CMDLINE)
		memset(s, 'x', len);
	else
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int mode = fuzz_take(&in, 1);
	char *cmdline = take_cmdline(&in, mode);
	uint8_t *image = malloc(in.size ? in.size : 1);
	struct guest_load_req req = {
		.ram = NULL, .mem_bytes = RAM_BYTES, .image = image,
		.image_size = in.size, .cmdline = cmdline, .name = "fuzz",
	};
	struct guest_load_result res;
	int ret;

	if (!ram)
		ram_map();
	FUZZ_CHECK(image);
	memcpy(image, in.data, in.size);
	if (mode & MODE_FIX_CHECKSUM)
		fix_checksum(image, in.size);
	req.ram = ram;
	shim_log_reset();
	ret = guest_load_multiboot(&req, &res);
	FUZZ_CHECK(strcmp(guest_load_strerror(res.status), "unknown loader status") != 0);
	if (ret < 0) {
		FUZZ_CHECK(res.status != GUEST_LOAD_OK && shim_log_count(LOG_ERR) == 1);
		FUZZ_CHECK(stray_writes(NULL) == 0);	/* a refused image writes no byte */
	} else {
		FUZZ_CHECK(ret == 0);
		check_layout(&res);
		FUZZ_CHECK(stray_writes(&res) == 0);
		check_readback(&res, cmdline);
	}
	FUZZ_CHECK(!madvise(ram, RAM_BYTES, MADV_DONTNEED));
	free(image);
	free(cmdline);
	return 0;
}
