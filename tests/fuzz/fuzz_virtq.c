/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: taking chains from a split virtqueue the guest wrote (drivers/vdev/virtq.c).
 *
 * Input: the queue's size (a power of two, 1-256), a mode byte (MODE_*),
 * the 16-bit index Tally is at, then guest memory from GPA 0: the
 * descriptor table, the driver area at RING_AVAIL, the device area at
 * RING_USED, buffers and indirect tables anywhere.  Guest RAM is a mapping
 * between two inaccessible guard pages (flat mode) or one heap block per
 * page with a hole (paged mode), so that a read outside the domain faults.
 * Every chain taken must lie inside memory, readable segments before
 * writable ones, at most VIRTQ_MAX_SEGS, its byte counts the sums of its
 * segments and at most 4 GiB; its bytes read back as memory holds them,
 * copy to another domain intact, and a refused chain names a known cause.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <tally/errno.h>
#include <tally/virtio.h>
#include <tally/virtq.h>

#include "harness.h"
#include "shim.h"

#define MODE_INDIRECT	0x01	/* VIRTIO_F_INDIRECT_DESC */
#define MODE_EVENT_IDX	0x02	/* VIRTIO_F_EVENT_IDX */
#define MODE_PAGED	0x04	/* one allocation per page, HOLE_PAGE unmapped */

#define RAM_PAGES	8
#define RAM_BYTES	(RAM_PAGES * PAGE_SIZE)
#define RING_AVAIL	(1 * PAGE_SIZE)		/* after a table of 256 descriptors */
#define RING_USED	(2 * PAGE_SIZE)
#define HOLE_PAGE	5
#define MAX_POPS	(2 * VIRTQ_MAX_SIZE + 2)

static uint8_t *ram;				/* flat: between guard pages */
static uint8_t *pages[RAM_PAGES];		/* paged */
static uint8_t readback[RAM_BYTES * 2];
static uint8_t other_ram[RAM_BYTES * 2];

static void ram_map(void)
{
	uint8_t *m = mmap(NULL, RAM_BYTES + 2 * PAGE_SIZE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	FUZZ_CHECK(m != MAP_FAILED);
	ram = m + PAGE_SIZE;
	FUZZ_CHECK(!mprotect(ram, RAM_BYTES, PROT_READ | PROT_WRITE));
}

static void *paged_translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail)
{
	uint64_t pg = gpa / PAGE_SIZE;

	if (gpa >= m->size || !pages[pg])
		return NULL;
	*avail = PAGE_SIZE - gpa % PAGE_SIZE;
	return pages[pg] + gpa % PAGE_SIZE;
}

/* The byte at @gpa as the guest sees it (the chain checks were that it is mapped). */
static uint8_t guest_byte(const struct guest_mem *m, uint64_t gpa)
{
	uint64_t avail;
	uint8_t *p = m->translate ? paged_translate(m, gpa, &avail) : ram + gpa;

	FUZZ_CHECK(p);
	return *p;
}

static void load_memory(struct guest_mem *m, unsigned int mode, const uint8_t *bytes, size_t len)
{
	memset(ram, 0, RAM_BYTES);
	memcpy(ram, bytes, MIN(len, (size_t)RAM_BYTES));
	*m = (struct guest_mem){ .base = ram, .size = RAM_BYTES };
	if (!(mode & MODE_PAGED))
		return;
	m->translate = paged_translate;
	for (unsigned int pg = 0; pg < RAM_PAGES; pg++) {
		pages[pg] = NULL;
		if (pg == HOLE_PAGE)
			continue;
		pages[pg] = malloc(PAGE_SIZE);
		FUZZ_CHECK(pages[pg]);
		memcpy(pages[pg], ram + pg * PAGE_SIZE, PAGE_SIZE);
	}
}

static void free_memory(void)
{
	for (unsigned int pg = 0; pg < RAM_PAGES; pg++) {
		free(pages[pg]);
		pages[pg] = NULL;
	}
}

