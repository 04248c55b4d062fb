/* SPDX-License-Identifier: MIT */
/* What the split-virtqueue unit tests share: a fake guest memory and ring builders. */
#ifndef TALLY_TEST_VIRTQ_H
#define TALLY_TEST_VIRTQ_H

#include <string.h>

#include <tally/virtio.h>
#include <tally/virtq.h>

/* Guest RAM: 16 pages from GPA 0, the queue's areas in the first ones, buffers above. */
#define VT_RAM		(16 * PAGE_SIZE)
#define VT_DESC		0x1000ull		/* descriptor table (256 entries fill the page) */
#define VT_AVAIL	0x2000ull
#define VT_USED		0x3000ull
#define VT_IND		0x4000ull		/* indirect tables */
#define VT_IND2		0x5000ull
#define VT_BUF		0x8000ull		/* data buffers */

static uint8_t vt_ram[VT_RAM] __attribute__((aligned(PAGE_SIZE)));
static struct guest_mem vt_mem = { .base = vt_ram, .size = VT_RAM };
static struct virtq vt_q;

/* Empty RAM and a ready queue of @size entries at the usual places. */
static inline void vt_reset(uint16_t size)
{
	memset(vt_ram, 0, sizeof(vt_ram));
	vt_mem = (struct guest_mem){ .base = vt_ram, .size = VT_RAM };
	vt_q = (struct virtq){ .size = size, .ready = true, .desc_gpa = VT_DESC,
			       .avail_gpa = VT_AVAIL, .used_gpa = VT_USED };
}

static inline void vt_put16(uint64_t gpa, uint16_t v)
{
	memcpy(vt_ram + gpa, &v, sizeof(v));
}

static inline uint16_t vt_get16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, vt_ram + gpa, sizeof(v));
	return v;
}

static inline void vt_desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
			   uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	memcpy(vt_ram + table + sizeof(d) * i, &d, sizeof(d));
}

/* The driver makes chain @head available (2.7.13). */
static inline void vt_offer(uint16_t head)
{
	uint16_t idx = vt_get16(VT_AVAIL + VIRTQ_AVAIL_IDX);

	vt_put16(VT_AVAIL + VIRTQ_AVAIL_RING + 2 * (idx % vt_q.size), head);
	vt_put16(VT_AVAIL + VIRTQ_AVAIL_IDX, idx + 1);
}

#endif
