/* SPDX-License-Identifier: MIT */
/* Unit tests: taking descriptor chains from a split virtqueue, good and malformed (drivers/vdev/virtq.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/errno.h>

#include "virtq_test.h"

#define MAIN	0		/* which table a case's descriptor goes in */
#define IND	1
#define IND2	2
#define N	VIRTQ_DESC_F_NEXT
#define W	VIRTQ_DESC_F_WRITE
#define I	VIRTQ_DESC_F_INDIRECT
#define ERR(e)	(-(int)VIRTQ_ERR_##e)
#define BAD(e)	ERR(e), 0, 0, 0, 0	/* a refused case: no chain to compare */

struct dspec {
	uint8_t table;
	uint16_t i;
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* One chain offered at @head of a queue of @size; what virtq_pop() must make of it. */
struct pop_case {
	const char *name;
	uint16_t size;
	bool indirect;			/* VIRTIO_F_INDIRECT_DESC */
	uint64_t ram;			/* guest memory size (0: VT_RAM) */
	uint16_t head;
	struct dspec d[8];
	int want;			/* 1 or ERR(...) */
	unsigned int count, readable;
	uint64_t read_bytes, write_bytes;
};

static const uint64_t tables[] = { [MAIN] = VT_DESC, [IND] = VT_IND, [IND2] = VT_IND2 };
#define TOP	(1ull << 33)		/* a guest memory of 8 GiB, for chains near 4 GiB */

static const struct pop_case cases[] = {
	/* Good forms. */
	{ "one readable", 8, false, 0, 0, { { MAIN, 0, VT_BUF, 100, 0, 0 } }, 1, 1, 1, 100, 0 },
	{ "one writable", 8, false, 0, 3, { { MAIN, 3, VT_BUF, 7, W, 0 } }, 1, 1, 0, 0, 7 },
	{ "read, read, write", 8, false, 0, 0,
	  { { MAIN, 0, VT_BUF, 10, N, 5 }, { MAIN, 5, VT_BUF + 10, 20, N, 2 },
	    { MAIN, 2, VT_BUF + 100, 30, W, 0 } }, 1, 3, 2, 30, 30 },
	{ "head at the last entry", 8, false, 0, 7, { { MAIN, 7, VT_BUF, 1, 0, 0 } }, 1, 1, 1, 1, 0 },
	{ "next ignored without NEXT", 8, false, 0, 0, { { MAIN, 0, VT_BUF, 4, 0, 200 } }, 1, 1, 1, 4, 0 },
	{ "indirect", 8, true, 0, 0,
	  { { MAIN, 0, VT_IND, 32, I, 0 }, { IND, 0, VT_BUF, 12, N, 1 }, { IND, 1, VT_BUF + 12, 1500, W, 0 } },
	  1, 2, 1, 12, 1500 },
	{ "chained then indirect (WRITE on it ignored)", 8, true, 0, 0,
	  { { MAIN, 0, VT_BUF, 5, N, 3 }, { MAIN, 3, VT_IND, 16, I | W, 0 }, { IND, 0, VT_BUF + 5, 7, 0, 0 } },
	  1, 2, 2, 12, 0 },
	{ "indirect of queue size", 2, true, 0, 0,
	  { { MAIN, 0, VT_IND, 32, I, 0 }, { IND, 0, VT_BUF, 1, N, 1 }, { IND, 1, VT_BUF, 2, W, 0 } },
	  1, 2, 1, 1, 2 },
	{ "buffer ends at the end of RAM", 8, false, 0, 0, { { MAIN, 0, VT_RAM - 1, 1, 0, 0 } }, 1, 1, 1, 1, 0 },
	{ "buffer is all RAM", 8, false, 0, 0, { { MAIN, 0, 0, VT_RAM, W, 0 } }, 1, 1, 0, 0, VT_RAM },
	{ "chain of 4 GiB - 1", 8, false, TOP, 0,
	  { { MAIN, 0, 1ull << 32, 0xFFFFFFF0u, N, 1 }, { MAIN, 1, 1ull << 32, 15, W, 0 } },
	  1, 2, 1, 0xFFFFFFF0u, 15 },
	/* A ring or table outside the domain is in test_ring_outside. */
	/* Indices. */
	{ "head past the queue", 8, false, 0, 8, { { MAIN, 0, VT_BUF, 1, 0, 0 } }, BAD(INDEX) },
	{ "head far past the queue", 8, false, 0, 0xFFFF, { { MAIN, 0, VT_BUF, 1, 0, 0 } }, BAD(INDEX) },
	{ "next past the queue", 8, false, 0, 0, { { MAIN, 0, VT_BUF, 1, N, 8 } }, BAD(INDEX) },
	{ "next past an indirect table", 8, true, 0, 0,
	  { { MAIN, 0, VT_IND, 32, I, 0 }, { IND, 0, VT_BUF, 1, N, 2 } }, BAD(INDEX) },
	/* Loops. */
	{ "self loop", 8, false, 0, 0, { { MAIN, 0, VT_BUF, 1, N, 0 } }, BAD(LOOP) },
	{ "loop 0-1-0", 8, false, 0, 0,
	  { { MAIN, 0, VT_BUF, 1, N, 1 }, { MAIN, 1, VT_BUF, 1, N, 0 } }, BAD(LOOP) },
	{ "loop in a 256 queue (not a 65th segment)", 256, false, 0, 4,
	  { { MAIN, 4, VT_BUF, 1, N, 9 }, { MAIN, 9, VT_BUF, 1, N, 4 } }, BAD(LOOP) },
	{ "loop in an indirect table", 8, true, 0, 0,
	  { { MAIN, 0, VT_IND, 32, I, 0 }, { IND, 0, VT_BUF, 1, N, 1 }, { IND, 1, VT_BUF, 1, N, 0 } },
	  BAD(LOOP) },
	{ "loop through writable ones", 8, false, 0, 1,
	  { { MAIN, 1, VT_BUF, 1, N | W, 2 }, { MAIN, 2, VT_BUF, 1, N | W, 1 } }, BAD(LOOP) },
	/* Addresses. */
	{ "buffer at the end of RAM", 8, false, 0, 0, { { MAIN, 0, VT_RAM, 1, 0, 0 } }, BAD(ADDR) },
	{ "buffer one byte over the end", 8, false, 0, 0, { { MAIN, 0, VT_RAM - 1, 2, 0, 0 } }, BAD(ADDR) },
	{ "buffer over 4 GiB", 8, false, 0, 0, { { MAIN, 0, 1ull << 32, 1, W, 0 } }, BAD(ADDR) },
	{ "buffer wraps 2^64", 8, false, 0, 0, { { MAIN, 0, UINT64_MAX, 2, 0, 0 } }, BAD(ADDR) },
	{ "buffer ends at 2^64", 8, false, 0, 0, { { MAIN, 0, 0ull - PAGE_SIZE, PAGE_SIZE, 0, 0 } },
	  BAD(ADDR) },
	{ "second buffer outside", 8, false, 0, 0,
	  { { MAIN, 0, VT_BUF, 1, N, 1 }, { MAIN, 1, VT_RAM + PAGE_SIZE, 16, W, 0 } }, BAD(ADDR) },
	{ "indirect table outside", 8, true, 0, 0, { { MAIN, 0, VT_RAM - 16, 32, I, 0 } }, BAD(ADDR) },
	{ "indirect table wraps", 8, true, 0, 0, { { MAIN, 0, UINT64_MAX - 15, 32, I, 0 } }, BAD(ADDR) },
	/* Lengths. */
	{ "zero length", 8, false, 0, 0, { { MAIN, 0, VT_BUF, 0, 0, 0 } }, BAD(LEN) },
	{ "zero length after one", 8, false, 0, 0,
	  { { MAIN, 0, VT_BUF, 8, N, 1 }, { MAIN, 1, VT_BUF, 0, W, 0 } }, BAD(LEN) },
	{ "zero length in an indirect table", 8, true, 0, 0,
	  { { MAIN, 0, VT_IND, 16, I, 0 }, { IND, 0, VT_BUF, 0, W, 0 } }, BAD(LEN) },
	{ "chain of exactly 4 GiB", 8, false, TOP, 0,
	  { { MAIN, 0, 1ull << 32, 0xFFFFFFFFu, N, 1 }, { MAIN, 1, 1ull << 32, 1, W, 0 } }, BAD(LEN) },
	{ "chain of 8 GiB", 8, false, TOP, 0,
	  { { MAIN, 0, 0, 0xFFFFFFFFu, N, 1 }, { MAIN, 1, 1ull << 32, 0xFFFFFFFFu, N, 2 },
	    { MAIN, 2, 0, 2, 0, 0 } }, BAD(LEN) },
	/* Indirect tables. */
	{ "indirect without the feature", 8, false, 0, 0,
	  { { MAIN, 0, VT_IND, 16, I, 0 }, { IND, 0, VT_BUF, 1, 0, 0 } }, BAD(INDIRECT) },
	{ "nested indirect", 8, true, 0, 0,
	  { { MAIN, 0, VT_IND, 16, I, 0 }, { IND, 0, VT_IND2, 16, I, 0 }, { IND2, 0, VT_BUF, 1, 0, 0 } },
	  BAD(INDIRECT) },
	{ "indirect with NEXT", 8, true, 0, 0,
	  { { MAIN, 0, VT_IND, 16, I | N, 1 }, { MAIN, 1, VT_BUF, 1, 0, 0 }, { IND, 0, VT_BUF, 1, 0, 0 } },
	  BAD(INDIRECT) },
	{ "indirect of length 0", 8, true, 0, 0, { { MAIN, 0, VT_IND, 0, I, 0 } }, BAD(INDIRECT) },
	{ "indirect of length 20", 8, true, 0, 0,
	  { { MAIN, 0, VT_IND, 20, I, 0 }, { IND, 0, VT_BUF, 1, 0, 0 } }, BAD(INDIRECT) },
	{ "indirect of length 8", 8, true, 0, 0, { { MAIN, 0, VT_IND, 8, I, 0 } }, BAD(INDIRECT) },
	{ "indirect larger than the queue", 2, true, 0, 0,
	  { { MAIN, 0, VT_IND, 48, I, 0 }, { IND, 0, VT_BUF, 1, 0, 0 } }, BAD(INDIRECT) },
	{ "indirect of 4 GiB - 16", 8, true, TOP, 0, { { MAIN, 0, 0, 0xFFFFFFF0u, I, 0 } }, BAD(INDIRECT) },
	/* Order. */
	{ "readable after writable", 8, false, 0, 0,
	  { { MAIN, 0, VT_BUF, 4, W | N, 1 }, { MAIN, 1, VT_BUF, 4, 0, 0 } }, BAD(ORDER) },
	{ "readable after writable, across an indirect", 8, true, 0, 0,
	  { { MAIN, 0, VT_BUF, 4, W | N, 1 }, { MAIN, 1, VT_IND, 16, I, 0 }, { IND, 0, VT_BUF, 4, 0, 0 } },
	  BAD(ORDER) },
};

static void load_case(const struct pop_case *pc)
{
	vt_reset(pc->size);
	if (pc->ram)
		vt_mem.size = pc->ram;	/* beyond VT_RAM: never read, only checked by size */
	vt_q.indirect = pc->indirect;
	for (unsigned int k = 0; k < 8 && (pc->d[k].len || pc->d[k].addr || pc->d[k].flags); k++)
		vt_desc(tables[pc->d[k].table], pc->d[k].i, pc->d[k].addr, pc->d[k].len,
			pc->d[k].flags, pc->d[k].next);
	vt_offer(pc->head);
}

static void test_pop_cases(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct pop_case *pc = &cases[k];
		struct virtq_chain c;
		int r;

		load_case(pc);
		memset(&c, 0xEE, sizeof(c));
		r = virtq_pop(&vt_q, &vt_mem, &c);
		if (r != pc->want)
			fail_msg("%s: virtq_pop %d, want %d", pc->name, r, pc->want);
		if (pc->want == 1 &&
		    (c.head != pc->head || c.count != pc->count || c.readable != pc->readable ||
		     c.read_bytes != pc->read_bytes || c.write_bytes != pc->write_bytes))
			fail_msg("%s: head %u count %u readable %u bytes %llu/%llu", pc->name,
				 c.head, c.count, c.readable, (unsigned long long)c.read_bytes,
				 (unsigned long long)c.write_bytes);
		for (unsigned int s = 0; pc->want == 1 && s < c.count; s++)
			assert_int_equal(c.seg[s].write, s >= c.readable);
		/* Taken either way: a malformed chain is consumed so that it is reported once. */
		assert_int_equal(vt_q.last_avail, 1);
		assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 0);
	}
}

