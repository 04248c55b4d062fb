/* SPDX-License-Identifier: MIT */
/* Unit tests: returning chains, notification decisions and copies through chains (drivers/vdev/virtq.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/errno.h>

#include "virtq_test.h"

#define USED_EVENT	(VT_AVAIL + VIRTQ_AVAIL_RING + 2 * 8)	/* a queue of 8 */

static int setup(void **state)
{
	(void)state;
	vt_reset(8);
	return 0;
}

static void used_elem(uint16_t slot, struct virtq_used_elem *e)
{
	memcpy(e, vt_ram + VT_USED + VIRTQ_USED_RING + sizeof(*e) * slot, sizeof(*e));
}

static void test_push(void **state)
{
	struct virtq_used_elem e;

	(void)state;
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 5, 1234), 0);
	used_elem(0, &e);
	assert_int_equal(e.id, 5);
	assert_int_equal(e.len, 1234);
	assert_int_equal(vt_get16(VT_USED + VIRTQ_USED_IDX), 1);
	assert_int_equal(vt_q.used_idx, 1);
	/* 16-bit wrap: slot = index mod size. */
	vt_q.used_idx = 0xFFFF;
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 3, 0), 0);
	used_elem(7, &e);
	assert_int_equal(e.id, 3);
	assert_int_equal(vt_get16(VT_USED + VIRTQ_USED_IDX), 0);
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 4, 9), 0);
	used_elem(0, &e);
	assert_int_equal(e.id, 4);
	assert_int_equal(e.len, 9);
	assert_int_equal(vt_get16(VT_USED + VIRTQ_USED_IDX), 1);
}

static void test_push_outside(void **state)
{
	(void)state;
	vt_q.used_gpa = VT_RAM - 8;		/* ring entry 0 fits, idx does; entry 1 does not */
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 1, 1), -EFAULT);
	vt_q.used_gpa = VT_RAM - 12;
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 1, 1), 0);
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 1, 1), -EFAULT);
	assert_int_equal(vt_q.used_idx, 1);	/* a failed push does not count */
	vt_q.size = 0;
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 1, 1), -EFAULT);
}

/* 2.7.10: one notification decision after pushing @pushes from used_idx @from. */
struct event_case {
	uint16_t from, pushes, used_event;
	bool valid;			/* a notification was recorded before */
	bool want;
};

static void test_event_idx(void **state)
{
	static const struct event_case t[] = {
		{ 0, 1, 0, true, true },		/* the driver asked after entry 0 */
		{ 0, 1, 1, true, false },		/* ... after entry 1: not yet */
		{ 0, 3, 1, true, true },		/* stepped over it */
		{ 0, 3, 2, true, true },
		{ 0, 3, 3, true, false },
		{ 5, 2, 4, true, false },		/* behind the old index: already told */
		{ 5, 0, 5, true, false },		/* nothing pushed */
		{ 5, 0, 5, false, true },		/* nothing recorded yet: notify, as vhost does */
		{ 0xFFFE, 4, 0xFFFF, true, true },	/* wrap: 0xFFFE -> 2 steps over 0xFFFF */
		{ 0xFFFE, 4, 0, true, true },
		{ 0xFFFE, 4, 1, true, true },
		{ 0xFFFE, 4, 2, true, false },
		{ 0xFFFF, 1, 0xFFFF, true, true },	/* 0xFFFF -> 0 */
		{ 0, 1, 0x8000, false, true },		/* never notified: notify */
	};

	(void)state;
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		bool got;

		vt_reset(8);
		vt_q.event_idx = true;
		vt_q.used_idx = t[k].from;
		vt_q.signalled_used = t[k].from;
		vt_q.signalled_valid = t[k].valid;
		vt_put16(USED_EVENT, t[k].used_event);
		for (unsigned int p = 0; p < t[k].pushes; p++)
			assert_int_equal(virtq_push(&vt_q, &vt_mem, 0, 0), 0);
		got = virtq_should_notify(&vt_q, &vt_mem);
		if (got != t[k].want)
			fail_msg("case %zu: %d, want %d", k, got, t[k].want);
		if (got) {
			/* Recorded: asking again without pushes says no. */
			assert_int_equal(vt_q.signalled_used, vt_q.used_idx);
			assert_true(vt_q.signalled_valid);
			assert_false(virtq_should_notify(&vt_q, &vt_mem));
		}
	}
}

