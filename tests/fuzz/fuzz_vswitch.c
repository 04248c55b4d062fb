/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the NIC switch (drivers/vdev/vswitch.c) against a model of its rules.
 *
 * Input: the ageing time, then operations (OP_*): port adds (one of 16
 * colliding MACs, one of three groups or a bad name, limits or none), removes, frames
 * (sender, destination: a port's MAC, broadcast, multicast or unknown;
 * source: its own or another's; length; time step), deliveries of the last
 * frame, and time jumps.  A model beside the switch knows every port and
 * what was learned when: each frame's result and destinations must be the
 * model's (a frame never goes to its sender or outside its group, each
 * destination once, in port order), and every port's counters add up: each
 * frame offered is either sent or dropped for one cause, each delivery
 * offered is received or dropped at the receiver, bytes to the byte.
 */
#include <string.h>

#include <tally/errno.h>
#include <tally/vswitch.h>

#include "harness.h"
#include "shim.h"

enum op { OP_ADD, OP_REMOVE, OP_TX, OP_DELIVER, OP_TIME, OP_COUNT };

#define MACS		16
#define MAX_OPS		400
#define NS_PER_S	1000000000ull
#define TX_DROPS	((1u << VSWITCH_DROP_SPOOFED) | (1u << VSWITCH_DROP_ISOLATION) | \
			 (1u << VSWITCH_DROP_TX_LIMIT) | (1u << VSWITCH_DROP_OVERSIZE) | \
			 (1u << VSWITCH_DROP_MALFORMED))

static const char *const groups[] = { "a", "b", "c0-_", "Bad" };

static struct vswitch sw;

/* What the model knows of each port (by index) and of what was learned (by MAC). */
static struct {
	struct { bool used, limited; unsigned int mac, group; uint64_t tx_tries, tx_bytes,
		 rx_tries, rx_bytes; } port[VSWITCH_MAX_PORTS];
	struct { bool used; unsigned int port; uint64_t seen; } fdb[MACS];
	uint64_t now;
	uint8_t last_hdr[VSWITCH_ETH_HLEN];	/* the last frame sent, for OP_DELIVER */
	uint32_t last_len;
	struct vswitch_dests last;
} m;

/*
 * MAC @n of the 16: 02:54:41:00:n/4:(77 + n%4 - 31 n/4), four each whose
 * home in the switch's table is entry 254, 255, 0 and 1 (its hash is
 * h * 31 + byte over the six bytes), so that learning and forgetting probe,
 * collide and wrap around the table's end.
 */
static void mac_make(unsigned int n, uint8_t *mac)
{
	static const uint8_t base[VSWITCH_MAC_LEN] = { 0x02, 0x54, 0x41, 0x00, 0x00, 0x00 };

	memcpy(mac, base, VSWITCH_MAC_LEN);
	mac[4] = (uint8_t)(n / 4);
	mac[5] = (uint8_t)(77 + n % 4 - 31 * (n / 4));
}

static int model_port_of_mac(unsigned int mac)
{
	for (unsigned int i = 0; i < VSWITCH_MAX_PORTS; i++)
		if (m.port[i].used && m.port[i].mac == mac)
			return (int)i;
	return -1;
}

static void model_forget(unsigned int port)
{
	for (unsigned int i = 0; i < MACS; i++)
		if (m.fdb[i].used && m.fdb[i].port == port)
			m.fdb[i].used = false;
}

static void op_add(struct fuzz_input *in)
{
	unsigned int mac = fuzz_take(in, 1) % MACS, group = fuzz_take(in, 1) % 4;
	unsigned int lim_sel = fuzz_take(in, 1);
	struct vswitch_limits lim = {
		.tx_bytes_s = lim_sel & 1 ? 20000 : 0, .tx_packets_s = lim_sel & 2 ? 30 : 0,
		.rx_bytes_s = lim_sel & 4 ? 15000 : 0, .rx_packets_s = lim_sel & 8 ? 25 : 0,
	};
	uint8_t bytes[VSWITCH_MAC_LEN];
	int free_port = -1, r;

	for (unsigned int i = 0; i < VSWITCH_MAX_PORTS && free_port < 0; i++)
		if (!m.port[i].used)
			free_port = (int)i;
	mac_make(mac, bytes);
	r = vswitch_port_add(&sw, bytes, groups[group], &lim, NULL, m.now);
	if (group == 3) {
		FUZZ_CHECK(r == -EINVAL);
		return;
	}
	if (model_port_of_mac(mac) >= 0) {
		FUZZ_CHECK(r == -EEXIST);
		return;
	}
	FUZZ_CHECK(free_port >= 0 ? r == free_port : r == -ENOSPC);	/* the lowest free one */
	if (r < 0)
		return;
	memset(&m.port[r], 0, sizeof(m.port[r]));
	m.port[r].used = true;
	m.port[r].mac = mac;
	m.port[r].group = group;
	m.port[r].limited = (lim_sel & 0xf) != 0;
	model_forget((unsigned int)r);
}

