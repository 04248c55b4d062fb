/* SPDX-License-Identifier: MIT */
/* Unit tests: the NIC frame path (drivers/vdev/vnet_frame.c) over the real switch and rings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/vnet.h>
#include <tally/vnet_frame.h>

#include "shim.h"

/*
 * Each NIC's guest RAM: its receive queue's areas, its transmit queue's,
 * then buffers.  Queues of QSIZE entries.
 */
#define NICS		3
#define RAM		(96 * PAGE_SIZE)
#define RX_DESC		0x1000ull
#define RX_AVAIL	0x2000ull
#define RX_USED		0x3000ull
#define TX_DESC		0x4000ull
#define TX_AVAIL	0x5000ull
#define TX_USED		0x6000ull
#define TX_BUF		0x8000ull	/* frames to send, one page each */
#define RX_BUF		0x10000ull	/* receive buffers, 2 KiB each */
#define RX_BUF_SIZE	0x800u
#define QSIZE		128
#define HDR		VNET_HDR_LEN
#define ETH		VSWITCH_ETH_HLEN
#define A		0
#define B		1
#define C		2

static uint8_t ram[NICS][RAM] __attribute__((aligned(PAGE_SIZE)));
static struct domain dom[NICS];
static struct vnet nic[NICS];
static struct vswitch sw;
static unsigned int used_calls[NICS][VIRTIO_MAX_QUEUES];
static unsigned int fail_calls[NICS];
static enum virtq_error fail_err[NICS];
static const uint8_t bcast[VSWITCH_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- the transport's part, stood in for: which device, and what it was told ---- */

static unsigned int which(const struct virtio_dev *dev)
{
	return (unsigned int)((const struct vnet *)dev - nic);	/* dev is its first member */
}

bool virtio_dev_live(const struct virtio_dev *dev)
{
	return (dev->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

void virtio_dev_used(struct virtio_dev *dev, unsigned int q)
{
	used_calls[which(dev)][q]++;
}

void virtio_dev_fail(struct virtio_dev *dev, enum virtq_error err)
{
	fail_calls[which(dev)]++;
	fail_err[which(dev)] = err;
	dev->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

/* ---- guest memory ---- */

static void put16(unsigned int i, uint64_t gpa, uint16_t v)
{
	memcpy(&ram[i][gpa], &v, sizeof(v));
}

static uint16_t get16(unsigned int i, uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, &ram[i][gpa], sizeof(v));
	return v;
}

static struct virtq_used_elem used_elem(unsigned int i, uint64_t used, uint16_t n)
{
	struct virtq_used_elem e;

	memcpy(&e, &ram[i][used + VIRTQ_USED_RING + sizeof(e) * n], sizeof(e));
	return e;
}

static void desc(unsigned int i, uint64_t table, uint16_t n, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	memcpy(&ram[i][table + sizeof(d) * n], &d, sizeof(d));
}

static void offer(unsigned int i, uint64_t avail, uint16_t head)
{
	uint16_t idx = get16(i, avail + VIRTQ_AVAIL_IDX);

	put16(i, avail + VIRTQ_AVAIL_RING + 2 * (idx % QSIZE), head);
	put16(i, avail + VIRTQ_AVAIL_IDX, (uint16_t)(idx + 1));
}

/* ---- NICs on one switch ---- */

static void mac_of(unsigned int i, uint8_t mac[VSWITCH_MAC_LEN])
{
	const uint8_t m[VSWITCH_MAC_LEN] = { 0x02, 0x54, 0x41, 0x00, 0x00, (uint8_t)(i + 1) };

	memcpy(mac, m, VSWITCH_MAC_LEN);
}

static void nic_setup(unsigned int i, const char *group)
{
	static const struct vswitch_limits none;
	struct virtio_dev *dev = &nic[i].dev;
	uint8_t mac[VSWITCH_MAC_LEN];

	dom[i].id = i + 1;
	dom[i].mem = (struct guest_mem){ .base = ram[i], .size = RAM };
	nic[i] = (struct vnet){ 0 };
	dev->domain = &dom[i];
	dev->priv = &nic[i];
	dev->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		      VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
	dev->vq[VIRTIO_NET_RX_QUEUE] = (struct virtq){ .size = QSIZE, .ready = true,
		.desc_gpa = RX_DESC, .avail_gpa = RX_AVAIL, .used_gpa = RX_USED };
	dev->vq[VIRTIO_NET_TX_QUEUE] = (struct virtq){ .size = QSIZE, .ready = true,
		.desc_gpa = TX_DESC, .avail_gpa = TX_AVAIL, .used_gpa = TX_USED };
	mac_of(i, mac);
	assert_int_equal(vswitch_port_add(&sw, mac, group, &none, &nic[i], 0), (int)i);
	nic[i].port = i;
}

/* Three NICs: A and B in "red", C in "red" too unless @c_group says otherwise. */
static void setup3(const char *c_group)
{
	memset(ram, 0, sizeof(ram));
	memset(used_calls, 0, sizeof(used_calls));
	memset(fail_calls, 0, sizeof(fail_calls));
	vswitch_init(&sw, VSWITCH_AGEING_NS);
	nic_setup(A, "red");
	nic_setup(B, "red");
	nic_setup(C, c_group);
}

/* Write a frame of @len bytes from @from to @to (a MAC) at @gpa in NIC @i's RAM: bytes i*7+k. */
static void make_frame(unsigned int i, uint64_t gpa, const uint8_t *to, const uint8_t *from,
		       uint32_t len)
{
	uint8_t *f = &ram[i][gpa];

	memcpy(f, to, VSWITCH_MAC_LEN);
	memcpy(f + VSWITCH_MAC_LEN, from, VSWITCH_MAC_LEN);
	f[12] = 0x08;
	f[13] = 0x00;
	for (uint32_t k = ETH; k < len; k++)
		f[k] = (uint8_t)(k * 7 + 1);
}

/* NIC @i queues frame @n (0..): a zeroed header then @len frame bytes, one descriptor. */
static void send_one(unsigned int i, uint16_t n, const uint8_t *to, uint32_t len)
{
	uint64_t buf = TX_BUF + (uint64_t)n % 8 * PAGE_SIZE;	/* 8 pages, reused */
	uint8_t me[VSWITCH_MAC_LEN];

	mac_of(i, me);
	memset(&ram[i][buf], 0, HDR);
	make_frame(i, buf + HDR, to, me, len);
	desc(i, TX_DESC, n, buf, HDR + len, 0, 0);
	offer(i, TX_AVAIL, n);
}

/* NIC @i posts receive buffer @n of @len bytes. */
static void post_rx(unsigned int i, uint16_t n, uint32_t len)
{
	desc(i, RX_DESC, n, RX_BUF + (uint64_t)n * RX_BUF_SIZE, len, VIRTQ_DESC_F_WRITE, 0);
	offer(i, RX_AVAIL, n);
}

static const struct vswitch_counters *ctr(unsigned int i)
{
	return &sw.ports[i].c;
}

/* ---- tests ---- */

static void check_rx_hdr(unsigned int i, uint64_t gpa)
{
	struct virtio_net_hdr h;

	memcpy(&h, &ram[i][gpa], sizeof(h));
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(h.hdr_len, 0);
	assert_int_equal(h.gso_size, 0);
	assert_int_equal(h.csum_start, 0);
	assert_int_equal(h.csum_offset, 0);
	assert_int_equal(h.num_buffers, 1);		/* 5.1.6.4, no MRG_RXBUF */
}

static void test_unicast_exact(void **state)
{
	uint8_t mb[VSWITCH_MAC_LEN];

	(void)state;
	setup3("blue");
	mac_of(B, mb);
	memset(&ram[B][RX_BUF], 0xEE, RX_BUF_SIZE);
	post_rx(B, 0, RX_BUF_SIZE);
	send_one(A, 0, mb, 60);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 1000), 0);
	/* B: one used element, 12 + 60 bytes, header then the very frame. */
	assert_int_equal(get16(B, RX_USED + VIRTQ_USED_IDX), 1);
	assert_int_equal(used_elem(B, RX_USED, 0).id, 0);
	assert_int_equal(used_elem(B, RX_USED, 0).len, HDR + 60);
	check_rx_hdr(B, RX_BUF);
	assert_memory_equal(&ram[B][RX_BUF + HDR], &ram[A][TX_BUF + HDR], 60);
	assert_int_equal(ram[B][RX_BUF + HDR + 60], 0xEE);	/* nothing past the frame */
	/* A: its chain back with nothing written. */
	assert_int_equal(get16(A, TX_USED + VIRTQ_USED_IDX), 1);
	assert_int_equal(used_elem(A, TX_USED, 0).len, 0);
	assert_int_equal(used_calls[A][VIRTIO_NET_TX_QUEUE], 1);
	assert_int_equal(used_calls[B][VIRTIO_NET_RX_QUEUE], 1);
	assert_int_equal(used_calls[C][VIRTIO_NET_RX_QUEUE], 0);
	assert_int_equal(ctr(A)->tx_packets, 1);
	assert_int_equal(ctr(A)->tx_bytes, 60);
	assert_int_equal(ctr(B)->rx_packets, 1);
	assert_int_equal(ctr(B)->rx_bytes, 60);
	assert_int_equal(ctr(C)->rx_packets, 0);
	assert_int_equal(fail_calls[A] + fail_calls[B] + fail_calls[C], 0);
}

/* Header and frame split over several descriptors on both sides, one of 1 byte. */
static void test_segments(void **state)
{
	uint8_t mb[VSWITCH_MAC_LEN], ma[VSWITCH_MAC_LEN];
	const uint32_t len = 1514;

	(void)state;
	setup3("red");
	mac_of(A, ma);
	mac_of(B, mb);
	make_frame(A, TX_BUF + 0x100, mb, ma, len);
	desc(A, TX_DESC, 0, TX_BUF, HDR, VIRTQ_DESC_F_NEXT, 1);
	desc(A, TX_DESC, 1, TX_BUF + 0x100, 5, VIRTQ_DESC_F_NEXT, 2);
	desc(A, TX_DESC, 2, TX_BUF + 0x105, 1, VIRTQ_DESC_F_NEXT, 3);
	desc(A, TX_DESC, 3, TX_BUF + 0x106, len - 6, 0, 0);
	offer(A, TX_AVAIL, 0);
	desc(B, RX_DESC, 5, RX_BUF, 7, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 6);
	desc(B, RX_DESC, 6, RX_BUF + 0x1000, 2000, VIRTQ_DESC_F_WRITE, 0);
	offer(B, RX_AVAIL, 5);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 1), 0);
	assert_int_equal(used_elem(B, RX_USED, 0).id, 5);
	assert_int_equal(used_elem(B, RX_USED, 0).len, HDR + len);
	{
		uint8_t got[HDR + 1514];

		memcpy(got, &ram[B][RX_BUF], 7);
		memcpy(got + 7, &ram[B][RX_BUF + 0x1000], sizeof(got) - 7);
		assert_int_equal(got[10], 1);		/* num_buffers, low byte */
		assert_memory_equal(got + HDR, &ram[A][TX_BUF + 0x100], len);
	}
	/* Flooded (B unknown yet): C in the same group got it too, and had no buffer. */
	assert_int_equal(ctr(C)->drops[VSWITCH_DROP_NO_BUFFER], 1);
	assert_int_equal(ctr(B)->rx_bytes, len);
}