static void test_no_interrupt(void **state)
{
	(void)state;
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 0, 0), 0);
	vt_put16(VT_AVAIL + VIRTQ_AVAIL_FLAGS, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_false(virtq_should_notify(&vt_q, &vt_mem));
	assert_false(vt_q.signalled_valid);
	vt_put16(VT_AVAIL + VIRTQ_AVAIL_FLAGS, 0);
	assert_true(virtq_should_notify(&vt_q, &vt_mem));
	assert_int_equal(vt_q.signalled_used, 1);
	/* The flag means nothing with the event index (2.7.10). */
	vt_q.event_idx = true;
	vt_put16(VT_AVAIL + VIRTQ_AVAIL_FLAGS, VIRTQ_AVAIL_F_NO_INTERRUPT);
	vt_put16(USED_EVENT, 1);
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 0, 0), 0);
	assert_true(virtq_should_notify(&vt_q, &vt_mem));
	/* An unreadable driver area notifies rather than leave the driver waiting. */
	vt_q.avail_gpa = VT_RAM;
	assert_int_equal(virtq_push(&vt_q, &vt_mem, 0, 0), 0);
	assert_true(virtq_should_notify(&vt_q, &vt_mem));
	vt_q.event_idx = false;
	assert_true(virtq_should_notify(&vt_q, &vt_mem));
}

/* A chain by hand: readable segments (gpa, len) then writable ones. */
static void make_chain(struct virtq_chain *c, const uint64_t (*segs)[2], unsigned int n,
		       unsigned int readable)
{
	memset(c, 0, sizeof(*c));
	c->count = n;
	c->readable = readable;
	for (unsigned int i = 0; i < n; i++) {
		c->seg[i] = (struct virtq_seg){ segs[i][0], (uint32_t)segs[i][1], i >= readable };
		*(i >= readable ? &c->write_bytes : &c->read_bytes) += segs[i][1];
	}
}

static void test_read_write(void **state)
{
	static const uint64_t segs[][2] = {
		{ VT_BUF, 3 }, { VT_BUF + 0x100, 5 },		/* readable: 8 bytes */
		{ VT_BUF + 0x1FFE, 4 }, { VT_BUF + 0x3000, 2 },	/* writable: 6, the first across a page */
	};
	uint8_t in[8], out[8] = { 0 }, w[6] = { 1, 2, 3, 4, 5, 6 };
	struct virtq_chain c;

	(void)state;
	make_chain(&c, segs, 4, 2);
	memcpy(vt_ram + VT_BUF, "abc", 3);
	memcpy(vt_ram + VT_BUF + 0x100, "defgh", 5);
	assert_int_equal(virtq_read(&vt_mem, &c, 0, in, 8), 0);
	assert_memory_equal(in, "abcdefgh", 8);
	assert_int_equal(virtq_read(&vt_mem, &c, 2, in, 3), 0);	/* across segments */
	assert_memory_equal(in, "cde", 3);
	assert_int_equal(virtq_read(&vt_mem, &c, 8, in, 0), 0);
	assert_int_equal(virtq_read(&vt_mem, &c, 7, in, 2), -EFAULT);	/* one past */
	assert_int_equal(virtq_read(&vt_mem, &c, 9, in, 0), -EFAULT);
	assert_int_equal(virtq_read(&vt_mem, &c, UINT64_MAX, in, 2), -EFAULT);
	assert_int_equal(virtq_write(&vt_mem, &c, 0, w, 6), 0);
	assert_memory_equal(vt_ram + VT_BUF + 0x1FFE, w, 4);
	assert_memory_equal(vt_ram + VT_BUF + 0x3000, w + 4, 2);
	assert_int_equal(vt_ram[VT_BUF + 0x3002], 0);
	assert_int_equal(virtq_write(&vt_mem, &c, 3, w, 3), 0);
	assert_int_equal(vt_ram[VT_BUF + 0x2001], 1);
	assert_int_equal(vt_ram[VT_BUF + 0x3001], 3);
	assert_int_equal(virtq_write(&vt_mem, &c, 1, w, 6), -EFAULT);
	/* The readable part is never written, the writable never read. */
	assert_memory_equal(vt_ram + VT_BUF, "abc", 3);
	assert_int_equal(virtq_read(&vt_mem, &c, 0, out, 8), 0);
	assert_memory_equal(out, "abcdefgh", 8);
	/* Memory that went away: -EFAULT. */
	vt_mem.size = VT_BUF + 0x100;
	assert_int_equal(virtq_read(&vt_mem, &c, 0, in, 8), -EFAULT);
}

