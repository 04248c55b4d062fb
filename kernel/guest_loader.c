/* SPDX-License-Identifier: MIT */
/* Multiboot v1 guest loader: check a kernel image whole, then copy it and its boot info into guest RAM. */
#include <tally/elf.h>
#include <tally/errno.h>
#include <tally/guest_loader.h>
#include <tally/log.h>
#include <tally/range.h>
#include <tally/multiboot.h>
#include <tally/string.h>

/*
 * The guest's memory map is the one a PC BIOS reports, as under QEMU: usable
 * up to the EBDA at 639 KiB, the EBDA and the BIOS ROM reserved, usable from
 * 1 MiB.  Behind it there is no BIOS: a domain's RAM is all its own, mapped
 * by EPT from 0, so a segment anywhere in it is loaded, the legacy area
 * [EBDA_BASE, MB1_HIGH_MEMORY_BASE) included, as QEMU's -kernel loads it (ld
 * -Ttext=0x100000 puts the ELF headers in a segment at 0xff000).  Nothing
 * of Tally's lives there (hypercalls write only into buffers the guest
 * names); the boot information goes where the map says usable RAM is.
 */
#define RAM_GRANULE		(2 * MIB)	/* domains get RAM in 2 MiB pages */
#define EBDA_BASE		0x9FC00ull	/* conventional memory ends: 639 KiB */
#define EBDA_END		0xA0000ull
#define BIOS_ROM_BASE		0xF0000ull	/* the system BIOS's 64 KiB */
#define ENTRY_LIMIT		(4 * GIB)	/* reach of 32-bit protected mode */

#define MB_HEADER_FIXED		offsetof(struct multiboot_header, header_addr)
#define MB1_MMAP_ENTRIES	4
#define MB1_INFO_FLAGS		(MB1_INFO_MEMORY | MB1_INFO_CMDLINE | \
				 MB1_INFO_MEM_MAP | MB1_INFO_LOADER_NAME)
/* Info area layout: mb1_info, the memory map, the loader name, the command line. */
#define INFO_MMAP_OFF		sizeof(struct mb1_info)
#define INFO_NAME_OFF		(INFO_MMAP_OFF + MB1_MMAP_ENTRIES * sizeof(struct mb1_mmap_entry))
#define INFO_CMDLINE_OFF	(INFO_NAME_OFF + sizeof(GUEST_LOAD_LOADER_NAME))

static const uint8_t elf_magic[] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };

/* A piece of the image to load, as ELF or the address fields describe it. */
struct segment {
	uint64_t paddr;		/* where it goes in guest RAM */
	uint64_t vaddr;		/* where it believes it runs: resolves the entry */
	uint64_t offset;	/* where its bytes start in the file */
	uint64_t filesz;
	uint64_t memsz;		/* filesz, then zeroes */
};

/* One load: every check comes before the first byte is written. */
struct load {
	const struct guest_load_req *req;
	struct guest_load_result *out;
	struct segment seg[GUEST_LOAD_MAX_SEGMENTS];
	unsigned int nseg;
	uint64_t entry;		/* as the image states it: virtual for ELF */
	uint64_t image_end;
	uint64_t cmdline_len;
};

/* What ELF32 and ELF64 headers have in common, with what each must hold. */
struct elf_info {
	unsigned int class;
	uint16_t type, machine, ehsize, phentsize, phnum;
	uint16_t want_machine, want_ehsize, want_phentsize;
	uint32_t version;
	uint64_t entry, phoff;
};

