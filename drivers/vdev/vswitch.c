/* SPDX-License-Identifier: MIT */
/* The NIC switch (see tally/vswitch.h): learning, forwarding, isolation, anti-spoofing and token buckets; it decides and counts.
 *
 * Design: decisions are made on the frame's first VSWITCH_ETH_HLEN bytes,
 * copied by the caller.  vswitch_tx() checks in this order, the first
 * failing check naming the drop: length (malformed, oversize), source MAC
 * (spoofed), destination a port of another group (isolation), then the
 * sender's tx buckets (bytes and packets, both taken or neither).  Only a
 * frame that passes all of them is learned, counted as sent and forwarded,
 * so a refused frame costs no tokens and teaches the table nothing.
 * The forwarding table is shared by all groups but an entry is matched
 * only for a sender in its port's group (IEEE 802.1Q's independent
 * learning, one filtering database per group).
 * Locking: none here; the caller holds the switch lock (vnet.c). */
#include <tally/errno.h>
#include <tally/string.h>
#include <tally/vswitch.h>

#define NS_PER_S	1000000000ull
#define MAC_GROUP_BIT	0x01	/* I/G bit of the first octet (IEEE 802-2014 8.2) */
#define ETH_DEST	0	/* destination MAC: the header's first 6 bytes */
#define ETH_SOURCE	VSWITCH_MAC_LEN
/* A burst of a tenth of a second of the rate (docs/NETWORK.md). */
#define BURST_DIVISOR	10
#define FDB_HASH_MUL	31
_Static_assert((VSWITCH_FDB_SIZE & (VSWITCH_FDB_SIZE - 1)) == 0, "the table's index is masked");

static const uint8_t mac_broadcast[VSWITCH_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static const char *const drop_names[VSWITCH_DROP_COUNT] = {
	[VSWITCH_DROP_SPOOFED] = "spoofed",
	[VSWITCH_DROP_ISOLATION] = "isolation",
	[VSWITCH_DROP_TX_LIMIT] = "tx_limit",
	[VSWITCH_DROP_RX_LIMIT] = "rx_limit",
	[VSWITCH_DROP_NO_BUFFER] = "no_buffer",
	[VSWITCH_DROP_OVERSIZE] = "oversize",
	[VSWITCH_DROP_MALFORMED] = "malformed",
};

/* @a + @b, or UINT64_MAX if that overflows. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* @a * @b, or UINT64_MAX if that overflows. */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static bool mac_equal(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, VSWITCH_MAC_LEN);
}

static bool mac_is_group(const uint8_t *mac)
{
	return mac[0] & MAC_GROUP_BIT;
}

static bool mac_is_broadcast(const uint8_t *mac)
{
	return mac_equal(mac, mac_broadcast);
}

static bool same_group(const struct vswitch_port *a, const struct vswitch_port *b)
{
	return !memcmp(a->group, b->group, VSWITCH_GROUP_MAX);
}

static struct vswitch_port *port_get(struct vswitch *sw, unsigned int port)
{
	return port < VSWITCH_MAX_PORTS && sw->ports[port].used ? &sw->ports[port] : NULL;
}

/*
 * Credit the tokens earned since last_ns: rate * elapsed / 10^9, computed
 * exactly in 64 bits without overflow for any rate and gap.  With elapsed
 * = s seconds + ns and rate = rh * 10^9 + rl, the sum is rate * s + rh *
 * ns + rl * ns / 10^9, where rl * ns < 10^18; the remainder of that last
 * division stays in frac, so many small steps earn exactly what one big
 * step would.  A full bucket drops the remainder (nothing accrues past it).
 */
static void bucket_refill(struct vswitch_bucket *b, uint64_t now_ns)
{
	uint64_t elapsed, s, ns, whole, part;

	if (now_ns <= b->last_ns)	/* no time passed (or the clock went back) */
		return;
	elapsed = now_ns - b->last_ns;
	b->last_ns = now_ns;
	s = elapsed / NS_PER_S;
	ns = elapsed % NS_PER_S;
	whole = add_sat(mul_sat(b->rate, s), mul_sat(b->rate / NS_PER_S, ns));
	part = (b->rate % NS_PER_S) * ns + b->frac;
	whole = add_sat(whole, part / NS_PER_S);
	b->frac = part % NS_PER_S;
	b->tokens = add_sat(b->tokens, whole);
	if (b->tokens >= b->burst) {
		b->tokens = b->burst;
		b->frac = 0;
	}
}

/* Refilled to @now_ns, does @b hold @amount?  Rate 0: always. */
static bool bucket_has(struct vswitch_bucket *b, uint64_t amount, uint64_t now_ns)
{
	if (!b->rate)
		return true;
	bucket_refill(b, now_ns);
	return b->tokens >= amount;
}

