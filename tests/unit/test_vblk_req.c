/* SPDX-License-Identifier: MIT */
/* Unit tests: deciding and counting virtio-blk requests (drivers/vdev/vblk_req.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/vblk_req.h>

#include "shim.h"

#define SECTOR		VIRTIO_BLK_SECTOR_SIZE
#define HDR		sizeof(struct virtio_blk_req_hdr)
#define DISK		(8 * SECTOR)		/* a disk of 8 sectors */

static struct vblk_req decode(uint32_t type, uint64_t sector, uint64_t rd, uint64_t wr, bool ro)
{
	struct virtio_blk_req_hdr h = { .type = type, .sector = sector };
	struct vblk_req r;

	memset(&r, 0xa5, sizeof(r));
	vblk_req_decode(&h, rd, wr, DISK, ro, &r);
	return r;
}

static void assert_refused(struct vblk_req r, uint8_t status)
{
	assert_int_equal(r.op, VBLK_OP_REFUSED);
	assert_int_equal(r.status, status);
	assert_int_equal(r.data_len, 0);
	assert_int_equal(r.used_len, 1);
}

static void test_read(void **state)
{
	struct vblk_req r = decode(VIRTIO_BLK_T_IN, 2, HDR, 3 * SECTOR + 1, false);

	(void)state;
	assert_int_equal(r.op, VBLK_OP_READ);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_int_equal(r.disk_off, 2 * SECTOR);
	assert_int_equal(r.data_len, 3 * SECTOR);
	assert_int_equal(r.chain_off, 0);
	assert_int_equal(r.status_off, 3 * SECTOR);
	assert_int_equal(r.used_len, 3 * SECTOR + 1);
	/* read-only disks read */
	r = decode(VIRTIO_BLK_T_IN, 0, HDR, DISK + 1, true);
	assert_int_equal(r.op, VBLK_OP_READ);
	assert_int_equal(r.data_len, DISK);
}

static void test_write(void **state)
{
	struct vblk_req r = decode(VIRTIO_BLK_T_OUT, 5, HDR + 3 * SECTOR, 1, false);

	(void)state;
	assert_int_equal(r.op, VBLK_OP_WRITE);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_int_equal(r.disk_off, 5 * SECTOR);
	assert_int_equal(r.data_len, 3 * SECTOR);
	assert_int_equal(r.chain_off, HDR);
	assert_int_equal(r.status_off, 0);
	assert_int_equal(r.used_len, 1);
}

/* 5.2.6.2: a write to a read-only device is an I/O error, and writes nothing. */
static void test_write_read_only(void **state)
{
	(void)state;
	assert_refused(decode(VIRTIO_BLK_T_OUT, 0, HDR + SECTOR, 1, true), VIRTIO_BLK_S_IOERR);
}

static void test_range_at_and_over_the_end(void **state)
{
	(void)state;
	/* the last sector, and the whole disk, are in */
	assert_int_equal(decode(VIRTIO_BLK_T_IN, 7, HDR, SECTOR + 1, false).op, VBLK_OP_READ);
	assert_int_equal(decode(VIRTIO_BLK_T_OUT, 0, HDR + DISK, 1, false).op, VBLK_OP_WRITE);
	/* one past, straddling, starting at the end, far beyond */
	assert_refused(decode(VIRTIO_BLK_T_IN, 8, HDR, SECTOR + 1, false), VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_IN, 7, HDR, 2 * SECTOR + 1, false), VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_OUT, 6, HDR + 3 * SECTOR, 1, false), VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_OUT, 1000, HDR + SECTOR, 1, false), VIRTIO_BLK_S_IOERR);
}

/* A sector whose byte offset or end passes 2^64 must not wrap into the disk. */
static void test_sector_overflow(void **state)
{
	(void)state;
	assert_refused(decode(VIRTIO_BLK_T_IN, UINT64_MAX, HDR, SECTOR + 1, false),
		       VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_IN, UINT64_MAX / SECTOR + 1, HDR, SECTOR + 1, false),
		       VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_OUT, (1ull << 55), HDR + SECTOR, 1, false),
		       VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_OUT, UINT64_MAX - 1, HDR + 2 * SECTOR, 1, false),
		       VIRTIO_BLK_S_IOERR);
}

static void test_lengths_not_whole_sectors(void **state)
{
	(void)state;
	assert_refused(decode(VIRTIO_BLK_T_IN, 0, HDR, 511 + 1, false), VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_IN, 0, HDR, 513 + 1, false), VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_OUT, 0, HDR + 100, 1, false), VIRTIO_BLK_S_IOERR);
	/* no data at all */
	assert_refused(decode(VIRTIO_BLK_T_IN, 0, HDR, 1, false), VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_OUT, 0, HDR, 1, false), VIRTIO_BLK_S_IOERR);
}

/* More data than size_max * seg_max lets a driver build, even on a big disk. */
static void test_request_too_big(void **state)
{
	struct virtio_blk_req_hdr h = { .type = VIRTIO_BLK_T_IN };
	struct vblk_req r;

	(void)state;
	vblk_req_decode(&h, HDR, VBLK_REQ_MAX_DATA + 1, 1ull << 40, false, &r);
	assert_int_equal(r.op, VBLK_OP_READ);
	vblk_req_decode(&h, HDR, VBLK_REQ_MAX_DATA + SECTOR + 1, 1ull << 40, false, &r);
	assert_refused(r, VIRTIO_BLK_S_IOERR);
}