static void op_remove(struct fuzz_input *in)
{
	unsigned int port = fuzz_take(in, 1) % (VSWITCH_MAX_PORTS + 1);

	vswitch_port_remove(&sw, port);
	if (port < VSWITCH_MAX_PORTS && m.port[port].used) {
		m.port[port].used = false;
		model_forget(port);
	}
	for (unsigned int i = 0; i < VSWITCH_FDB_SIZE; i++)
		FUZZ_CHECK(!sw.fdb[i].used || sw.fdb[i].port != port);
}

/* Every other port of @from's group, in port order. */
static void model_flood(unsigned int from, struct vswitch_dests *want)
{
	for (unsigned int i = 0; i < VSWITCH_MAX_PORTS; i++)
		if (i != from && m.port[i].used && m.port[i].group == m.port[from].group)
			want->port[want->count++] = (uint16_t)i;
}

/* The model's verdict on a frame of @len from @from (known) to @dest (a MAC index, or MACS + k) from @src. */
static int model_tx(unsigned int from, unsigned int dest, unsigned int src, uint32_t len,
		    struct vswitch_dests *want)
{
	int owner = dest < MACS ? model_port_of_mac(dest) : -1;

	want->count = 0;
	if (len < VSWITCH_FRAME_MIN)
		return -(1 + VSWITCH_DROP_MALFORMED);
	if (len > VSWITCH_FRAME_MAX)
		return -(1 + VSWITCH_DROP_OVERSIZE);
	if (src != m.port[from].mac)
		return -(1 + VSWITCH_DROP_SPOOFED);
	if (dest >= MACS + 2) {				/* unknown unicast */
		model_flood(from, want);
	} else if (dest >= MACS) {			/* broadcast or multicast */
		model_flood(from, want);
	} else if (dest == m.port[from].mac) {
		/* to itself: nowhere */
	} else if (m.fdb[dest].used && m.now - m.fdb[dest].seen < sw.ageing_ns &&
		   m.port[m.fdb[dest].port].group == m.port[from].group) {
		want->port[want->count++] = (uint16_t)m.fdb[dest].port;
	} else if (owner >= 0 && m.port[owner].group != m.port[from].group) {
		return -(1 + VSWITCH_DROP_ISOLATION);
	} else {
		model_flood(from, want);
	}
	return 0;
}

