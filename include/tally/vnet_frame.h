/* SPDX-License-Identifier: MIT */
/* The NIC's frame path (virtio 1.2 section 5.1.6): from a sender's transmit
 * queue through the switch into each receiver's receive buffer.  No arch
 * code (the unit tests build it for the host); drivers/vdev/vnet.c owns
 * the switch, its lock and the clock, and calls in here.
 *
 * Design: the 12-byte virtio_net_hdr and the Ethernet header are copied out
 * of the sender's memory once (struct vnet_frame); the switch decides on
 * that copy and every receiver gets that copy, so a sender rewriting its
 * buffer meanwhile cannot make the switch and a receiver see different
 * addresses.  The rest of the frame goes straight from the sender's
 * buffers into the receiver's (virtq_copy()), one copy per receiver.
 * Locking: none here; the caller holds the switch lock. */
#ifndef TALLY_VNET_FRAME_H
#define TALLY_VNET_FRAME_H

#include <tally/types.h>
#include <tally/virtio.h>
#include <tally/virtq.h>
#include <tally/vswitch.h>

struct vnet;

#define VNET_HDR_LEN	sizeof(struct virtio_net_hdr)	/* 12 with VERSION_1 (5.1.6) */

/* A frame being sent, as Tally copied it from the sender. */
struct vnet_frame {
	uint8_t eth[VSWITCH_ETH_HLEN];	/* destination, source, EtherType */
	uint32_t len;			/* Ethernet bytes, virtio header excluded */
};

/* A receiver: its memory, its receive queue, and scratch for the buffer taken. */
struct vnet_frame_rx {
	const struct guest_mem *mem;
	struct virtq *q;
	struct virtq_chain *chain;
};

/* What became of a frame at one receiver (else -(enum virtq_error): its ring is malformed). */
enum vnet_frame_rx_result {
	VNET_FRAME_DELIVERED,		/* written, returned with 12 + len used bytes */
	VNET_FRAME_NO_BUFFER,		/* its receive ring was empty: nothing taken */
	VNET_FRAME_TOO_SMALL,		/* a buffer under 12 + len bytes: returned with 0 used */
};

/*
 * Check the transmit chain @c in @m and copy its headers into @f.  True if
 * it may go to the switch; false with *@why set (VSWITCH_DROP_MALFORMED or
 * VSWITCH_DROP_OVERSIZE) if it is dropped.
 */
bool vnet_frame_parse(const struct guest_mem *m, const struct virtq_chain *c,
		      struct vnet_frame *f, enum vswitch_drop *why);

/*
 * Deliver @f, whose bytes after its header are in the sender's chain @tx in
 * @tx_m, into the next buffer of @rx.  An enum vnet_frame_rx_result, or
 * -(enum virtq_error) when the receive ring is malformed.
 */
int vnet_frame_deliver(const struct vnet_frame_rx *rx, const struct vnet_frame *f,
		       const struct guest_mem *tx_m, const struct virtq_chain *tx);

/*
 * The transmit notification of NIC @n on switch @sw at @now_ns: up to
 * VNET_TX_BUDGET frames, each parsed, switched and delivered (a receiver
 * whose ring is malformed is failed, virtio_dev_fail(); the sender goes
 * on), and every sent chain returned.  0 (drained), VIRTIO_NOTIFY_MORE,
 * or -(enum virtq_error) for @n's own malformed transmit ring.
 */
int vnet_frame_transmit(struct vswitch *sw, struct vnet *n, uint64_t now_ns);

/* Read @size bytes at @off of @cfg as a little-endian value: 0, or -EINVAL past its end. */
int vnet_frame_config_read(const struct virtio_net_config *cfg, unsigned int off,
			   unsigned int size, uint64_t *val);

#endif
