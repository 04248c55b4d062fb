/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the Linux bzImage loader (kernel/linux_loader.c).
 *
 * Input: a mode byte (MODE_*), the length of the kernel's command line (one
 * byte) and its bytes, the length of the initrd (two bytes) and its bytes,
 * then the kernel image.  Guest RAM is an anonymous mapping between two
 * inaccessible guard pages, emptied before each load, so the pages resident
 * afterwards are exactly the pages the loader wrote: a refused image (one
 * error line) must leave none, and a loaded one only the zero page, the
 * command line, the kernel and the initrd, each of which reads back as the
 * boot protocol says.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <tally/errno.h>
#include <tally/linux_loader.h>
#include <tally/vplatform.h>

#include "harness.h"
#include "shim.h"

#define MODE_FIX_HEADER		0x01	/* magic, boot flag, LOADED_HIGH and protocol 2.15 in place */
#define MODE_INITRD		0x02	/* pass the initrd bytes (else none) */

#define RAM_BYTES	(4 * MIB)
#define RAM_PAGES	(RAM_BYTES / PAGE_SIZE)
#define INITRD_MAX	0xFFFF
#define PROTO_2_15	0x020F

static uint8_t *ram;
static unsigned char resident[RAM_PAGES];

static void ram_map(void)
{
	uint8_t *m = mmap(NULL, RAM_BYTES + 2 * PAGE_SIZE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	FUZZ_CHECK(m != MAP_FAILED);
	ram = m + PAGE_SIZE;
	FUZZ_CHECK(!mprotect(ram, RAM_BYTES, PROT_READ | PROT_WRITE));
	FUZZ_CHECK(!madvise(ram, RAM_BYTES, MADV_NOHUGEPAGE));
}

static bool within(uint64_t pa, uint64_t base, uint64_t len)
{
	return pa + PAGE_SIZE > base && pa < base + len;
}

/* Resident pages outside what a load may write; 0 if none. */
static unsigned int stray_pages(const struct linux_load_result *r, uint64_t initrd_size)
{
	unsigned int stray = 0;

	FUZZ_CHECK(!mincore(ram, RAM_BYTES, resident));
	for (uint64_t pg = 0; pg < RAM_PAGES; pg++) {
		uint64_t pa = pg * PAGE_SIZE;

		if (!(resident[pg] & 1))
			continue;
		stray += !r || !(within(pa, LINUX_ZERO_PAGE_GPA, LINUX_ZERO_PAGE_SIZE) ||
				 within(pa, LINUX_CMDLINE_GPA, LINUX_CMDLINE_MAX) ||
				 within(pa, r->kernel_gpa, r->kernel_size) ||
				 (initrd_size && within(pa, r->initrd_gpa, initrd_size)));
	}
	return stray;
}

/* Force the fields that gate the deep paths, so that mutations reach placement. */
static void fix_header(uint8_t *img, size_t len)
{
	struct linux_setup_header h;

	if (len < LINUX_SETUP_HEADER_OFF + sizeof(h))
		return;
	memcpy(&h, img + LINUX_SETUP_HEADER_OFF, sizeof(h));
	h.boot_flag = LINUX_BOOT_FLAG;
	h.header = LINUX_HDRS_MAGIC;
	h.jump = (uint16_t)(0xEB | ((LINUX_SETUP_HEADER_OFF + sizeof(h) - 0x202) << 8));
	h.version = PROTO_2_15;
	h.loadflags |= LINUX_LOADED_HIGH;
	memcpy(img + LINUX_SETUP_HEADER_OFF, &h, sizeof(h));
}

/* What the kernel finds: its bytes, its initrd, its command line and the zero page. */
static void check_loaded(const struct linux_load_req *req, const struct linux_load_result *r)
{
	const struct linux_boot_params *bp =
		(const struct linux_boot_params *)(ram + LINUX_ZERO_PAGE_GPA);
	struct linux_e820_entry map[LINUX_E820_ENTRIES_MAX];
	unsigned int n = linux_e820_build(RAM_BYTES, map);
	uint64_t kernel_off = req->image_size - r->kernel_size;

	FUZZ_CHECK(r->status == LINUX_LOAD_OK && r->version >= LINUX_MIN_PROTOCOL);
	FUZZ_CHECK(r->regs.eip == r->kernel_gpa && r->regs.esi == LINUX_ZERO_PAGE_GPA);
	FUZZ_CHECK(!r->regs.eax && !r->regs.ebx);
	FUZZ_CHECK(r->kernel_gpa >= VPLATFORM_HIGH_MEMORY && r->kernel_size > 0);
	FUZZ_CHECK(r->kernel_gpa + r->kernel_size <= r->kernel_end && r->kernel_end <= RAM_BYTES);
	FUZZ_CHECK(!memcmp(ram + r->kernel_gpa, req->image + kernel_off, r->kernel_size));
	FUZZ_CHECK(!strcmp((const char *)ram + LINUX_CMDLINE_GPA, req->cmdline));
	FUZZ_CHECK(bp->hdr.header == LINUX_HDRS_MAGIC && bp->hdr.version == r->version);
	FUZZ_CHECK(bp->hdr.type_of_loader == LINUX_LOADER_UNDEFINED);
	FUZZ_CHECK(bp->hdr.cmd_line_ptr == LINUX_CMDLINE_GPA);
	FUZZ_CHECK(bp->hdr.code32_start == r->kernel_gpa);
	FUZZ_CHECK(bp->e820_entries == n && !memcmp(bp->e820_table, map, n * sizeof(map[0])));
	FUZZ_CHECK(bp->hdr.ramdisk_size == req->initrd_size);
	if (!req->initrd_size) {
		FUZZ_CHECK(!bp->hdr.ramdisk_image && !r->initrd_gpa);
		return;
	}
	FUZZ_CHECK(r->initrd_gpa == bp->hdr.ramdisk_image && r->initrd_gpa % PAGE_SIZE == 0);
	FUZZ_CHECK(r->initrd_gpa >= r->kernel_end);
	FUZZ_CHECK(r->initrd_gpa + req->initrd_size <= RAM_BYTES);
	FUZZ_CHECK(r->initrd_gpa + req->initrd_size - 1 <= bp->hdr.initrd_addr_max);
	FUZZ_CHECK(!memcmp(ram + r->initrd_gpa, req->initrd, req->initrd_size));
}

/* Bytes @n long taken from the input into a fresh NUL-terminated buffer. */
static uint8_t *take(struct fuzz_input *in, size_t want, size_t *len, bool string)
{
	const uint8_t *p = fuzz_bytes(in, want, len);
	uint8_t *s = malloc(*len + 1);

	FUZZ_CHECK(s);
	memcpy(s, p, *len);
	s[*len] = '\0';
	if (string)	/* a C string: it ends at its first NUL */
		*len = strlen((char *)s);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int mode = fuzz_take(&in, 1);
	size_t cmd_len, rd_len;
	char *cmdline = (char *)take(&in, fuzz_take(&in, 1), &cmd_len, true);
	uint8_t *initrd = take(&in, fuzz_take(&in, 2), &rd_len, false);
	uint8_t *image = malloc(in.size ? in.size : 1);
	struct linux_load_req req = {
		.mem_bytes = RAM_BYTES, .image = image, .image_size = in.size,
		.initrd = (mode & MODE_INITRD) && rd_len ? initrd : NULL,
		.initrd_size = (mode & MODE_INITRD) ? rd_len : 0,
		.cmdline = cmdline, .rsdp_gpa = VPLATFORM_ACPI_BASE, .name = "fuzz",
	};
	struct linux_load_result res;
	int ret;

	if (!ram)
		ram_map();
	FUZZ_CHECK(image);
	memcpy(image, in.data, in.size);
	if (mode & MODE_FIX_HEADER)
		fix_header(image, in.size);
	req.ram = ram;
	shim_log_reset();
	ret = linux_load(&req, &res);
	FUZZ_CHECK(strcmp(linux_load_strerror(res.status), "unknown loader status") != 0);
	if (ret < 0) {
		FUZZ_CHECK(res.status != LINUX_LOAD_OK && shim_log_count(LOG_ERR) == 1);
		FUZZ_CHECK(stray_pages(NULL, 0) == 0);	/* a refused image writes no byte */
	} else {
		FUZZ_CHECK(ret == 0 && shim_log_count(LOG_ERR) == 0);
		check_loaded(&req, &res);
		FUZZ_CHECK(stray_pages(&res, req.initrd_size) == 0);
	}
	FUZZ_CHECK(!madvise(ram, RAM_BYTES, MADV_DONTNEED));
	free(image);
	free(initrd);
	free(cmdline);
	return 0;
}
