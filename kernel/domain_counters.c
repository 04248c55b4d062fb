/* SPDX-License-Identifier: MIT */
/* A domain's counters in the public layout, for hypercalls, the stream and the console. */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/domain_counters.h>
#include <tally/sched.h>
#include <tally/spinlock.h>
#include <tally/string.h>
#include <tally/vblk.h>
#include <tally/vnet.h>

/*
 * A domain's devices' counters as its last life ended, so that an ended
 * domain keeps them as it keeps its vCPUs' (the devices themselves are
 * freed with its RAM).  Written once per life, read by any CPU: a lock.
 */
struct domain_final {
	bool net, blk;
	struct vnet_snapshot n;
	struct vblk_snapshot b;
	uint64_t hv_cycles;		/* hypervisor time of its ended lives */
	unsigned int hv_lives;		/* lives in hv_cycles (restarts + 1 of the last) */
};

#define HV_LIVES_BUSY	(~0u)		/* hv_cycles is being written */

static struct spinlock finals_lock = SPINLOCK_INIT;

uint64_t domain_counters_final_bytes(void)
{
	return sizeof(struct domain_final);
}

/* What one vCPU contributes, copied while its CPU updates none of it. */
struct vcpu_sample {
	struct sched_stats stats;
	uint64_t updates;
	uint64_t io;
	uint64_t exits[TALLY_EXIT_REASONS];
};

static void sample_vcpu(const struct vcpu *v, struct vcpu_sample *out)
{
	uint64_t seq;

	do {
		seq = sched_counters_read_begin(v->pcpu);
		out->stats = v->se.stats;
		out->updates = v->counter_updates;
		out->io = arch_vcpu_io_accesses(v);
		arch_vcpu_copy_exits(v, out->exits, TALLY_EXIT_REASONS);
	} while (sched_counters_read_retry(v->pcpu, seq));
}

void vcpu_counters(const struct vcpu *v, struct tally_vcpu_counters *out)
{
	struct vcpu_sample s;

	sample_vcpu(v, &s);
	out->domain_id = v->domain->id;
	out->vcpu_id = v->id;
	out->pcpu = v->pcpu;
	out->generation = s.updates;
	out->cpu_cycles = s.stats.run_cycles;
	out->cpu_ns = s.stats.run_cycles * 1000000 / arch_tsc_khz();
	out->slices = s.stats.slices;
	out->preemptions = s.stats.preemptions;
	out->halts = s.stats.halts;
	out->wakeups = s.stats.wakeups;
	out->donated_cycles = s.stats.donated_cycles;
	out->received_cycles = s.stats.received_cycles;
	for (unsigned int r = 0; r < TALLY_EXIT_REASONS; r++) {
		out->exits_by_reason[r] = s.exits[r];
		out->exits_total += s.exits[r];
	}
	out->io_port_accesses = s.io;
}

/* The hypervisor time of @d's present life's vCPUs (each one moment). */
static uint64_t life_hypervisor_cycles(const struct domain *d)
{
	uint64_t sum = 0;
	struct vcpu_sample s;

	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		sample_vcpu(d->vcpus[i], &s);
		sum += s.stats.hypervisor_cycles;
	}
	return sum;
}

/*
 * Each life's vCPUs are new (zeroed): the ended lives' part is kept in
 * d->final as each ends, and the present life's is added while it lasts.
 */
uint64_t domain_hypervisor_cycles(const struct domain *d)
{
	const struct domain_final *f = d->final;
	unsigned int lives;
	uint64_t ended;

	/* No lock: the count is HV_LIVES_BUSY while the sum changes (a sequence count). */
	do {
		lives = __atomic_load_n(&f->hv_lives, __ATOMIC_ACQUIRE);
		ended = __atomic_load_n(&f->hv_cycles, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (lives == HV_LIVES_BUSY || __atomic_load_n(&f->hv_lives, __ATOMIC_RELAXED) != lives);
	return lives == d->restarts + 1 ? ended : ended + life_hypervisor_cycles(d);
}

void domain_counters_keep_devices(const struct domain *d)
{
	struct domain_final f = { 0 };
	uint64_t life = life_hypervisor_cycles(d);
	unsigned long flags;

	f.net = !vnet_snapshot(d, &f.n);
	f.blk = !vblk_snapshot(d, &f.b);
	flags = spin_lock_irqsave(&finals_lock);
	f.hv_cycles = d->final->hv_cycles;
	f.hv_lives = d->final->hv_lives;
	*d->final = f;
	__atomic_store_n(&d->final->hv_lives, HV_LIVES_BUSY, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&d->final->hv_cycles, f.hv_cycles + life, __ATOMIC_RELAXED);
	__atomic_store_n(&d->final->hv_lives, d->restarts + 1, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&finals_lock, flags);
}

int domain_counters_net(const struct domain *d, struct vnet_snapshot *out)
{
	unsigned long flags;
	int r = vnet_snapshot(d, out);

	if (!r)
		return 0;
	flags = spin_lock_irqsave(&finals_lock);
	if (d->final->net) {
		*out = d->final->n;
		r = 0;
	}
	spin_unlock_irqrestore(&finals_lock, flags);
	return r;
}

int domain_counters_disk(const struct domain *d, struct vblk_snapshot *out)
{
	unsigned long flags;
	int r = vblk_snapshot(d, out);

	if (!r)
		return 0;
	flags = spin_lock_irqsave(&finals_lock);
	if (d->final->blk) {
		*out = d->final->b;
		r = 0;
	}
	spin_unlock_irqrestore(&finals_lock, flags);
	return r;
}

/*
 * The NIC's and disk's parts (zero without them), each read as one moment
 * under its device's lock.  They change on other domains' exits too (a
 * frame delivered to @d), so their packets and requests join the
 * generation: the byte counts move only with those.
 */
static void device_counters(const struct domain *d, struct tally_counters *out)
{
	struct vnet_snapshot n;
	struct vblk_snapshot b;

	if (!domain_counters_net(d, &n)) {
		out->net_rx_bytes = n.c.rx_bytes;
		out->net_rx_packets = n.c.rx_packets;
		out->net_tx_bytes = n.c.tx_bytes;
		out->net_tx_packets = n.c.tx_packets;
		out->generation += n.c.rx_packets + n.c.tx_packets;
	}
	if (!domain_counters_disk(d, &b)) {
		out->disk_read_requests = b.c.read_requests;
		out->disk_read_bytes = b.c.read_bytes;
		out->disk_write_requests = b.c.write_requests;
		out->disk_write_bytes = b.c.write_bytes;
		out->generation += b.c.read_requests + b.c.write_requests;
	}
}

void domain_counters(const struct domain *d, struct tally_counters *out)
{
	struct vcpu_sample s;

	out->domain_id = d->id;
	for (unsigned int i = 0; i < d->vcpu_count; i++) {
		sample_vcpu(d->vcpus[i], &s);
		out->generation += s.updates;
		out->cpu_cycles += s.stats.run_cycles;
		out->slices += s.stats.slices;
		out->halts += s.stats.halts;
		out->wakeups += s.stats.wakeups;
		out->io_port_accesses += s.io;
		for (unsigned int r = 0; r < TALLY_EXIT_REASONS; r++) {
			out->exits_by_reason[r] += s.exits[r];
			out->exits_total += s.exits[r];
		}
	}
	out->cpu_ns = out->cpu_cycles * 1000000 / arch_tsc_khz();
	out->mem_allocated_bytes = d->ram_bytes;
	device_counters(d, out);
}