static void bucket_spend(struct vswitch_bucket *b, uint64_t amount)
{
	if (b->rate)
		b->tokens -= amount;
}

bool vswitch_bucket_take(struct vswitch_bucket *b, uint64_t amount, uint64_t now_ns)
{
	if (!bucket_has(b, amount, now_ns))
		return false;
	bucket_spend(b, amount);
	return true;
}

/* Take @len bytes and one packet from a pair of buckets, both or neither. */
static bool buckets_take(struct vswitch_bucket *bytes, struct vswitch_bucket *packets,
			 uint32_t len, uint64_t now_ns)
{
	if (!bucket_has(bytes, len, now_ns) || !bucket_has(packets, 1, now_ns))
		return false;
	bucket_spend(bytes, len);
	bucket_spend(packets, 1);
	return true;
}

/* A full bucket for @rate units a second: a burst of a tenth of a second, at least @min_burst. */
static void bucket_init(struct vswitch_bucket *b, uint64_t rate, uint64_t min_burst,
			uint64_t now_ns)
{
	b->rate = rate;
	b->burst = rate ? MAX(rate / BURST_DIVISOR, min_burst) : 0;
	b->tokens = b->burst;
	b->last_ns = now_ns;
	b->frac = 0;
}

const char *vswitch_drop_name(enum vswitch_drop why)
{
	return (unsigned int)why < VSWITCH_DROP_COUNT ? drop_names[why] : "unknown";
}

bool vswitch_mac_valid(const uint8_t mac[VSWITCH_MAC_LEN])
{
	static const uint8_t zero[VSWITCH_MAC_LEN];

	return mac && !mac_is_group(mac) && !mac_equal(mac, zero);
}

bool vswitch_group_valid(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return false;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i == VSWITCH_GROUP_MAX - 1)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

void vswitch_init(struct vswitch *sw, uint64_t ageing_ns)
{
	memset(sw, 0, sizeof(*sw));
	sw->ageing_ns = ageing_ns;
}

/* The port whose own MAC is @mac, or -1. */
static int port_by_mac(const struct vswitch *sw, const uint8_t *mac)
{
	for (unsigned int i = 0; i < VSWITCH_MAX_PORTS; i++)
		if (sw->ports[i].used && mac_equal(sw->ports[i].mac, mac))
			return (int)i;
	return -1;
}

/* Is @e younger than the ageing time at @now_ns?  It expires exactly at ageing_ns. */
static bool fdb_live(const struct vswitch *sw, const struct vswitch_fdb_entry *e,
		     uint64_t now_ns)
{
	uint64_t age = now_ns > e->seen_ns ? now_ns - e->seen_ns : 0;	/* the clock never goes back */

	return e->used && age < sw->ageing_ns;
}

/* Where @mac's search starts: the table is open-addressed, probed linearly from here. */
static unsigned int fdb_home(const uint8_t *mac)
{
	unsigned int h = 0;

	for (unsigned int i = 0; i < VSWITCH_MAC_LEN; i++)
		h = h * FDB_HASH_MUL + mac[i];
	return h & (VSWITCH_FDB_SIZE - 1);
}

/*
 * The entry for @mac (live or not), or NULL; *@free_slot (if not NULL) is
 * set to the first unused entry on its probe sequence, or NULL.  An entry
 * lies on its MAC's probe sequence before any unused entry, so the search
 * stops at the first unused one.
 */
static struct vswitch_fdb_entry *fdb_find(struct vswitch *sw, const uint8_t *mac,
					  struct vswitch_fdb_entry **free_slot)
{
	unsigned int h = fdb_home(mac);

	if (free_slot)
		*free_slot = NULL;
	for (unsigned int n = 0; n < VSWITCH_FDB_SIZE; n++) {
		struct vswitch_fdb_entry *e = &sw->fdb[(h + n) & (VSWITCH_FDB_SIZE - 1)];

		if (!e->used) {
			if (free_slot)
				*free_slot = e;
			return NULL;
		}
		if (mac_equal(e->mac, mac))
			return e;
	}
	return NULL;
}

/* The oldest expired entry at @now_ns, or NULL (all live). */
static struct vswitch_fdb_entry *fdb_oldest_expired(struct vswitch *sw, uint64_t now_ns)
{
	struct vswitch_fdb_entry *pick = NULL;

	for (unsigned int i = 0; i < VSWITCH_FDB_SIZE; i++) {
		struct vswitch_fdb_entry *e = &sw->fdb[i];

		if (!fdb_live(sw, e, now_ns) && (!pick || e->seen_ns < pick->seen_ns))
			pick = e;
	}
	return pick;
}

