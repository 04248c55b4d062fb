/* SPDX-License-Identifier: MIT */
/* Unit tests: the NIC switch (drivers/vdev/vswitch.c): ports, learning, ageing, flooding, groups, spoofing, token buckets, counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/errno.h>
#include <tally/vswitch.h>

#define NS_PER_S	1000000000ull
#define AGEING		5000ull
#define BCAST		((const uint8_t *)"\xff\xff\xff\xff\xff\xff")
#define MCAST		((const uint8_t *)"\x01\x00\x5e\x00\x00\x01")
#define UNKNOWN		((const uint8_t *)"\x02\x99\x99\x99\x99\x99")

static struct vswitch sw;

/* The MAC of test port number @n: 02:54:41:00:00:n. */
static const uint8_t *mac_of(unsigned int n)
{
	static uint8_t macs[VSWITCH_MAX_PORTS + 2][VSWITCH_MAC_LEN];

	memcpy(macs[n], "\x02\x54\x41\x00\x00", 5);
	macs[n][5] = (uint8_t)n;
	return macs[n];
}

/* A port with MAC mac_of(@n) in @group, no limits; asserts it is port @n. */
static void add(unsigned int n, const char *group)
{
	assert_int_equal(vswitch_port_add(&sw, mac_of(n), group, NULL, NULL, 0), (int)n);
}

/* Port @from sends @len bytes to @dest from @src at @now; the result, dests in *@out. */
static int send_from(unsigned int from, const uint8_t *dest, const uint8_t *src, uint32_t len,
		     uint64_t now, struct vswitch_dests *out)
{
	uint8_t hdr[VSWITCH_ETH_HLEN] = { 0 };

	memcpy(hdr, dest, VSWITCH_MAC_LEN);
	memcpy(hdr + VSWITCH_MAC_LEN, src, VSWITCH_MAC_LEN);
	return vswitch_tx(&sw, from, hdr, len, now, out);
}

/* Port @from sends a 60-byte frame to @dest with its own source: assert the destinations. */
static void expect_dests(unsigned int from, const uint8_t *dest, uint64_t now,
			 unsigned int count, const uint16_t *ports)
{
	struct vswitch_dests out;

	memset(&out, 0xaa, sizeof(out));
	assert_int_equal(send_from(from, dest, mac_of(from), 60, now, &out), 0);
	assert_int_equal(out.count, count);
	for (unsigned int i = 0; i < count; i++)
		assert_int_equal(out.port[i], ports[i]);
}

/* The table entry for @mac, or NULL. */
static const struct vswitch_fdb_entry *fdb_entry(const uint8_t *mac)
{
	for (unsigned int i = 0; i < VSWITCH_FDB_SIZE; i++)
		if (sw.fdb[i].used && !memcmp(sw.fdb[i].mac, mac, VSWITCH_MAC_LEN))
			return &sw.fdb[i];
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	vswitch_init(&sw, AGEING);
	return 0;
}

static void test_port_add_refusals(void **state)
{
	static const struct { const char *mac, *group; int result; } cases[] = {
		{ "\x00\x00\x00\x00\x00\x00", "g", -EINVAL },	/* all zeros */
		{ "\x01\x54\x41\x00\x00\x07", "g", -EINVAL },	/* multicast */
		{ "\xff\xff\xff\xff\xff\xff", "g", -EINVAL },	/* broadcast */
		{ "\x02\x54\x41\x00\x00\x07", "", -EINVAL },
		{ "\x02\x54\x41\x00\x00\x07", "Lan", -EINVAL },
		{ "\x02\x54\x41\x00\x00\x07", "a b", -EINVAL },
		{ "\x02\x54\x41\x00\x00\x07", "a.b", -EINVAL },
		{ "\x02\x54\x41\x00\x00\x07", "0123456789abcdef", -EINVAL },	/* 16 */
		{ "\x02\x54\x41\x00\x00\x00", "g", -EEXIST },	/* port 0's */
		{ "\x02\x54\x41\x00\x00\x07", "0123456789abc_-", 1 },	/* 15 */
		{ "\x00\x00\x00\x00\x00\x01", "z", 2 },
	};

	(void)state;
	add(0, "g");
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(vswitch_port_add(&sw, (const uint8_t *)cases[i].mac,
						  cases[i].group, NULL, NULL, 0), cases[i].result);
	assert_int_equal(vswitch_port_add(&sw, mac_of(9), NULL, NULL, NULL, 0), -EINVAL);
	assert_string_equal(sw.ports[1].group, "0123456789abc_-");
	assert_false(vswitch_group_valid(NULL));
	assert_false(vswitch_mac_valid(NULL));
}