static void test_segments_are_the_descriptors(void **state)
{
	struct virtq_chain c;

	(void)state;
	load_case(&cases[2]);		/* read, read, write */
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
	assert_int_equal(c.seg[0].gpa, VT_BUF);
	assert_int_equal(c.seg[0].len, 10);
	assert_int_equal(c.seg[1].gpa, VT_BUF + 10);
	assert_int_equal(c.seg[1].len, 20);
	assert_int_equal(c.seg[2].gpa, VT_BUF + 100);
	assert_int_equal(c.seg[2].len, 30);
	assert_true(c.seg[2].write && !c.seg[1].write);
}

/* A chain of @n descriptors 0 -> 1 -> ... in a queue of @size, readable halves first. */
static void long_chain(uint16_t size, unsigned int n, uint64_t table, bool via_indirect)
{
	vt_reset(size);
	vt_q.indirect = via_indirect;
	for (unsigned int i = 0; i < n; i++)
		vt_desc(table, i, VT_BUF + i, 1, (i + 1 < n ? N : 0) | (i >= n / 2 ? W : 0), i + 1);
	if (via_indirect)
		vt_desc(VT_DESC, 0, table, n * sizeof(struct virtq_desc), I, 0);
	vt_offer(0);
}

static void test_max_segments(void **state)
{
	struct virtq_chain c;

	(void)state;
	long_chain(128, VIRTQ_MAX_SEGS, VT_DESC, false);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
	assert_int_equal(c.count, VIRTQ_MAX_SEGS);
	assert_int_equal(c.readable, VIRTQ_MAX_SEGS / 2);
	assert_int_equal(c.seg[VIRTQ_MAX_SEGS - 1].gpa, VT_BUF + VIRTQ_MAX_SEGS - 1);
	assert_int_equal(c.read_bytes + c.write_bytes, VIRTQ_MAX_SEGS);
	long_chain(128, VIRTQ_MAX_SEGS + 1, VT_DESC, false);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), ERR(SEGS));
	assert_int_equal(vt_q.last_avail, 1);
	/* The whole queue as one chain: still too many segments, not a loop. */
	long_chain(128, 128, VT_DESC, false);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), ERR(SEGS));
	/* The same through an indirect table. */
	long_chain(128, VIRTQ_MAX_SEGS, VT_IND, true);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
	assert_int_equal(c.count, VIRTQ_MAX_SEGS);
	long_chain(128, VIRTQ_MAX_SEGS + 1, VT_IND, true);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), ERR(SEGS));
}