/*
 * Learn that @mac is behind @port at @now_ns.  An entry for @mac is
 * refreshed; else a free entry on its probe sequence is taken.  Only a
 * full table reuses an expired entry (the oldest: with every entry used,
 * any position is on every probe sequence); when every entry is live
 * nothing is replaced (a flood of new sources cannot evict live ones) and
 * fdb_full counts the source not learned.
 */
static void fdb_learn(struct vswitch *sw, const uint8_t *mac, unsigned int port, uint64_t now_ns)
{
	struct vswitch_fdb_entry *free_slot, *e = fdb_find(sw, mac, &free_slot);

	if (!e)
		e = free_slot ? free_slot : fdb_oldest_expired(sw, now_ns);
	if (!e) {
		sw->fdb_full++;
		return;
	}
	e->used = true;
	memcpy(e->mac, mac, VSWITCH_MAC_LEN);
	e->port = (uint16_t)port;
	e->seen_ns = now_ns;
}

/* Is @k in the cyclic interval (@i, @j] of table positions? */
static bool fdb_between(unsigned int i, unsigned int k, unsigned int j)
{
	return i <= j ? i < k && k <= j : i < k || k <= j;
}

/*
 * Empty entry @i, moving back the entries after it that would no longer be
 * found (an entry must lie on its probe sequence before any unused one):
 * linear probing's deletion by backward shift (Knuth, TAOCP vol. 3, 6.4,
 * Algorithm R).
 */
static void fdb_delete(struct vswitch *sw, unsigned int i)
{
	unsigned int j = i;

	for (;;) {
		j = (j + 1) & (VSWITCH_FDB_SIZE - 1);
		if (!sw->fdb[j].used)
			break;
		if (fdb_between(i, fdb_home(sw->fdb[j].mac), j))
			continue;	/* still reachable from its home across i */
		sw->fdb[i] = sw->fdb[j];
		i = j;
	}
	sw->fdb[i].used = false;
}

/*
 * Forget every entry learned on @port.  A deletion at i moves entries from
 * further on into i (checked again before moving on) and into positions
 * after it; one moved into a position already passed (the cluster wrapped
 * around the table's end) came from another passed position: not @port's.
 */
static void fdb_forget_port(struct vswitch *sw, unsigned int port)
{
	for (unsigned int i = 0; i < VSWITCH_FDB_SIZE; i++)
		while (sw->fdb[i].used && sw->fdb[i].port == port)
			fdb_delete(sw, i);
}

/* The live port learned for @mac in @from's group, or -1. */
static int fdb_lookup(struct vswitch *sw, const struct vswitch_port *from,
		      const uint8_t *mac, uint64_t now_ns)
{
	const struct vswitch_fdb_entry *e = fdb_find(sw, mac, NULL);

	if (e && fdb_live(sw, e, now_ns) && sw->ports[e->port].used &&
	    same_group(&sw->ports[e->port], from))
		return e->port;
	return -1;
}

int vswitch_port_add(struct vswitch *sw, const uint8_t mac[VSWITCH_MAC_LEN], const char *group,
		     const struct vswitch_limits *lim, void *owner, uint64_t now_ns)
{
	static const struct vswitch_limits none;
	struct vswitch_port *p;
	unsigned int i;

	if (!vswitch_mac_valid(mac) || !vswitch_group_valid(group))
		return -EINVAL;
	if (port_by_mac(sw, mac) >= 0)
		return -EEXIST;
	for (i = 0; i < VSWITCH_MAX_PORTS && sw->ports[i].used; i++)
		;
	if (i == VSWITCH_MAX_PORTS)
		return -ENOSPC;
	if (!lim)
		lim = &none;
	p = &sw->ports[i];
	memset(p, 0, sizeof(*p));
	p->used = true;
	memcpy(p->mac, mac, VSWITCH_MAC_LEN);
	memcpy(p->group, group, strlen(group));	/* checked above: under VSWITCH_GROUP_MAX */
	p->owner = owner;
	bucket_init(&p->tx_bytes, lim->tx_bytes_s, VSWITCH_FRAME_MAX, now_ns);
	bucket_init(&p->tx_packets, lim->tx_packets_s, 1, now_ns);
	bucket_init(&p->rx_bytes, lim->rx_bytes_s, VSWITCH_FRAME_MAX, now_ns);
	bucket_init(&p->rx_packets, lim->rx_packets_s, 1, now_ns);
	fdb_forget_port(sw, i);
	return (int)i;
}

void vswitch_port_remove(struct vswitch *sw, unsigned int port)
{
	if (!port_get(sw, port))
		return;
	fdb_forget_port(sw, port);
	memset(&sw->ports[port], 0, sizeof(sw->ports[port]));
}

