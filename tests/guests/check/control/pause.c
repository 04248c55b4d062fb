/* SPDX-License-Identifier: MIT */
/* control's pause check: paused domains' counters stand still; unpaused, they run on. */
#include "control.h"

#define TIMER_VECTOR		0x40

static struct tally_counters before[MAX_LISTED] __attribute__((aligned(8)));
static struct tally_counters after[MAX_LISTED] __attribute__((aligned(8)));
static struct tally_domain_info relist[MAX_LISTED] __attribute__((aligned(8)));
static struct tally_vcpu_counters vcpus[MAX_VCPUS] __attribute__((aligned(8)));
static struct tally_cpu_counters cpus[MAX_CPUS] __attribute__((aligned(8)));

static bool pausable(const struct tally_domain_info *d, uint32_t self)
{
	return d->domain_id != self && !(d->flags & TALLY_DOMAIN_DEAD);
}

/* The counters a test compares with the console table and the JSON stream, on one line. */
static void print_paused(const struct tally_domain_info *d, const struct tally_counters *c)
{
	printk("control: paused d%u %s generation=%llu cpu_cycles=%llu exits=%llu slices=%llu "
	       "halts=%llu io=%llu\n", d->domain_id, d->name, c->generation, c->cpu_cycles,
	       c->exits_total, c->slices, c->halts, c->io_port_accesses);
}

/* A paused domain's vCPUs add up to its counters exactly: nothing moves between the calls. */
static void check_vcpu_sum(const struct tally_domain_info *d, const struct tally_counters *c)
{
	int32_t n = tally_vcpu_counters(d->domain_id, vcpus, MAX_VCPUS);
	uint64_t cycles = 0, exits = 0, gens = 0;

	for (int32_t i = 0; i < n && i < MAX_VCPUS; i++) {
		cycles += vcpus[i].cpu_cycles;
		exits += vcpus[i].exits_total;
		gens += vcpus[i].generation;
	}
	guest_check(n == (int32_t)d->vcpus && cycles == c->cpu_cycles && exits == c->exits_total &&
		    gens == c->generation,
		    "VCPU_COUNTERS of %s: %d vCPUs adding up to cpu_cycles=%llu exits=%llu "
		    "generation=%llu", d->name, n, cycles, exits, gens);
}

/* Each physical CPU's time, as the control domain sees it. */
static void print_cpus(void)
{
	int32_t n = tally_cpu_counters(cpus, MAX_CPUS);

	guest_check(n >= 1, "CPU_COUNTERS: %d CPUs", n);
	for (int32_t i = 0; i < n && i < MAX_CPUS; i++)
		printk("control: cpu%u vcpus=%u guest_cycles=%llu hypervisor_cycles=%llu "
		       "idle_cycles=%llu switches=%llu\n", cpus[i].cpu, cpus[i].vcpus,
		       cpus[i].guest_cycles, cpus[i].hypervisor_cycles, cpus[i].idle_cycles,
		       cpus[i].switches);
}

/* Every pausable domain of the list is shown paused by a fresh DOMAIN_LIST. */
static void check_flags(const struct tally_domain_info *list, int32_t n, uint32_t self)
{
	int32_t m = tally_domain_list(relist, MAX_LISTED);

	for (int32_t i = 0; i < n && i < m && i < MAX_LISTED; i++)
		if (pausable(&list[i], self))
			guest_check(relist[i].flags & TALLY_DOMAIN_PAUSED,
				    "DOMAIN_LIST shows %s paused (flags 0x%x)", relist[i].name,
				    relist[i].flags);
}

/* Generations of the pausable domains, summed over @c. */
static uint64_t generations(const struct tally_domain_info *list, int32_t n, uint32_t self,
			    const struct tally_counters *c)
{
	uint64_t sum = 0;

	for (int32_t i = 0; i < n && i < MAX_LISTED; i++)
		if (pausable(&list[i], self))
			sum += c[i].generation;
	return sum;
}

static void check_refusals(uint32_t self)
{
	int32_t r = tally_domain_pause(self);

	guest_check(r == -TALLY_EINVAL, "DOMAIN_PAUSE of itself: %d (-EINVAL)", r);
	r = tally_domain_unpause(self);
	guest_check(r == -TALLY_EINVAL, "DOMAIN_UNPAUSE of itself: %d (-EINVAL)", r);
	r = tally_domain_pause(NO_SUCH_DOMAIN);
	guest_check(r == -TALLY_ENOENT, "DOMAIN_PAUSE of d%u: %d (-ENOENT)", NO_SUCH_DOMAIN, r);
}

void control_pause_storm(uint32_t target, uint32_t rounds)
{
	uint64_t last = 0;
	uint32_t still = 0, grew = 0;

	for (uint32_t r = 0; r < rounds; r++) {
		if (tally_domain_pause(target) != 0)
			break;
		tally_domain_counters_of(target, &before[0]);
		tally_domain_counters_of(target, &after[0]);
		still += !memcmp(&before[0], &after[0], sizeof(after[0]));
		grew += before[0].generation >= last;
		last = before[0].generation;
		if (tally_domain_unpause(target) != 0)
			break;
	}
	guest_check(still == rounds && grew == rounds,
		    "pause storm of d%u: %u rounds, %u still while paused, %u never went back "
		    "(generation %llu)", target, rounds, still, grew, last);
}

void control_pause_check(const struct tally_domain_info *list, int32_t n, uint32_t self,
			 uint32_t pause_ms)
{
	uint64_t paused_gens, later_gens;

	if (!sleep_init(TIMER_VECTOR))
		return;
	check_refusals(self);
	for (int32_t i = 0; i < n && i < MAX_LISTED; i++) {
		if (!pausable(&list[i], self))
			continue;
		guest_check(tally_domain_pause(list[i].domain_id) == 0 &&
			    tally_domain_pause(list[i].domain_id) == 0,
			    "DOMAIN_PAUSE of %s, twice: 0", list[i].name);
		tally_domain_counters_of(list[i].domain_id, &before[i]);
		print_paused(&list[i], &before[i]);
		check_vcpu_sum(&list[i], &before[i]);
	}
	check_flags(list, n, self);
	print_cpus();
	sleep_us(pause_ms * 1000);
	for (int32_t i = 0; i < n && i < MAX_LISTED; i++) {
		if (!pausable(&list[i], self))
			continue;
		tally_domain_counters_of(list[i].domain_id, &after[i]);
		guest_check(!memcmp(&before[i], &after[i], sizeof(after[i])),
			    "%s stood still for %u ms paused: generation %llu then %llu", list[i].name,
			    pause_ms, before[i].generation, after[i].generation);
		guest_check(tally_domain_unpause(list[i].domain_id) == 0 &&
			    tally_domain_unpause(list[i].domain_id) == 0,
			    "DOMAIN_UNPAUSE of %s, twice: 0", list[i].name);
	}
	paused_gens = generations(list, n, self, after);
	sleep_us(pause_ms * 1000);
	for (int32_t i = 0; i < n && i < MAX_LISTED; i++)
		if (pausable(&list[i], self))
			tally_domain_counters_of(list[i].domain_id, &after[i]);
	later_gens = generations(list, n, self, after);
	guest_check(later_gens > paused_gens, "unpaused, the domains ran on: generations %llu then %llu",
		    paused_gens, later_gens);
}
