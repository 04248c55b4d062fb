/* SPDX-License-Identifier: MIT */
/* Linux bzImage loader: check the setup header whole, then place kernel, initrd, command line and zero page. */
#include <tally/boot_info.h>
#include <tally/errno.h>
#include <tally/linux_loader.h>
#include <tally/log.h>
#include <tally/range.h>
#include <tally/string.h>
#include <tally/vplatform.h>

/*
 * Layout of a Linux domain's RAM (boot.rst, "Loading the rest of the
 * kernel" and "32-bit boot protocol"): the zero page and the command line
 * in low usable RAM, the protected-mode kernel at 1 MiB (a relocatable one
 * at its pref_address when its init_size fits there), the initrd at the
 * top of RAM below initrd_addr_max.  The real-mode setup code is not
 * loaded: the 32-bit protocol starts after it, with its header copied into
 * the zero page.
 */
#define RAM_GRANULE		(2 * MIB)
#define ENTRY_LIMIT		(4 * GIB)	/* reach of 32-bit protected mode */
#define SETUP_HDR_END		(LINUX_SETUP_HEADER_OFF + sizeof(struct linux_setup_header))
/* The smallest image that holds the fields read before the version is known. */
#define MIN_IMAGE		(LINUX_HDR_OFF(version) + sizeof(uint16_t))

static const struct {
	int err;
	const char *what;
} reasons[LINUX_LOAD_STATUS_COUNT] = {
	[LINUX_LOAD_OK]			= { 0, "loaded" },
	[LINUX_LOAD_BAD_ARGS]		= { -EINVAL, "bad RAM, image or initrd buffer" },
	[LINUX_LOAD_TRUNCATED]		= { -EINVAL, "image shorter than its setup header" },
	[LINUX_LOAD_NO_MAGIC]		= { -ENOENT, "no \"HdrS\" setup header: not a bzImage" },
	[LINUX_LOAD_OLD_PROTOCOL]	= { -ENOSYS, "boot protocol older than 2.10" },
	[LINUX_LOAD_NOT_LOADED_HIGH]	= { -ENOSYS, "not LOADED_HIGH (a zImage)" },
	[LINUX_LOAD_NO_KERNEL]		= { -EINVAL, "no protected-mode kernel after the setup sectors" },
	[LINUX_LOAD_64BIT_ONLY]		= { -ENOSYS, "kernel runs only above 4 GiB (64-bit entry only)" },
	[LINUX_LOAD_BAD_ALIGNMENT]	= { -EINVAL, "kernel_alignment is not a power of two" },
	[LINUX_LOAD_INIT_SIZE]		= { -ERANGE, "init_size does not fit in the domain's RAM" },
	[LINUX_LOAD_CMDLINE_TOO_LONG]	= { -E2BIG, "command line longer than the kernel's cmdline_size" },
	[LINUX_LOAD_INITRD_TOO_BIG]	= { -ERANGE, "initrd does not fit below initrd_addr_max" },
};

/* One load: every check comes before the first byte is written. */
struct load {
	const struct linux_load_req *req;
	struct linux_load_result *out;
	struct linux_setup_header hdr;	/* the image's, zero-extended past its end */
	uint64_t hdr_len;		/* bytes of it the image holds */
	uint64_t kernel_off;		/* the protected-mode kernel in the file */
	uint64_t cmdline_len;
};

const char *linux_load_strerror(enum linux_load_status status)
{
	if ((unsigned int)status >= LINUX_LOAD_STATUS_COUNT || !reasons[status].what)
		return "unknown loader status";
	return reasons[status].what;
}

/* Record and log (once, here) why the load stopped; @where locates the problem. */
static int fail_at(struct load *ld, enum linux_load_status st, uint64_t where)
{
	const char *name = ld->req && ld->req->name ? ld->req->name : "guest";

	ld->out->status = st;
	log_err("%s: Linux kernel refused: %s (0x%llx)", name, linux_load_strerror(st),
		(unsigned long long)where);
	return reasons[st].err;
}

static uint16_t image_u16(const uint8_t *image, uint64_t off)
{
	uint16_t v;

	memcpy(&v, image + off, sizeof(v));
	return v;
}

