/* SPDX-License-Identifier: MIT */
/* TSC and local APIC timer calibration against the PIT, and the periodic tick. */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/pit.h>
#include <tally/arch.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/options.h>
#include <tally/percpu.h>

#define CALIBRATE_PIT_COUNT	59659u	/* ~50 ms */
#define CALIBRATE_ROUNDS	3
/* Polls of port 0x61 before deciding the PIT is not there. */
#define PIT_POLL_LIMIT		(1u << 26)
#define SELFTEST_PERIOD_MS	10
#define SELFTEST_TICKS		10
/*
 * TSC cycles beyond which a one shot waits as long as its count register
 * allows: minutes at any TSC rate, and wait * lapic_khz stays in 64 bits
 * for APIC timers up to 16 GHz.
 */
#define ONESHOT_WAIT_MAX	(1ull << 40)

static uint64_t tsc_khz;
static uint64_t lapic_khz;
/* Per CPU: its APIC timer was last armed as a one shot, not the periodic tick. */
static bool oneshot_armed[MAX_CPUS];

struct calibration {
	uint64_t tsc;
	uint64_t lapic;
};

/* One PIT interval: TSC cycles and APIC timer ticks elapsed; false if no PIT. */
static bool calibrate_once(struct calibration *c)
{
	uint64_t tsc0, polls = 0;
	uint32_t apic0;

	lapic_timer_start_free_running(UINT32_MAX);
	pit_oneshot_start(CALIBRATE_PIT_COUNT);
	tsc0 = rdtsc();
	apic0 = lapic_timer_current();
	while (!pit_oneshot_done())
		if (++polls > PIT_POLL_LIMIT)
			return false;
	c->tsc = rdtsc() - tsc0;
	c->lapic = apic0 - lapic_timer_current();
	lapic_timer_stop();
	/* A missing PIT reads as all-ones: "done" at once. */
	return polls > 0 && c->tsc > 0;
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
	if ((a <= b && b <= c) || (c <= b && b <= a))
		return b;
	if ((b <= a && a <= c) || (c <= a && a <= b))
		return a;
	return c;
}

static int calibrate_pit(void)
{
	struct calibration c[CALIBRATE_ROUNDS];
	uint64_t to_khz = (uint64_t)CALIBRATE_PIT_COUNT * 1000;

	for (int i = 0; i < CALIBRATE_ROUNDS; i++)
		if (!calibrate_once(&c[i]))
			return -ENODEV;
	tsc_khz = median3(c[0].tsc, c[1].tsc, c[2].tsc) * PIT_HZ / to_khz;
	lapic_khz = median3(c[0].lapic, c[1].lapic, c[2].lapic) * PIT_HZ / to_khz;
	return 0;
}

/* CPUID 0x15 gives the crystal clock, which also drives the APIC timer (SDM 18.7.3). */
static int calibrate_cpuid(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	if (r.eax < 0x15)
		return -ENODEV;
	r = cpuid(0x15, 0);
	if (!r.eax || !r.ebx || !r.ecx)
		return -ENODEV;
	lapic_khz = r.ecx / 1000;
	tsc_khz = (uint64_t)r.ecx * r.ebx / r.eax / 1000;
	return 0;
}

/*
 * Run the periodic tick for SELFTEST_TICKS periods and report how long they
 * took by the TSC: proof that the tick fires, at the calibrated rate.
 * Spins rather than halts, so a tick that never comes cannot hang the boot.
 */
static void periodic_selftest(void)
{
	uint64_t start_ticks = lapic_timer_ticks();
	uint64_t expected_us = SELFTEST_PERIOD_MS * SELFTEST_TICKS * 1000ull;
	uint64_t start, give_up, elapsed, ticks;

	start = rdtsc();
	give_up = start + 3 * tsc_khz * expected_us / 1000;
	arch_timer_set_periodic(SELFTEST_PERIOD_MS);
	irq_enable();
	do {
		cpu_relax();
		ticks = lapic_timer_ticks() - start_ticks;
	} while (ticks < SELFTEST_TICKS && rdtsc() < give_up);
	elapsed = rdtsc() - start;
	irq_disable();
	lapic_timer_stop();
	log_info("timer: periodic check ticks=%lu elapsed_us=%lu expected_us=%lu",
		 ticks, elapsed * 1000 / tsc_khz, expected_us);
}

int arch_timer_init(void)
{
	const char *source = "pit";

	lapic_init_cpu();
	this_cpu()->apic_id = lapic_id();
	if (calibrate_pit() < 0) {
		source = "cpuid";
		if (calibrate_cpuid() < 0) {
			log_err("timer: no PIT and no CPUID 0x15 clock: cannot calibrate");
			return -ENODEV;
		}
		log_warn("timer: no PIT found; trusting CPUID leaf 0x15");
	}
	log_info("timer: tsc_khz=%lu lapic_khz=%lu source=%s", tsc_khz, lapic_khz, source);
	periodic_selftest();
	return 0;
}

int arch_timer_set_periodic(unsigned int ms)
{
	uint64_t ticks = lapic_khz * ms;

	if (!ticks || ticks > UINT32_MAX)
		return -ERANGE;
	lapic_timer_periodic((uint32_t)ticks);
	oneshot_armed[this_cpu()->id] = false;
	return 0;
}

void arch_timer_oneshot_at(uint64_t deadline)
{
	uint64_t now = rdtsc(), wait, ticks = 1;

	/*
	 * Whole APIC ticks rounded up, plus one: the first may come at once.
	 * Firing early would find nothing due; a wait too long for the count
	 * register fires at its end, and the next event is armed then.
	 */
	if (deadline > now) {
		wait = deadline - now;
		ticks = wait > ONESHOT_WAIT_MAX ? UINT32_MAX :
			(wait * lapic_khz + tsc_khz - 1) / tsc_khz + 1;
	}
	lapic_timer_oneshot((uint32_t)MIN(ticks, UINT32_MAX));
	oneshot_armed[this_cpu()->id] = true;
}

void arch_idle_until(uint64_t deadline)
{
	/*
	 * One shot at the deadline, then back to the periodic tick.  Without
	 * a deadline, the tick (the boot CPU's chores), which the one shots
	 * of the LAPIC-timer mode may have replaced.
	 */
	if (deadline != UINT64_MAX)
		arch_timer_oneshot_at(deadline);
	else if (oneshot_armed[this_cpu()->id])
		arch_timer_set_periodic(options.sched_slice_ms);
	irq_enable_and_halt();
	irq_disable();
	if (deadline != UINT64_MAX)
		arch_timer_set_periodic(options.sched_slice_ms);
}

uint64_t arch_tsc_khz(void)
{
	return tsc_khz;
}

void arch_udelay(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_khz * us / 1000;

	while (rdtsc() < end)
		cpu_relax();
}
