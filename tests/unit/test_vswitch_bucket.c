/* SPDX-License-Identifier: MIT */
/* Unit tests: the NIC switch's token buckets (drivers/vdev/vswitch.c): exact admission, refill precision, bursts, huge gaps, port limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/vswitch.h>

#define NS_PER_S	1000000000ull
#define MS		1000000ull

/* How many takes of @amount out of @tries @b grants at @now. */
static unsigned int take_n(struct vswitch_bucket *b, uint64_t amount, unsigned int tries,
			   uint64_t now)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < tries; i++)
		n += vswitch_bucket_take(b, amount, now);
	return n;
}

static void test_admitted_exactly(void **state)
{
	/* A bucket emptied at 0 for @rate, then @tries takes of @amount at @at: @granted. */
	static const struct {
		uint64_t rate, burst, amount, at;
		unsigned int tries, granted;
	} cases[] = {
		{ 1000000, 100000, 1000, 1 * MS, 10, 1 },	/* 1 ms of 1 MB/s: one frame */
		{ 1000000, 100000, 1000, 1 * MS - 1, 10, 0 },	/* a ns short of it */
		{ 1000000, 100000, 1000, 50 * MS, 100, 50 },
		{ 1000000, 100000, 1000, 10 * NS_PER_S, 1000, 100 },	/* capped at the burst */
		{ 50, 5, 1, 20 * MS, 10, 1 },			/* 50 packets/s: one per 20 ms */
		{ 50, 5, 1, 20 * MS - 1, 10, 0 },
		{ 50, 5, 1, 99 * MS, 10, 4 },
		{ 3, 1000, 1, NS_PER_S, 10, 3 },
		{ 3, 1000, 1, NS_PER_S / 3, 10, 0 },		/* 0.999... of a token */
		{ 3, 1000, 1, NS_PER_S / 3 + 1, 10, 1 },
		{ 1000000000000ull, 100000000000ull, 1000, 1, 10, 1 },	/* 10^12/s: 1000 a ns */
		{ 1000000000000ull, 100000000000ull, 1001, 1, 10, 0 },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vswitch_bucket b = { .rate = cases[i].rate, .burst = cases[i].burst };

		assert_int_equal(take_n(&b, cases[i].amount, cases[i].tries, cases[i].at),
				 cases[i].granted);
	}
}

static void test_refill_precision_many_steps(void **state)
{
	/* 10^6 steps of @step ns: exactly floor(rate * 10^6 * step / 10^9) tokens earned. */
	static const struct { uint64_t rate, step, expect; } cases[] = {
		{ 999999937, 7, 6999999 },		/* 6.99 a step: 6 each would lose 10^6 */
		{ 3, 1001, 3 },				/* 1.001 s in all: 3.003 tokens */
		{ 3, 1000000, 3000 },			/* 1000 s */
		{ 1000000000000ull, 1, 1000000000 },
		{ 1514 * 10, 333, 5041 },		/* 0.333 s of 15140/s: 5041.62 */
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vswitch_bucket b = { .rate = cases[i].rate, .burst = UINT64_MAX / 2 };

		for (uint64_t t = 1; t <= 1000000; t++)
			assert_true(vswitch_bucket_take(&b, 0, t * cases[i].step));
		assert_int_equal(b.tokens, cases[i].expect);
		assert_true(b.frac < NS_PER_S);
	}
}

static void test_rate_zero_unlimited(void **state)
{
	struct vswitch_bucket b = { 0 };

	(void)state;
	assert_int_equal(take_n(&b, UINT64_MAX, 1000, 0), 1000);
	assert_int_equal(take_n(&b, 1, 1000, 5), 1000);
	assert_int_equal(b.tokens, 0);
}

static void test_huge_gaps(void **state)
{
	static const uint64_t gaps[] = { UINT64_MAX, 1ull << 62, 18446744073ull * NS_PER_S,
					 10 * NS_PER_S, 100 * NS_PER_S };
	static const uint64_t rates[] = { 1, 1000, 1000000000000ull, UINT64_MAX / 4 };

	(void)state;
	for (unsigned int r = 0; r < sizeof(rates) / sizeof(rates[0]); r++)
		for (unsigned int g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
			uint64_t burst = rates[r] / 10 ? rates[r] / 10 : 1;
			struct vswitch_bucket b = { .rate = rates[r], .burst = burst };

			/* Every gap here refills the bucket: full, not wrapped around. */
			assert_true(vswitch_bucket_take(&b, burst, gaps[g]));
			assert_false(vswitch_bucket_take(&b, 1, gaps[g]));
			assert_int_equal(b.last_ns, gaps[g]);
		}
	/* A gap short of the burst at 10^12/s: exact, 50 ms earns 5 * 10^10. */
	{
		struct vswitch_bucket b = { .rate = 1000000000000ull, .burst = 100000000000ull };

		assert_true(vswitch_bucket_take(&b, 50000000000ull, 50 * MS + 7));
		assert_int_equal(b.tokens, 7000);
		assert_false(vswitch_bucket_take(&b, 7001, 50 * MS + 7));
	}
}

static void test_clock_back(void **state)
{
	struct vswitch_bucket b = { .rate = 1000, .burst = 100, .tokens = 0, .last_ns = 5 * MS };

	(void)state;
	assert_false(vswitch_bucket_take(&b, 1, 1 * MS));	/* earlier: nothing earned */
	assert_int_equal(b.last_ns, 5 * MS);
	assert_false(vswitch_bucket_take(&b, 1, 6 * MS - 1));
	assert_true(vswitch_bucket_take(&b, 1, 6 * MS));
}

