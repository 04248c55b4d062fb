/* SPDX-License-Identifier: MIT */
/* A domain's NIC: a virtio-net device (virtio 1.2 section 5.1) on a port of
 * Tally's switch (tally/vswitch.h).
 *
 * Design: one switch, one lock (vnet_lock) over it and every NIC's
 * registers and queues.  A transmit notification takes up to
 * VNET_TX_BUDGET frames: each frame's Ethernet header is copied first (the
 * switch decides on that copy and the receivers get that copy), then the
 * rest goes straight from the sender's buffers into each receiver's
 * receive buffer (one copy per receiver).  More frames than the budget
 * make the notifying store run again, so a flood costs its own guest's
 * time and every exit does bounded work.  No offloads are offered: frames
 * are whole, checksummed by the guest, at most VSWITCH_FRAME_MAX bytes.
 * Locking: vnet_lock, taken by the MMIO path (virtio_mmio.c) and the
 * create/destroy/snapshot calls below; never held across a guest entry. */
#ifndef TALLY_VNET_H
#define TALLY_VNET_H

#include <tally/types.h>
#include <tally/virtio_mmio.h>
#include <tally/vswitch.h>

struct domain;
struct domain_config;

#define VNET_TX_BUDGET		64	/* frames per transmit notification */
#define VNET_QUEUE_SIZE		VIRTQ_MAX_SIZE

/* What the counters calls report of a NIC, read as one moment. */
struct vnet_snapshot {
	uint8_t mac[VSWITCH_MAC_LEN];
	char group[VSWITCH_GROUP_MAX];
	struct vswitch_counters c;
	struct virtio_errors errors;
};

struct vnet {
	struct virtio_dev dev;		/* slot VPLATFORM_VIRTIO_NET_SLOT */
	unsigned int port;		/* its switch port, until detached */
	bool detached;			/* off the switch: @final holds its counters */
	struct vnet_snapshot final;
	struct virtio_net_config config;
	struct virtq_chain tx_chain;	/* scratch: the frame being sent */
	struct virtq_chain rx_chain;	/* scratch: the buffer being filled */
	hpa_t block;			/* where this struct lives (mem_alloc()) */
};

/*
 * Give @d the NIC @cfg asks for (`net=`, `mac=`, limits), if any: a switch
 * port and the device in its slot.  0 (also when @cfg asks for none), or a
 * negative errno after one log line naming @label.
 */
int vnet_create(struct domain *d, const struct domain_config *cfg, const char *label);

/* Detach @d's NIC from the switch before its memory goes; no frame reaches it after. */
void vnet_destroy(struct domain *d);

/*
 * Take @d's NIC off the switch once none of its vCPUs runs: no frame
 * reaches it after, so the counters its usage line reports are final
 * (vnet_snapshot() then returns them).  Idempotent; vnet_destroy() frees.
 */
void vnet_detach(struct domain *d);

/* @d's NIC counters into @out: 0, or -ENOENT (no NIC). */
int vnet_snapshot(const struct domain *d, struct vnet_snapshot *out);

/* The debug key: every port (domain, MAC, group, counters) and the learned table. */
void vnet_print_switch(void);

/* The MAC a domain gets without `mac=`: 02:54:41:00:hi:lo ("TA", locally administered) from @id. */
void vnet_default_mac(unsigned int id, uint8_t mac[VSWITCH_MAC_LEN]);

#endif