bool linux_is_bzimage(const uint8_t *image, size_t size)
{
	uint32_t magic;

	if (!image || size < LINUX_HDR_OFF(header) + sizeof(magic))
		return false;
	memcpy(&magic, image + LINUX_HDR_OFF(header), sizeof(magic));
	return magic == LINUX_HDRS_MAGIC &&
	       image_u16(image, LINUX_HDR_OFF(boot_flag)) == LINUX_BOOT_FLAG;
}

/* The caller's buffers: RAM a whole number of 2 MiB pages, nothing overlapping RAM. */
static int check_args(struct load *ld)
{
	const struct linux_load_req *r = ld->req;

	if (!r || !r->ram || (!r->image && r->image_size) || (!r->initrd && r->initrd_size))
		return fail_at(ld, LINUX_LOAD_BAD_ARGS, 0);
	if (r->mem_bytes < RAM_GRANULE || !IS_ALIGNED(r->mem_bytes, RAM_GRANULE) ||
	    (uintptr_t)r->ram > UINTPTR_MAX - r->mem_bytes ||
	    (uintptr_t)r->image > UINTPTR_MAX - r->image_size ||
	    (uintptr_t)r->initrd > UINTPTR_MAX - r->initrd_size)
		return fail_at(ld, LINUX_LOAD_BAD_ARGS, r->mem_bytes);
	if (host_overlap(r->ram, r->mem_bytes, r->image, r->image_size) ||
	    (r->initrd_size && host_overlap(r->ram, r->mem_bytes, r->initrd, r->initrd_size)))
		return fail_at(ld, LINUX_LOAD_BAD_ARGS, (uintptr_t)r->image);
	return 0;
}

/*
 * The setup header (boot.rst, "The real-mode kernel header"): magic,
 * protocol, LOADED_HIGH, and the protected-mode kernel after
 * (setup_sects + 1) sectors.  The header's extent is 0x202 plus the byte
 * at 0x201; what the image lacks of our struct reads as zero.
 */
static int read_header(struct load *ld)
{
	const uint8_t *img = ld->req->image;
	uint64_t size = ld->req->image_size, sects;

	if (size < MIN_IMAGE)
		return fail_at(ld, LINUX_LOAD_TRUNCATED, size);
	if (!linux_is_bzimage(img, size))
		return fail_at(ld, LINUX_LOAD_NO_MAGIC, LINUX_HDR_OFF(header));
	ld->hdr_len = MIN(size, (uint64_t)SETUP_HDR_END) - LINUX_SETUP_HEADER_OFF;
	ld->hdr_len = MIN(ld->hdr_len, (uint64_t)LINUX_JUMP_OFF + 1 + img[LINUX_JUMP_OFF] -
				       LINUX_SETUP_HEADER_OFF);
	memcpy(&ld->hdr, img + LINUX_SETUP_HEADER_OFF, ld->hdr_len);
	if (ld->hdr.version < LINUX_MIN_PROTOCOL)
		return fail_at(ld, LINUX_LOAD_OLD_PROTOCOL, ld->hdr.version);
	/* 2.10's fields end with init_size: the header must hold them. */
	if (ld->hdr_len < offsetof(struct linux_setup_header, handover_offset))
		return fail_at(ld, LINUX_LOAD_TRUNCATED, LINUX_SETUP_HEADER_OFF + ld->hdr_len);
	if (!(ld->hdr.loadflags & LINUX_LOADED_HIGH))
		return fail_at(ld, LINUX_LOAD_NOT_LOADED_HIGH, ld->hdr.loadflags);
	sects = ld->hdr.setup_sects ? ld->hdr.setup_sects : LINUX_SETUP_SECTS_OLD;
	ld->kernel_off = (sects + 1) * LINUX_SECTOR_SIZE;
	if (ld->kernel_off >= size)
		return fail_at(ld, LINUX_LOAD_NO_KERNEL, ld->kernel_off);
	ld->out->version = ld->hdr.version;
	ld->out->kernel_size = size - ld->kernel_off;
	return 0;
}

