/* SPDX-License-Identifier: MIT */
/* sleeper: the x2APIC timer in one-shot, periodic and TSC-deadline mode wakes STI;HLT on time. */
#include "guest.h"

#define DEFAULT_PERIOD_US	2000u
#define DEFAULT_COUNT		10u
#define DEFAULT_DIVIDE		16u
#define TIMER_VECTOR		0x40
#define MODES_MAX		64	/* bytes of the modes= value */
#define SETTLE_PERIODS		2	/* no wake-up may follow the last one for this long */
#define TOLERANCE_DIVISOR	10	/* elapsed within 10% (+ one period) */

const char guest_name[] = "sleeper";

struct mode_desc {
	const char *name;
	enum x2apic_timer_mode mode;
};

static const struct mode_desc modes[] = {
	{ "oneshot", X2APIC_TIMER_ONESHOT },
	{ "periodic", X2APIC_TIMER_PERIODIC },
	{ "deadline", X2APIC_TIMER_TSC_DEADLINE },
};

/* Written by the handler, read by the waiting loop. */
static volatile uint32_t wakeups;
static volatile uint32_t wakeups_wanted;
static volatile uint64_t last_wake_tsc;
static enum x2apic_timer_mode running_mode;

/* Count the wake-up; a periodic timer stops itself at the last one. */
static void timer_irq(uint32_t vector)
{
	(void)vector;
	last_wake_tsc = rdtsc();
	if (++wakeups == wakeups_wanted && running_mode == X2APIC_TIMER_PERIODIC)
		x2apic_timer_count(0);
	x2apic_eoi();
}

/* Arm the next expiry @period_us from now (a periodic timer needs it once). */
static void timer_arm(uint32_t period_us, uint32_t divide)
{
	if (running_mode == X2APIC_TIMER_TSC_DEADLINE)
		x2apic_timer_deadline(rdtsc() + tsc_from_us(period_us));
	else
		x2apic_timer_count(x2apic_timer_ticks(period_us, divide));
}

/* Halt with interrupts on until the handler has counted past @seen. */
static void wait_wakeup(uint32_t seen)
{
	irq_disable();
	while (wakeups == seen) {
		sti_hlt();
		irq_disable();
	}
}

/* Sleep @count periods in mode @m; print and check the wake-ups and the time they took. */
static void run_mode(const struct mode_desc *m, uint32_t period_us, uint32_t count,
		     uint32_t divide)
{
	uint64_t start, elapsed_us, expected_us = (uint64_t)period_us * count;
	uint64_t slack_us = div_u64_u32(expected_us, TOLERANCE_DIVISOR, NULL) + period_us;
	uint32_t i;

	wakeups = 0;
	wakeups_wanted = count;
	running_mode = m->mode;
	x2apic_timer_setup(m->mode, TIMER_VECTOR, divide);
	start = rdtsc();
	last_wake_tsc = start;
	timer_arm(period_us, divide);
	for (i = 0; i < count; i++) {
		wait_wakeup(i);
		if (i + 1 < count && m->mode != X2APIC_TIMER_PERIODIC)
			timer_arm(period_us, divide);
	}
	elapsed_us = tsc_to_us(last_wake_tsc - start);
	/* A timer that fires again after the last expiry shows up in wakeups. */
	irq_enable();
	tsc_delay_us(SETTLE_PERIODS * period_us);
	irq_disable();
	x2apic_timer_stop();
	printk("sleeper: mode=%s wakeups=%u expected=%u elapsed_us=%llu expected_us=%llu\n",
	       m->name, wakeups, count, (unsigned long long)elapsed_us,
	       (unsigned long long)expected_us);
	if (wakeups != count)
		guest_fail("mode=%s: %u wake-ups, expected %u", m->name, wakeups, count);
	if (elapsed_us + slack_us < expected_us || elapsed_us > expected_us + slack_us)
		guest_fail("mode=%s: %llu us elapsed, expected %llu +- %llu", m->name,
			   (unsigned long long)elapsed_us, (unsigned long long)expected_us,
			   (unsigned long long)slack_us);
}

static const struct mode_desc *mode_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i].name, name))
			return &modes[i];
	return NULL;
}

/* Run one mode, unless the CPU lacks what it needs. */
static void run_named(const char *name, uint32_t period_us, uint32_t count, uint32_t divide)
{
	const struct mode_desc *m = mode_find(name);
	struct cpuid_regs r;

	if (!m) {
		guest_error("unknown mode \"%s\" (oneshot, periodic, deadline)", name);
		return;
	}
	cpuid(CPUID_LEAF_FEATURES, 0, &r);
	if (m->mode == X2APIC_TIMER_TSC_DEADLINE && !(r.ecx & CPUID_1_ECX_TSC_DEADLINE)) {
		guest_skip("mode=deadline: no TSC-deadline timer (CPUID.1:ECX[24] clear)");
		return;
	}
	run_mode(m, period_us, count, divide);
}

/*
 * For each mode in modes= (comma-separated, default all three), sleep
 * count=N periods of period_us=N by the x2APIC timer at divide=N.
 */
void guest_main(const struct mb_info *mbi)
{
	char list[MODES_MAX] = "oneshot,periodic,deadline";
	uint32_t period_us = cmdline_u32(mbi, "period_us", DEFAULT_PERIOD_US);
	uint32_t count = cmdline_u32(mbi, "count", DEFAULT_COUNT);
	uint32_t divide = cmdline_u32(mbi, "divide", DEFAULT_DIVIDE);
	char *p = list, *comma;
	bool last;

	cmdline_str(mbi, "modes", list, sizeof(list));
	if (!period_us || !count) {
		guest_error("period_us and count must be positive");
		return;
	}
	if (!x2apic_timer_ready())
		return;
	printk("sleeper: tsc_khz=%u apic_timer_khz=%u source=%s divide=%u\n", tsc_khz(),
	       x2apic_timer_khz(), tsc_source_name(tsc_khz_source()), divide);
	irq_register(TIMER_VECTOR, timer_irq);
	x2apic_sw_enable();
	do {
		for (comma = p; *comma && *comma != ','; comma++)
			;
		last = !*comma;
		*comma = '\0';
		if (*p)
			run_named(p, period_us, count, divide);
		p = comma + 1;
	} while (!last);
}
