/* SPDX-License-Identifier: MIT */
/* The bill's arithmetic (see tally/bill.h): no floating point in the kernel. */
#include <tally/bill.h>
#include <tally/fmt.h>

typedef unsigned __int128 u128;

#define SEC_PER_HOUR	3600ull
#define NS_PER_MS	1000000ull

/*
 * @n / @d by shifts and subtractions, the rest into @rem: the kernel links
 * no libgcc for the compiler's 128-bit division.
 */
static u128 div128(u128 n, u128 d, u128 *rem)
{
	u128 q = 0, r = 0;

	for (int i = 127; i >= 0; i--) {
		r = r << 1 | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= (u128)1 << i;
		}
	}
	*rem = r;
	return q;
}

static uint64_t saturate(u128 v)
{
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/*
 * floor(a * b * c / div) without overflow: a * b fits 128 bits; splitting
 * it by @div keeps the rest times @c small (div < 2^80, c <= 2^40).
 */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c, u128 div)
{
	u128 ab = (u128)a * b, q, r;

	if (!div)
		return 0;
	q = div128(ab, div, &r);
	if (q > UINT64_MAX)
		return c ? UINT64_MAX : 0;
	return saturate(q * c + div128(r * c, div, &r));
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t price(uint64_t p)
{
	return p > BILL_PRICE_MAX ? BILL_PRICE_MAX : p;
}

void bill_compute(const struct bill_usage *u, const struct bill_prices *p, struct bill *out)
{
	/* Clamped to 4 THz so that muldiv()'s divisors stay below 2^80. */
	u128 khz = u->tsc_khz > UINT32_MAX ? UINT32_MAX : u->tsc_khz;
	u128 gib_h = (u128)GIB * SEC_PER_HOUR * khz;	/* byte-cycles in a GiB-hour / 1000 */

	*out = (struct bill){
		.disk_reads = u->disk_reads, .disk_read_bytes = u->disk_read_bytes,
		.disk_writes = u->disk_writes, .disk_write_bytes = u->disk_write_bytes,
		.net_rx_bytes = u->net_rx_bytes, .net_tx_bytes = u->net_tx_bytes,
		.life_cycles = u->life_cycles,
	};
	/* cycles / (khz * 1000) seconds, in nanoseconds: cycles * 10^6 / khz. */
	out->vcpu_s = muldiv(u->cpu_cycles, NS_PER_MS, 1, khz);
	out->hv_s = muldiv(u->hv_cycles, NS_PER_MS, 1, khz);
	out->life_s = muldiv(u->life_cycles, NS_PER_MS, 1, khz);
	out->mem_gib_h = muldiv(u->ram_bytes, u->life_cycles, NS_PER_MS, gib_h);
	out->disk_gib_h = muldiv(u->disk_bytes, u->life_cycles, NS_PER_MS, gib_h);
	/* Micro-units x 1000 = nano: a price per hour over cycles / (khz * 3.6 * 10^6). */
	out->cost_vcpu = muldiv(u->cpu_cycles, price(p->vcpu_hour), 1, khz * SEC_PER_HOUR);
	out->cost_mem = muldiv(u->ram_bytes, u->life_cycles, price(p->gib_hour), gib_h);
	out->cost_disk = muldiv(u->disk_bytes, u->life_cycles, price(p->disk_gib_hour), gib_h);
	out->cost_net = muldiv(add_sat(u->net_rx_bytes, u->net_tx_bytes), price(p->net_gib),
			       1000, GIB);
	out->cost = add_sat(add_sat(out->cost_vcpu, out->cost_mem),
			    add_sat(out->cost_disk, out->cost_net));
}

void bill_add(struct bill *total, const struct bill *b)
{
	uint64_t *t = (uint64_t *)total;
	const uint64_t *f = (const uint64_t *)b;

	/* struct bill is uint64_t fields only: add them as an array. */
	for (size_t i = 0; i < sizeof(*b) / sizeof(uint64_t); i++)
		t[i] = add_sat(t[i], f[i]);
}

char *bill_fixed(uint64_t n, char *buf, size_t len)
{
	fmt_snprintf(buf, len, "%lu.%09lu", n / BILL_NANO, n % BILL_NANO);
	return buf;
}