static const struct {
	int err;
	const char *what;
} reasons[GUEST_LOAD_STATUS_COUNT] = {
	[GUEST_LOAD_OK]			= { 0, "loaded" },
	[GUEST_LOAD_BAD_ARGS]		= { -EINVAL, "bad RAM or image buffer" },
	[GUEST_LOAD_EMPTY]		= { -ENOENT, "image is empty" },
	[GUEST_LOAD_NO_HEADER]		= { -ENOENT, "no multiboot header in the first 8 KiB" },
	[GUEST_LOAD_BAD_CHECKSUM]	= { -ENOENT, "multiboot header checksum wrong" },
	[GUEST_LOAD_HEADER_TRUNCATED]	= { -EINVAL, "multiboot address fields cut off" },
	[GUEST_LOAD_VIDEO_MODE]		= { -ENOSYS, "kernel requires a video mode (flag 2)" },
	[GUEST_LOAD_UNKNOWN_FLAGS]	= { -ENOSYS, "kernel requires unknown features (flags 3-15)" },
	[GUEST_LOAD_KLUDGE_ADDRS]	= { -EINVAL, "multiboot address fields out of order" },
	[GUEST_LOAD_KLUDGE_OFFSET]	= { -EINVAL, "multiboot address fields point outside the file" },
	[GUEST_LOAD_NOT_ELF]		= { -ENOSYS, "no address fields and not ELF" },
	[GUEST_LOAD_ELF_TRUNCATED]	= { -EINVAL, "file shorter than its ELF header" },
	[GUEST_LOAD_ELF_UNSUPPORTED]	= { -ENOSYS, "not a little-endian x86 ELF executable" },
	[GUEST_LOAD_ELF_BAD_HEADER]	= { -EINVAL, "ELF header sizes or program header count wrong" },
	[GUEST_LOAD_TOO_MANY_PHDRS]	= { -E2BIG, "too many program headers or segments" },
	[GUEST_LOAD_PHDRS_OUTSIDE_FILE]	= { -EINVAL, "program headers outside the file" },
	[GUEST_LOAD_SEG_FILESZ]		= { -EINVAL, "segment file size exceeds its memory size" },
	[GUEST_LOAD_SEG_OUTSIDE_FILE]	= { -EINVAL, "segment bytes outside the file" },
	[GUEST_LOAD_SEG_WRAP]		= { -EOVERFLOW, "segment wraps the address space" },
	[GUEST_LOAD_SEG_OUTSIDE_RAM]	= { -ERANGE, "segment outside guest RAM" },
	[GUEST_LOAD_SEG_OVERLAP]	= { -EINVAL, "segments overlap" },
	[GUEST_LOAD_NO_SEGMENTS]	= { -EINVAL, "nothing to load" },
	[GUEST_LOAD_ENTRY_OUTSIDE]	= { -EINVAL, "entry point not in a loaded segment" },
	[GUEST_LOAD_ENTRY_ABOVE_4G]	= { -ERANGE, "entry point above 4 GiB" },
	[GUEST_LOAD_CMDLINE_TOO_LONG]	= { -E2BIG, "command line too long" },
	[GUEST_LOAD_NO_ROOM_FOR_INFO]	= { -ENOSPC, "no room for the boot information" },
};

const char *guest_load_strerror(enum guest_load_status status)
{
	if ((unsigned int)status >= GUEST_LOAD_STATUS_COUNT || !reasons[status].what)
		return "unknown loader status";
	return reasons[status].what;
}

/* Record and log (once, here) why the load stopped; @where locates the problem. */
static int fail_at(struct load *ld, enum guest_load_status st, uint64_t where)
{
	const char *name = ld->req && ld->req->name ? ld->req->name : "guest";

	ld->out->status = st;
	log_err("%s: multiboot kernel refused: %s (0x%llx)", name,
		guest_load_strerror(st), (unsigned long long)where);
	return reasons[st].err;
}

/* The caller's buffers and command line, checked before the image is looked at. */
static int check_args(struct load *ld)
{
	const struct guest_load_req *r = ld->req;

	if (!r || !r->ram || (!r->image && r->image_size))
		return fail_at(ld, GUEST_LOAD_BAD_ARGS, 0);
	if (r->mem_bytes < RAM_GRANULE || !IS_ALIGNED(r->mem_bytes, RAM_GRANULE) ||
	    (uintptr_t)r->ram > UINTPTR_MAX - r->mem_bytes ||
	    (uintptr_t)r->image > UINTPTR_MAX - r->image_size)
		return fail_at(ld, GUEST_LOAD_BAD_ARGS, r->mem_bytes);
	/* memcpy() from the image into RAM needs them apart. */
	if (host_overlap(r->ram, r->mem_bytes, r->image, r->image_size))
		return fail_at(ld, GUEST_LOAD_BAD_ARGS, (uintptr_t)r->image);
	if (!r->image_size)
		return fail_at(ld, GUEST_LOAD_EMPTY, 0);
	ld->cmdline_len = r->cmdline ? strnlen(r->cmdline, GUEST_LOAD_CMDLINE_MAX) : 0;
	if (ld->cmdline_len == GUEST_LOAD_CMDLINE_MAX)
		return fail_at(ld, GUEST_LOAD_CMDLINE_TOO_LONG, ld->cmdline_len);
	return 0;
}