/* A port with @lim at time 0; its index. */
static int add_limited(struct vswitch *sw, unsigned int n, const struct vswitch_limits *lim)
{
	uint8_t mac[VSWITCH_MAC_LEN] = { 0x02, 0x54, 0x41, 0, 0, (uint8_t)n };

	return vswitch_port_add(sw, mac, "g", lim, NULL, 0);
}

/* Port @port sends @count broadcasts of @len bytes at @now; how many it took. */
static unsigned int send_n(struct vswitch *sw, unsigned int port, uint32_t len,
			   unsigned int count, uint64_t now)
{
	uint8_t hdr[VSWITCH_ETH_HLEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0x02, 0x54, 0x41, 0, 0, (uint8_t)port };
	struct vswitch_dests out;
	unsigned int n = 0;

	for (unsigned int i = 0; i < count; i++)
		n += vswitch_tx(sw, port, hdr, len, now, &out) == 0;
	return n;
}

static void test_port_tx_limits(void **state)
{
	static struct vswitch sw;
	static const struct vswitch_limits bytes = { .tx_bytes_s = 1000000 };
	static const struct vswitch_limits packets = { .tx_packets_s = 50 };
	static const struct vswitch_limits tiny = { .tx_bytes_s = 100, .tx_packets_s = 1 };

	(void)state;
	vswitch_init(&sw, NS_PER_S);
	assert_int_equal(add_limited(&sw, 0, &bytes), 0);
	assert_int_equal(add_limited(&sw, 1, &packets), 1);
	assert_int_equal(add_limited(&sw, 2, &tiny), 2);
	assert_int_equal(add_limited(&sw, 3, NULL), 3);
	/* Bursts: a tenth of a second of the rate, at least one max frame / packet. */
	assert_int_equal(sw.ports[0].tx_bytes.burst, 100000);
	assert_int_equal(sw.ports[1].tx_packets.burst, 5);
	assert_int_equal(sw.ports[2].tx_bytes.burst, VSWITCH_FRAME_MAX);
	assert_int_equal(sw.ports[2].tx_packets.burst, 1);
	assert_int_equal(send_n(&sw, 0, 1000, 200, 0), 100);
	assert_int_equal(send_n(&sw, 0, 1000, 200, 10 * MS), 10);
	assert_int_equal(sw.ports[0].c.drops[VSWITCH_DROP_TX_LIMIT], 290);
	assert_int_equal(sw.ports[0].c.tx_packets, 110);
	assert_int_equal(sw.ports[0].c.tx_bytes, 110000);
	assert_int_equal(send_n(&sw, 1, 60, 100, 0), 5);
	assert_int_equal(send_n(&sw, 1, 60, 100, 100 * MS), 5);
	assert_int_equal(send_n(&sw, 2, VSWITCH_FRAME_MAX, 5, 0), 1);
	/* Bytes there, no packet token: neither is taken. */
	assert_int_equal(send_n(&sw, 2, VSWITCH_FRAME_MIN, 5, NS_PER_S / 2), 0);
	assert_int_equal(sw.ports[2].tx_bytes.tokens, 50);
	assert_int_equal(send_n(&sw, 2, VSWITCH_FRAME_MIN, 5, NS_PER_S), 1);
	assert_int_equal(send_n(&sw, 3, VSWITCH_FRAME_MAX, 10000, 0), 10000);
	assert_int_equal(sw.ports[3].c.drops[VSWITCH_DROP_TX_LIMIT], 0);
}

static void test_port_rx_limits(void **state)
{
	static struct vswitch sw;
	static const struct vswitch_limits lim = { .rx_bytes_s = 20000, .rx_packets_s = 100 };

	(void)state;
	vswitch_init(&sw, NS_PER_S);
	assert_int_equal(add_limited(&sw, 0, &lim), 0);
	assert_int_equal(sw.ports[0].rx_bytes.burst, 2000);
	assert_int_equal(sw.ports[0].rx_packets.burst, 10);
	/* 2000 bytes of burst: 20 frames of 100 bytes by bytes, 10 by packets. */
	for (unsigned int i = 0; i < 30; i++)
		assert_int_equal(vswitch_rx_admit(&sw, 0, 100, 0), i < 10);
	assert_int_equal(sw.ports[0].c.drops[VSWITCH_DROP_RX_LIMIT], 20);
	assert_int_equal(sw.ports[0].rx_bytes.tokens, 1000);
	/* 10 ms: one packet and 200 bytes more. */
	assert_true(vswitch_rx_admit(&sw, 0, 1000, 10 * MS));
	assert_false(vswitch_rx_admit(&sw, 0, 1, 10 * MS));
	assert_int_equal(sw.ports[0].rx_bytes.tokens, 200);
	assert_int_equal(sw.ports[0].c.drops[VSWITCH_DROP_RX_LIMIT], 21);
	assert_int_equal(sw.ports[0].c.tx_packets, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admitted_exactly),
		cmocka_unit_test(test_refill_precision_many_steps),
		cmocka_unit_test(test_rate_zero_unlimited),
		cmocka_unit_test(test_huge_gaps),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_port_tx_limits),
		cmocka_unit_test(test_port_rx_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
