/* SPDX-License-Identifier: MIT */
/*
 * The Linux/x86 boot protocol, as a loader sees it: the setup header a
 * bzImage carries at 0x1F1 and the zero page (struct boot_params) the loader
 * hands the kernel in ESI.  Offsets and names are those of Linux's
 * Documentation/x86/boot.rst ("The real-mode kernel header") and
 * Documentation/x86/zero-page.rst; each is checked below.
 */
#ifndef TALLY_LINUX_BOOT_H
#define TALLY_LINUX_BOOT_H

#include <tally/types.h>

#define LINUX_SETUP_HEADER_OFF	0x1F1		/* the setup header inside the image and the zero page */
#define LINUX_BOOT_FLAG		0xAA55		/* boot_flag: the old boot sector signature */
#define LINUX_HDRS_MAGIC	0x53726448u	/* header: "HdrS" */
#define LINUX_SECTOR_SIZE	512
#define LINUX_SETUP_SECTS_OLD	4		/* setup_sects 0 means 4 (boot.rst, setup_sects) */
#define LINUX_MIN_PROTOCOL	0x020A		/* 2.10: pref_address and init_size exist */
#define LINUX_PROTOCOL_RSDP	0x020E		/* 2.14: acpi_rsdp_addr is read */
#define LINUX_LOADER_UNDEFINED	0xFF		/* type_of_loader: a loader without an assigned ID */
#define LINUX_JUMP_OFF		0x201		/* the jump's byte: the header ends at 0x202 + it */

/* loadflags (boot.rst, "Details of header fields"). */
#define LINUX_LOADED_HIGH	(1u << 0)	/* the protected-mode code loads at 0x100000 */
#define LINUX_KASLR_FLAG	(1u << 1)
#define LINUX_QUIET_FLAG	(1u << 5)
#define LINUX_KEEP_SEGMENTS	(1u << 6)
#define LINUX_CAN_USE_HEAP	(1u << 7)

/* xloadflags (protocol 2.12). */
#define LINUX_XLF_KERNEL_64		(1u << 0)	/* has the 64-bit entry at +0x200 */
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

/* The 32-bit boot protocol's segments (boot.rst, "32-bit boot protocol"). */
#define LINUX_BOOT_CS		0x10
#define LINUX_BOOT_DS		0x18

/* The real-mode kernel header, protocol 2.15 (boot.rst). */
struct linux_setup_header {
	uint8_t setup_sects;
	uint16_t root_flags;
	uint32_t syssize;
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;
	uint16_t jump;
	uint32_t header;
	uint16_t version;
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t type_of_loader;
	uint8_t loadflags;
	uint16_t setup_move_size;
	uint32_t code32_start;
	uint32_t ramdisk_image;
	uint32_t ramdisk_size;
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	uint8_t relocatable_kernel;
	uint8_t min_alignment;
	uint16_t xloadflags;
	uint32_t cmdline_size;
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;
	uint32_t payload_length;
	uint64_t setup_data;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t handover_offset;
	uint32_t kernel_info_offset;
} __packed;

/* One entry of the zero page's memory map (zero-page.rst, e820_table). */
struct linux_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;		/* enum mem_type: 1 usable, 2 reserved, ... */
} __packed;

#define LINUX_E820_MAX		128	/* E820_MAX_ENTRIES_ZEROPAGE */
#define LINUX_ZERO_PAGE_SIZE	4096

/* The zero page: only the fields Tally fills are named; the rest stays zero. */
struct linux_boot_params {
	uint8_t screen_info[0x40];
	uint8_t apm_bios_info[0x14];
	uint8_t pad1[4];
	uint64_t tboot_addr;
	uint8_t ist_info[0x10];
	uint64_t acpi_rsdp_addr;
	uint8_t pad2[0xC0 - 0x78];	/* hd0_info, hd1_info, sys_desc_table, olpc_ofw_header */
	uint32_t ext_ramdisk_image;
	uint32_t ext_ramdisk_size;
	uint32_t ext_cmd_line_ptr;
	uint8_t pad3[0x1E0 - 0xCC];
	uint32_t alt_mem_k;
	uint32_t scratch;
	uint8_t e820_entries;
	uint8_t eddbuf_entries;
	uint8_t edd_mbr_sig_buf_entries;
	uint8_t kbd_status;
	uint8_t secure_boot;
	uint8_t pad4[2];
	uint8_t sentinel;
	uint8_t pad5;
	struct linux_setup_header hdr;
	uint8_t pad6[0x290 - 0x1F1 - sizeof(struct linux_setup_header)];
	uint32_t edd_mbr_sig_buffer[16];
	struct linux_e820_entry e820_table[LINUX_E820_MAX];
	uint8_t pad7[LINUX_ZERO_PAGE_SIZE - 0xCD0];
} __packed;