/* True if the kernel, loaded at @at, runs from @run with init_size bytes inside RAM. */
static bool fits(const struct load *ld, uint64_t at, uint64_t run)
{
	uint64_t ram = MIN(ld->req->mem_bytes, VPLATFORM_DEVICE_BASE);
	uint64_t need = MAX((uint64_t)ld->hdr.init_size, ld->out->kernel_size);

	return at >= VPLATFORM_HIGH_MEMORY && run >= at &&
	       range_within(at, ld->out->kernel_size, ram) && range_within(run, need, ram);
}

/*
 * Where the kernel goes (boot.rst, pref_address and init_size): a
 * relocatable kernel runs from its load address aligned up to
 * kernel_alignment, but never below pref_address (x86's decompressor
 * raises a lower start to LOAD_PHYSICAL_ADDR, which pref_address holds),
 * so Tally loads it at pref_address when that fits; a fixed one loads at
 * 1 MiB and moves itself to pref_address.  init_size bytes from the
 * runtime start must lie in RAM below the device window: otherwise the
 * decompressor would write past the domain's memory.
 */
static int place_kernel(struct load *ld)
{
	const struct linux_setup_header *h = &ld->hdr;
	uint64_t at = VPLATFORM_HIGH_MEMORY, run = h->pref_address;

	if (h->pref_address >= ENTRY_LIMIT && !h->relocatable_kernel)
		return fail_at(ld, LINUX_LOAD_64BIT_ONLY, h->pref_address);
	if (h->relocatable_kernel) {
		if (!h->kernel_alignment || (h->kernel_alignment & (h->kernel_alignment - 1)))
			return fail_at(ld, LINUX_LOAD_BAD_ALIGNMENT, h->kernel_alignment);
		at = ALIGN_UP(VPLATFORM_HIGH_MEMORY, h->kernel_alignment);
		run = MAX(at, (uint64_t)h->pref_address);
		if (IS_ALIGNED(h->pref_address, h->kernel_alignment) &&
		    fits(ld, h->pref_address, h->pref_address))
			at = run = h->pref_address;
	} else if (!h->pref_address) {
		run = VPLATFORM_HIGH_MEMORY;
	}
	if (!fits(ld, at, run))
		return fail_at(ld, LINUX_LOAD_INIT_SIZE, h->init_size);
	ld->out->kernel_gpa = at;
	ld->out->kernel_end = run + MAX((uint64_t)h->init_size, ld->out->kernel_size);
	return 0;
}

/* The command line must fit the kernel's cmdline_size (2.06+) and ours. */
static int check_cmdline(struct load *ld)
{
	const char *c = ld->req->cmdline;
	uint64_t limit = MIN((uint64_t)ld->hdr.cmdline_size, (uint64_t)LINUX_CMDLINE_MAX - 1);

	ld->cmdline_len = c ? strnlen(c, LINUX_CMDLINE_MAX) : 0;
	if (ld->cmdline_len > limit)
		return fail_at(ld, LINUX_LOAD_CMDLINE_TOO_LONG, ld->cmdline_len);
	return 0;
}

/*
 * The initrd at the top of RAM, page-aligned, wholly at or below
 * initrd_addr_max (boot.rst: the highest address it may occupy) and above
 * the kernel's init_size area.
 */
static int place_initrd(struct load *ld)
{
	uint64_t size = ld->req->initrd_size;
	uint64_t top = MIN(ld->req->mem_bytes, VPLATFORM_DEVICE_BASE);

	if (!size)
		return 0;
	top = MIN(top, (uint64_t)ld->hdr.initrd_addr_max + 1);
	if (size > top || ALIGN_DOWN(top - size, PAGE_SIZE) < ld->out->kernel_end)
		return fail_at(ld, LINUX_LOAD_INITRD_TOO_BIG, size);
	ld->out->initrd_gpa = ALIGN_DOWN(top - size, PAGE_SIZE);
	return 0;
}

/*
 * The domain's memory map (vplatform.h): low RAM, the EBDA-to-1-MiB hole
 * holding the ACPI tables, RAM from 1 MiB (cut at the device window), the
 * device window, and RAM above 4 GiB if any.
 */