/* Data on the wrong side: readable data in a read, writable data in a write. */
static void test_wrong_shape(void **state)
{
	(void)state;
	assert_refused(decode(VIRTIO_BLK_T_IN, 0, HDR + SECTOR, SECTOR + 1, false),
		       VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_OUT, 0, HDR + SECTOR, SECTOR + 1, false),
		       VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_FLUSH, 0, HDR, SECTOR + 1, false), VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_FLUSH, 0, HDR + 4, 1, false), VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_GET_ID, 0, HDR, 20, false), VIRTIO_BLK_S_IOERR);
	assert_refused(decode(VIRTIO_BLK_T_GET_ID, 0, HDR, 22, false), VIRTIO_BLK_S_IOERR);
}

static void test_short_header(void **state)
{
	struct virtio_blk_req_hdr h = { .type = VIRTIO_BLK_T_IN };
	struct vblk_req r;

	(void)state;
	vblk_req_decode(NULL, 8, SECTOR + 1, DISK, false, &r);
	assert_refused(r, VIRTIO_BLK_S_IOERR);
	assert_int_equal(r.status_off, SECTOR);
	vblk_req_decode(&h, HDR - 1, SECTOR + 1, DISK, false, &r);
	assert_refused(r, VIRTIO_BLK_S_IOERR);
}

static void test_no_status_byte(void **state)
{
	struct vblk_req r = decode(VIRTIO_BLK_T_IN, 0, HDR + SECTOR, 0, false);

	(void)state;
	assert_int_equal(r.op, VBLK_OP_NO_STATUS);
	assert_int_equal(r.used_len, 0);
	r = decode(VIRTIO_BLK_T_FLUSH, 0, HDR, 0, false);
	assert_int_equal(r.op, VBLK_OP_NO_STATUS);
}

static void test_flush_and_get_id(void **state)
{
	struct vblk_req r = decode(VIRTIO_BLK_T_FLUSH, 0, HDR, 1, true);

	(void)state;
	assert_int_equal(r.op, VBLK_OP_FLUSH);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_int_equal(r.used_len, 1);
	r = decode(VIRTIO_BLK_T_GET_ID, 0, HDR, VIRTIO_BLK_ID_BYTES + 1, false);
	assert_int_equal(r.op, VBLK_OP_GET_ID);
	assert_int_equal(r.data_len, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(r.status_off, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(r.used_len, VIRTIO_BLK_ID_BYTES + 1);
}

static void test_unknown_types(void **state)
{
	static const uint32_t types[] = { 2, 3, 5, 7, VIRTIO_BLK_T_DISCARD, 13, 0xffffffffu };

	(void)state;
	for (unsigned int i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_refused(decode(types[i], 0, HDR, SECTOR + 1, false), VIRTIO_BLK_S_UNSUPP);
}

static void test_counting(void **state)
{
	struct vblk_counters c = { 0 };
	struct vblk_req r;

	(void)state;
	r = decode(VIRTIO_BLK_T_IN, 0, HDR, 2 * SECTOR + 1, false);
	vblk_req_count(&c, &r);
	r = decode(VIRTIO_BLK_T_OUT, 0, HDR + 3 * SECTOR, 1, false);
	vblk_req_count(&c, &r);
	vblk_req_count(&c, &r);
	r = decode(VIRTIO_BLK_T_FLUSH, 0, HDR, 1, false);
	vblk_req_count(&c, &r);
	r = decode(VIRTIO_BLK_T_GET_ID, 0, HDR, 21, false);
	vblk_req_count(&c, &r);
	r = decode(VIRTIO_BLK_T_IN, 8, HDR, SECTOR + 1, false);		/* past the end */
	vblk_req_count(&c, &r);
	r = decode(VIRTIO_BLK_T_OUT, 0, HDR + SECTOR, 1, true);		/* read-only */
	vblk_req_count(&c, &r);
	r = decode(VIRTIO_BLK_T_IN, 0, HDR, 0, false);			/* no status */
	vblk_req_count(&c, &r);
	r = decode(99, 0, HDR, 1, false);
	vblk_req_count(&c, &r);
	assert_int_equal(c.read_requests, 1);
	assert_int_equal(c.read_bytes, 2 * SECTOR);
	assert_int_equal(c.write_requests, 2);
	assert_int_equal(c.write_bytes, 6 * SECTOR);
	assert_int_equal(c.flush_requests, 1);
	assert_int_equal(c.other_requests, 1);
	assert_int_equal(c.ioerr, 3);
	assert_int_equal(c.unsupported, 1);
}

static void test_id_string(void **state)
{
	uint8_t id[VIRTIO_BLK_ID_BYTES];
	static const uint8_t d3[VIRTIO_BLK_ID_BYTES] = "tally-d3";

	(void)state;
	memset(id, 0xff, sizeof(id));
	vblk_req_id(3, id);
	assert_memory_equal(id, d3, sizeof(id));
	vblk_req_id(4294967295u, id);
	assert_memory_equal(id, "tally-d4294967295\0\0\0", sizeof(id));
	vblk_req_id(10, id);
	assert_memory_equal(id, "tally-d10\0\0\0\0\0\0\0\0\0\0\0", sizeof(id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_write_read_only),
		cmocka_unit_test(test_range_at_and_over_the_end),
		cmocka_unit_test(test_sector_overflow),
		cmocka_unit_test(test_lengths_not_whole_sectors),
		cmocka_unit_test(test_request_too_big),
		cmocka_unit_test(test_wrong_shape),
		cmocka_unit_test(test_short_header),
		cmocka_unit_test(test_no_status_byte),
		cmocka_unit_test(test_flush_and_get_id),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_counting),
		cmocka_unit_test(test_id_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
