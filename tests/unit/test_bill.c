/* SPDX-License-Identifier: MIT */
/* Unit tests: the bill's arithmetic (kernel/bill.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <tally/bill.h>

#include "shim.h"

#define KHZ	2000000ull		/* a 2 GHz TSC */
#define SEC	(KHZ * 1000)		/* cycles in a second */
#define HOUR	(SEC * 3600)

static const struct bill_prices free_prices;

/* One hour of one vCPU with 1 GiB RAM and a 2 GiB disk: whole units everywhere. */
static void test_whole_units(void **state)
{
	struct bill_usage u = { .tsc_khz = KHZ, .cpu_cycles = HOUR, .hv_cycles = SEC / 2,
				.life_cycles = HOUR, .ram_bytes = 1ull << 30,
				.disk_bytes = 2ull << 30, .disk_reads = 3, .disk_read_bytes = 4,
				.disk_writes = 5, .disk_write_bytes = 6, .net_rx_bytes = 1ull << 30,
				.net_tx_bytes = 1ull << 30 };
	struct bill_prices p = { .vcpu_hour = 10000, .gib_hour = 2000, .disk_gib_hour = 300,
				 .net_gib = 40 };
	struct bill b;

	(void)state;
	bill_compute(&u, &p, &b);
	assert_int_equal(b.vcpu_s, 3600 * BILL_NANO);
	assert_int_equal(b.hv_s, BILL_NANO / 2);
	assert_int_equal(b.life_s, 3600 * BILL_NANO);
	assert_int_equal(b.life_cycles, HOUR);
	assert_int_equal(b.mem_gib_h, BILL_NANO);
	assert_int_equal(b.disk_gib_h, 2 * BILL_NANO);
	assert_int_equal(b.disk_reads, 3);
	assert_int_equal(b.disk_read_bytes, 4);
	assert_int_equal(b.disk_writes, 5);
	assert_int_equal(b.disk_write_bytes, 6);
	assert_int_equal(b.net_rx_bytes, 1ull << 30);
	assert_int_equal(b.net_tx_bytes, 1ull << 30);
	/* Micro-units: 10000 micro = 0.01 a vCPU-hour = 10^7 nano. */
	assert_int_equal(b.cost_vcpu, 10000000);
	assert_int_equal(b.cost_mem, 2000000);
	assert_int_equal(b.cost_disk, 600000);
	assert_int_equal(b.cost_net, 80000);
	assert_int_equal(b.cost, 10000000 + 2000000 + 600000 + 80000);

	bill_compute(&u, &free_prices, &b);
	assert_int_equal(b.cost, 0);
	assert_int_equal(b.cost_net, 0);
}

/* Every figure rounds down, and each part rounds on its own. */
static void test_rounding(void **state)
{
	struct bill_usage u = { .tsc_khz = 3, .cpu_cycles = 2, .life_cycles = 1,
				.ram_bytes = 1, .net_tx_bytes = 1 };
	struct bill_prices p = { .vcpu_hour = 1, .gib_hour = 1, .net_gib = 1 };
	struct bill b;

	(void)state;
	bill_compute(&u, &p, &b);
	assert_int_equal(b.vcpu_s, 666666);		/* 2 / 3000 s = 666666.67 ns */
	assert_int_equal(b.life_s, 333333);
	assert_int_equal(b.mem_gib_h, 0);		/* 1 byte for a third of a ms */
	assert_int_equal(b.cost_vcpu, 0);		/* 2 * 1 / (3 * 3600) */
	assert_int_equal(b.cost_net, 0);		/* 1000 / 2^30 */

	u = (struct bill_usage){ .tsc_khz = 7, .cpu_cycles = 7 * 3600 * 2 + 5,
				 .life_cycles = 7000, .ram_bytes = 3ull << 30 };
	p = (struct bill_prices){ .vcpu_hour = 1000, .gib_hour = 7 };
	bill_compute(&u, &p, &b);
	/* (50400 + 5) cycles at 7 kHz = 7200.714285714 ms */
	assert_int_equal(b.vcpu_s, 7200714285ull);
	/* 3 GiB for 1 s = 3 / 3600 GiB-h = 833333.33 nano */
	assert_int_equal(b.mem_gib_h, 833333);
	assert_int_equal(b.cost_vcpu, 2000);		/* (50405 * 1000) / 25200 = 2000.198 */
	assert_int_equal(b.cost_mem, 5);		/* 3 * 7000 * 7 / (3600 * 7) = 5.83 */
	assert_int_equal(b.cost, 2005);
}

