/* SPDX-License-Identifier: MIT */
/* virtio-blk requests as the disk decides them (virtio 1.2 section 5.2.6), pure logic.
 *
 * Design: a request is a chain whose readable part starts with the 16-byte
 * header and whose last writable byte is the status.  From the header and
 * the chain's two lengths this file decides what the request does (which
 * bytes of the disk, which of the chain) or which status refuses it, before
 * any byte moves, so a refused request touches nothing.  It also keeps the
 * counters, so that the rules on what counts are tested on the host. */
#ifndef TALLY_VBLK_REQ_H
#define TALLY_VBLK_REQ_H

#include <tally/types.h>
#include <tally/vblk.h>
#include <tally/virtio.h>

/* The largest request's data: what the size_max and seg_max offered let a driver build. */
#define VBLK_REQ_MAX_DATA	((uint64_t)VBLK_SEG_MAX * VBLK_SIZE_MAX)

enum vblk_op {
	VBLK_OP_READ,		/* VIRTIO_BLK_T_IN: disk -> writable data */
	VBLK_OP_WRITE,		/* VIRTIO_BLK_T_OUT: readable data -> disk */
	VBLK_OP_FLUSH,		/* VIRTIO_BLK_T_FLUSH: nothing to do, memory-backed */
	VBLK_OP_GET_ID,		/* VIRTIO_BLK_T_GET_ID: the ID string */
	VBLK_OP_REFUSED,	/* answered with .status, nothing moved */
	VBLK_OP_NO_STATUS,	/* no writable byte: nothing can be answered */
};

/* What a request does, decided before anything moves. */
struct vblk_req {
	enum vblk_op op;
	uint8_t status;		/* VIRTIO_BLK_S_*: what the status byte gets */
	uint64_t disk_off;	/* READ/WRITE: first byte on the disk */
	uint64_t data_len;	/* READ/WRITE/GET_ID: bytes moved */
	uint64_t chain_off;	/* where the data starts in the chain's readable (WRITE) or writable part */
	uint64_t status_off;	/* the status byte's offset in the writable part */
	uint32_t used_len;	/* bytes written into the chain, the status included (used ring) */
};

/*
 * Decide the request whose header is @h (NULL: the readable part is
 * shorter than a header) in a chain of @read_bytes readable and
 * @write_bytes writable bytes, on a disk of @disk_bytes, read-only if @ro.
 */
void vblk_req_decode(const struct virtio_blk_req_hdr *h, uint64_t read_bytes,
		     uint64_t write_bytes, uint64_t disk_bytes, bool ro, struct vblk_req *r);

/* Count answered request @r in @c (successes by type, failures by status). */
void vblk_req_count(struct vblk_counters *c, const struct vblk_req *r);

/* The GET_ID string of domain @domain_id: "tally-dN", NUL-padded to VIRTIO_BLK_ID_BYTES. */
void vblk_req_id(unsigned int domain_id, uint8_t id[VIRTIO_BLK_ID_BYTES]);

#endif