static void test_read_large(void **state)
{
	static uint8_t big[2 * HCALL_COPY_MAX + 100];
	static const uint64_t segs[][2] = { { 0, VT_RAM }, { 0, VT_RAM }, { 0, VT_RAM } };
	struct virtq_chain c;

	(void)state;
	/* More than one hcall copy's worth: read in pieces. */
	assert_true(sizeof(big) <= 3 * VT_RAM);
	make_chain(&c, segs, 3, 3);
	for (uint64_t i = 0; i < VT_RAM; i++)
		vt_ram[i] = (uint8_t)(i * 7);
	assert_int_equal(virtq_read(&vt_mem, &c, 0, big, sizeof(big)), 0);
	for (uint64_t i = 0; i < sizeof(big); i++)
		if (big[i] != (uint8_t)((i % VT_RAM) * 7))
			fail_msg("byte %llu", (unsigned long long)i);
}

/* A second domain's memory, its pages mapped in reverse order (a non-contiguous mapping). */
static uint8_t other_ram[4 * PAGE_SIZE];

static void *reversed_translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail)
{
	uint64_t page = gpa / PAGE_SIZE, pages = m->size / PAGE_SIZE;

	if (gpa >= m->size)
		return NULL;
	*avail = PAGE_SIZE - gpa % PAGE_SIZE;
	return other_ram + (pages - 1 - page) * PAGE_SIZE + gpa % PAGE_SIZE;
}

static void test_copy_between_domains(void **state)
{
	static const uint64_t src_segs[][2] = { { VT_BUF, 12 }, { VT_BUF + 0x1000 - 100, 5000 } };
	static const uint64_t dst_segs[][2] = { { 0, 1 }, { 0x100, 10 }, { PAGE_SIZE - 7, 3 * PAGE_SIZE } };
	struct guest_mem other = { .size = sizeof(other_ram), .translate = reversed_translate };
	struct virtq_chain src, dst;
	uint8_t back[5012];

	(void)state;
	make_chain(&src, src_segs, 2, 2);
	make_chain(&dst, dst_segs, 3, 1);		/* the first is readable: not written */
	for (uint64_t i = 0; i < 0x2000; i++)
		vt_ram[VT_BUF + i] = (uint8_t)(i ^ (i >> 8));
	memset(other_ram, 0xCC, sizeof(other_ram));
	assert_int_equal(virtq_copy(&other, &dst, 0, &vt_mem, &src, 0, 5012), 0);
	/* Read back through the same mapping: the frame's bytes in order. */
	dst.readable = 3;				/* read all its segments back as data */
	dst.read_bytes = 1 + 10 + 3 * PAGE_SIZE;
	assert_int_equal(virtq_read(&other, &dst, 1, back, sizeof(back)), 0);
	assert_memory_equal(back, vt_ram + VT_BUF, 12);
	assert_memory_equal(back + 12, vt_ram + VT_BUF + 0x1000 - 100, 5000);
	assert_int_equal(other_ram[3 * PAGE_SIZE], 0xCC);	/* GPA 0: the readable segment */
	/* At offsets. */
	dst.readable = 1;
	assert_int_equal(virtq_copy(&other, &dst, 2, &vt_mem, &src, 10, 4), 0);
	assert_int_equal(other_ram[3 * PAGE_SIZE + 0x102], vt_ram[VT_BUF + 10]);
	assert_int_equal(other_ram[3 * PAGE_SIZE + 0x103], vt_ram[VT_BUF + 11]);
	assert_int_equal(other_ram[3 * PAGE_SIZE + 0x105], vt_ram[VT_BUF + 0x1000 - 100 + 1]);
}