#define LINUX_HDR_OFF(f)	(LINUX_SETUP_HEADER_OFF + offsetof(struct linux_setup_header, f))

/* boot.rst's offsets, as the image holds them. */
_Static_assert(LINUX_HDR_OFF(setup_sects) == 0x1F1, "setup_sects");
_Static_assert(LINUX_HDR_OFF(boot_flag) == 0x1FE, "boot_flag");
_Static_assert(LINUX_HDR_OFF(header) == 0x202, "header");
_Static_assert(LINUX_HDR_OFF(version) == 0x206, "version");
_Static_assert(LINUX_HDR_OFF(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(LINUX_HDR_OFF(loadflags) == 0x211, "loadflags");
_Static_assert(LINUX_HDR_OFF(code32_start) == 0x214, "code32_start");
_Static_assert(LINUX_HDR_OFF(ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(LINUX_HDR_OFF(ramdisk_size) == 0x21C, "ramdisk_size");
_Static_assert(LINUX_HDR_OFF(heap_end_ptr) == 0x224, "heap_end_ptr");
_Static_assert(LINUX_HDR_OFF(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(LINUX_HDR_OFF(initrd_addr_max) == 0x22C, "initrd_addr_max");
_Static_assert(LINUX_HDR_OFF(kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(LINUX_HDR_OFF(relocatable_kernel) == 0x234, "relocatable_kernel");
_Static_assert(LINUX_HDR_OFF(xloadflags) == 0x236, "xloadflags");
_Static_assert(LINUX_HDR_OFF(cmdline_size) == 0x238, "cmdline_size");
_Static_assert(LINUX_HDR_OFF(setup_data) == 0x250, "setup_data");
_Static_assert(LINUX_HDR_OFF(pref_address) == 0x258, "pref_address");
_Static_assert(LINUX_HDR_OFF(init_size) == 0x260, "init_size");
_Static_assert(LINUX_HDR_OFF(kernel_info_offset) == 0x268, "kernel_info_offset");
_Static_assert(sizeof(struct linux_setup_header) == 0x26C - 0x1F1, "setup header size");

/* zero-page.rst's offsets. */
_Static_assert(offsetof(struct linux_boot_params, tboot_addr) == 0x058, "tboot_addr");
_Static_assert(offsetof(struct linux_boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct linux_boot_params, ext_ramdisk_image) == 0x0C0, "ext_ramdisk_image");
_Static_assert(offsetof(struct linux_boot_params, ext_cmd_line_ptr) == 0x0C8, "ext_cmd_line_ptr");
_Static_assert(offsetof(struct linux_boot_params, alt_mem_k) == 0x1E0, "alt_mem_k");
_Static_assert(offsetof(struct linux_boot_params, scratch) == 0x1E4, "scratch");
_Static_assert(offsetof(struct linux_boot_params, e820_entries) == 0x1E8, "e820_entries");
_Static_assert(offsetof(struct linux_boot_params, sentinel) == 0x1EF, "sentinel");
_Static_assert(offsetof(struct linux_boot_params, hdr) == LINUX_SETUP_HEADER_OFF, "hdr");
_Static_assert(offsetof(struct linux_boot_params, edd_mbr_sig_buffer) == 0x290, "edd_mbr_sig_buffer");
_Static_assert(offsetof(struct linux_boot_params, e820_table) == 0x2D0, "e820_table");
_Static_assert(sizeof(struct linux_e820_entry) == 20, "e820 entry");
_Static_assert(sizeof(struct linux_boot_params) == LINUX_ZERO_PAGE_SIZE, "zero page");

#endif
