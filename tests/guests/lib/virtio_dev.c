/* SPDX-License-Identifier: MIT */
/* Test-guest virtio-net (virtio 1.2 5.1) and virtio-blk (5.2) helpers over virtio.c. */
#include "virtio.h"
#include "mem.h"

#define NET_FEATURES	((1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS))
#define BLK_FEATURES	((1ull << VIRTIO_BLK_F_RO) | (1ull << VIRTIO_BLK_F_FLUSH) | \
			 (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_SEG_MAX) | \
			 (1ull << VIRTIO_BLK_F_SIZE_MAX))
#define NET_HDR		sizeof(struct virtio_net_hdr)

static uint8_t config8(const struct vio_dev *d, uint32_t off)
{
	return *(volatile uint8_t *)(uintptr_t)(d->base + VIRTIO_MMIO_CONFIG + off);
}

static uint16_t config16(const struct vio_dev *d, uint32_t off)
{
	return *(volatile uint16_t *)(uintptr_t)(d->base + VIRTIO_MMIO_CONFIG + off);
}

/* Both queues, then DRIVER_OK (3.1.1 steps 7-8). */
static int net_queues(struct vio_net *n)
{
	int r = vio_queue_setup(&n->dev, &n->rx, VIRTIO_NET_RX_QUEUE, VIO_NET_QUEUE);

	if (r < 0)
		return r;
	r = vio_queue_setup(&n->dev, &n->tx, VIRTIO_NET_TX_QUEUE, VIO_NET_QUEUE);
	if (r < 0)
		return r;
	vio_driver_ok(&n->dev);
	return 0;
}

int vio_net_open(struct vio_net *n, unsigned int slot, uint64_t wanted)
{
	int r = vio_probe(&n->dev, slot, VIRTIO_ID_NET);

	if (r < 0)
		return r;
	r = vio_init(&n->dev, wanted | NET_FEATURES);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < sizeof(n->mac); i++)
		n->mac[i] = vio_has(&n->dev, VIRTIO_NET_F_MAC) ?
			    config8(&n->dev, __builtin_offsetof(struct virtio_net_config, mac) + i) : 0;
	n->link_status = vio_has(&n->dev, VIRTIO_NET_F_STATUS) ?
			 config16(&n->dev, __builtin_offsetof(struct virtio_net_config, status)) : 0;
	n->tx_pending = 0;
	return net_queues(n);
}

/* Buffer i of the rx queue goes with descriptor i: heads come back as they went. */
unsigned int vio_net_post_rx(struct vio_net *n)
{
	unsigned int posted = 0;

	while (n->rx.num_free) {
		struct vio_buf b = { n->rxbuf[n->rx.free_head], VIO_NET_BUF_BYTES, true };

		if (vio_add(&n->rx, &b, 1, false) < 0)
			break;
		posted++;
	}
	if (posted)
		vio_notify(&n->rx);
	return posted;
}

uint32_t vio_net_tx_reap(struct vio_net *n)
{
	uint32_t head, len;

	while (vio_poll_used(&n->tx, &head, &len))
		n->tx_pending--;
	return n->tx_pending;
}

/* The header and the frame in one buffer, or split over an indirect table (5.1.6.2 allows either). */
static int tx_add(struct vio_net *n, const struct vio_buf *whole)
{
	struct vio_buf split[2] = {
		{ whole->addr, (uint32_t)NET_HDR, false },
		{ (uint8_t *)whole->addr + NET_HDR, whole->len - (uint32_t)NET_HDR, false },
	};

	if (n->tx_indirect && vio_has(&n->dev, VIRTIO_F_INDIRECT_DESC))
		return vio_add(&n->tx, split, 2, true);
	return vio_add(&n->tx, whole, 1, false);
}