static void build_hdr(unsigned int dest, unsigned int src, uint8_t *hdr)
{
	static const uint8_t bcast[VSWITCH_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[VSWITCH_MAC_LEN] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	static const uint8_t unknown[VSWITCH_MAC_LEN] = { 0x02, 0x99, 0x00, 0x00, 0x00, 0x01 };

	if (dest < MACS)
		mac_make(dest, hdr);
	else
		memcpy(hdr, dest == MACS ? bcast : dest == MACS + 1 ? mcast : unknown,
		       VSWITCH_MAC_LEN);
	mac_make(src, hdr + VSWITCH_MAC_LEN);
}

static void check_dests(unsigned int from, const struct vswitch_dests *got,
			const struct vswitch_dests *want)
{
	FUZZ_CHECK(got->count == want->count);
	for (unsigned int i = 0; i < got->count; i++) {
		FUZZ_CHECK(got->port[i] == want->port[i]);
		FUZZ_CHECK(got->port[i] != from && sw.ports[got->port[i]].used);
		FUZZ_CHECK(!strcmp(sw.ports[got->port[i]].group, sw.ports[from].group));
		FUZZ_CHECK(i == 0 || got->port[i] > got->port[i - 1]);	/* unique */
	}
}

static void op_tx(struct fuzz_input *in)
{
	unsigned int from = fuzz_take(in, 1) % VSWITCH_MAX_PORTS;
	unsigned int dest = fuzz_take(in, 1) % (MACS + 3), src_sel = fuzz_take(in, 1);
	uint32_t len = fuzz_take(in, 2) % (VSWITCH_FRAME_MAX + 64);
	struct vswitch_dests got, want;
	unsigned int src;
	int r, expect;

	m.now += fuzz_take(in, 1) * 100000ull;
	if (!m.port[from].used) {
		FUZZ_CHECK(vswitch_tx(&sw, from, m.last_hdr, len, m.now, &got) < 0 && !got.count);
		return;
	}
	src = src_sel < 0xf0 ? m.port[from].mac : src_sel % MACS;
	build_hdr(dest, src, m.last_hdr);
	expect = model_tx(from, dest, src, len, &want);
	r = vswitch_tx(&sw, from, m.last_hdr, len, m.now, &got);
	m.port[from].tx_tries++;
	if (expect == 0 && r == -(1 + VSWITCH_DROP_TX_LIMIT)) {
		FUZZ_CHECK(m.port[from].limited && !got.count);
		return;
	}
	FUZZ_CHECK(r == expect);
	m.last.count = 0;
	if (r)
		return;
	check_dests(from, &got, &want);
	m.port[from].tx_bytes += len;
	m.fdb[src].used = true;
	m.fdb[src].port = from;
	m.fdb[src].seen = m.now;
	m.last = got;
	m.last_len = len;
}

/* Offer the last frame sent to each of its destinations; a bit each says whether a buffer was there. */
static void op_deliver(struct fuzz_input *in)
{
	uint64_t buffers = fuzz_take(in, 8);

	for (unsigned int i = 0; i < m.last.count; i++) {
		unsigned int to = m.last.port[i];

		if (!m.port[to].used)		/* removed since */
			continue;
		m.port[to].rx_tries++;
		if (!vswitch_rx_admit(&sw, to, m.last_len, m.now)) {
			FUZZ_CHECK(m.port[to].limited);
			continue;
		}
		vswitch_rx_done(&sw, to, m.last_hdr, m.last_len, buffers >> (i % 64) & 1);
		if (buffers >> (i % 64) & 1)
			m.port[to].rx_bytes += m.last_len;
	}
	m.last.count = 0;
}

static void check_bucket(const struct vswitch_bucket *b)
{
	FUZZ_CHECK(!b->rate || b->tokens <= b->burst);
	FUZZ_CHECK(b->frac < NS_PER_S);
}

/* Every port's counters add up to what the model offered it. */
static void check_counters(void)
{
	for (unsigned int i = 0; i < VSWITCH_MAX_PORTS; i++) {
		const struct vswitch_port *p = &sw.ports[i];
		uint64_t tx_drops = 0;

		FUZZ_CHECK(p->used == m.port[i].used);
		if (!p->used)
			continue;
		for (unsigned int d = 0; d < VSWITCH_DROP_COUNT; d++)
			if (TX_DROPS & (1u << d))
				tx_drops += p->c.drops[d];
		FUZZ_CHECK(p->c.tx_packets + tx_drops == m.port[i].tx_tries);
		FUZZ_CHECK(p->c.tx_bytes == m.port[i].tx_bytes);
		FUZZ_CHECK(p->c.tx_broadcast + p->c.tx_multicast <= p->c.tx_packets);
		FUZZ_CHECK(p->c.rx_packets + p->c.drops[VSWITCH_DROP_RX_LIMIT] +
			   p->c.drops[VSWITCH_DROP_NO_BUFFER] == m.port[i].rx_tries);
		FUZZ_CHECK(p->c.rx_bytes == m.port[i].rx_bytes);
		FUZZ_CHECK(m.port[i].limited || !(p->c.drops[VSWITCH_DROP_TX_LIMIT] +
						  p->c.drops[VSWITCH_DROP_RX_LIMIT]));
		check_bucket(&p->tx_bytes);
		check_bucket(&p->tx_packets);
		check_bucket(&p->rx_bytes);
		check_bucket(&p->rx_packets);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	memset(&m, 0, sizeof(m));
	vswitch_init(&sw, fuzz_take(&in, 2) * 100000ull);
	for (unsigned int i = 0; i < MAX_OPS && in.size; i++) {
		unsigned int op = fuzz_take(&in, 1) % OP_COUNT;

		if (op == OP_ADD)
			op_add(&in);
		else if (op == OP_REMOVE)
			op_remove(&in);
		else if (op == OP_TX)
			op_tx(&in);
		else if (op == OP_DELIVER)
			op_deliver(&in);
		else
			m.now += fuzz_take(&in, 4) * 1000ull;
		check_counters();
		FUZZ_CHECK(sw.fdb_full == 0);	/* 16 MACs: the table never fills */
	}
	return 0;
}
