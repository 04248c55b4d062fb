/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: virtio-blk requests decided from guest-written headers (drivers/vdev/vblk_req.c).
 *
 * Input: the 16-byte request header as the guest wrote it, the chain's
 * readable and writable lengths (4 bytes each), the disk's size in sectors
 * (4 bytes) and a read-only byte.  Whatever the guest wrote, a request
 * that moves data lies wholly on the disk and in the chain, and one that
 * is refused moves nothing and answers one status byte.
 */
#include <string.h>

#include <tally/vblk_req.h>

#include "harness.h"
#include "shim.h"

#define HDR	sizeof(struct virtio_blk_req_hdr)

static void check_moves(const struct vblk_req *r, uint64_t rd, uint64_t wr, uint64_t disk,
			bool ro)
{
	FUZZ_CHECK(r->status == VIRTIO_BLK_S_OK);
	FUZZ_CHECK(r->data_len && r->data_len % VIRTIO_BLK_SECTOR_SIZE == 0);
	FUZZ_CHECK(r->data_len <= VBLK_REQ_MAX_DATA);
	FUZZ_CHECK(r->disk_off % VIRTIO_BLK_SECTOR_SIZE == 0);
	FUZZ_CHECK(r->disk_off <= disk && r->data_len <= disk - r->disk_off);
	if (r->op == VBLK_OP_READ) {
		FUZZ_CHECK(rd == HDR && r->chain_off == 0 && r->data_len + 1 == wr);
		FUZZ_CHECK(r->used_len == wr);
	} else {
		FUZZ_CHECK(!ro && wr == 1 && r->chain_off == HDR && HDR + r->data_len == rd);
		FUZZ_CHECK(r->used_len == 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct virtio_blk_req_hdr h;
	struct vblk_counters c = { 0 };
	uint64_t rd, wr, disk, total;
	struct vblk_req r;
	bool ro;

	h.type = (uint32_t)fuzz_take(&in, 4);
	h.reserved = (uint32_t)fuzz_take(&in, 4);
	h.sector = fuzz_take(&in, 8);
	rd = fuzz_take(&in, 4);
	wr = fuzz_take(&in, 4);
	disk = fuzz_take(&in, 4) * VIRTIO_BLK_SECTOR_SIZE;
	ro = fuzz_take(&in, 1) & 1;
	vblk_req_decode(rd >= HDR ? &h : NULL, rd, wr, disk, ro, &r);
	FUZZ_CHECK((r.op == VBLK_OP_NO_STATUS) == (wr == 0));
	if (wr)
		FUZZ_CHECK(r.status_off == wr - 1);
	switch (r.op) {
	case VBLK_OP_READ:
	case VBLK_OP_WRITE:
		check_moves(&r, rd, wr, disk, ro);
		break;
	case VBLK_OP_FLUSH:
		FUZZ_CHECK(rd == HDR && wr == 1 && r.used_len == 1 && r.data_len == 0);
		break;
	case VBLK_OP_GET_ID:
		FUZZ_CHECK(rd == HDR && wr == VIRTIO_BLK_ID_BYTES + 1 && r.used_len == wr);
		break;
	case VBLK_OP_REFUSED:
		FUZZ_CHECK(r.status == VIRTIO_BLK_S_IOERR || r.status == VIRTIO_BLK_S_UNSUPP);
		FUZZ_CHECK(r.data_len == 0 && r.used_len == 1);
		break;
	case VBLK_OP_NO_STATUS:
		FUZZ_CHECK(r.used_len == 0 && r.data_len == 0);
		break;
	}
	vblk_req_count(&c, &r);
	total = c.read_requests + c.write_requests + c.flush_requests + c.other_requests +
		c.ioerr + c.unsupported;
	FUZZ_CHECK(total == 1 && c.read_bytes + c.write_bytes == (r.op == VBLK_OP_READ ||
		   r.op == VBLK_OP_WRITE ? r.data_len : 0));
	return 0;
}
