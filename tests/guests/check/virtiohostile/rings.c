/* SPDX-License-Identifier: MIT */
/* virtiohostile: malformed descriptor chains and queue set-ups, each with the cause Tally must count. */
#include "hostile.h"

#define N	VIRTQ_DESC_F_NEXT
#define W	VIRTQ_DESC_F_WRITE
#define I	VIRTQ_DESC_F_INDIRECT
#define MAIN	0		/* the queue's own table */
#define T0	1		/* indirect tables */
#define T1	2
#define IND_ENTRIES	16
#define DEVICE_WINDOW	0xFED00000ull	/* VPLATFORM_VIRTIO_BASE: the device's own registers */
#define FOUR_GIB	0x100000000ull
#define SEGS_QUEUE	128		/* room for VIRTQ_MAX_SEGS + 1 descriptors */
#define LONG_QUEUE	256		/* 256 descriptors of 16 MiB: 4 GiB */
#define LONG_SEG	0x1000000u

static struct virtq_desc tables[2][IND_ENTRIES] __attribute__((aligned(VIRTQ_DESC_ALIGN)));

/* Where a descriptor's address is: absolute, or relative to something known at run time. */
enum base { ABS, GOOD, TOP, TAB0, TAB1 };

struct dspec {
	uint8_t table, i;
	uint8_t base;
	int64_t off;
	uint32_t len;
	uint16_t flags, next;
};

struct ring_case {
	const char *name;
	uint16_t size, head;
	bool indirect;			/* negotiate VIRTIO_F_INDIRECT_DESC */
	enum cause cause;
	struct dspec d[4];
};

static const struct ring_case cases[] = {
	{ "buffer at the end of RAM", 8, 0, true, C_ADDR, { { MAIN, 0, TOP, 0, 64, 0, 0 } } },
	{ "buffer across the end of RAM", 8, 0, true, C_ADDR, { { MAIN, 0, TOP, -32, 64, 0, 0 } } },
	{ "buffer in the device window", 8, 0, true, C_ADDR,
	  { { MAIN, 0, ABS, DEVICE_WINDOW, 16, 0, 0 } } },
	{ "buffer over 4 GiB", 8, 0, true, C_ADDR, { { MAIN, 0, ABS, FOUR_GIB, 16, 0, 0 } } },
	{ "buffer wrapping 2^64", 8, 0, true, C_ADDR, { { MAIN, 0, ABS, -16, 32, 0, 0 } } },
	{ "huge length", 8, 0, true, C_ADDR, { { MAIN, 0, GOOD, 0, 0xFFFFFFFFu, 0, 0 } } },
	{ "zero length", 8, 0, true, C_LEN, { { MAIN, 0, GOOD, 0, 0, 0, 0 } } },
	{ "zero length after a good one", 8, 2, true, C_LEN,
	  { { MAIN, 2, GOOD, 0, 16, N, 5 }, { MAIN, 5, GOOD, 64, 0, W, 0 } } },
	{ "head past the queue", 8, 8, true, C_INDEX, { { MAIN, 0, GOOD, 0, 16, 0, 0 } } },
	{ "head 0xffff", 8, 0xFFFF, true, C_INDEX, { { MAIN, 0, GOOD, 0, 16, 0, 0 } } },
	{ "next past the queue", 8, 0, true, C_INDEX, { { MAIN, 0, GOOD, 0, 16, N, 8 } } },
	{ "self loop", 8, 3, true, C_LOOP, { { MAIN, 3, GOOD, 0, 16, N, 3 } } },
	{ "loop 0-1-2-0", 8, 0, true, C_LOOP,
	  { { MAIN, 0, GOOD, 0, 16, N, 1 }, { MAIN, 1, GOOD, 0, 16, N, 2 },
	    { MAIN, 2, GOOD, 0, 16, N, 0 } } },
	{ "readable after writable", 8, 0, true, C_ORDER,
	  { { MAIN, 0, GOOD, 0, 16, W | N, 1 }, { MAIN, 1, GOOD, 16, 16, 0, 0 } } },
	{ "indirect without the feature", 8, 0, false, C_INDIRECT,
	  { { MAIN, 0, TAB0, 0, 16, I, 0 }, { T0, 0, GOOD, 0, 16, 0, 0 } } },
	{ "nested indirect", 8, 0, true, C_INDIRECT,
	  { { MAIN, 0, TAB0, 0, 16, I, 0 }, { T0, 0, TAB1, 0, 16, I, 0 }, { T1, 0, GOOD, 0, 16, 0, 0 } } },
	{ "indirect with NEXT", 8, 0, true, C_INDIRECT,
	  { { MAIN, 0, TAB0, 0, 16, I | N, 1 }, { MAIN, 1, GOOD, 0, 16, 0, 0 },
	    { T0, 0, GOOD, 0, 16, 0, 0 } } },
	{ "indirect of length 0", 8, 0, true, C_INDIRECT, { { MAIN, 0, TAB0, 0, 0, I, 0 } } },
	{ "indirect of length 20", 8, 0, true, C_INDIRECT,
	  { { MAIN, 0, TAB0, 0, 20, I, 0 }, { T0, 0, GOOD, 0, 16, 0, 0 } } },
	{ "indirect longer than the queue", 8, 0, true, C_INDIRECT,
	  { { MAIN, 0, TAB0, 0, 16 * IND_ENTRIES, I, 0 }, { T0, 0, GOOD, 0, 16, 0, 0 } } },
	{ "indirect table across the end of RAM", 8, 0, true, C_ADDR,
	  { { MAIN, 0, TOP, -16, 32, I, 0 } } },
	{ "loop in an indirect table", 8, 0, true, C_LOOP,
	  { { MAIN, 0, TAB0, 0, 32, I, 0 }, { T0, 0, GOOD, 0, 16, N, 1 }, { T0, 1, GOOD, 0, 16, N, 0 } } },
	{ "next past an indirect table", 8, 0, true, C_INDEX,
	  { { MAIN, 0, TAB0, 0, 32, I, 0 }, { T0, 0, GOOD, 0, 16, N, 2 } } },
};

