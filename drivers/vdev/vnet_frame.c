/* SPDX-License-Identifier: MIT */
/* Frames from a sender's transmit queue into receivers' buffers (tally/vnet_frame.h). */
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/string.h>
#include <tally/vnet.h>
#include <tally/vnet_frame.h>

bool vnet_frame_parse(const struct guest_mem *m, const struct virtq_chain *c,
		      struct vnet_frame *f, enum vswitch_drop *why)
{
	struct virtio_net_hdr hdr;

	*why = VSWITCH_DROP_MALFORMED;
	/* 5.1.6.2: a transmit buffer is device-readable; a writable part is the driver's error. */
	if (c->count != c->readable)
		return false;
	if (c->read_bytes < VNET_HDR_LEN + VSWITCH_FRAME_MIN)
		return false;
	if (virtq_read(m, c, 0, &hdr, sizeof(hdr)))
		return false;
	/*
	 * 5.1.6.2 driver requirements: without VIRTIO_NET_F_CSUM no flag may be
	 * set, without the TSO/UFO features gso_type is GSO_NONE.  num_buffers
	 * is not checked: Linux leaves it unset when mergeable buffers are off.
	 */
	if (hdr.flags || hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return false;
	if (c->read_bytes - VNET_HDR_LEN > VSWITCH_FRAME_MAX) {
		*why = VSWITCH_DROP_OVERSIZE;
		return false;
	}
	if (virtq_read(m, c, VNET_HDR_LEN, f->eth, sizeof(f->eth)))
		return false;
	f->len = (uint32_t)(c->read_bytes - VNET_HDR_LEN);
	return true;
}

/* The header, the copied Ethernet header, then the rest straight from the sender. */
static int write_frame(const struct vnet_frame_rx *rx, const struct vnet_frame *f,
		       const struct guest_mem *tx_m, const struct virtq_chain *tx)
{
	/* 5.1.6.4: no offloads, so no flags and GSO_NONE; without MRG_RXBUF num_buffers is 1. */
	struct virtio_net_hdr hdr = { .gso_type = VIRTIO_NET_HDR_GSO_NONE, .num_buffers = 1 };

	if (virtq_write(rx->mem, rx->chain, 0, &hdr, sizeof(hdr)) ||
	    virtq_write(rx->mem, rx->chain, VNET_HDR_LEN, f->eth, sizeof(f->eth)) ||
	    virtq_copy(rx->mem, rx->chain, VNET_HDR_LEN + sizeof(f->eth), tx_m, tx,
		       VNET_HDR_LEN + sizeof(f->eth), f->len - sizeof(f->eth)))
		return -VIRTQ_ERR_ADDR;
	return 0;
}

int vnet_frame_deliver(const struct vnet_frame_rx *rx, const struct vnet_frame *f,
		       const struct guest_mem *tx_m, const struct virtq_chain *tx)
{
	uint32_t used = (uint32_t)VNET_HDR_LEN + f->len;
	int r = virtq_pop(rx->q, rx->mem, rx->chain);

	if (r <= 0)
		return r < 0 ? r : VNET_FRAME_NO_BUFFER;
	/*
	 * Without MRG_RXBUF a frame takes one buffer (5.1.6.3, 5.1.6.4); one too small
	 * goes back unused, as Firecracker does, so that the ring keeps moving.
	 */
	if (rx->chain->write_bytes < used) {
		if (virtq_push(rx->q, rx->mem, rx->chain->head, 0))
			return -VIRTQ_ERR_RING;
		return VNET_FRAME_TOO_SMALL;
	}
	r = write_frame(rx, f, tx_m, tx);
	if (r)
		return r;
	if (virtq_push(rx->q, rx->mem, rx->chain->head, used))
		return -VIRTQ_ERR_RING;
	return VNET_FRAME_DELIVERED;
}

int vnet_frame_config_read(const struct virtio_net_config *cfg, unsigned int off,
			   unsigned int size, uint64_t *val)
{
	const uint8_t *bytes = (const uint8_t *)cfg;
	uint64_t v = 0;

	if (size == 0 || size > sizeof(v) || off > sizeof(*cfg) || size > sizeof(*cfg) - off)
		return -EINVAL;
	/* 4.2.2 / 2.4: configuration fields are little-endian, as x86 is. */
	memcpy(&v, bytes + off, size);
	*val = v;
	return 0;
}

/* Hand @f (in sender @from's tx_chain) to the NIC on port @port of @sw. */
static void deliver(struct vswitch *sw, struct vnet *from, unsigned int port,
		    const struct vnet_frame *f, uint64_t now)
{
	struct vnet *to = sw->ports[port].owner;
	struct vnet_frame_rx rx = { &to->dev.domain->mem, &to->dev.vq[VIRTIO_NET_RX_QUEUE],
				    &to->rx_chain };
	int r;

	/* A driver not ready, or waiting in DEVICE_NEEDS_RESET, has no buffer to give. */
	if (!virtio_dev_live(&to->dev) || !rx.q->ready) {
		vswitch_rx_done(sw, port, f->eth, f->len, false);
		return;
	}
	if (!vswitch_rx_admit(sw, port, f->len, now))
		return;
	r = vnet_frame_deliver(&rx, f, &from->dev.domain->mem, &from->tx_chain);
	if (r < 0) {
		/* The receiver's ring is broken: its device stops, the sender carries on. */
		virtio_dev_fail(&to->dev, (enum virtq_error)-r);
		vswitch_rx_done(sw, port, f->eth, f->len, false);
		return;
	}
	vswitch_rx_done(sw, port, f->eth, f->len, r == VNET_FRAME_DELIVERED);
	if (r != VNET_FRAME_NO_BUFFER)
		virtio_dev_used(&to->dev, VIRTIO_NET_RX_QUEUE);
}

/* Send the frame in @n's tx_chain through @sw to every port it goes to. */
static void send_frame(struct vswitch *sw, struct vnet *n, uint64_t now)
{
	struct vswitch_dests dests;
	struct vnet_frame f;
	enum vswitch_drop why;

	if (!vnet_frame_parse(&n->dev.domain->mem, &n->tx_chain, &f, &why)) {
		vswitch_count_drop(sw, n->port, why);
		return;
	}
	if (vswitch_tx(sw, n->port, f.eth, f.len, now, &dests))
		return;		/* dropped, and counted by the switch */
	for (unsigned int i = 0; i < dests.count; i++)
		deliver(sw, n, dests.port[i], &f, now);
}

int vnet_frame_transmit(struct vswitch *sw, struct vnet *n, uint64_t now_ns)
{
	struct virtq *q = &n->dev.vq[VIRTIO_NET_TX_QUEUE];
	const struct guest_mem *m = &n->dev.domain->mem;
	unsigned int sent = 0;
	int r = 0;

	while (sent < VNET_TX_BUDGET) {
		r = virtq_pop(q, m, &n->tx_chain);
		if (r <= 0)
			break;
		send_frame(sw, n, now_ns);
		/* 5.1.6.2: a sent buffer goes back with nothing written into it. */
		if (virtq_push(q, m, n->tx_chain.head, 0)) {
			r = -VIRTQ_ERR_RING;
			break;
		}
		sent++;
	}
	if (sent)
		virtio_dev_used(&n->dev, VIRTIO_NET_TX_QUEUE);
	if (r < 0)
		return r;
	return virtq_pending(q, m) ? VIRTIO_NOTIFY_MORE : 0;
}
