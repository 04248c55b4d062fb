/* SPDX-License-Identifier: MIT */
/*
 * The bill: what a domain used, in billing units, and what it costs at the
 * prices of Tally's command line (docs/BILLING.md).  Pure integer
 * arithmetic: every figure is a fixed-point number in billionths (nano
 * units), rounded down, saturating at UINT64_MAX.
 */
#ifndef TALLY_BILL_H
#define TALLY_BILL_H

#include <tally/types.h>

#define BILL_NANO		((uint64_t)1000000000)	/* fixed-point scale of every figure */
#define BILL_PRICE_MAX		((uint64_t)1000000000000)	/* price_*= at most (micro-units) */

/* What a domain used in one life, from its counters. */
struct bill_usage {
	uint64_t tsc_khz;		/* TSC ticks per millisecond */
	uint64_t cpu_cycles;		/* its vCPUs' run time */
	uint64_t hv_cycles;		/* hypervisor time attributed to it */
	uint64_t life_cycles;		/* from its creation to its end (or now) */
	uint64_t ram_bytes;
	uint64_t disk_bytes;		/* 0: no disk */
	uint64_t disk_reads, disk_read_bytes, disk_writes, disk_write_bytes;
	uint64_t net_rx_bytes, net_tx_bytes;
};

/* Prices in micro-units of a currency (`price_*=` options); 0: free. */
struct bill_prices {
	uint64_t vcpu_hour;		/* per vCPU-hour of run time */
	uint64_t gib_hour;		/* per GiB-hour of RAM */
	uint64_t disk_gib_hour;		/* per GiB-hour of disk */
	uint64_t net_gib;		/* per GiB sent or received */
};

/* One bill (or a sum of them): figures in nano units, counters as they are. */
struct bill {
	uint64_t vcpu_s, hv_s, life_s;		/* seconds x BILL_NANO */
	uint64_t life_cycles;			/* its life in TSC cycles, as counted */
	uint64_t mem_gib_h, disk_gib_h;		/* GiB-hours x BILL_NANO */
	uint64_t disk_reads, disk_read_bytes, disk_writes, disk_write_bytes;
	uint64_t net_rx_bytes, net_tx_bytes;
	/* Currency units x BILL_NANO (prices are micro-units: x 1000 each). */
	uint64_t cost_vcpu, cost_mem, cost_disk, cost_net;
	uint64_t cost;				/* the four parts' sum */
};

/* @u billed at @p into @out; a zero tsc_khz makes every time-based figure 0. */
void bill_compute(const struct bill_usage *u, const struct bill_prices *p, struct bill *out);

/* Add @b into @total, figure by figure, saturating. */
void bill_add(struct bill *total, const struct bill *b);

/* @n (nano units) as "I.FFFFFFFFF" into @buf (room for @len bytes); returns @buf. */
char *bill_fixed(uint64_t n, char *buf, size_t len);

/* The kernel's side (kernel/bill_report.c). */
struct domain;

/* @d's bill for its life so far (to its end if it ended) at the command line's prices. */
void bill_of_domain(const struct domain *d, struct bill *out);

/* Log @d's `bill: dN NAME ...` lines as its life ends, and add them to the total. */
void bill_log_domain(const struct domain *d);
/*
 * How many of @d's guest-reported figures Tally found consistent,
 * contradicted or could not check (tally/metric_check.h), indexed by
 * enum metric_trust: the bill says how far the guest's own word was borne
 * out by what Tally measured.
 */
void bill_guest_trust(const struct domain *d, uint64_t counts[3]);

/* Log the `bill: total ...` lines: every domain's lives so far. */
void bill_log_total(void);

#endif