/* A receive buffer one byte short: returned with 0 used bytes, a no-buffer drop, untouched. */
static void test_rx_too_small(void **state)
{
	uint8_t mb[VSWITCH_MAC_LEN];

	(void)state;
	setup3("blue");
	mac_of(B, mb);
	post_rx(B, 0, HDR + 100 - 1);
	post_rx(B, 1, HDR + 100);
	send_one(A, 0, mb, 100);
	send_one(A, 1, mb, 100);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 1), 0);
	assert_int_equal(get16(B, RX_USED + VIRTQ_USED_IDX), 2);
	assert_int_equal(used_elem(B, RX_USED, 0).id, 0);
	assert_int_equal(used_elem(B, RX_USED, 0).len, 0);
	assert_int_equal(used_elem(B, RX_USED, 1).id, 1);
	assert_int_equal(used_elem(B, RX_USED, 1).len, HDR + 100);
	for (unsigned int k = 0; k < HDR + 99; k++)
		assert_int_equal(ram[B][RX_BUF + k], 0);
	assert_int_equal(ctr(B)->drops[VSWITCH_DROP_NO_BUFFER], 1);
	assert_int_equal(ctr(B)->rx_packets, 1);
	assert_int_equal(ctr(B)->rx_bytes, 100);
	assert_int_equal(ctr(A)->tx_packets, 2);
	assert_int_equal(used_calls[B][VIRTIO_NET_RX_QUEUE], 2);
	assert_int_equal(fail_calls[B], 0);
}