static uint64_t address(const struct dspec *d)
{
	switch (d->base) {
	case GOOD:	return (uint32_t)good_buf + d->off;
	case TOP:	return ram_top + d->off;
	case TAB0:	return (uint32_t)tables[0] + d->off;
	case TAB1:	return (uint32_t)tables[1] + d->off;
	default:	return (uint64_t)d->off;
	}
}

static void put(const struct dspec *d)
{
	struct virtq_desc *t = d->table == MAIN ? vq.desc : tables[d->table - 1];

	t[d->i] = (struct virtq_desc){ .addr = address(d), .len = d->len, .flags = d->flags,
				       .next = d->next };
}

static void run_case(const struct ring_case *rc)
{
	hostile_start(rc->size, rc->indirect);
	memset(tables, 0, sizeof(tables));
	for (unsigned int k = 0; k < 4 && (rc->d[k].len || rc->d[k].off || rc->d[k].base); k++)
		put(&rc->d[k]);
	hostile_offer(rc->head);
	hostile_expect_fail(rc->name, rc->cause);
	hostile_recover(rc->name);
}

/* A chain of @n descriptors 0 -> 1 -> ... of @len bytes at @addr each, offered. */
static void long_chain(unsigned int n, uint64_t addr, uint32_t len)
{
	for (unsigned int i = 0; i < n; i++)
		vq.desc[i] = (struct virtq_desc){ .addr = addr, .len = len,
						  .flags = i + 1 < n ? N : 0, .next = i + 1 };
	hostile_offer(0);
}