/* The chain's shape: inside memory, readable first, sums right. */
static void check_shape(const struct virtq *q, const struct guest_mem *m, const struct virtq_chain *c)
{
	uint64_t rd = 0, wr = 0;

	FUZZ_CHECK(c->head < q->size);
	FUZZ_CHECK(c->count >= 1 && c->count <= VIRTQ_MAX_SEGS && c->readable <= c->count);
	for (unsigned int i = 0; i < c->count; i++) {
		const struct virtq_seg *s = &c->seg[i];

		FUZZ_CHECK(s->len > 0 && s->gpa < m->size && s->len <= m->size - s->gpa);
		FUZZ_CHECK(s->write == (i >= c->readable));
		if (m->translate)
			for (uint64_t pg = s->gpa / PAGE_SIZE; pg <= (s->gpa + s->len - 1) / PAGE_SIZE; pg++)
				FUZZ_CHECK(pages[pg]);
		*(s->write ? &wr : &rd) += s->len;
	}
	FUZZ_CHECK(rd == c->read_bytes && wr == c->write_bytes);
	FUZZ_CHECK(rd + wr <= UINT32_MAX);
}

/* Its readable bytes read back as memory holds them, and copy intact to another domain. */
static void check_data(const struct guest_mem *m, const struct virtq_chain *c)
{
	struct guest_mem other = { .base = other_ram, .size = sizeof(other_ram) };
	struct virtq_chain dst = { .count = 1, .readable = 0, .write_bytes = c->read_bytes };
	uint64_t at = 0;

	if (c->read_bytes > sizeof(readback))
		return;
	FUZZ_CHECK(virtq_read(m, c, 0, readback, c->read_bytes) == 0);
	for (unsigned int i = 0; i < c->readable; i++)
		for (uint64_t b = 0; b < c->seg[i].len; b++)
			FUZZ_CHECK(readback[at++] == guest_byte(m, c->seg[i].gpa + b));
	FUZZ_CHECK(virtq_read(m, c, 0, readback, c->read_bytes + 1) == -EFAULT);
	dst.seg[0] = (struct virtq_seg){ .gpa = 0, .len = (uint32_t)c->read_bytes, .write = true };
	if (!c->read_bytes)
		return;
	FUZZ_CHECK(virtq_copy(&other, &dst, 0, m, c, 0, c->read_bytes) == 0);
	FUZZ_CHECK(!memcmp(other_ram, readback, c->read_bytes));
}

/* Take chains until the ring is empty or refused for good; returns chains taken. */
static unsigned int drain(struct virtq *q, const struct guest_mem *m)
{
	unsigned int taken = 0;

	for (unsigned int n = 0; n < MAX_POPS; n++) {
		static struct virtq_chain c;
		uint16_t before = q->last_avail;
		unsigned int pending = virtq_pending(q, m);
		int r = virtq_pop(q, m, &c);

		FUZZ_CHECK(r >= -(int)(VIRTQ_ERR_COUNT - 1) && r <= 1);
		if (r == 0) {
			FUZZ_CHECK(pending == 0 && q->last_avail == before);
			break;
		}
		if (r == -VIRTQ_ERR_AVAIL || (r == -VIRTQ_ERR_RING && q->last_avail == before))
			break;		/* nothing taken: the device stops here */
		FUZZ_CHECK(pending >= 1 && q->last_avail == (uint16_t)(before + 1));
		if (r < 0) {
			FUZZ_CHECK(strcmp(virtq_error_name(-r), "unknown") != 0);
			continue;
		}
		check_shape(q, m, &c);
		check_data(m, &c);
		FUZZ_CHECK(virtq_push(q, m, c.head, (uint32_t)MIN(c.write_bytes, 64)) == 0);
		taken++;
	}
	return taken;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int qsize = 1u << (fuzz_take(&in, 1) % 9);
	unsigned int mode = fuzz_take(&in, 1);
	uint16_t start = fuzz_take(&in, 2);
	struct virtq q = {
		.size = qsize, .ready = true, .indirect = mode & MODE_INDIRECT,
		.event_idx = mode & MODE_EVENT_IDX, .desc_gpa = 0, .avail_gpa = RING_AVAIL,
		.used_gpa = RING_USED, .last_avail = start, .used_idx = start,
	};
	struct guest_mem m;
	unsigned int taken;

	if (!ram)
		ram_map();
	load_memory(&m, mode, in.data, in.size);
	FUZZ_CHECK(virtq_check(&q, &m) == VIRTQ_OK);
	taken = drain(&q, &m);
	FUZZ_CHECK(q.used_idx == (uint16_t)(start + taken));
	if (taken)
		(void)virtq_should_notify(&q, &m);
	virtq_reset(&q);
	FUZZ_CHECK(q.size == 0 && !q.ready && virtq_pop(&q, &m, &(struct virtq_chain){ 0 }) == 0);
	free_memory();
	return 0;
}
