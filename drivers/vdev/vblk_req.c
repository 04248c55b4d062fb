/* SPDX-License-Identifier: MIT */
/* Deciding and counting virtio-blk requests (virtio 1.2 section 5.2.6), pure logic. */
#include <tally/string.h>
#include <tally/vblk_req.h>

#define HDR_BYTES	sizeof(struct virtio_blk_req_hdr)
#define STATUS_BYTES	1u

/* Answer @r with @status alone: nothing else of the chain is written. */
static void refuse(struct vblk_req *r, uint8_t status)
{
	r->op = VBLK_OP_REFUSED;
	r->status = status;
	r->data_len = 0;
	r->used_len = STATUS_BYTES;
}

/*
 * [@sector * 512, + @len) must lie on the disk, with @len a non-zero
 * multiple of the sector (5.2.6.1: data is a multiple of 512 bytes) no
 * larger than size_max * seg_max; checked without overflow, since the
 * guest picks the sector.
 */
static bool range_ok(uint64_t sector, uint64_t len, uint64_t disk_bytes)
{
	uint64_t sectors = disk_bytes / VIRTIO_BLK_SECTOR_SIZE;

	if (!len || len % VIRTIO_BLK_SECTOR_SIZE || len > VBLK_REQ_MAX_DATA)
		return false;
	return sector <= sectors && len / VIRTIO_BLK_SECTOR_SIZE <= sectors - sector;
}

/* IN: the readable part is the header alone; data then status are writable. */
static bool decode_read(const struct virtio_blk_req_hdr *h, uint64_t read_bytes,
			uint64_t write_bytes, uint64_t disk_bytes, struct vblk_req *r)
{
	uint64_t len = write_bytes - STATUS_BYTES;

	if (read_bytes != HDR_BYTES || !range_ok(h->sector, len, disk_bytes))
		return false;
	r->op = VBLK_OP_READ;
	r->disk_off = h->sector * VIRTIO_BLK_SECTOR_SIZE;
	r->data_len = len;
	r->chain_off = 0;
	r->used_len = (uint32_t)(len + STATUS_BYTES);
	return true;
}

/*
 * OUT: header and data readable, the status byte the only writable one.
 * 5.2.6.2: "A device MUST set the status byte to VIRTIO_BLK_S_IOERR for a
 * write request if the VIRTIO_BLK_F_RO feature is offered, and MUST NOT
 * write any data."
 */
static bool decode_write(const struct virtio_blk_req_hdr *h, uint64_t read_bytes,
			 uint64_t write_bytes, uint64_t disk_bytes, bool ro, struct vblk_req *r)
{
	uint64_t len = read_bytes - HDR_BYTES;

	if (ro || write_bytes != STATUS_BYTES || !range_ok(h->sector, len, disk_bytes))
		return false;
	r->op = VBLK_OP_WRITE;
	r->disk_off = h->sector * VIRTIO_BLK_SECTOR_SIZE;
	r->data_len = len;
	r->chain_off = HDR_BYTES;
	r->used_len = STATUS_BYTES;
	return true;
}

/* FLUSH carries no data; GET_ID exactly VIRTIO_BLK_ID_BYTES writable before the status. */
static bool decode_other(const struct virtio_blk_req_hdr *h, uint64_t read_bytes,
			 uint64_t write_bytes, struct vblk_req *r)
{
	if (read_bytes != HDR_BYTES)
		return false;
	if (h->type == VIRTIO_BLK_T_FLUSH) {
		r->op = VBLK_OP_FLUSH;
		r->used_len = STATUS_BYTES;
		return write_bytes == STATUS_BYTES;
	}
	r->op = VBLK_OP_GET_ID;
	r->data_len = VIRTIO_BLK_ID_BYTES;
	r->chain_off = 0;
	r->used_len = VIRTIO_BLK_ID_BYTES + STATUS_BYTES;
	return write_bytes == VIRTIO_BLK_ID_BYTES + STATUS_BYTES;
}

void vblk_req_decode(const struct virtio_blk_req_hdr *h, uint64_t read_bytes,
		     uint64_t write_bytes, uint64_t disk_bytes, bool ro, struct vblk_req *r)
{
	bool ok;

	*r = (struct vblk_req){ .status = VIRTIO_BLK_S_OK };
	if (!write_bytes) {	/* nowhere to answer: the chain goes back unwritten */
		r->op = VBLK_OP_NO_STATUS;
		r->status = VIRTIO_BLK_S_IOERR;
		return;
	}
	r->status_off = write_bytes - STATUS_BYTES;
	if (!h || read_bytes < HDR_BYTES) {
		refuse(r, VIRTIO_BLK_S_IOERR);
		return;
	}
	switch (h->type) {
	case VIRTIO_BLK_T_IN:
		ok = decode_read(h, read_bytes, write_bytes, disk_bytes, r);
		break;
	case VIRTIO_BLK_T_OUT:
		ok = decode_write(h, read_bytes, write_bytes, disk_bytes, ro, r);
		break;
	case VIRTIO_BLK_T_FLUSH:
	case VIRTIO_BLK_T_GET_ID:
		ok = decode_other(h, read_bytes, write_bytes, r);
		break;
	default:	/* 5.2.6.2: an unknown type (DISCARD too: not offered) */
		refuse(r, VIRTIO_BLK_S_UNSUPP);
		return;
	}
	if (!ok)	/* a malformed request: IOERR, and nothing moved */
		refuse(r, VIRTIO_BLK_S_IOERR);
}

void vblk_req_count(struct vblk_counters *c, const struct vblk_req *r)
{
	switch (r->op) {
	case VBLK_OP_READ:
		c->read_requests++;
		c->read_bytes += r->data_len;
		break;
	case VBLK_OP_WRITE:
		c->write_requests++;
		c->write_bytes += r->data_len;
		break;
	case VBLK_OP_FLUSH:
		c->flush_requests++;
		break;
	case VBLK_OP_GET_ID:
		c->other_requests++;
		break;
	case VBLK_OP_REFUSED:
	case VBLK_OP_NO_STATUS:
		if (r->status == VIRTIO_BLK_S_UNSUPP)
			c->unsupported++;
		else
			c->ioerr++;
		break;
	}
}

void vblk_req_id(unsigned int domain_id, uint8_t id[VIRTIO_BLK_ID_BYTES])
{
	static const char prefix[] = "tally-d";
	char digits[sizeof("4294967295")];
	unsigned int n = 0, at = sizeof(prefix) - 1;

	/* 5.2.6: up to 20 bytes, NUL-terminated only when shorter. */
	memset(id, 0, VIRTIO_BLK_ID_BYTES);
	memcpy(id, prefix, at);
	do {
		digits[n++] = (char)('0' + domain_id % 10);
		domain_id /= 10;
	} while (domain_id);
	while (n)
		id[at++] = (uint8_t)digits[--n];
}