unsigned int linux_e820_build(uint64_t ram_bytes, struct linux_e820_entry *map)
{
	uint64_t low_top = MIN(ram_bytes, VPLATFORM_DEVICE_BASE);
	unsigned int n = 0;

	map[n++] = (struct linux_e820_entry){ 0, VPLATFORM_EBDA_BASE, MEM_USABLE };
	map[n++] = (struct linux_e820_entry){ VPLATFORM_EBDA_BASE,
		VPLATFORM_HIGH_MEMORY - VPLATFORM_EBDA_BASE, MEM_RESERVED };
	if (low_top > VPLATFORM_HIGH_MEMORY)
		map[n++] = (struct linux_e820_entry){ VPLATFORM_HIGH_MEMORY,
			low_top - VPLATFORM_HIGH_MEMORY, MEM_USABLE };
	map[n++] = (struct linux_e820_entry){ VPLATFORM_DEVICE_BASE,
		VPLATFORM_DEVICE_END - VPLATFORM_DEVICE_BASE, MEM_RESERVED };
	if (ram_bytes > VPLATFORM_DEVICE_END)
		map[n++] = (struct linux_e820_entry){ VPLATFORM_DEVICE_END,
			ram_bytes - VPLATFORM_DEVICE_END, MEM_USABLE };
	return n;
}

/* The zero page (zero-page.rst): the image's header with the loader's fields, and the map. */
static void write_zero_page(const struct load *ld)
{
	const struct linux_load_req *r = ld->req;
	struct linux_boot_params *bp = (struct linux_boot_params *)(r->ram + LINUX_ZERO_PAGE_GPA);

	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, &ld->hdr, ld->hdr_len);
	bp->hdr.type_of_loader = LINUX_LOADER_UNDEFINED;
	/* No real-mode code runs: no heap, and the kernel must reload its own segments. */
	bp->hdr.loadflags &= (uint8_t)~(LINUX_CAN_USE_HEAP | LINUX_KEEP_SEGMENTS);
	bp->hdr.code32_start = (uint32_t)ld->out->kernel_gpa;
	bp->hdr.cmd_line_ptr = (uint32_t)LINUX_CMDLINE_GPA;
	bp->hdr.ramdisk_image = (uint32_t)ld->out->initrd_gpa;
	bp->hdr.ramdisk_size = (uint32_t)r->initrd_size;
	/* Below initrd_addr_max, hence below 4 GiB: the ext_ halves stay 0. */
	if (ld->hdr.version >= LINUX_PROTOCOL_RSDP)
		bp->acpi_rsdp_addr = r->rsdp_gpa;
	bp->e820_entries = (uint8_t)linux_e820_build(r->mem_bytes, bp->e820_table);
}

static void write_all(const struct load *ld)
{
	const struct linux_load_req *r = ld->req;

	memcpy(r->ram + ld->out->kernel_gpa, r->image + ld->kernel_off, ld->out->kernel_size);
	if (r->initrd_size)
		memcpy(r->ram + ld->out->initrd_gpa, r->initrd, r->initrd_size);
	if (ld->cmdline_len)
		memcpy(r->ram + LINUX_CMDLINE_GPA, r->cmdline, ld->cmdline_len);
	r->ram[LINUX_CMDLINE_GPA + ld->cmdline_len] = '\0';
	write_zero_page(ld);
}

int linux_load(const struct linux_load_req *req, struct linux_load_result *out)
{
	struct load ld = { .req = req, .out = out };
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = check_args(&ld);
	if (!err)
		err = read_header(&ld);
	if (!err)
		err = place_kernel(&ld);
	if (!err)
		err = check_cmdline(&ld);
	if (!err)
		err = place_initrd(&ld);
	if (err)
		return err;
	write_all(&ld);
	/* boot.rst, 32-bit boot protocol: ESI = boot_params; EBP, EDI, EBX = 0. */
	out->regs = (struct vcpu_boot_regs){
		.eip = (uint32_t)out->kernel_gpa, .esi = (uint32_t)LINUX_ZERO_PAGE_GPA,
	};
	return 0;
}
