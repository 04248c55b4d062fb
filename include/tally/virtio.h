/* SPDX-License-Identifier: MIT */
/*
 * The virtio 1.x structures and constants Tally's devices use, named as in
 * the OASIS specification "Virtual I/O Device (VIRTIO) Version 1.2"
 * (sections cited per group).  Guest-visible layouts are little-endian;
 * x86 is too, so the fields are plain integers.
 */
#ifndef TALLY_VIRTIO_H
#define TALLY_VIRTIO_H

#include <tally/types.h>

/* 2.1 Device Status Field. */
#define VIRTIO_STATUS_ACKNOWLEDGE	1u
#define VIRTIO_STATUS_DRIVER		2u
#define VIRTIO_STATUS_DRIVER_OK		4u
#define VIRTIO_STATUS_FEATURES_OK	8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED		128u

/* 6 Reserved Feature Bits (bit numbers). */
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_RING_PACKED		34

/* 5 Device Types: device IDs. */
#define VIRTIO_ID_NET			1
#define VIRTIO_ID_BLOCK			2

/* 2.7.5 The Virtqueue Descriptor Table. */
#define VIRTQ_DESC_F_NEXT		1u	/* the chain continues in .next */
#define VIRTQ_DESC_F_WRITE		2u	/* device-writable (else device-readable) */
#define VIRTQ_DESC_F_INDIRECT		4u	/* the buffer is a table of descriptors */

struct virtq_desc {
	uint64_t addr;			/* guest-physical */
	uint32_t len;
	uint16_t flags;			/* VIRTQ_DESC_F_* */
	uint16_t next;
} __attribute__((packed));
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc layout");

/* 2.7.6 The Virtqueue Available Ring: flags, idx, ring[size], used_event. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1u
#define VIRTQ_AVAIL_FLAGS		0	/* byte offsets in the driver area */
#define VIRTQ_AVAIL_IDX			2
#define VIRTQ_AVAIL_RING		4	/* + 2 * i */
#define VIRTQ_AVAIL_BYTES(size)		(6u + 2u * (size))	/* used_event included */

/* 2.7.8 The Virtqueue Used Ring: flags, idx, ring[size] of {id, len}, avail_event. */
#define VIRTQ_USED_F_NO_NOTIFY		1u
#define VIRTQ_USED_FLAGS		0	/* byte offsets in the device area */
#define VIRTQ_USED_IDX			2
#define VIRTQ_USED_RING			4	/* + 8 * i */
#define VIRTQ_USED_BYTES(size)		(6u + 8u * (size))	/* avail_event included */

struct virtq_used_elem {
	uint32_t id;			/* head of the chain */
	uint32_t len;			/* bytes written into its device-writable part */
} __attribute__((packed));
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem layout");

/* 2.7 alignment: descriptor table 16, driver area 2, device area 4 bytes. */
#define VIRTQ_DESC_ALIGN		16
#define VIRTQ_AVAIL_ALIGN		2
#define VIRTQ_USED_ALIGN		4

/* 4.2.2 MMIO Device Register Layout (byte offsets; "R" read-only, "W" write-only). */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000	/* R: 0x74726976, "virt" */
#define VIRTIO_MMIO_VERSION		0x004	/* R: 2 */
#define VIRTIO_MMIO_DEVICE_ID		0x008	/* R */
#define VIRTIO_MMIO_VENDOR_ID		0x00c	/* R */
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010	/* R: 32 bits selected by ..._SEL */
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014	/* W */
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020	/* W */
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024	/* W */
#define VIRTIO_MMIO_QUEUE_SEL		0x030	/* W */
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034	/* R */
#define VIRTIO_MMIO_QUEUE_NUM		0x038	/* W */
#define VIRTIO_MMIO_QUEUE_READY		0x044	/* RW */
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050	/* W */
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060	/* R */
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064	/* W */
#define VIRTIO_MMIO_STATUS		0x070	/* RW */
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080	/* W */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084	/* W */
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090	/* W */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094	/* W */
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0	/* W */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4	/* W */
#define VIRTIO_MMIO_SHM_SEL		0x0ac	/* W */
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0	/* R: all ones, no shared memory */
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_QUEUE_RESET		0x0c0	/* RW */
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc	/* R */
#define VIRTIO_MMIO_CONFIG		0x100	/* device-specific configuration */

#define VIRTIO_MMIO_MAGIC		0x74726976u
#define VIRTIO_MMIO_VERSION_MODERN	2u
#define VIRTIO_MMIO_INT_VRING		1u	/* InterruptStatus: used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG		2u	/* InterruptStatus: configuration change */

/* 5.1.3 Network device feature bits. */
#define VIRTIO_NET_F_MTU		3
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_STATUS		16

/* 5.1.4 Network device configuration layout. */
#define VIRTIO_NET_S_LINK_UP		1u
struct virtio_net_config {
	uint8_t mac[6];
	uint16_t status;		/* VIRTIO_NET_S_* */
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_net_config) == 12, "virtio_net_config layout");

/* 5.1.6 Device Operation: the header before every frame (VERSION_1: num_buffers included). */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;		/* VIRTIO_NET_HDR_GSO_NONE: no offloads are offered */
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr layout");
#define VIRTIO_NET_HDR_GSO_NONE		0
#define VIRTIO_NET_RX_QUEUE		0	/* receiveq1 */
#define VIRTIO_NET_TX_QUEUE		1	/* transmitq1 */

/* 5.2.3 Block device feature bits. */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9

/* 5.2.4 Block device configuration layout (the leading fields Tally fills). */
struct virtio_blk_config {
	uint64_t capacity;		/* in 512-byte sectors */
	uint32_t size_max;		/* largest segment, bytes */
	uint32_t seg_max;		/* segments per request */
	uint16_t cylinders;		/* geometry: unused (no VIRTIO_BLK_F_GEOMETRY) */
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_blk_config) == 24, "virtio_blk_config layout");

/* 5.2.6 Device Operation: request header, types and status. */
#define VIRTIO_BLK_SECTOR_SIZE		512u
#define VIRTIO_BLK_T_IN			0u
#define VIRTIO_BLK_T_OUT		1u
#define VIRTIO_BLK_T_FLUSH		4u
#define VIRTIO_BLK_T_GET_ID		8u
#define VIRTIO_BLK_T_DISCARD		11u
#define VIRTIO_BLK_ID_BYTES		20u
#define VIRTIO_BLK_S_OK			0u
#define VIRTIO_BLK_S_IOERR		1u
#define VIRTIO_BLK_S_UNSUPP		2u
struct virtio_blk_req_hdr {
	uint32_t type;			/* VIRTIO_BLK_T_* */
	uint32_t reserved;
	uint64_t sector;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "virtio_blk_req_hdr layout");

#endif
