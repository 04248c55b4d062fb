/* SPDX-License-Identifier: MIT */
/* The NIC switch: a learning layer-2 switch over every domain's NIC port,
 * with isolation groups, anti-spoofing and per-port rate limits (pure
 * logic: it decides and counts; drivers/vdev/vnet.c moves the bytes).
 *
 * Design: a port is one domain's NIC, in one isolation group (`net=GROUP`):
 * frames never cross groups, floods included, and the forwarding table is
 * per group.  A frame whose source MAC is not its port's is dropped as
 * spoofed; otherwise its source is learned (port and time) and it goes to
 * the learned port of its destination, or is flooded within the group
 * (broadcast, multicast, unknown or aged-out unicast).  A destination MAC
 * that is another group's port is an isolation drop.  Token buckets (bytes
 * and packets, each direction) police each port: over the limit a frame is
 * dropped and counted.  Sizes are Ethernet frames without the FCS.
 * Locking: none here; the caller holds the switch lock (vnet.c). */
#ifndef TALLY_VSWITCH_H
#define TALLY_VSWITCH_H

#include <tally/types.h>

#define VSWITCH_MAX_PORTS	64
#define VSWITCH_GROUP_MAX	16	/* group name bytes, NUL included: [a-z0-9_-]{1,15} */
#define VSWITCH_FDB_SIZE	256	/* learned addresses, all groups */
#define VSWITCH_AGEING_NS	(300ull * 1000000000ull)	/* as IEEE 802.1D's default */
#define VSWITCH_ETH_HLEN	14	/* destination, source, EtherType */
#define VSWITCH_FRAME_MIN	VSWITCH_ETH_HLEN	/* shorter: malformed */
#define VSWITCH_MTU		1500
#define VSWITCH_FRAME_MAX	(VSWITCH_MTU + VSWITCH_ETH_HLEN)	/* longer: oversize */
#define VSWITCH_MAC_LEN		6

/* Why a frame was dropped. */
enum vswitch_drop {
	VSWITCH_DROP_SPOOFED,		/* source MAC not the port's */
	VSWITCH_DROP_ISOLATION,		/* destination is a port of another group */
	VSWITCH_DROP_TX_LIMIT,		/* over the sender's tx bucket */
	VSWITCH_DROP_RX_LIMIT,		/* over the receiver's rx bucket */
	VSWITCH_DROP_NO_BUFFER,		/* the receiver had no receive buffer (or too small) */
	VSWITCH_DROP_OVERSIZE,		/* over VSWITCH_FRAME_MAX */
	VSWITCH_DROP_MALFORMED,		/* under VSWITCH_FRAME_MIN, or a bad virtio header */
	VSWITCH_DROP_COUNT
};

/* One port's counters.  tx: frames its guest sent that the switch took; rx: frames delivered to it. */
struct vswitch_counters {
	uint64_t tx_packets, tx_bytes, tx_broadcast, tx_multicast;
	uint64_t rx_packets, rx_bytes, rx_broadcast, rx_multicast;
	uint64_t drops[VSWITCH_DROP_COUNT];	/* counted at the port whose frame or buffer it was */
	uint64_t errors;		/* ring and device errors (virtio_errors has the detail) */
};

/* A token bucket: @rate units per second, holding at most @burst; rate 0: no limit. */
struct vswitch_bucket {
	uint64_t rate;
	uint64_t burst;
	uint64_t tokens;
	uint64_t last_ns;
	uint64_t frac;			/* refill remainder, in 10^-9 tokens (< 10^9): nothing lost */
};

/* A port's limits (`net_tx_bytes_s=` ...; 0: none). */
struct vswitch_limits {
	uint64_t tx_bytes_s, tx_packets_s, rx_bytes_s, rx_packets_s;
};

struct vswitch_port {
	bool used;
	uint8_t mac[VSWITCH_MAC_LEN];
	char group[VSWITCH_GROUP_MAX];
	struct vswitch_bucket tx_bytes, tx_packets, rx_bytes, rx_packets;
	struct vswitch_counters c;
	void *owner;			/* the NIC behind it */
};

struct vswitch_fdb_entry {
	bool used;
	uint8_t mac[VSWITCH_MAC_LEN];
	uint16_t port;
	uint64_t seen_ns;		/* last frame from it */
};

struct vswitch {
	struct vswitch_port ports[VSWITCH_MAX_PORTS];
	struct vswitch_fdb_entry fdb[VSWITCH_FDB_SIZE];
	uint64_t ageing_ns;
	uint64_t fdb_full;		/* sources not learned: the table was full of live entries */
};

/* Where a frame goes: ports to deliver to (in port order). */
struct vswitch_dests {
	unsigned int count;
	uint16_t port[VSWITCH_MAX_PORTS];
};

/* An empty switch with ageing time @ageing_ns. */
void vswitch_init(struct vswitch *sw, uint64_t ageing_ns);

/*
 * A port with @mac (a unicast address) in @group, limited by @lim, for
 * @owner.  Its index, or -EINVAL (bad MAC or group name), -EEXIST (the MAC
 * is another port's), -ENOSPC (no free port).
 */
int vswitch_port_add(struct vswitch *sw, const uint8_t mac[VSWITCH_MAC_LEN], const char *group,
		     const struct vswitch_limits *lim, void *owner, uint64_t now_ns);

/* Remove port @port and forget what was learned on it. */
void vswitch_port_remove(struct vswitch *sw, unsigned int port);

/*
 * Port @port sends a frame of @len bytes whose first VSWITCH_ETH_HLEN bytes
 * (copied by the caller: the guest cannot change them now) are @hdr, at
 * @now_ns.  Returns 0 with @out set (the frame is counted as sent; out->count
 * may be 0), or -(1 + enum vswitch_drop) when it is dropped (and counted;
 * a @port that is not there gives the malformed drop, counted nowhere).
 * Checked in this order (docs/NETWORK.md): malformed, oversize, spoofed,
 * isolation, tx limit; only a frame taken is learned.
 */
int vswitch_tx(struct vswitch *sw, unsigned int port, const uint8_t *hdr, uint32_t len,
	       uint64_t now_ns, struct vswitch_dests *out);

/*
 * Before delivering a frame of @len bytes to @port: its rx bucket.  True if
 * it may be delivered; false if over the limit (counted as an rx-limit drop).
 */
bool vswitch_rx_admit(struct vswitch *sw, unsigned int port, uint32_t len, uint64_t now_ns);

/*
 * The frame with header @hdr and @len bytes was delivered to @port
 * (@delivered) or found no receive buffer there: counted.
 */
void vswitch_rx_done(struct vswitch *sw, unsigned int port, const uint8_t *hdr, uint32_t len,
		     bool delivered);

/* Count a drop of @why at @port (the NIC found a malformed or oversize frame). */
void vswitch_count_drop(struct vswitch *sw, unsigned int port, enum vswitch_drop why);

/* Take @amount from @b at @now_ns if it holds that many (refilled first); rate 0 always takes. */
bool vswitch_bucket_take(struct vswitch_bucket *b, uint64_t amount, uint64_t now_ns);

/* "spoofed", "isolation", ...: for the console and the stream. */
const char *vswitch_drop_name(enum vswitch_drop why);

/* Is @mac a unicast address other than 00:00:00:00:00:00? */
bool vswitch_mac_valid(const uint8_t mac[VSWITCH_MAC_LEN]);

/* Is @name a valid group name ([a-z0-9_-], 1 to VSWITCH_GROUP_MAX - 1 characters)? */
bool vswitch_group_valid(const char *name);

#endif