static void test_avail_jumped(void **state)
{
	struct virtq_chain c;

	(void)state;
	vt_reset(8);
	vt_desc(VT_DESC, 0, VT_BUF, 1, 0, 0);
	vt_put16(VT_AVAIL + VIRTQ_AVAIL_IDX, 9);	/* 9 outstanding in a queue of 8 */
	assert_int_equal(virtq_pending(&vt_q, &vt_mem), 0);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), ERR(AVAIL));
	assert_int_equal(vt_q.last_avail, 0);
	vt_put16(VT_AVAIL + VIRTQ_AVAIL_IDX, 0xFFFF);	/* "behind": as far ahead modulo 2^16 */
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), ERR(AVAIL));
	vt_put16(VT_AVAIL + VIRTQ_AVAIL_IDX, 8);	/* exactly the queue size is fine */
	assert_int_equal(virtq_pending(&vt_q, &vt_mem), 8);
	for (int k = 0; k < 8; k++)
		assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);	/* every head 0 */
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 0);
	assert_int_equal(virtq_pending(&vt_q, &vt_mem), 0);
}

static void test_ring_outside(void **state)
{
	struct virtq_chain c;

	(void)state;
	vt_reset(8);
	vt_q.desc_gpa = VT_RAM - 4 * sizeof(struct virtq_desc);	/* entries 4..7 outside */
	vt_desc(VT_DESC, 0, 0, 0, 0, 0);
	memcpy(vt_ram + vt_q.desc_gpa, &(struct virtq_desc){ VT_BUF, 1, 0, 0 }, 16);
	vt_offer(0);
	vt_offer(5);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), ERR(RING));
	assert_int_equal(vt_q.last_avail, 2);
	/* The available ring gone: nothing taken. */
	vt_reset(8);
	vt_q.avail_gpa = VT_RAM;
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), ERR(RING));
	assert_int_equal(vt_q.last_avail, 0);
	assert_int_equal(virtq_pending(&vt_q, &vt_mem), 0);
	/* With the event index, the used ring's avail_event must be writable too. */
	vt_reset(8);
	vt_q.event_idx = true;
	vt_q.used_gpa = 1ull << 40;
	vt_desc(VT_DESC, 0, VT_BUF, 1, 0, 0);
	vt_offer(0);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), ERR(RING));
}