static void test_port_add_full_and_reuse(void **state)
{
	int owner;

	(void)state;
	for (unsigned int i = 0; i < VSWITCH_MAX_PORTS; i++)
		assert_int_equal(vswitch_port_add(&sw, mac_of(i), "g", NULL, &owner, 7), (int)i);
	assert_int_equal(vswitch_port_add(&sw, mac_of(VSWITCH_MAX_PORTS), "g", NULL, NULL, 0),
			 -ENOSPC);
	assert_ptr_equal(sw.ports[5].owner, &owner);
	vswitch_port_remove(&sw, 5);
	assert_false(sw.ports[5].used);
	vswitch_port_remove(&sw, 5);			/* twice: nothing */
	vswitch_port_remove(&sw, VSWITCH_MAX_PORTS);	/* out of range: nothing */
	assert_int_equal(vswitch_port_add(&sw, mac_of(VSWITCH_MAX_PORTS), "h", NULL, NULL, 0), 5);
	/* The freed MAC may come back, elsewhere. */
	vswitch_port_remove(&sw, 6);
	assert_int_equal(vswitch_port_add(&sw, mac_of(5), "g", NULL, NULL, 0), 6);
}

static void test_flood_until_learned(void **state)
{
	static const uint16_t b_c[] = { 1, 2 }, a[] = { 0 }, b[] = { 1 }, a_c[] = { 0, 2 };

	(void)state;
	add(0, "g");
	add(1, "g");
	add(2, "g");
	expect_dests(0, mac_of(1), 10, 2, b_c);		/* B unknown: flooded */
	expect_dests(1, mac_of(0), 20, 1, a);		/* A learned from its frame */
	expect_dests(0, mac_of(1), 30, 1, b);		/* and now B */
	expect_dests(1, UNKNOWN, 40, 2, a_c);		/* unknown unicast floods */
	assert_int_equal(fdb_entry(mac_of(0))->port, 0);
	assert_int_equal(fdb_entry(mac_of(0))->seen_ns, 30);
	assert_int_equal(fdb_entry(mac_of(1))->seen_ns, 40);
	assert_null(fdb_entry(mac_of(2)));		/* C never sent */
	assert_null(fdb_entry(UNKNOWN));
	expect_dests(0, mac_of(0), 50, 0, NULL);	/* to itself: nowhere, but sent */
	assert_int_equal(sw.ports[0].c.tx_packets, 3);
}

static void test_broadcast_multicast_flood(void **state)
{
	static const uint16_t others[] = { 0, 2, 3 };

	(void)state;
	for (unsigned int i = 0; i < 4; i++)
		add(i, "g");
	expect_dests(0, mac_of(1), 1, 3, (const uint16_t[]){ 1, 2, 3 });
	expect_dests(1, BCAST, 2, 3, others);		/* even with A learned */
	expect_dests(1, MCAST, 3, 3, others);
	assert_int_equal(sw.ports[1].c.tx_broadcast, 1);
	assert_int_equal(sw.ports[1].c.tx_multicast, 1);
	assert_int_equal(sw.ports[1].c.tx_packets, 2);
	assert_null(fdb_entry(BCAST));
}