/* Chains only their length makes wrong, and a driver that published more than the queue. */
static void run_specials(void)
{
	hostile_start(SEGS_QUEUE, true);
	long_chain(65, (uint32_t)good_buf, 1);		/* VIRTQ_MAX_SEGS + 1 */
	hostile_expect_fail("65 segments", C_SEGS);
	hostile_recover("65 segments");
	if (ram_top >= LONG_SEG) {
		hostile_start(LONG_QUEUE, true);
		long_chain(LONG_QUEUE, 0, LONG_SEG);	/* all of RAM 256 times: 4 GiB */
		hostile_expect_fail("a chain of 4 GiB", C_LEN);
		hostile_recover("a chain of 4 GiB");
	}
	hostile_start(8, true);
	vq.desc[0] = (struct virtq_desc){ .addr = (uint32_t)good_buf, .len = 16 };
	vq.avail_idx = 9;				/* 9 chains in a queue of 8 */
	vio_publish(&vq);
	vio_notify(&vq);
	hostile_expect_fail("avail.idx 9 ahead in a queue of 8", C_AVAIL);
	hostile_recover("avail.idx jumped");
}

void rings_run(void)
{
	for (unsigned int k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		run_case(&cases[k]);
	run_specials();
}

/* A queue set up by hand: refused when made ready, nothing else happens. */
struct setup_case {
	const char *name;
	uint32_t num;
	enum base desc_base, avail_base, used_base;
	int64_t desc_off, avail_off, used_off;
	enum cause cause;
};

#define Q_DESC	TAB0		/* here: the queue's own areas */
#define Q_AVAIL	TAB1
#define Q_USED	GOOD

static const struct setup_case setups[] = {
	{ "descriptor table across the end of RAM", 8, TOP, Q_AVAIL, Q_USED, -64, 0, 0, C_RING },
	{ "available ring at the end of RAM", 8, Q_DESC, TOP, Q_USED, 0, -4, 0, C_RING },
	{ "used ring across the end of RAM", 8, Q_DESC, Q_AVAIL, TOP, 0, 0, -8, C_RING },
	{ "used ring in the device window", 8, Q_DESC, Q_AVAIL, ABS, 0, 0, DEVICE_WINDOW, C_RING },
	{ "descriptor table over 4 GiB", 8, ABS, Q_AVAIL, Q_USED, FOUR_GIB, 0, 0, C_RING },
	{ "descriptor table misaligned", 8, Q_DESC, Q_AVAIL, Q_USED, 8, 0, 0, C_RING },
	{ "used ring misaligned", 8, Q_DESC, Q_AVAIL, Q_USED, 0, 0, 2, C_RING },
	{ "QueueNum 3", 3, Q_DESC, Q_AVAIL, Q_USED, 0, 0, 0, C_INDEX },
	{ "QueueNum 512, over QueueNumMax", 512, Q_DESC, Q_AVAIL, Q_USED, 0, 0, 0, C_INDEX },
	{ "QueueNum 0", 0, Q_DESC, Q_AVAIL, Q_USED, 0, 0, 0, C_INDEX },
};

static uint64_t area(enum base b, int64_t off)
{
	switch (b) {
	case Q_DESC:	return (uint32_t)vq.desc + off;
	case Q_AVAIL:	return (uint32_t)vq.avail + off;
	case Q_USED:	return (uint32_t)vq.used + off;
	case TOP:	return ram_top + off;
	default:	return (uint64_t)off;
	}
}

static void write64(uint32_t low_off, uint64_t v)
{
	vio_reg_write(&dev, low_off, (uint32_t)v);
	vio_reg_write(&dev, low_off + 4, (uint32_t)(v >> 32));
}

static void run_setup(const struct setup_case *s)
{
	CHECK(vio_init(&dev, 0) == 0, "%s: init", s->name);
	caused.resets++;
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_SEL, work_queue);
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_NUM, s->num);
	write64(VIRTIO_MMIO_QUEUE_DESC_LOW, area(s->desc_base, s->desc_off));
	write64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, area(s->avail_base, s->avail_off));
	write64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, area(s->used_base, s->used_off));
	vio_reg_write(&dev, VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK(vio_reg_read(&dev, VIRTIO_MMIO_QUEUE_READY) == 0, "%s: QueueReady stays 0",
		    s->name);
	hostile_expect_fail(s->name, s->cause);
	hostile_recover(s->name);
}

void rings_setup_run(void)
{
	for (unsigned int k = 0; k < sizeof(setups) / sizeof(setups[0]); k++)
		run_setup(&setups[k]);
}
