/* SPDX-License-Identifier: MIT */
/* The devices' snapshots in the public layout (see tally/hcall_devices.h). */
#include <tally/hcall_devices.h>
#include <tally/string.h>
#include <tally/vblk.h>
#include <tally/virtq.h>
#include <tally/vnet.h>

/*
 * The public indices (public/tally.h) are the switch's and the ring
 * walker's, shifted by one for the rings (enum virtq_error has VIRTQ_OK at
 * 0): a cause added on one side without the other fails the build.
 */
_Static_assert(TALLY_NET_DROP_SPOOFED == VSWITCH_DROP_SPOOFED, "drop index");
_Static_assert(TALLY_NET_DROP_ISOLATION == VSWITCH_DROP_ISOLATION, "drop index");
_Static_assert(TALLY_NET_DROP_TX_LIMIT == VSWITCH_DROP_TX_LIMIT, "drop index");
_Static_assert(TALLY_NET_DROP_RX_LIMIT == VSWITCH_DROP_RX_LIMIT, "drop index");
_Static_assert(TALLY_NET_DROP_NO_BUFFER == VSWITCH_DROP_NO_BUFFER, "drop index");
_Static_assert(TALLY_NET_DROP_OVERSIZE == VSWITCH_DROP_OVERSIZE, "drop index");
_Static_assert(TALLY_NET_DROP_MALFORMED == VSWITCH_DROP_MALFORMED, "drop index");
_Static_assert(TALLY_NET_DROP_CAUSES == VSWITCH_DROP_COUNT, "drop causes");
_Static_assert(TALLY_RING_ERR_RING + 1 == VIRTQ_ERR_RING, "ring error index");
_Static_assert(TALLY_RING_ERR_INDEX + 1 == VIRTQ_ERR_INDEX, "ring error index");
_Static_assert(TALLY_RING_ERR_LOOP + 1 == VIRTQ_ERR_LOOP, "ring error index");
_Static_assert(TALLY_RING_ERR_ADDR + 1 == VIRTQ_ERR_ADDR, "ring error index");
_Static_assert(TALLY_RING_ERR_LEN + 1 == VIRTQ_ERR_LEN, "ring error index");
_Static_assert(TALLY_RING_ERR_INDIRECT + 1 == VIRTQ_ERR_INDIRECT, "ring error index");
_Static_assert(TALLY_RING_ERR_ORDER + 1 == VIRTQ_ERR_ORDER, "ring error index");
_Static_assert(TALLY_RING_ERR_SEGS + 1 == VIRTQ_ERR_SEGS, "ring error index");
_Static_assert(TALLY_RING_ERR_AVAIL + 1 == VIRTQ_ERR_AVAIL, "ring error index");
_Static_assert(TALLY_RING_ERR_CAUSES + 1 == VIRTQ_ERR_COUNT, "ring error causes");
_Static_assert(TALLY_NET_GROUP_MAX == VSWITCH_GROUP_MAX, "group name lengths differ");
_Static_assert(TALLY_NET_MAC_LEN == VSWITCH_MAC_LEN, "MAC lengths differ");

/* Ring errors by cause and the device's state changes, as both layouts carry them. */
static void copy_errors(const struct virtio_errors *e, uint64_t ring[TALLY_RING_ERR_CAUSES],
			uint64_t *needs_reset, uint64_t *bad_register, uint64_t *resets)
{
	for (unsigned int i = 0; i < TALLY_RING_ERR_CAUSES; i++)
		ring[i] = e->by_cause[i + VIRTQ_ERR_RING];
	*needs_reset = e->needs_reset;
	*bad_register = e->bad_register;
	*resets = e->resets;
}

void hcall_devices_net(const struct vnet_snapshot *s, struct tally_net_counters *out)
{
	const struct vswitch_counters *c = &s->c;

	memcpy(out->mac, s->mac, sizeof(out->mac));
	str_copy(out->group, s->group, sizeof(out->group));
	out->tx_packets = c->tx_packets;
	out->tx_bytes = c->tx_bytes;
	out->tx_broadcast = c->tx_broadcast;
	out->tx_multicast = c->tx_multicast;
	out->rx_packets = c->rx_packets;
	out->rx_bytes = c->rx_bytes;
	out->rx_broadcast = c->rx_broadcast;
	out->rx_multicast = c->rx_multicast;
	for (unsigned int i = 0; i < TALLY_NET_DROP_CAUSES; i++)
		out->drops[i] = c->drops[i];
	out->errors = c->errors;
	copy_errors(&s->errors, out->ring_errors, &out->needs_reset, &out->bad_register,
		    &out->resets);
}

void hcall_devices_disk(const struct vblk_snapshot *s, struct tally_disk_counters *out)
{
	const struct vblk_counters *c = &s->c;

	out->flags = s->ro ? TALLY_DISK_RO : 0;
	out->disk_bytes = s->bytes;
	out->read_requests = c->read_requests;
	out->read_bytes = c->read_bytes;
	out->write_requests = c->write_requests;
	out->write_bytes = c->write_bytes;
	out->flush_requests = c->flush_requests;
	out->other_requests = c->other_requests;
	out->ioerr = c->ioerr;
	out->unsupported = c->unsupported;
	copy_errors(&s->errors, out->ring_errors, &out->needs_reset, &out->bad_register,
		    &out->resets);
}