/* No buffer posted, or a driver not ready: nothing taken from the ring, a no-buffer drop. */
static void test_no_buffer_and_not_live(void **state)
{
	uint8_t mb[VSWITCH_MAC_LEN];

	(void)state;
	setup3("blue");
	mac_of(B, mb);
	send_one(A, 0, mb, 64);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 1), 0);
	assert_int_equal(ctr(B)->drops[VSWITCH_DROP_NO_BUFFER], 1);
	assert_int_equal(used_calls[B][VIRTIO_NET_RX_QUEUE], 0);
	assert_int_equal(get16(B, RX_USED + VIRTQ_USED_IDX), 0);

	post_rx(B, 0, RX_BUF_SIZE);
	nic[B].dev.status &= ~VIRTIO_STATUS_DRIVER_OK;
	send_one(A, 1, mb, 64);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 2), 0);
	assert_int_equal(ctr(B)->drops[VSWITCH_DROP_NO_BUFFER], 2);
	assert_int_equal(nic[B].dev.vq[VIRTIO_NET_RX_QUEUE].last_avail, 0);

	nic[B].dev.status |= VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	send_one(A, 2, mb, 64);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 3), 0);
	assert_int_equal(ctr(B)->drops[VSWITCH_DROP_NO_BUFFER], 3);
	assert_int_equal(ctr(B)->rx_packets, 0);
	assert_int_equal(ctr(A)->tx_packets, 3);
	assert_int_equal(get16(A, TX_USED + VIRTQ_USED_IDX), 3);
}