static void test_ageing(void **state)
{
	static const uint16_t a[] = { 0 }, flood_a[] = { 0, 2 };

	(void)state;
	add(0, "g");
	add(1, "g");
	add(2, "g");
	expect_dests(0, BCAST, 1000, 2, (const uint16_t[]){ 1, 2 });	/* A learned at 1000 */
	expect_dests(1, mac_of(0), 1000 + AGEING - 1, 1, a);		/* the last live ns */
	expect_dests(1, mac_of(0), 1000 + AGEING, 2, flood_a);		/* expired exactly now */
	expect_dests(0, BCAST, 1000 + AGEING, 2, (const uint16_t[]){ 1, 2 });	/* relearned */
	expect_dests(1, mac_of(0), 1000 + 2 * AGEING - 1, 1, a);
	assert_int_equal(fdb_entry(mac_of(0))->seen_ns, 1000 + AGEING);
	/* A clock that went back: the entry is younger than nothing, still live. */
	expect_dests(1, mac_of(0), 10, 1, a);
}

static void test_ageing_zero_never_learns(void **state)
{
	static const uint16_t b_c[] = { 1, 2 };

	(void)state;
	vswitch_init(&sw, 0);
	add(0, "g");
	add(1, "g");
	add(2, "g");
	expect_dests(1, mac_of(0), 7, 2, (const uint16_t[]){ 0, 2 });
	expect_dests(0, mac_of(1), 7, 2, b_c);	/* seen this very ns: already expired */
	expect_dests(0, mac_of(1), 8, 2, b_c);
}

/* Fill the whole table with live entries of port 0 seen at @now, MACs 0a:00:00:00:i. */
static void fill_fdb(uint64_t now)
{
	for (unsigned int i = 0; i < VSWITCH_FDB_SIZE; i++) {
		sw.fdb[i] = (struct vswitch_fdb_entry){ .used = true, .port = 0, .seen_ns = now,
							.mac = { 0x0a, 0, 0, 0, (uint8_t)(i >> 8),
								 (uint8_t)i } };
	}
}

static void test_fdb_full(void **state)
{
	(void)state;
	add(0, "g");
	add(1, "g");
	add(2, "g");
	fill_fdb(100);
	expect_dests(1, BCAST, 200, 2, (const uint16_t[]){ 0, 2 });
	assert_int_equal(sw.fdb_full, 1);		/* all live: B not learned */
	assert_null(fdb_entry(mac_of(1)));
	expect_dests(0, mac_of(1), 201, 2, (const uint16_t[]){ 1, 2 });	/* so B is flooded to */
	assert_int_equal(sw.fdb_full, 2);		/* and A not learned either */
	/* Two entries expire; the older one is reused first. */
	sw.fdb[17].seen_ns = 0;
	sw.fdb[40].seen_ns = 50;
	expect_dests(1, BCAST, AGEING + 60, 2, (const uint16_t[]){ 0, 2 });
	assert_memory_equal(sw.fdb[17].mac, mac_of(1), VSWITCH_MAC_LEN);
	assert_int_equal(sw.fdb[17].port, 1);
	expect_dests(0, mac_of(1), AGEING + 61, 1, (const uint16_t[]){ 1 });
	assert_memory_equal(sw.fdb[40].mac, mac_of(0), VSWITCH_MAC_LEN);
	expect_dests(1, mac_of(0), AGEING + 62, 1, (const uint16_t[]){ 0 });
	assert_int_equal(sw.fdb_full, 2);
	expect_dests(2, BCAST, AGEING + 99, 2, (const uint16_t[]){ 0, 1 });	/* none left */
	assert_int_equal(sw.fdb_full, 3);
}

static void test_fdb_full_learns_into_expired(void **state)
{
	(void)state;
	add(0, "g");
	add(1, "g");
	fill_fdb(100);
	sw.fdb[3].seen_ns = 60;
	sw.fdb[200].seen_ns = 40;	/* the oldest */
	sw.fdb[9].seen_ns = 90;
	expect_dests(1, BCAST, 100 + AGEING - 1, 1, (const uint16_t[]){ 0 });
	assert_int_equal(sw.fdb_full, 0);
	assert_memory_equal(sw.fdb[200].mac, mac_of(1), VSWITCH_MAC_LEN);
	assert_int_equal(sw.fdb[200].port, 1);
	expect_dests(0, mac_of(1), 100 + AGEING - 1, 1, (const uint16_t[]){ 1 });
	expect_dests(0, BCAST, 100 + AGEING - 1, 1, (const uint16_t[]){ 1 });
	assert_memory_equal(sw.fdb[3].mac, mac_of(0), VSWITCH_MAC_LEN);	/* next oldest */
	assert_int_equal(sw.fdb_full, 0);
}