static void test_not_ready_is_empty(void **state)
{
	struct virtq_chain c;

	(void)state;
	vt_reset(8);
	vt_desc(VT_DESC, 0, VT_BUF, 1, 0, 0);
	vt_offer(0);
	vt_q.ready = false;
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 0);
	assert_int_equal(virtq_pending(&vt_q, &vt_mem), 0);
	vt_q.ready = true;
	vt_q.size = 3;			/* never accepted by virtq_check(): nothing is taken */
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 0);
	vt_q.size = 8;
	assert_int_equal(virtq_pending(&vt_q, &vt_mem), 1);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
}

static void test_index_wrap(void **state)
{
	struct virtq_chain c;

	(void)state;
	vt_reset(4);
	vt_q.last_avail = 0xFFFE;
	vt_put16(VT_AVAIL + VIRTQ_AVAIL_IDX, 0xFFFE);
	for (uint16_t h = 0; h < 4; h++) {
		vt_desc(VT_DESC, h, VT_BUF + h, 1 + h, 0, 0);
		vt_offer(h);		/* ring slots 2, 3, 0, 1 */
	}
	assert_int_equal(vt_get16(VT_AVAIL + VIRTQ_AVAIL_IDX), 2);
	assert_int_equal(virtq_pending(&vt_q, &vt_mem), 4);
	for (uint16_t h = 0; h < 4; h++) {
		assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
		assert_int_equal(c.head, h);
		assert_int_equal(c.read_bytes, 1 + h);
	}
	assert_int_equal(vt_q.last_avail, 2);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 0);
}