/* Transmit chains the NIC refuses: each a malformed (or oversize) drop, never a ring error. */
static void test_tx_refusals(void **state)
{
	uint8_t mb[VSWITCH_MAC_LEN];
	struct virtio_net_hdr *h;

	(void)state;
	setup3("blue");
	mac_of(B, mb);
	for (uint16_t n = 0; n < 8; n++)
		post_rx(B, n, RX_BUF_SIZE);
	send_one(A, 0, mb, 60);			/* 0: a writable segment after it */
	desc(A, TX_DESC, 0, TX_BUF, HDR + 60, VIRTQ_DESC_F_NEXT, 9);
	desc(A, TX_DESC, 9, TX_BUF + 0x800, 16, VIRTQ_DESC_F_WRITE, 0);
	send_one(A, 1, mb, ETH - 1);		/* 1: shorter than an Ethernet header */
	send_one(A, 2, mb, 60);			/* 2: gso_type TCPV4 */
	h = (struct virtio_net_hdr *)&ram[A][TX_BUF + 2 * PAGE_SIZE];
	h->gso_type = 1;
	send_one(A, 3, mb, 60);			/* 3: NEEDS_CSUM */
	h = (struct virtio_net_hdr *)&ram[A][TX_BUF + 3 * PAGE_SIZE];
	h->flags = 1;
	send_one(A, 4, mb, VSWITCH_FRAME_MAX + 1);	/* 4: oversize */
	send_one(A, 5, mb, VSWITCH_FRAME_MAX);	/* 5: the largest: goes */
	send_one(A, 6, mb, ETH);		/* 6: the smallest: goes */
	send_one(A, 7, mb, 60);			/* 7: num_buffers set: Linux may, goes */
	h = (struct virtio_net_hdr *)&ram[A][TX_BUF + 7 * PAGE_SIZE];
	h->num_buffers = 0x5a5a;
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 1), 0);
	assert_int_equal(ctr(A)->drops[VSWITCH_DROP_MALFORMED], 4);
	assert_int_equal(ctr(A)->drops[VSWITCH_DROP_OVERSIZE], 1);
	assert_int_equal(ctr(A)->tx_packets, 3);
	assert_int_equal(ctr(A)->tx_bytes, VSWITCH_FRAME_MAX + ETH + 60);
	assert_int_equal(ctr(B)->rx_packets, 3);
	assert_int_equal(used_elem(B, RX_USED, 0).len, HDR + VSWITCH_FRAME_MAX);
	assert_int_equal(used_elem(B, RX_USED, 1).len, HDR + ETH);
	assert_int_equal(used_elem(B, RX_USED, 2).len, HDR + 60);
	assert_int_equal(get16(A, TX_USED + VIRTQ_USED_IDX), 8);	/* every chain returned */
	for (uint16_t n = 0; n < 8; n++)
		assert_int_equal(used_elem(A, TX_USED, n).len, 0);
	assert_int_equal(fail_calls[A], 0);
	assert_int_equal(nic[A].dev.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
}