static void test_groups_never_cross(void **state)
{
	static const char *const group[] = { "a", "b", "a", "b", "c" };
	struct vswitch_dests out;

	(void)state;
	for (unsigned int i = 0; i < 5; i++)
		add(i, group[i]);
	for (unsigned int round = 0; round < 2; round++)	/* unknown, then learned */
		for (unsigned int from = 0; from < 5; from++)
			for (unsigned int to = 0; to < 7; to++) {
				const uint8_t *dest = to == 5 ? BCAST : to == 6 ? MCAST : mac_of(to);
				int r = send_from(from, dest, mac_of(from), 64, round, &out);

				if (to < 5 && strcmp(group[to], group[from])) {
					assert_int_equal(r, -(1 + VSWITCH_DROP_ISOLATION));
					assert_int_equal(out.count, 0);
					continue;
				}
				assert_int_equal(r, 0);
				for (unsigned int k = 0; k < out.count; k++) {
					assert_string_equal(group[out.port[k]], group[from]);
					assert_int_not_equal(out.port[k], from);
				}
				assert_int_equal(out.count,
						 to == from || !strcmp(group[from], "c") ? 0 : 1);
			}
	/* Each port tried 3 other-group ports (c: 4) twice. */
	assert_int_equal(sw.ports[0].c.drops[VSWITCH_DROP_ISOLATION], 6);
	assert_int_equal(sw.ports[4].c.drops[VSWITCH_DROP_ISOLATION], 8);
	assert_int_equal(sw.ports[0].c.tx_packets, 2 * 4);
	assert_int_equal(sw.ports[4].c.tx_packets, 2 * 3);
	/* An unknown unicast floods within the group only. */
	expect_dests(1, UNKNOWN, 9, 1, (const uint16_t[]){ 3 });
}

static void test_spoofing(void **state)
{
	struct vswitch_dests out;

	(void)state;
	add(0, "g");
	add(1, "g");
	assert_int_equal(send_from(0, BCAST, mac_of(1), 100, 1, &out), -(1 + VSWITCH_DROP_SPOOFED));
	assert_int_equal(send_from(0, mac_of(1), UNKNOWN, 100, 1, &out),
			 -(1 + VSWITCH_DROP_SPOOFED));
	assert_int_equal(out.count, 0);
	assert_int_equal(sw.ports[0].c.drops[VSWITCH_DROP_SPOOFED], 2);
	assert_int_equal(sw.ports[0].c.tx_packets, 0);
	assert_int_equal(sw.ports[0].c.tx_bytes, 0);
	assert_null(fdb_entry(mac_of(1)));		/* nothing learned from a spoofer */
	assert_null(fdb_entry(UNKNOWN));
	assert_int_equal(sw.ports[1].c.drops[VSWITCH_DROP_SPOOFED], 0);
}

static void test_lengths(void **state)
{
	static const struct { uint32_t len; int result; enum vswitch_drop why; } cases[] = {
		{ 0, -(1 + VSWITCH_DROP_MALFORMED), VSWITCH_DROP_MALFORMED },
		{ VSWITCH_FRAME_MIN - 1, -(1 + VSWITCH_DROP_MALFORMED), VSWITCH_DROP_MALFORMED },
		{ VSWITCH_FRAME_MIN, 0, VSWITCH_DROP_COUNT },
		{ VSWITCH_FRAME_MAX, 0, VSWITCH_DROP_COUNT },
		{ VSWITCH_FRAME_MAX + 1, -(1 + VSWITCH_DROP_OVERSIZE), VSWITCH_DROP_OVERSIZE },
		{ UINT32_MAX, -(1 + VSWITCH_DROP_OVERSIZE), VSWITCH_DROP_OVERSIZE },
	};
	struct vswitch_dests out;
	uint64_t drops[VSWITCH_DROP_COUNT] = { 0 }, bytes = 0;

	(void)state;
	add(0, "g");
	add(1, "g");
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(send_from(0, BCAST, mac_of(0), cases[i].len, 1, &out),
				 cases[i].result);
		if (cases[i].why < VSWITCH_DROP_COUNT)
			drops[cases[i].why]++;
		else
			bytes += cases[i].len;
		assert_memory_equal(sw.ports[0].c.drops, drops, sizeof(drops));
	}
	assert_int_equal(sw.ports[0].c.tx_bytes, bytes);
	/* A port that is not there: refused, nobody counted. */
	assert_int_equal(send_from(7, BCAST, mac_of(7), 60, 1, &out),
			 -(1 + VSWITCH_DROP_MALFORMED));
	assert_int_equal(send_from(VSWITCH_MAX_PORTS, BCAST, mac_of(7), 60, 1, &out),
			 -(1 + VSWITCH_DROP_MALFORMED));
}