static void test_avail_event_published(void **state)
{
	struct virtq_chain c;
	uint64_t avail_event = VT_USED + VIRTQ_USED_BYTES(8) - 2;

	(void)state;
	vt_reset(8);
	vt_q.event_idx = true;
	vt_desc(VT_DESC, 0, VT_BUF, 1, 0, 0);
	vt_put16(avail_event, 0x5555);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 0);
	assert_int_equal(vt_get16(avail_event), 0);
	vt_offer(0);
	vt_offer(0);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
	assert_int_equal(vt_get16(avail_event), 1);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
	assert_int_equal(vt_get16(avail_event), 2);
	/* Without the feature the field is not Tally's to write. */
	vt_q.event_idx = false;
	vt_put16(avail_event, 0x5555);
	vt_offer(0);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
	assert_int_equal(vt_get16(avail_event), 0x5555);
}

/*
 * The guest rewrites descriptor 0 as soon as Tally has copied it (on the
 * next translation of any other address): the chain must be the copy.
 */
struct racer {
	unsigned int desc_reads;
	bool rewritten;
};

static void *racing_translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail)
{
	struct racer *r = m->opaque;

	if (gpa >= VT_DESC && gpa < VT_DESC + sizeof(struct virtq_desc)) {
		r->desc_reads++;
	} else if (r->desc_reads && !r->rewritten) {
		vt_desc(VT_DESC, 0, 1ull << 40, 0, N | W, 7);
		r->rewritten = true;
	}
	return hcall_flat_translate(m, gpa, avail);
}