/* The 32-bit little-endian word at @off; the caller checked it is in the image. */
static uint32_t image_u32(const struct load *ld, uint64_t off)
{
	uint32_t v;

	memcpy(&v, ld->req->image + off, sizeof(v));
	return v;
}

/* Find the first valid header at a 4-byte boundary in the search area (spec 3.1.1). */
static int find_header(struct load *ld, uint64_t *hdr_off)
{
	uint64_t limit = MIN((uint64_t)ld->req->image_size, MULTIBOOT_SEARCH);
	uint64_t bad_off = 0;
	bool bad_sum = false;

	for (uint64_t off = 0; off + MB_HEADER_FIXED <= limit; off += MULTIBOOT_HEADER_ALIGN) {
		uint32_t flags, sum;

		if (image_u32(ld, off) != MULTIBOOT_HEADER_MAGIC)
			continue;
		flags = image_u32(ld, off + offsetof(struct multiboot_header, flags));
		sum = image_u32(ld, off + offsetof(struct multiboot_header, checksum));
		/* The magic may occur by chance in code: keep looking, as GRUB does. */
		if ((uint32_t)(MULTIBOOT_HEADER_MAGIC + flags + sum) == 0) {
			*hdr_off = off;
			return 0;
		}
		if (!bad_sum)
			bad_off = off;
		bad_sum = true;
	}
	if (bad_sum)
		return fail_at(ld, GUEST_LOAD_BAD_CHECKSUM, bad_off);
	return fail_at(ld, GUEST_LOAD_NO_HEADER, 0);
}

/* A loader must refuse a kernel whose required bits it cannot meet (spec 3.1.2). */
static int check_flags(struct load *ld, uint32_t flags)
{
	uint32_t unmet = flags & MULTIBOOT_REQUIRED_MASK &
			 ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);

	/* No modules are passed, so page-aligning them is trivially met. */
	if (unmet & MULTIBOOT_VIDEO_MODE)
		return fail_at(ld, GUEST_LOAD_VIDEO_MODE, flags);
	if (unmet)
		return fail_at(ld, GUEST_LOAD_UNKNOWN_FLAGS, flags);
	return 0;
}

/* Check one non-empty segment against the file, 2^64 and guest RAM. */
static int add_segment(struct load *ld, const struct segment *s)
{
	const struct guest_load_req *r = ld->req;

	if (s->filesz > s->memsz)
		return fail_at(ld, GUEST_LOAD_SEG_FILESZ, s->paddr);
	/* A bss-only segment reads nothing, so its p_offset does not matter. */
	if (s->filesz && !range_within(s->offset, s->filesz, r->image_size))
		return fail_at(ld, GUEST_LOAD_SEG_OUTSIDE_FILE, s->offset);
	if (s->memsz > UINT64_MAX - s->paddr)
		return fail_at(ld, GUEST_LOAD_SEG_WRAP, s->paddr);
	if (!range_within(s->paddr, s->memsz, r->mem_bytes))
		return fail_at(ld, GUEST_LOAD_SEG_OUTSIDE_RAM, s->paddr);
	if (ld->nseg == GUEST_LOAD_MAX_SEGMENTS)
		return fail_at(ld, GUEST_LOAD_TOO_MANY_PHDRS, ld->nseg);
	ld->seg[ld->nseg++] = *s;
	return 0;
}

/* The address fields (spec 3.1.3) describe one flat segment plus bss. */
static int parse_kludge(struct load *ld, uint64_t hdr_off, const struct multiboot_header *h)
{
	uint64_t text_off, file_off, load_len, mem_len;

	if (h->load_addr > h->header_addr)
		return fail_at(ld, GUEST_LOAD_KLUDGE_ADDRS, h->load_addr);
	/* The header's distance from load_addr fixes where loading starts in the file. */
	text_off = h->header_addr - h->load_addr;
	if (text_off > hdr_off)
		return fail_at(ld, GUEST_LOAD_KLUDGE_OFFSET, h->header_addr);
	file_off = hdr_off - text_off;
	load_len = ld->req->image_size - file_off;
	if (h->load_end_addr) {
		if (h->load_end_addr <= h->load_addr)
			return fail_at(ld, GUEST_LOAD_KLUDGE_ADDRS, h->load_end_addr);
		if (h->load_end_addr - h->load_addr > load_len)
			return fail_at(ld, GUEST_LOAD_KLUDGE_OFFSET, h->load_end_addr);
		load_len = h->load_end_addr - h->load_addr;
	}
	mem_len = load_len;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < h->load_addr + load_len)
			return fail_at(ld, GUEST_LOAD_KLUDGE_ADDRS, h->bss_end_addr);
		mem_len = h->bss_end_addr - h->load_addr;
	}
	ld->entry = h->entry_addr;
	return add_segment(ld, &(struct segment){
		.paddr = h->load_addr, .vaddr = h->load_addr, .offset = file_off,
		.filesz = load_len, .memsz = mem_len,
	});
}