static void test_copy_refused_writes_nothing(void **state)
{
	static const uint64_t src_segs[][2] = { { VT_BUF, 100 } };
	static const uint64_t dst_segs[][2] = { { 0, 40 }, { 4 * PAGE_SIZE - 8, 60 } };
	struct guest_mem other = { .size = sizeof(other_ram), .translate = reversed_translate };
	struct virtq_chain src, dst;

	(void)state;
	make_chain(&src, src_segs, 1, 1);
	make_chain(&dst, dst_segs, 2, 0);	/* its second segment runs past the memory */
	memset(other_ram, 0xCC, sizeof(other_ram));
	assert_int_equal(virtq_copy(&other, &dst, 0, &vt_mem, &src, 0, 100), -EFAULT);
	for (size_t i = 0; i < sizeof(other_ram); i++)
		assert_int_equal(other_ram[i], 0xCC);
	/* Longer than either side. */
	assert_int_equal(virtq_copy(&other, &dst, 0, &vt_mem, &src, 1, 100), -EFAULT);
	assert_int_equal(virtq_copy(&other, &dst, 90, &vt_mem, &src, 0, 20), -EFAULT);
	/* Within memory, it goes. */
	for (int i = 0; i < 100; i++)
		vt_ram[VT_BUF + i] = (uint8_t)(i + 1);
	assert_int_equal(virtq_copy(&other, &dst, 0, &vt_mem, &src, 0, 48), 0);
	assert_int_equal(other_ram[3 * PAGE_SIZE], 1);		/* GPA 0: the last page */
	assert_int_equal(other_ram[3 * PAGE_SIZE + 39], 40);
	assert_int_equal(other_ram[PAGE_SIZE - 8], 41);		/* GPA 4 pages - 8: the first */
	assert_int_equal(other_ram[PAGE_SIZE - 1], 48);
	assert_int_equal(other_ram[PAGE_SIZE], 0xCC);
}

static void test_reset(void **state)
{
	(void)state;
	vt_q.last_avail = vt_q.used_idx = 9;
	vt_q.event_idx = vt_q.indirect = vt_q.signalled_valid = true;
	virtq_reset(&vt_q);
	assert_int_equal(vt_q.size, 0);
	assert_false(vt_q.ready || vt_q.event_idx || vt_q.indirect || vt_q.signalled_valid);
	assert_int_equal(vt_q.desc_gpa | vt_q.avail_gpa | vt_q.used_gpa, 0);
	assert_int_equal(vt_q.last_avail | vt_q.used_idx | vt_q.signalled_used, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_push, setup),
		cmocka_unit_test_setup(test_push_outside, setup),
		cmocka_unit_test_setup(test_event_idx, setup),
		cmocka_unit_test_setup(test_no_interrupt, setup),
		cmocka_unit_test_setup(test_read_write, setup),
		cmocka_unit_test_setup(test_read_large, setup),
		cmocka_unit_test_setup(test_copy_between_domains, setup),
		cmocka_unit_test_setup(test_copy_refused_writes_nothing, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