static void test_copied_before_checked(void **state)
{
	struct racer r = { 0 };
	struct virtq_chain c;

	(void)state;
	vt_reset(8);
	vt_mem.translate = racing_translate;
	vt_mem.opaque = &r;
	vt_desc(VT_DESC, 0, VT_BUF, 64, 0, 0);
	vt_offer(0);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), 1);
	assert_true(r.rewritten);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.seg[0].gpa, VT_BUF);
	assert_int_equal(c.seg[0].len, 64);
	assert_false(c.seg[0].write);
	assert_int_equal(c.read_bytes, 64);
	/* The descriptor as it now reads is refused when offered again. */
	vt_mem.translate = NULL;
	vt_offer(0);
	assert_int_equal(virtq_pop(&vt_q, &vt_mem, &c), ERR(LEN));
}

static void test_check(void **state)
{
	static const struct {
		uint16_t size;
		uint64_t desc, avail, used;
		enum virtq_error want;
	} t[] = {
		{ 8, VT_DESC, VT_AVAIL, VT_USED, VIRTQ_OK },
		{ 1, VT_DESC, VT_AVAIL, VT_USED, VIRTQ_OK },
		{ 256, VT_DESC, VT_AVAIL, VT_USED, VIRTQ_OK },
		{ 8, VT_RAM - 128, VT_RAM - 22, VT_RAM - 72, VIRTQ_OK },	/* each ends at RAM's end */
		{ 0, VT_DESC, VT_AVAIL, VT_USED, VIRTQ_ERR_INDEX },
		{ 3, VT_DESC, VT_AVAIL, VT_USED, VIRTQ_ERR_INDEX },
		{ 512, VT_DESC, VT_AVAIL, VT_USED, VIRTQ_ERR_INDEX },
		{ 0x8000, VT_DESC, VT_AVAIL, VT_USED, VIRTQ_ERR_INDEX },
		{ 8, VT_DESC + 8, VT_AVAIL, VT_USED, VIRTQ_ERR_RING },	/* misaligned */
		{ 8, VT_DESC, VT_AVAIL + 1, VT_USED, VIRTQ_ERR_RING },
		{ 8, VT_DESC, VT_AVAIL, VT_USED + 2, VIRTQ_ERR_RING },
		{ 8, VT_RAM - 112, VT_AVAIL, VT_USED, VIRTQ_ERR_RING },	/* one past the end */
		{ 8, VT_DESC, VT_RAM - 20, VT_USED, VIRTQ_ERR_RING },
		{ 8, VT_DESC, VT_AVAIL, VT_RAM - 68, VIRTQ_ERR_RING },
		{ 8, 1ull << 32, VT_AVAIL, VT_USED, VIRTQ_ERR_RING },
		{ 8, VT_DESC, 0ull - 16, VT_USED, VIRTQ_ERR_RING },	/* wraps */
		{ 8, VT_DESC, VT_AVAIL, 0xFED00000ull, VIRTQ_ERR_RING },	/* the device window */
	};

	(void)state;
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		struct virtq q = { .size = t[k].size, .desc_gpa = t[k].desc,
				   .avail_gpa = t[k].avail, .used_gpa = t[k].used };

		if (virtq_check(&q, &vt_mem) != t[k].want)
			fail_msg("case %zu: %d, want %d", k, virtq_check(&q, &vt_mem), t[k].want);
	}
}

static void test_error_names(void **state)
{
	static const char *const want[] = { "ok", "ring", "index", "loop", "addr", "len",
					    "indirect", "order", "segs", "avail" };

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), VIRTQ_ERR_COUNT);
	for (int e = 0; e < VIRTQ_ERR_COUNT; e++)
		assert_string_equal(virtq_error_name(e), want[e]);
	assert_string_equal(virtq_error_name(VIRTQ_ERR_COUNT), "unknown");
}

static int setup(void **state)
{
	(void)state;
	vt_reset(8);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pop_cases, setup),
		cmocka_unit_test_setup(test_segments_are_the_descriptors, setup),
		cmocka_unit_test_setup(test_max_segments, setup),
		cmocka_unit_test_setup(test_avail_jumped, setup),
		cmocka_unit_test_setup(test_ring_outside, setup),
		cmocka_unit_test_setup(test_not_ready_is_empty, setup),
		cmocka_unit_test_setup(test_index_wrap, setup),
		cmocka_unit_test_setup(test_avail_event_published, setup),
		cmocka_unit_test_setup(test_copied_before_checked, setup),
		cmocka_unit_test_setup(test_check, setup),
		cmocka_unit_test_setup(test_error_names, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