/* VNET_TX_BUDGET frames per notification; the rest on the next. */
static void test_budget(void **state)
{
	uint8_t mb[VSWITCH_MAC_LEN];
	const uint16_t frames = VNET_TX_BUDGET + 6;

	(void)state;
	setup3("blue");
	mac_of(B, mb);
	for (uint16_t n = 0; n < frames; n++) {
		post_rx(B, n, RX_BUF_SIZE / 2);
		send_one(A, n, mb, 100 + n);
	}
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 1), VIRTIO_NOTIFY_MORE);
	assert_int_equal(get16(A, TX_USED + VIRTQ_USED_IDX), VNET_TX_BUDGET);
	assert_int_equal(ctr(B)->rx_packets, VNET_TX_BUDGET);
	assert_int_equal(used_calls[A][VIRTIO_NET_TX_QUEUE], 1);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 2), 0);
	assert_int_equal(get16(A, TX_USED + VIRTQ_USED_IDX), frames);
	assert_int_equal(ctr(B)->rx_packets, frames);
	/* 100 + 101 + ... + (100 + frames - 1) */
	assert_int_equal(ctr(B)->rx_bytes, 100u * frames + frames * (frames - 1u) / 2);
	assert_int_equal(ctr(A)->tx_bytes, ctr(B)->rx_bytes);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 3), 0);	/* nothing left */
	assert_int_equal(used_calls[A][VIRTIO_NET_TX_QUEUE], 2);
}

/* A receiver with a broken ring is failed alone; the sender and other receivers go on. */
static void test_rx_ring_error(void **state)
{
	(void)state;
	setup3("red");
	post_rx(C, 0, RX_BUF_SIZE);
	post_rx(B, 0, RX_BUF_SIZE);
	put16(B, RX_AVAIL + VIRTQ_AVAIL_RING, QSIZE);	/* head past the queue */
	send_one(A, 0, bcast, 60);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 1), 0);
	assert_int_equal(fail_calls[B], 1);
	assert_int_equal(fail_err[B], VIRTQ_ERR_INDEX);
	assert_int_equal(fail_calls[A] + fail_calls[C], 0);
	assert_int_equal(ctr(B)->rx_packets, 0);
	assert_int_equal(ctr(B)->drops[VSWITCH_DROP_NO_BUFFER], 1);
	assert_int_equal(ctr(C)->rx_packets, 1);
	assert_int_equal(ctr(C)->rx_broadcast, 1);
	assert_int_equal(ctr(A)->tx_broadcast, 1);
	assert_int_equal(get16(A, TX_USED + VIRTQ_USED_IDX), 1);
	/* Failed: no more frames taken from it. */
	send_one(A, 1, bcast, 60);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 2), 0);
	assert_int_equal(fail_calls[B], 1);
	assert_int_equal(ctr(B)->drops[VSWITCH_DROP_NO_BUFFER], 2);
}

/* The sender's own broken ring: the error goes back to the transport. */
static void test_tx_ring_error(void **state)
{
	uint8_t mb[VSWITCH_MAC_LEN];

	(void)state;
	setup3("blue");
	mac_of(B, mb);
	post_rx(B, 0, RX_BUF_SIZE);
	send_one(A, 0, mb, 60);
	send_one(A, 1, mb, 60);
	desc(A, TX_DESC, 1, TX_BUF + PAGE_SIZE, HDR + 60, VIRTQ_DESC_F_NEXT, 1);	/* loops */
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 1), -VIRTQ_ERR_LOOP);
	assert_int_equal(ctr(B)->rx_packets, 1);	/* the good one before it went */
	assert_int_equal(used_calls[A][VIRTIO_NET_TX_QUEUE], 1);
	assert_int_equal(fail_calls[A], 0);		/* the transport's job */
}