static int read_ehdr32(struct load *ld, struct elf_info *e)
{
	struct elf32_ehdr h;

	if (ld->req->image_size < sizeof(h))
		return fail_at(ld, GUEST_LOAD_ELF_TRUNCATED, ld->req->image_size);
	memcpy(&h, ld->req->image, sizeof(h));
	*e = (struct elf_info){
		.class = ELFCLASS32, .type = h.e_type, .machine = h.e_machine,
		.ehsize = h.e_ehsize, .phentsize = h.e_phentsize, .phnum = h.e_phnum,
		.want_machine = EM_386, .want_ehsize = sizeof(struct elf32_ehdr),
		.want_phentsize = sizeof(struct elf32_phdr),
		.version = h.e_version, .entry = h.e_entry, .phoff = h.e_phoff,
	};
	return 0;
}

static int read_ehdr64(struct load *ld, struct elf_info *e)
{
	struct elf64_ehdr h;

	if (ld->req->image_size < sizeof(h))
		return fail_at(ld, GUEST_LOAD_ELF_TRUNCATED, ld->req->image_size);
	memcpy(&h, ld->req->image, sizeof(h));
	*e = (struct elf_info){
		.class = ELFCLASS64, .type = h.e_type, .machine = h.e_machine,
		.ehsize = h.e_ehsize, .phentsize = h.e_phentsize, .phnum = h.e_phnum,
		.want_machine = EM_X86_64, .want_ehsize = sizeof(struct elf64_ehdr),
		.want_phentsize = sizeof(struct elf64_phdr),
		.version = h.e_version, .entry = h.e_entry, .phoff = h.e_phoff,
	};
	return 0;
}

/* Read and check the ELF header (gABI 4) far enough to walk the program headers. */
static int read_ehdr(struct load *ld, struct elf_info *e)
{
	const uint8_t *img = ld->req->image;
	uint64_t size = ld->req->image_size;
	int err;

	if (size < sizeof(elf_magic) || memcmp(img, elf_magic, sizeof(elf_magic)))
		return fail_at(ld, GUEST_LOAD_NOT_ELF, 0);
	if (size < EI_NIDENT)
		return fail_at(ld, GUEST_LOAD_ELF_TRUNCATED, size);
	if (img[EI_CLASS] == ELFCLASS32)
		err = read_ehdr32(ld, e);
	else if (img[EI_CLASS] == ELFCLASS64)
		err = read_ehdr64(ld, e);
	else
		return fail_at(ld, GUEST_LOAD_ELF_UNSUPPORTED, img[EI_CLASS]);
	if (err)
		return err;
	if (img[EI_DATA] != ELFDATA2LSB || img[EI_VERSION] != EV_CURRENT ||
	    e->version != EV_CURRENT || e->type != ET_EXEC || e->machine != e->want_machine)
		return fail_at(ld, GUEST_LOAD_ELF_UNSUPPORTED, e->machine);
	if (e->ehsize != e->want_ehsize || e->phentsize != e->want_phentsize ||
	    e->phnum == 0 || e->phnum == PN_XNUM)
		return fail_at(ld, GUEST_LOAD_ELF_BAD_HEADER, e->phnum);
	if (e->phnum > GUEST_LOAD_MAX_PHDRS)
		return fail_at(ld, GUEST_LOAD_TOO_MANY_PHDRS, e->phnum);
	if (!range_within(e->phoff, (uint64_t)e->phnum * e->phentsize, size))
		return fail_at(ld, GUEST_LOAD_PHDRS_OUTSIDE_FILE, e->phoff);
	return 0;
}