static void test_zero_lifetime_and_clock(void **state)
{
	struct bill_usage u = { .tsc_khz = KHZ, .cpu_cycles = 0, .life_cycles = 0,
				.ram_bytes = 1ull << 40, .disk_bytes = 1ull << 40 };
	struct bill_prices p = { .vcpu_hour = 5, .gib_hour = 5, .disk_gib_hour = 5 };
	struct bill b;

	(void)state;
	bill_compute(&u, &p, &b);
	assert_int_equal(b.mem_gib_h, 0);
	assert_int_equal(b.disk_gib_h, 0);
	assert_int_equal(b.cost, 0);

	u.tsc_khz = 0;			/* no clock: no time-based figure, no division by 0 */
	u.cpu_cycles = u.life_cycles = 12345;
	u.net_rx_bytes = 1ull << 30;
	p.net_gib = 7;
	bill_compute(&u, &p, &b);
	assert_int_equal(b.vcpu_s, 0);
	assert_int_equal(b.life_s, 0);
	assert_int_equal(b.mem_gib_h, 0);
	assert_int_equal(b.cost, 7000);
}

/* Products far past 64 bits come out exact, and results past 64 bits saturate. */
static void test_huge_values(void **state)
{
	struct bill_usage u = { .tsc_khz = KHZ, .cpu_cycles = UINT64_MAX,
				.life_cycles = 1000 * HOUR, .ram_bytes = 64ull << 30,
				.disk_bytes = 64ull << 30, .net_rx_bytes = UINT64_MAX,
				.net_tx_bytes = 1 };
	struct bill_prices p = { .vcpu_hour = UINT64_MAX, .gib_hour = 1000000, .net_gib = 2000000 };
	struct bill b;

	(void)state;
	bill_compute(&u, &p, &b);
	/* 2^64 - 1 cycles at 2 GHz: 9223372036.854775807 s */
	assert_int_equal(b.vcpu_s, 9223372036854775807ull);
	assert_int_equal(b.mem_gib_h, 64000 * BILL_NANO);	/* 64 GiB for 1000 h */
	assert_int_equal(b.cost_mem, 64000 * 1000000000ull);	/* 1 unit a GiB-hour */
	assert_int_equal(b.cost_vcpu, UINT64_MAX);		/* price clamped, sum saturates */
	assert_int_equal(b.cost_net, UINT64_MAX);
	assert_int_equal(b.cost, UINT64_MAX);

	/* A 4 THz clock and more: clamped, still exact below the clamp. */
	u = (struct bill_usage){ .tsc_khz = UINT64_MAX, .cpu_cycles = UINT64_MAX,
				 .life_cycles = UINT64_MAX, .ram_bytes = UINT64_MAX };
	p = (struct bill_prices){ .gib_hour = BILL_PRICE_MAX };
	bill_compute(&u, &p, &b);
	assert_int_equal(b.vcpu_s, UINT64_MAX / UINT32_MAX * 1000000ull +
			 (UINT64_MAX % UINT32_MAX) * 1000000ull / UINT32_MAX);
	assert_int_equal(b.mem_gib_h, UINT64_MAX);
	assert_int_equal(b.cost_mem, UINT64_MAX);
}

static void test_add_and_fixed(void **state)
{
	struct bill t = { 0 }, a = { .vcpu_s = 5, .cost = UINT64_MAX - 1, .net_tx_bytes = 9 };
	char buf[32];

	(void)state;
	bill_add(&t, &a);
	bill_add(&t, &a);
	assert_int_equal(t.vcpu_s, 10);
	assert_int_equal(t.net_tx_bytes, 18);
	assert_int_equal(t.cost, UINT64_MAX);
	assert_int_equal(t.mem_gib_h, 0);
	assert_string_equal(bill_fixed(0, buf, sizeof(buf)), "0.000000000");
	assert_string_equal(bill_fixed(1, buf, sizeof(buf)), "0.000000001");
	assert_string_equal(bill_fixed(12345678901ull, buf, sizeof(buf)), "12.345678901");
	assert_string_equal(bill_fixed(UINT64_MAX, buf, sizeof(buf)), "18446744073.709551615");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_units),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_zero_lifetime_and_clock),
		cmocka_unit_test(test_huge_values),
		cmocka_unit_test(test_add_and_fixed),
	};

	return cmocka_run_group_tests_name("bill", tests, NULL, NULL);
}