/* Floods stay in the group; spoofed frames go nowhere. */
static void test_groups_and_spoofing(void **state)
{
	uint8_t ma[VSWITCH_MAC_LEN], mc[VSWITCH_MAC_LEN];

	(void)state;
	setup3("blue");
	mac_of(A, ma);
	mac_of(C, mc);
	for (unsigned int i = 0; i < NICS; i++)
		post_rx(i, 0, RX_BUF_SIZE);
	send_one(C, 0, bcast, 80);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[C], 1), 0);
	assert_int_equal(ctr(C)->tx_broadcast, 1);
	assert_int_equal(ctr(A)->rx_packets + ctr(B)->rx_packets, 0);
	send_one(C, 1, ma, 80);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[C], 2), 0);
	assert_int_equal(ctr(C)->drops[VSWITCH_DROP_ISOLATION], 1);
	assert_int_equal(ctr(A)->rx_packets, 0);
	/* B claims C's address. */
	send_one(B, 0, bcast, 80);
	memcpy(&ram[B][TX_BUF + HDR + VSWITCH_MAC_LEN], mc, VSWITCH_MAC_LEN);
	assert_int_equal(vnet_frame_transmit(&sw, &nic[B], 3), 0);
	assert_int_equal(ctr(B)->drops[VSWITCH_DROP_SPOOFED], 1);
	assert_int_equal(ctr(B)->tx_packets, 0);
	assert_int_equal(ctr(A)->rx_packets, 0);
	assert_int_equal(get16(B, TX_USED + VIRTQ_USED_IDX), 1);
}

/*
 * The sender rewrites its Ethernet header while Tally copies the rest (a
 * translate callback does it on the first access past the header): the
 * receiver still gets the header the switch decided on.
 */
static bool rewritten;

static void *racing_translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail)
{
	if (gpa >= TX_BUF + HDR + ETH && gpa < TX_BUF + PAGE_SIZE && !rewritten) {
		memset(&ram[A][TX_BUF + HDR], 0x77, ETH);	/* another destination, source */
		rewritten = true;
	}
	return hcall_flat_translate(m, gpa, avail);
}

static void test_header_copied_once(void **state)
{
	uint8_t ma[VSWITCH_MAC_LEN], mb[VSWITCH_MAC_LEN];

	(void)state;
	setup3("blue");
	mac_of(A, ma);
	mac_of(B, mb);
	post_rx(B, 0, RX_BUF_SIZE);
	send_one(A, 0, mb, 200);
	rewritten = false;
	dom[A].mem.translate = racing_translate;
	assert_int_equal(vnet_frame_transmit(&sw, &nic[A], 1), 0);
	dom[A].mem.translate = NULL;
	assert_true(rewritten);
	assert_memory_equal(&ram[B][RX_BUF + HDR], mb, VSWITCH_MAC_LEN);
	assert_memory_equal(&ram[B][RX_BUF + HDR + VSWITCH_MAC_LEN], ma, VSWITCH_MAC_LEN);
	assert_memory_equal(&ram[B][RX_BUF + HDR + ETH], &ram[A][TX_BUF + HDR + ETH], 200 - ETH);
	assert_int_equal(ctr(B)->rx_packets, 1);
	assert_int_equal(ctr(A)->drops[VSWITCH_DROP_SPOOFED], 0);
}

static void test_config_read(void **state)
{
	struct virtio_net_config cfg = { .mac = { 2, 0x54, 0x41, 0, 1, 2 },
					 .status = VIRTIO_NET_S_LINK_UP, .mtu = 1500 };
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vnet_frame_config_read(&cfg, 0, 4, &v), 0);
	assert_int_equal(v, 0x00415402);
	assert_int_equal(vnet_frame_config_read(&cfg, 4, 2, &v), 0);
	assert_int_equal(v, 0x0201);
	assert_int_equal(vnet_frame_config_read(&cfg, 5, 1, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(vnet_frame_config_read(&cfg, 6, 2, &v), 0);
	assert_int_equal(v, VIRTIO_NET_S_LINK_UP);
	assert_int_equal(vnet_frame_config_read(&cfg, 10, 2, &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(vnet_frame_config_read(&cfg, 4, 8, &v), 0);
	assert_int_equal(v, 0x05dc000000010201ull);
	v = 42;
	assert_int_equal(vnet_frame_config_read(&cfg, 10, 4, &v), -EINVAL);
	assert_int_equal(vnet_frame_config_read(&cfg, 12, 1, &v), -EINVAL);
	assert_int_equal(vnet_frame_config_read(&cfg, 0x1000, 4, &v), -EINVAL);
	assert_int_equal(vnet_frame_config_read(&cfg, 0, 0, &v), -EINVAL);
	assert_int_equal(v, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unicast_exact),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_rx_too_small),
		cmocka_unit_test(test_no_buffer_and_not_live),
		cmocka_unit_test(test_tx_refusals),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_rx_ring_error),
		cmocka_unit_test(test_tx_ring_error),
		cmocka_unit_test(test_groups_and_spoofing),
		cmocka_unit_test(test_header_copied_once),
		cmocka_unit_test(test_config_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