/* Program header @i as a segment, and its p_type; read_ehdr() checked the table. */
static uint32_t read_phdr(const struct load *ld, const struct elf_info *e,
			  unsigned int i, struct segment *s)
{
	const uint8_t *p = ld->req->image + e->phoff + (uint64_t)i * e->phentsize;
	struct elf32_phdr p32;
	struct elf64_phdr p64;

	if (e->class == ELFCLASS32) {
		memcpy(&p32, p, sizeof(p32));
		*s = (struct segment){ p32.p_paddr, p32.p_vaddr, p32.p_offset,
				       p32.p_filesz, p32.p_memsz };
		return p32.p_type;
	}
	memcpy(&p64, p, sizeof(p64));
	*s = (struct segment){ p64.p_paddr, p64.p_vaddr, p64.p_offset,
			       p64.p_filesz, p64.p_memsz };
	return p64.p_type;
}

/* Collect the PT_LOAD segments: loaded at p_paddr, as GRUB and QEMU do. */
static int parse_elf(struct load *ld)
{
	struct elf_info e;
	struct segment s;
	int err = read_ehdr(ld, &e);

	if (err)
		return err;
	for (unsigned int i = 0; i < e.phnum; i++) {
		/* An empty segment places nothing. */
		if (read_phdr(ld, &e, i, &s) != PT_LOAD || (!s.memsz && !s.filesz))
			continue;
		err = add_segment(ld, &s);
		if (err)
			return err;
	}
	ld->entry = e.entry;
	return 0;
}

/* Read the header found at @hdr_off and gather segments from the form it names. */
static int parse_image(struct load *ld, uint64_t hdr_off)
{
	struct multiboot_header h = { 0 };
	uint64_t limit = MIN((uint64_t)ld->req->image_size, MULTIBOOT_SEARCH);
	int err;

	memcpy(&h, ld->req->image + hdr_off, MB_HEADER_FIXED);
	err = check_flags(ld, h.flags);
	if (err)
		return err;
	/* Address fields win over ELF, as in GRUB and QEMU. */
	if (!(h.flags & MULTIBOOT_AOUT_KLUDGE)) {
		ld->out->elf = true;
		err = parse_elf(ld);
	} else if (!range_within(hdr_off, sizeof(h), limit)) {
		return fail_at(ld, GUEST_LOAD_HEADER_TRUNCATED, hdr_off);
	} else {
		memcpy(&h, ld->req->image + hdr_off, sizeof(h));
		err = parse_kludge(ld, hdr_off, &h);
	}
	if (!err && !ld->nseg)
		return fail_at(ld, GUEST_LOAD_NO_SEGMENTS, 0);
	return err;
}

/* Reject overlapping segments (one would silently overwrite the other); note the extent. */
static int check_layout(struct load *ld)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (unsigned int i = 0; i < ld->nseg; i++) {
		const struct segment *a = &ld->seg[i];

		for (unsigned int j = i + 1; j < ld->nseg; j++) {
			const struct segment *b = &ld->seg[j];

			if (a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz)
				return fail_at(ld, GUEST_LOAD_SEG_OVERLAP, b->paddr);
		}
		lo = MIN(lo, a->paddr);
		hi = MAX(hi, a->paddr + a->memsz);
	}
	ld->out->image_start = gpa(lo);
	ld->out->image_end = gpa(hi);
	ld->image_end = hi;
	return 0;
}

/*
 * Turn the entry into a physical address through the segment holding it, as
 * GRUB does, so higher-half kernels whose e_entry is virtual still start; it
 * must lie in bytes loaded from the file, and below 4 GiB for 32-bit mode.
 */
static int resolve_entry(struct load *ld)
{
	for (unsigned int i = 0; i < ld->nseg; i++) {
		const struct segment *s = &ld->seg[i];
		uint64_t pa;

		if (ld->entry < s->vaddr || ld->entry - s->vaddr >= s->filesz)
			continue;
		pa = s->paddr + (ld->entry - s->vaddr);
		if (pa >= ENTRY_LIMIT)
			return fail_at(ld, GUEST_LOAD_ENTRY_ABOVE_4G, pa);
		ld->out->entry = (uint32_t)pa;
		return 0;
	}
	return fail_at(ld, GUEST_LOAD_ENTRY_OUTSIDE, ld->entry);
}

/*
 * Put the information on the first page after the image, as QEMU does, so
 * that it is clear of every segment; but at 1 MiB if it would not lie
 * wholly below the EBDA, so that it is in RAM the map calls usable (an
 * image that ends in low memory or in the legacy area).  Its 32-bit
 * pointers need it below 4 GiB.
 */