static void test_counters_exact(void **state)
{
	static const struct { const uint8_t *dest; uint32_t len; } frames[] = {
		{ NULL, 60 }, { NULL, 100 }, { NULL, 1514 }, { BCAST, 42 }, { BCAST, 342 },
		{ MCAST, 90 }, { (const uint8_t *)"\x33\x33\x00\x00\x00\x01", 86 },
		{ (const uint8_t *)"\xff\xff\xff\xff\xff\xfe", 70 },	/* multicast, not broadcast */
	};
	uint8_t hdr[VSWITCH_ETH_HLEN];
	struct vswitch_dests out;
	uint64_t bytes = 0;

	(void)state;
	add(0, "g");
	add(1, "g");
	for (unsigned int i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		const uint8_t *dest = frames[i].dest ? frames[i].dest : mac_of(1);

		assert_int_equal(send_from(0, dest, mac_of(0), frames[i].len, i, &out), 0);
		memcpy(hdr, dest, VSWITCH_MAC_LEN);
		memcpy(hdr + VSWITCH_MAC_LEN, mac_of(0), VSWITCH_MAC_LEN);
		assert_true(vswitch_rx_admit(&sw, 1, frames[i].len, i));
		vswitch_rx_done(&sw, 1, hdr, frames[i].len, true);
		vswitch_rx_done(&sw, 1, hdr, frames[i].len, false);	/* and once no buffer */
		bytes += frames[i].len;
	}
	assert_int_equal(sw.ports[0].c.tx_packets, 8);
	assert_int_equal(sw.ports[0].c.tx_bytes, bytes);
	assert_int_equal(bytes, 2304);
	assert_int_equal(sw.ports[0].c.tx_broadcast, 2);
	assert_int_equal(sw.ports[0].c.tx_multicast, 3);
	assert_int_equal(sw.ports[1].c.rx_packets, 8);
	assert_int_equal(sw.ports[1].c.rx_bytes, bytes);
	assert_int_equal(sw.ports[1].c.rx_broadcast, 2);
	assert_int_equal(sw.ports[1].c.rx_multicast, 3);
	assert_int_equal(sw.ports[1].c.drops[VSWITCH_DROP_NO_BUFFER], 8);
	assert_int_equal(sw.ports[0].c.rx_packets, 0);
	assert_int_equal(sw.ports[1].c.tx_packets, 0);
	vswitch_count_drop(&sw, 1, VSWITCH_DROP_MALFORMED);
	vswitch_count_drop(&sw, 1, VSWITCH_DROP_OVERSIZE);
	vswitch_count_drop(&sw, 1, VSWITCH_DROP_COUNT);		/* not a cause: ignored */
	vswitch_count_drop(&sw, 9, VSWITCH_DROP_MALFORMED);	/* no port: ignored */
	vswitch_rx_done(&sw, 9, hdr, 60, true);
	assert_int_equal(sw.ports[1].c.drops[VSWITCH_DROP_MALFORMED], 1);
	assert_int_equal(sw.ports[1].c.drops[VSWITCH_DROP_OVERSIZE], 1);
	assert_false(vswitch_rx_admit(&sw, 9, 60, 0));
}