int vio_net_send(struct vio_net *n, const void *frame, uint32_t len)
{
	struct vio_buf b = { 0, (uint32_t)NET_HDR + len, false };
	uint32_t head, used;

	if (len == 0 || len > VIO_NET_MAX_FRAME)
		return VIO_EINVAL;
	vio_net_tx_reap(n);
	if (n->tx.num_free == 0) {
		if (!vio_wait_used(&n->tx, &head, &used, VIO_WAIT_US))
			return VIO_ETIMEDOUT;
		n->tx_pending--;
	}
	b.addr = n->txbuf[n->tx.free_head];
	memset(b.addr, 0, NET_HDR);	/* no offloads: flags 0, GSO_NONE (5.1.6.2) */
	memcpy((uint8_t *)b.addr + NET_HDR, frame, len);
	if (tx_add(n, &b) < 0)
		return VIO_ENOSPC;
	n->tx_pending++;
	vio_notify(&n->tx);
	return 0;
}

/* Copy out the frame of used rx entry @head and give its buffer back. */
static bool rx_take(struct vio_net *n, uint32_t head, uint32_t used, void *buf, uint32_t *len)
{
	bool ok = head < n->rx.size && used > NET_HDR && used <= VIO_NET_BUF_BYTES;

	*len = ok ? used - (uint32_t)NET_HDR : 0;
	if (ok)
		memcpy(buf, n->rxbuf[head] + NET_HDR, *len);
	vio_net_post_rx(n);
	return true;
}

bool vio_net_recv(struct vio_net *n, void *buf, uint32_t *len)
{
	uint32_t head, used;

	if (!vio_poll_used(&n->rx, &head, &used))
		return false;
	return rx_take(n, head, used, buf, len);
}

bool vio_net_recv_wait(struct vio_net *n, void *buf, uint32_t *len, uint32_t us)
{
	uint32_t head, used;

	if (!vio_wait_used(&n->rx, &head, &used, us))
		return false;
	return rx_take(n, head, used, buf, len);
}

int vio_blk_open(struct vio_blk *b, unsigned int slot, uint64_t wanted)
{
	int r = vio_probe(&b->dev, slot, VIRTIO_ID_BLOCK);
	volatile uint32_t *cap;

	if (r < 0)
		return r;
	r = vio_init(&b->dev, wanted | BLK_FEATURES);
	if (r < 0)
		return r;
	cap = (volatile uint32_t *)(uintptr_t)(b->dev.base + VIRTIO_MMIO_CONFIG +
					      __builtin_offsetof(struct virtio_blk_config, capacity));
	b->capacity = cap[0] | ((uint64_t)cap[1] << 32);
	r = vio_queue_setup(&b->dev, &b->q, 0, VIO_BLK_QUEUE);
	if (r < 0)
		return r;
	vio_driver_ok(&b->dev);
	return 0;
}

/* 5.2.6: header (readable), data (writable for IN and GET_ID), status byte (writable). */
int vio_blk_request(struct vio_blk *b, uint32_t type, uint64_t sector, void *buf,
		    uint32_t len, uint32_t *written)
{
	struct vio_buf chain[3];
	uint32_t n = 0, head, used, slot = b->q.free_head % VIO_BLK_QUEUE;
	bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	int r;

	b->hdr[slot] = (struct virtio_blk_req_hdr){ .type = type, .sector = sector };
	b->status[slot] = 0xff;		/* no status: the device never wrote it */
	chain[n++] = (struct vio_buf){ &b->hdr[slot], sizeof(b->hdr[slot]), false };
	if (len)
		chain[n++] = (struct vio_buf){ buf, len, in };
	chain[n++] = (struct vio_buf){ &b->status[slot], 1, true };
	r = vio_add(&b->q, chain, n, b->indirect);
	if (r < 0)
		return r;
	vio_notify(&b->q);
	if (!vio_wait_used(&b->q, &head, &used, VIO_WAIT_US))
		return VIO_ETIMEDOUT;
	if (written)
		*written = used;
	return b->status[slot];
}