/* Every other port of @port's group, in port order. */
static void flood(const struct vswitch *sw, unsigned int port, struct vswitch_dests *out)
{
	for (unsigned int i = 0; i < VSWITCH_MAX_PORTS; i++)
		if (i != port && sw->ports[i].used && same_group(&sw->ports[i], &sw->ports[port]))
			out->port[out->count++] = (uint16_t)i;
}

/*
 * The first check @hdr and @len fail at @p (see the Design note), or
 * VSWITCH_DROP_COUNT with *@to set to the port a unicast frame goes to, or
 * -1 to flood.  A destination learned in the sender's group is no other
 * group's port (a port's MAC is unique and only it can be learned on that
 * port), so the ports' MACs are searched only for an unknown destination.
 */
static enum vswitch_drop tx_check(struct vswitch *sw, const struct vswitch_port *p,
				  const uint8_t *hdr, uint32_t len, uint64_t now_ns, int *to)
{
	const uint8_t *dest = hdr + ETH_DEST;
	int owner;

	*to = -1;
	if (len < VSWITCH_FRAME_MIN)
		return VSWITCH_DROP_MALFORMED;
	if (len > VSWITCH_FRAME_MAX)
		return VSWITCH_DROP_OVERSIZE;
	if (!mac_equal(hdr + ETH_SOURCE, p->mac))
		return VSWITCH_DROP_SPOOFED;
	if (mac_is_group(dest))
		return VSWITCH_DROP_COUNT;
	if (mac_equal(dest, p->mac)) {		/* to itself: filtered, as 802.1D does */
		*to = (int)(p - sw->ports);
		return VSWITCH_DROP_COUNT;
	}
	*to = fdb_lookup(sw, p, dest, now_ns);
	if (*to >= 0)
		return VSWITCH_DROP_COUNT;
	owner = port_by_mac(sw, dest);
	if (owner >= 0 && !same_group(&sw->ports[owner], p))
		return VSWITCH_DROP_ISOLATION;
	return VSWITCH_DROP_COUNT;
}

/* Count a frame of @len bytes with destination @dest in the four counters from @packets on. */
static void count_frame(uint64_t *packets, uint64_t *bytes, uint64_t *broadcast,
			uint64_t *multicast, const uint8_t *dest, uint32_t len)
{
	(*packets)++;
	*bytes += len;
	if (mac_is_broadcast(dest))
		(*broadcast)++;
	else if (mac_is_group(dest))
		(*multicast)++;
}

int vswitch_tx(struct vswitch *sw, unsigned int port, const uint8_t *hdr, uint32_t len,
	       uint64_t now_ns, struct vswitch_dests *out)
{
	struct vswitch_port *p = port_get(sw, port);
	enum vswitch_drop why;
	int to;

	out->count = 0;
	if (!p)		/* no such port: nobody to count it at */
		return -(1 + VSWITCH_DROP_MALFORMED);
	why = tx_check(sw, p, hdr, len, now_ns, &to);
	if (why == VSWITCH_DROP_COUNT && !buckets_take(&p->tx_bytes, &p->tx_packets, len, now_ns))
		why = VSWITCH_DROP_TX_LIMIT;
	if (why != VSWITCH_DROP_COUNT) {
		p->c.drops[why]++;
		return -(1 + (int)why);
	}
	fdb_learn(sw, hdr + ETH_SOURCE, port, now_ns);
	count_frame(&p->c.tx_packets, &p->c.tx_bytes, &p->c.tx_broadcast, &p->c.tx_multicast,
		    hdr + ETH_DEST, len);
	if (to < 0)
		flood(sw, port, out);
	else if ((unsigned int)to != port)
		out->port[out->count++] = (uint16_t)to;
	return 0;
}

bool vswitch_rx_admit(struct vswitch *sw, unsigned int port, uint32_t len, uint64_t now_ns)
{
	struct vswitch_port *p = port_get(sw, port);

	if (!p)
		return false;
	if (buckets_take(&p->rx_bytes, &p->rx_packets, len, now_ns))
		return true;
	p->c.drops[VSWITCH_DROP_RX_LIMIT]++;
	return false;
}

void vswitch_rx_done(struct vswitch *sw, unsigned int port, const uint8_t *hdr, uint32_t len,
		     bool delivered)
{
	struct vswitch_port *p = port_get(sw, port);

	if (!p)
		return;
	if (!delivered) {
		p->c.drops[VSWITCH_DROP_NO_BUFFER]++;
		return;
	}
	count_frame(&p->c.rx_packets, &p->c.rx_bytes, &p->c.rx_broadcast, &p->c.rx_multicast,
		    hdr + ETH_DEST, len);
}

void vswitch_count_drop(struct vswitch *sw, unsigned int port, enum vswitch_drop why)
{
	struct vswitch_port *p = port_get(sw, port);

	if (p && (unsigned int)why < VSWITCH_DROP_COUNT)
		p->c.drops[why]++;
}
