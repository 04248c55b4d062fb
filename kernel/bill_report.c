/* SPDX-License-Identifier: MIT */
/* Each domain's bill from its counters, logged as it ends, and the run's total. */
#include <tally/arch.h>
#include <tally/bill.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/metric_check.h>
#include <tally/options.h>
#include <tally/sched.h>
#include <tally/spinlock.h>
#include <tally/vblk.h>
#include <tally/vnet.h>

#define FIXED_CHARS	24	/* "18446744073.709551615" and a NUL */

/* Domains end on any CPU: the total is summed under a lock. */
static struct spinlock total_lock = SPINLOCK_INIT;
static struct bill total;
static uint64_t total_lives;
static uint64_t total_trust[3];		/* guest figures by enum metric_trust */

static void log_trust(const char *who, const uint64_t trust[3])
{
	log_info("bill: %s guest_consistent=%lu guest_contradicted=%lu guest_unchecked=%lu", who,
		 trust[METRIC_CONSISTENT], trust[METRIC_CONTRADICTED], trust[METRIC_UNCHECKED]);
}

/* @d's present life (the domain's lives are billed one by one). */
static void usage_of(const struct domain *d, struct bill_usage *u)
{
	uint64_t end = __atomic_load_n(&d->ended_tsc, __ATOMIC_ACQUIRE);
	uint64_t hv = domain_hypervisor_cycles(d);
	struct vblk_snapshot b;
	struct vnet_snapshot n;

	*u = (struct bill_usage){ .tsc_khz = arch_tsc_khz(), .ram_bytes = d->ram_bytes,
				  .hv_cycles = hv > d->hv_cycles_base ? hv - d->hv_cycles_base : 0 };
	if (!end)
		end = arch_read_tsc();
	/* created_tsc is 0 while a restart rebuilds the domain: no life yet. */
	u->life_cycles = d->created_tsc && end > d->created_tsc ? end - d->created_tsc : 0;
	for (unsigned int i = 0; i < d->vcpu_count; i++)
		u->cpu_cycles += d->vcpus[i]->se.stats.run_cycles;
	if (!domain_counters_disk(d, &b)) {
		u->disk_bytes = b.bytes;
		u->disk_reads = b.c.read_requests;
		u->disk_read_bytes = b.c.read_bytes;
		u->disk_writes = b.c.write_requests;
		u->disk_write_bytes = b.c.write_bytes;
	}
	if (!domain_counters_net(d, &n)) {
		u->net_rx_bytes = n.c.rx_bytes;
		u->net_tx_bytes = n.c.tx_bytes;
	}
}

void bill_of_domain(const struct domain *d, struct bill *out)
{
	struct bill_usage u;

	usage_of(d, &u);
	bill_compute(&u, &options.prices, out);
}

/*
 * Four lines of one bill after @who ("dN NAME" or "total"): with a
 * 31-character name and 20-digit figures one line would not fit a log line.
 */
static void log_bill(const char *who, const struct bill *b)
{
	char f[5][FIXED_CHARS];

	log_info("bill: %s vcpu_s=%s hv_s=%s life_s=%s mem_gib_h=%s disk_gib_h=%s", who,
		 bill_fixed(b->vcpu_s, f[0], FIXED_CHARS), bill_fixed(b->hv_s, f[1], FIXED_CHARS),
		 bill_fixed(b->life_s, f[2], FIXED_CHARS),
		 bill_fixed(b->mem_gib_h, f[3], FIXED_CHARS),
		 bill_fixed(b->disk_gib_h, f[4], FIXED_CHARS));
	log_info("bill: %s disk_reads=%lu disk_read_bytes=%lu disk_writes=%lu "
		 "disk_write_bytes=%lu", who, b->disk_reads, b->disk_read_bytes, b->disk_writes,
		 b->disk_write_bytes);
	log_info("bill: %s net_rx_bytes=%lu net_tx_bytes=%lu life_cycles=%lu", who,
		 b->net_rx_bytes, b->net_tx_bytes, b->life_cycles);
	log_info("bill: %s cost=%s cost_vcpu=%s cost_mem=%s cost_disk=%s cost_net=%s", who,
		 bill_fixed(b->cost, f[0], FIXED_CHARS), bill_fixed(b->cost_vcpu, f[1], FIXED_CHARS),
		 bill_fixed(b->cost_mem, f[2], FIXED_CHARS),
		 bill_fixed(b->cost_disk, f[3], FIXED_CHARS),
		 bill_fixed(b->cost_net, f[4], FIXED_CHARS));
}

void bill_guest_trust(const struct domain *d, uint64_t counts[3])
{
	counts[METRIC_UNCHECKED] = counts[METRIC_CONSISTENT] = counts[METRIC_CONTRADICTED] = 0;
	for (unsigned int i = 0; i < DOMAIN_MAX_METRICS; i++)
		if (d->metrics[i].used && d->metrics[i].trust <= METRIC_CONTRADICTED)
			counts[d->metrics[i].trust]++;
}

void bill_log_domain(const struct domain *d)
{
	char who[DOMAIN_NAME_MAX + 16];
	uint64_t trust[3];
	struct bill b;
	unsigned long flags;

	bill_of_domain(d, &b);
	fmt_snprintf(who, sizeof(who), "d%u %s", d->id, d->name);
	log_bill(who, &b);
	bill_guest_trust(d, trust);
	log_trust(who, trust);
	flags = spin_lock_irqsave(&total_lock);
	bill_add(&total, &b);
	total_lives++;
	for (unsigned int i = 0; i < 3; i++)
		total_trust[i] += trust[i];
	spin_unlock_irqrestore(&total_lock, flags);
}

void bill_log_total(void)
{
	struct bill t;
	uint64_t trust[3];
	char who[32];
	unsigned long flags;

	flags = spin_lock_irqsave(&total_lock);
	t = total;
	for (unsigned int i = 0; i < 3; i++)
		trust[i] = total_trust[i];
	fmt_snprintf(who, sizeof(who), "total lives=%lu", total_lives);
	spin_unlock_irqrestore(&total_lock, flags);
	log_bill(who, &t);
	log_trust(who, trust);
}
