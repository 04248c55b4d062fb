/* SPDX-License-Identifier: MIT */
/* Multiboot v1 guest loader: places a kernel and its boot information in a domain's RAM. */
#ifndef TALLY_GUEST_LOADER_H
#define TALLY_GUEST_LOADER_H

#include <tally/types.h>
#include <tally/vcpu_boot.h>

/* The OS image header (Multiboot Specification 0.6.96, 3.1). */
#define MULTIBOOT_HEADER_MAGIC	0x1BADB002u
#define MULTIBOOT_SEARCH	8192	/* the header lies wholly in these first bytes */
#define MULTIBOOT_HEADER_ALIGN	4

/* Bits 0-15 are requirements a loader must meet or refuse; 16-31 are optional. */
#define MULTIBOOT_PAGE_ALIGN	(1u << 0)	/* page-align modules */
#define MULTIBOOT_MEMORY_INFO	(1u << 1)	/* mem_* fields (and a memory map) */
#define MULTIBOOT_VIDEO_MODE	(1u << 2)	/* a graphics mode table */
#define MULTIBOOT_AOUT_KLUDGE	(1u << 16)	/* the address fields are valid */
#define MULTIBOOT_REQUIRED_MASK	0x0000FFFFu

/* The fixed part; the address fields count only with MULTIBOOT_AOUT_KLUDGE. */
struct multiboot_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;	/* magic + flags + checksum == 0 (mod 2^32) */
	uint32_t header_addr;
	uint32_t load_addr;
	uint32_t load_end_addr;	/* 0: load to the end of the file */
	uint32_t bss_end_addr;	/* 0: no bss */
	uint32_t entry_addr;
} __packed;

#define GUEST_LOAD_MAX_PHDRS	256	/* bounds the program header walk */
#define GUEST_LOAD_MAX_SEGMENTS	16	/* non-empty PT_LOAD segments kept */
#define GUEST_LOAD_CMDLINE_MAX	4096	/* NUL included */
#define GUEST_LOAD_LOADER_NAME	"Tally"

/* Why a load failed; guest_load_strerror() names each. */
enum guest_load_status {
	GUEST_LOAD_OK = 0,
	GUEST_LOAD_BAD_ARGS,		/* -EINVAL: caller's RAM or image unusable */
	GUEST_LOAD_EMPTY,		/* -ENOENT: zero-byte image */
	GUEST_LOAD_NO_HEADER,		/* -ENOENT: no multiboot magic in the search area */
	GUEST_LOAD_BAD_CHECKSUM,	/* -ENOENT: magic found, but never with a good checksum */
	GUEST_LOAD_HEADER_TRUNCATED,	/* -EINVAL: address fields past the search area or file */
	GUEST_LOAD_VIDEO_MODE,		/* -ENOSYS: requires a video mode */
	GUEST_LOAD_UNKNOWN_FLAGS,	/* -ENOSYS: requires an unknown feature (bits 3-15) */
	GUEST_LOAD_KLUDGE_ADDRS,	/* -EINVAL: address fields out of order */
	GUEST_LOAD_KLUDGE_OFFSET,	/* -EINVAL: address fields point outside the file */
	GUEST_LOAD_NOT_ELF,		/* -ENOSYS: no address fields and not ELF */
	GUEST_LOAD_ELF_TRUNCATED,	/* -EINVAL: file shorter than its ELF header */
	GUEST_LOAD_ELF_UNSUPPORTED,	/* -ENOSYS: not a little-endian x86 ET_EXEC */
	GUEST_LOAD_ELF_BAD_HEADER,	/* -EINVAL: header sizes or e_phnum wrong */
	GUEST_LOAD_TOO_MANY_PHDRS,	/* -E2BIG: e_phnum or PT_LOAD count over the limit */
	GUEST_LOAD_PHDRS_OUTSIDE_FILE,	/* -EINVAL */
	GUEST_LOAD_SEG_FILESZ,		/* -EINVAL: p_filesz > p_memsz */
	GUEST_LOAD_SEG_OUTSIDE_FILE,	/* -EINVAL */
	GUEST_LOAD_SEG_WRAP,		/* -EOVERFLOW: address + size wraps 2^64 */
	GUEST_LOAD_SEG_OUTSIDE_RAM,	/* -ERANGE */
	GUEST_LOAD_SEG_OVERLAP,		/* -EINVAL: two segments share bytes */
	GUEST_LOAD_NO_SEGMENTS,		/* -EINVAL: nothing to load */
	GUEST_LOAD_ENTRY_OUTSIDE,	/* -EINVAL: entry not in any segment's file bytes */
	GUEST_LOAD_ENTRY_ABOVE_4G,	/* -ERANGE: unreachable from 32-bit mode */
	GUEST_LOAD_CMDLINE_TOO_LONG,	/* -E2BIG */
	GUEST_LOAD_NO_ROOM_FOR_INFO,	/* -ENOSPC: boot information does not fit */
	GUEST_LOAD_STATUS_COUNT
};

struct guest_load_req {
	uint8_t *ram;		/* host view of guest-physical [0, mem_bytes) */
	uint64_t mem_bytes;	/* a multiple of 2 MiB, at least 2 MiB */
	const uint8_t *image;	/* the kernel file (a boot module); only read */
	size_t image_size;
	const char *cmdline;	/* the guest's command line; NULL means "" */
	const char *name;	/* prefix for the one error line, e.g. the domain */
};

/*
 * Where the guest starts (Multiboot 0.6.96, 3.2): 32-bit protected mode,
 * paging off, EIP = entry, EAX = MB1_BOOTLOADER_MAGIC, EBX = info_gpa.
 */
struct guest_load_result {
	uint32_t entry;		/* guest-physical, inside a loaded segment */
	uint32_t info_gpa;	/* struct mb1_info, page-aligned */
	uint32_t info_size;	/* bytes written from info_gpa on */
	struct vcpu_boot_regs regs;	/* EIP, EAX, EBX as above, for arch_vcpu_init() */
	gpa_t image_start;	/* lowest byte loaded */
	gpa_t image_end;	/* one past the highest byte loaded, bss included */
	bool elf;		/* loaded from ELF program headers, else address fields */
	enum guest_load_status status;
};

/*
 * Load the multiboot v1 kernel req->image into req->ram and build its boot
 * information there.  Returns 0 with @out filled in, or a negative errno with
 * out->status saying why (logged once); on failure RAM is left untouched.
 * Never reads or writes outside the image or RAM, whatever the image holds.
 */
int guest_load_multiboot(const struct guest_load_req *req, struct guest_load_result *out);

/* A one-line description of @status for logs. */
const char *guest_load_strerror(enum guest_load_status status);

#endif