static int place_info(struct load *ld)
{
	uint64_t size = INFO_CMDLINE_OFF + ld->cmdline_len + 1;
	uint64_t at = ALIGN_UP(ld->image_end, PAGE_SIZE);

	if (at < MB1_HIGH_MEMORY_BASE && at + size > EBDA_BASE)
		at = MB1_HIGH_MEMORY_BASE;
	if (!range_within(at, size, MIN(ld->req->mem_bytes, ENTRY_LIMIT)))
		return fail_at(ld, GUEST_LOAD_NO_ROOM_FOR_INFO, at);
	ld->out->info_gpa = (uint32_t)at;
	ld->out->info_size = (uint32_t)size;
	return 0;
}

/* Copy each segment's file bytes and zero the rest; note the ones the map calls reserved. */
static void write_segments(const struct load *ld)
{
	for (unsigned int i = 0; i < ld->nseg; i++) {
		const struct segment *s = &ld->seg[i];
		uint8_t *dst = ld->req->ram + s->paddr;

		if (s->paddr < MB1_HIGH_MEMORY_BASE && s->paddr + s->memsz > EBDA_BASE)
			log_debug("%s: segment 0x%llx-0x%llx lies in the legacy area "
				  "0x9fc00-0x100000: loaded there, the domain's own RAM",
				  ld->req->name ? ld->req->name : "guest",
				  (unsigned long long)s->paddr,
				  (unsigned long long)(s->paddr + s->memsz));

		memcpy(dst, ld->req->image + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
}

/* Write mb1_info, the memory map and the strings (spec 3.3) at info_gpa. */
static void write_info(const struct load *ld)
{
	uint64_t mem = ld->req->mem_bytes;
	uint32_t at = ld->out->info_gpa;
	uint8_t *dst = ld->req->ram + at;
	struct mb1_info info = {
		.flags = MB1_INFO_FLAGS,
		.mem_lower = EBDA_BASE / KIB,
		.mem_upper = (uint32_t)MIN((mem - MB1_HIGH_MEMORY_BASE) / KIB, UINT32_MAX),
		.cmdline = at + INFO_CMDLINE_OFF,
		.mmap_length = MB1_MMAP_ENTRIES * sizeof(struct mb1_mmap_entry),
		.mmap_addr = at + INFO_MMAP_OFF,
		.boot_loader_name = at + INFO_NAME_OFF,
	};
	struct mb1_mmap_entry map[MB1_MMAP_ENTRIES] = {
		{ MB1_MMAP_ENTRY_BODY, 0, EBDA_BASE, MEM_USABLE },
		{ MB1_MMAP_ENTRY_BODY, EBDA_BASE, EBDA_END - EBDA_BASE, MEM_RESERVED },
		{ MB1_MMAP_ENTRY_BODY, BIOS_ROM_BASE, MB1_HIGH_MEMORY_BASE - BIOS_ROM_BASE,
		  MEM_RESERVED },
		{ MB1_MMAP_ENTRY_BODY, MB1_HIGH_MEMORY_BASE, mem - MB1_HIGH_MEMORY_BASE,
		  MEM_USABLE },
	};

	memcpy(dst, &info, sizeof(info));
	memcpy(dst + INFO_MMAP_OFF, map, sizeof(map));
	memcpy(dst + INFO_NAME_OFF, GUEST_LOAD_LOADER_NAME, sizeof(GUEST_LOAD_LOADER_NAME));
	if (ld->cmdline_len)
		memcpy(dst + INFO_CMDLINE_OFF, ld->req->cmdline, ld->cmdline_len);
	dst[INFO_CMDLINE_OFF + ld->cmdline_len] = '\0';
}

int guest_load_multiboot(const struct guest_load_req *req, struct guest_load_result *out)
{
	struct load ld = { .req = req, .out = out };
	uint64_t hdr_off = 0;
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = check_args(&ld);
	if (!err)
		err = find_header(&ld, &hdr_off);
	if (!err)
		err = parse_image(&ld, hdr_off);
	if (!err)
		err = check_layout(&ld);
	if (!err)
		err = resolve_entry(&ld);
	if (!err)
		err = place_info(&ld);
	if (err)
		return err;
	write_segments(&ld);
	write_info(&ld);
	out->regs = (struct vcpu_boot_regs){
		.eip = out->entry, .eax = MB1_BOOTLOADER_MAGIC, .ebx = out->info_gpa,
	};
	return 0;
}
