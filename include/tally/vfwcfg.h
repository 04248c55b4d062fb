/* SPDX-License-Identifier: MIT */
/* QEMU's fw_cfg interface, as much of it as kernels probe: signature, ID, CPU count, no files. */
#ifndef TALLY_VFWCFG_H
#define TALLY_VFWCFG_H

#include <tally/spinlock.h>

/* Keys (QEMU docs/specs/fw_cfg.rst, "Selector" and the standard items). */
#define FW_CFG_SIGNATURE	0x0000	/* "QEMU" */
#define FW_CFG_ID		0x0001	/* 32-bit LE feature bitmap */
#define FW_CFG_NB_CPUS		0x0005	/* 16-bit LE */
#define FW_CFG_FILE_DIR		0x0019	/* 32-bit BE count, then the entries */
#define FW_CFG_ID_TRADITIONAL	0x1	/* the port interface; bit 1 (DMA) is clear */
#define FW_CFG_PORT_COUNT	2	/* selector (16 bits) at the base, data (8 bits) at +1 */

/* One per domain (struct domain.fwcfg), zero at creation: the signature selected. */
struct vfwcfg {
	struct spinlock lock;		/* its vCPUs, on their CPUs */
	uint16_t key;			/* the selected item */
	uint32_t offset;		/* the next data byte of it */
};

/* Byte @offset of item @key in a domain of @vcpus vCPUs: 0 past an item's end or for an unknown key. */
uint8_t vfwcfg_item_byte(uint16_t key, uint32_t offset, unsigned int vcpus);

/* Select item @key: reads start at its first byte. */
void vfwcfg_select(struct vfwcfg *f, uint16_t key);

/* The next data byte of the selected item, for a domain of @vcpus vCPUs. */
uint8_t vfwcfg_read(struct vfwcfg *f, unsigned int vcpus);

/* Claim VPLATFORM_FWCFG_PORT and the data port after it, at boot: 0 or vio_register_ports()'s error. */
int vfwcfg_register(void);

#endif
