/* SPDX-License-Identifier: MIT */
/* Linux bzImage loader: places a kernel, its initrd, command line and zero page in a domain's RAM. */
#ifndef TALLY_LINUX_LOADER_H
#define TALLY_LINUX_LOADER_H

#include <tally/linux_boot.h>
#include <tally/types.h>
#include <tally/vcpu_boot.h>

/*
 * Where the loader puts the boot protocol's pieces in low, usable RAM
 * (below VPLATFORM_EBDA_BASE, clear of the real-mode IVT and BDA).
 */
#define LINUX_ZERO_PAGE_GPA	0x10000ull
#define LINUX_CMDLINE_GPA	0x20000ull
#define LINUX_CMDLINE_MAX	4096	/* bytes with the NUL; the kernel's cmdline_size may say less */
#define LINUX_E820_ENTRIES_MAX	5	/* what linux_e820_build() writes at most */

/* Why a load failed; linux_load_strerror() names each. */
enum linux_load_status {
	LINUX_LOAD_OK = 0,
	LINUX_LOAD_BAD_ARGS,		/* -EINVAL: caller's RAM, image or initrd unusable */
	LINUX_LOAD_TRUNCATED,		/* -EINVAL: shorter than its setup header */
	LINUX_LOAD_NO_MAGIC,		/* -ENOENT: no "HdrS" / 0xAA55: not a bzImage */
	LINUX_LOAD_OLD_PROTOCOL,	/* -ENOSYS: boot protocol before 2.10 */
	LINUX_LOAD_NOT_LOADED_HIGH,	/* -ENOSYS: a zImage (loads at 0x10000) */
	LINUX_LOAD_NO_KERNEL,		/* -EINVAL: nothing after the setup sectors */
	LINUX_LOAD_64BIT_ONLY,		/* -ENOSYS: must run above 4 GiB: no 32-bit entry */
	LINUX_LOAD_BAD_ALIGNMENT,	/* -EINVAL: kernel_alignment not a power of two */
	LINUX_LOAD_INIT_SIZE,		/* -ERANGE: init_size does not fit in RAM */
	LINUX_LOAD_CMDLINE_TOO_LONG,	/* -E2BIG: over the kernel's cmdline_size */
	LINUX_LOAD_INITRD_TOO_BIG,	/* -ERANGE: no room below initrd_addr_max */
	LINUX_LOAD_STATUS_COUNT
};

struct linux_load_req {
	uint8_t *ram;		/* host view of guest-physical [0, mem_bytes) */
	uint64_t mem_bytes;	/* a multiple of 2 MiB, at least 2 MiB */
	const uint8_t *image;	/* the bzImage (a boot module); only read */
	size_t image_size;
	const uint8_t *initrd;	/* NULL with initrd_size 0: none */
	size_t initrd_size;
	const char *cmdline;	/* the kernel's command line; NULL means "" */
	uint64_t rsdp_gpa;	/* the ACPI RSDP for acpi_rsdp_addr; 0: none */
	const char *name;	/* prefix for the one error line, e.g. the domain */
};

/* Where things went; regs start vCPU 0 at the 32-bit entry (boot.rst, "32-bit boot protocol"). */
struct linux_load_result {
	struct vcpu_boot_regs regs;	/* EIP = the entry, ESI = the zero page, others 0 */
	uint64_t kernel_gpa;		/* the protected-mode kernel's load address */
	uint64_t kernel_size;		/* its bytes in the image */
	uint64_t kernel_end;		/* runtime start + init_size: the kernel's own area */
	uint64_t initrd_gpa;		/* 0 if none */
	uint16_t version;		/* the boot protocol, e.g. 0x020F */
	enum linux_load_status status;
};

/* True if @image carries a Linux setup header (boot_flag and "HdrS" in place). */
bool linux_is_bzimage(const uint8_t *image, size_t size);

/*
 * Load the bzImage req->image (and req->initrd) into req->ram and fill the
 * zero page.  Returns 0 with @out filled in, or a negative errno with
 * out->status saying why (logged once, as one line); on failure RAM is
 * left untouched.  Never reads or writes outside the image, initrd or RAM.
 */
int linux_load(const struct linux_load_req *req, struct linux_load_result *out);

/* The e820 map of a domain with @ram_bytes of RAM into @map; returns the entry count. */
unsigned int linux_e820_build(uint64_t ram_bytes, struct linux_e820_entry *map);

/* A one-line description of @status for logs. */
const char *linux_load_strerror(enum linux_load_status status);

#endif