static void test_remove_forgets(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 40; i++)
		add(i, "g");
	for (unsigned int i = 0; i < 40; i++)		/* all learned */
		expect_dests(i, mac_of(i), 1, 0, NULL);
	for (unsigned int i = 0; i < 40; i += 3)
		vswitch_port_remove(&sw, i);
	for (unsigned int i = 0; i < 40; i++) {
		if (i % 3 == 0) {
			assert_null(fdb_entry(mac_of(i)));
			continue;
		}
		assert_int_equal(fdb_entry(mac_of(i))->port, i);
		/* Still found by lookup (not flooded) after the table was rebuilt. */
		expect_dests(i == 1 ? 2 : 1, mac_of(i), 2, 1, (const uint16_t[]){ (uint16_t)i });
	}
	/* Port 0's MAC comes back in another group: never reached through the old entry. */
	assert_int_equal(vswitch_port_add(&sw, mac_of(0), "h", NULL, NULL, 3), 0);
	{
		struct vswitch_dests out;

		assert_int_equal(send_from(1, mac_of(0), mac_of(1), 60, 4, &out),
				 -(1 + VSWITCH_DROP_ISOLATION));
	}
}

/* Colliding MAC @i: 02:54:41:00:i:(@c - 31 i), all with the same home in the table (121 for c = 200, 252 for c = 75). */
static void collide_mac(unsigned int i, unsigned int c, uint8_t *mac)
{
	memcpy(mac, "\x02\x54\x41\x00", 4);
	mac[4] = (uint8_t)i;
	mac[5] = (uint8_t)(c - 31 * i);
}

static void test_remove_with_collisions(void **state)
{
	/* Removal orders: first, middle, last of one probe cluster, and wrapped around the end. */
	static const unsigned int orders[][3] = { { 0, 4, 7 }, { 7, 3, 0 }, { 5, 1, 6 } };
	static const unsigned int home_c[] = { 200, 200, 75 };
	uint8_t mac[8][VSWITCH_MAC_LEN];
	struct vswitch_dests out;
	uint8_t hdr[VSWITCH_ETH_HLEN];

	(void)state;
	for (unsigned int o = 0; o < 3; o++) {
		vswitch_init(&sw, AGEING);
		for (unsigned int i = 0; i < 8; i++) {
			collide_mac(i, home_c[o], mac[i]);
			assert_int_equal(vswitch_port_add(&sw, mac[i], "g", NULL, NULL, 0), (int)i);
			memcpy(hdr, BCAST, VSWITCH_MAC_LEN);
			memcpy(hdr + VSWITCH_MAC_LEN, mac[i], VSWITCH_MAC_LEN);
			assert_int_equal(vswitch_tx(&sw, i, hdr, 60, 1, &out), 0);	/* learned */
		}
		for (unsigned int k = 0; k < 8; k++)		/* one cluster from the home on */
			assert_true(sw.fdb[((o == 2 ? 252 : 121) + k) % VSWITCH_FDB_SIZE].used);
		for (unsigned int r = 0; r < 3; r++) {
			vswitch_port_remove(&sw, orders[o][r]);
			for (unsigned int i = 0; i < 8; i++) {
				bool gone = i == orders[o][0] || (r > 0 && i == orders[o][1]) ||
					    (r > 1 && i == orders[o][2]);
				unsigned int from = 0;

				while (from == i || !sw.ports[from].used)
					from++;

				if (gone) {
					assert_null(fdb_entry(mac[i]));
					continue;
				}
				memcpy(hdr, mac[i], VSWITCH_MAC_LEN);
				memcpy(hdr + VSWITCH_MAC_LEN, mac[from], VSWITCH_MAC_LEN);
				assert_int_equal(vswitch_tx(&sw, from, hdr, 60, 2, &out), 0);
				assert_int_equal(out.count, 1);		/* found, not flooded */
				assert_int_equal(out.port[0], i);
			}
		}
	}
}

static void test_remove_across_the_table_end(void **state)
{
	/* Two MACs whose home is entry 254, then two whose home is 0: they fill 254, 255, 0, 1. */
	static const uint8_t macs[4][VSWITCH_MAC_LEN] = {
		{ 0x02, 0x54, 0x41, 0x00, 0x08, 0x55 }, { 0x02, 0x54, 0x41, 0x00, 0x09, 0x36 },
		{ 0x02, 0x54, 0x41, 0x00, 0x08, 0x57 }, { 0x02, 0x54, 0x41, 0x00, 0x09, 0x38 },
	};
	static const unsigned int slot[4] = { 254, 255, 0, 1 };
	struct vswitch_dests out;

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(vswitch_port_add(&sw, macs[i], "g", NULL, NULL, 0), (int)i);
		assert_int_equal(send_from(i, BCAST, macs[i], 60, 1, &out), 0);
		assert_memory_equal(sw.fdb[slot[i]].mac, macs[i], VSWITCH_MAC_LEN);
	}
	/* 254's first goes: its partner moves back to 254; 0's stay at home 0 and after it. */
	vswitch_port_remove(&sw, 0);
	assert_memory_equal(sw.fdb[254].mac, macs[1], VSWITCH_MAC_LEN);
	assert_memory_equal(sw.fdb[0].mac, macs[2], VSWITCH_MAC_LEN);
	assert_memory_equal(sw.fdb[1].mac, macs[3], VSWITCH_MAC_LEN);
	for (unsigned int i = 1; i < 4; i++) {
		assert_int_equal(send_from(i == 1 ? 2 : 1, macs[i], i == 1 ? macs[2] : macs[1], 60, 2,
					   &out), 0);
		assert_int_equal(out.count, 1);
		assert_int_equal(out.port[0], i);
	}
}

static void test_remove_forgets_every_entry_of_a_port(void **state)
{
	(void)state;
	add(0, "g");
	add(1, "g");
	/* Entries put by hand: three MACs of port 1 in a row from one home, then port 0's. */
	for (unsigned int k = 0; k < 3; k++) {
		struct vswitch_fdb_entry *e = &sw.fdb[121 + k];

		*e = (struct vswitch_fdb_entry){ .used = true, .port = 1, .seen_ns = 1 };
		collide_mac(k, 200, e->mac);
	}
	sw.fdb[124] = (struct vswitch_fdb_entry){ .used = true, .port = 0, .seen_ns = 1 };
	collide_mac(3, 200, sw.fdb[124].mac);
	vswitch_port_remove(&sw, 1);
	for (unsigned int i = 0; i < VSWITCH_FDB_SIZE; i++)
		assert_false(sw.fdb[i].used && sw.fdb[i].port == 1);
	assert_true(sw.fdb[121].used);			/* port 0's, moved back to its home */
	assert_int_equal(sw.fdb[121].port, 0);
	assert_false(sw.fdb[122].used);
}

static void test_drop_names(void **state)
{
	static const char *const names[] = { "spoofed", "isolation", "tx_limit", "rx_limit",
					     "no_buffer", "oversize", "malformed" };

	(void)state;
	assert_int_equal(sizeof(names) / sizeof(names[0]), VSWITCH_DROP_COUNT);
	for (unsigned int i = 0; i < VSWITCH_DROP_COUNT; i++)
		assert_string_equal(vswitch_drop_name((enum vswitch_drop)i), names[i]);
	assert_string_equal(vswitch_drop_name(VSWITCH_DROP_COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_port_add_refusals, setup),
		cmocka_unit_test_setup(test_port_add_full_and_reuse, setup),
		cmocka_unit_test_setup(test_flood_until_learned, setup),
		cmocka_unit_test_setup(test_broadcast_multicast_flood, setup),
		cmocka_unit_test_setup(test_ageing, setup),
		cmocka_unit_test_setup(test_ageing_zero_never_learns, setup),
		cmocka_unit_test_setup(test_fdb_full, setup),
		cmocka_unit_test_setup(test_fdb_full_learns_into_expired, setup),
		cmocka_unit_test_setup(test_groups_never_cross, setup),
		cmocka_unit_test_setup(test_spoofing, setup),
		cmocka_unit_test_setup(test_lengths, setup),
		cmocka_unit_test_setup(test_counters_exact, setup),
		cmocka_unit_test_setup(test_remove_forgets, setup),
		cmocka_unit_test_setup(test_remove_with_collisions, setup),
		cmocka_unit_test_setup(test_remove_across_the_table_end, setup),
		cmocka_unit_test_setup(test_remove_forgets_every_entry_of_a_port, setup),
		cmocka_unit_test_setup(test_drop_names, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
