/* SPDX-License-Identifier: MIT */
/* timerstorm: an APIC-timer attacker: 1-cycle timers masked, unmasked, under HLT or CLI;HLT, a 1 ms tick. */
#include "guest.h"

#define DEFAULT_DURATION_MS	300u
#define DEFAULT_TICK_US		1000u	/* mode=oneshot: a HZ=1000 kernel's tick */
#define TIMER_VECTOR		0x40
#define WAKE_VECTOR		0x41	/* mode=clihlt: vCPU 0's own one-shot */
#define STORM_COUNT		1u	/* one timer tick at divide 1: one TSC cycle */
#define STORM_DIVIDE		1u
#define MODE_MAX		16	/* bytes of the mode= value */
#define US_PER_MS		1000u
#define AP_APIC_ID		1u
#define AP_TRAMPOLINE_PAGE	0x8000u
#define AP_STACK_SIZE		8192
#define AP_TIMEOUT_US		1000000u

const char guest_name[] = "timerstorm";

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));

static volatile uint32_t ticks;		/* timer interrupts taken (vCPU 0) */
static volatile uint32_t ap_parked;	/* vCPU 1: about to CLI;HLT with its timer armed */
static volatile uint32_t ap_woke;	/* vCPU 1: times its CLI;HLT ended */
static uint32_t tick_count;		/* mode=oneshot: the count re-armed at each tick */

static void tick_irq(uint32_t vector)
{
	(void)vector;
	ticks++;
	if (tick_count)
		x2apic_timer_count(tick_count);
	x2apic_eoi();
}

/* The LVT timer in @mode on TIMER_VECTOR, masked if @masked, counting @count at divide 1. */
static void timer_start(enum x2apic_timer_mode mode, bool masked, uint32_t count)
{
	x2apic_timer_setup(mode, TIMER_VECTOR, STORM_DIVIDE);
	if (masked)
		wrmsr(MSR_X2APIC_LVT_TIMER, X2APIC_LVT_MASKED |
		      ((uint32_t)mode << X2APIC_LVT_TIMER_MODE_SHIFT) | TIMER_VECTOR);
	x2apic_timer_count(count);
}

/* Uniform work with interrupts on for @ms of TSC time: iterations, as spin counts them. */
static uint64_t work(uint32_t ms, uint64_t *took)
{
	uint64_t start = rdtsc(), end = tsc_from_us(ms * US_PER_MS), now, n = 0;

	irq_enable();
	do {
		n++;
		now = rdtsc();
	} while (now - start < end);
	irq_disable();
	*took = now - start;
	return n;
}

/* Halt with interrupts on, woken by each tick, for @ms of TSC time: the HLT rounds. */
static uint64_t idle(uint32_t ms, uint64_t *took)
{
	uint64_t start = rdtsc(), end = tsc_from_us(ms * US_PER_MS), n = 0;

	irq_disable();
	while (rdtsc() - start < end) {
		sti_hlt();
		irq_disable();
		n++;
	}
	*took = rdtsc() - start;
	return n;
}

/*
 * masked, periodic or oneshot: arm the timer and work for @ms; hlt: arm
 * the periodic one and halt for @ms, as an idle kernel with a tick.
 * Report the ticks taken in that time.  A masked timer must deliver none;
 * a periodic one at most one per @min_period_us (0: no limit checked).
 */
static void storm(const char *mode, uint32_t ms, uint32_t tick_us, uint32_t min_period_us)
{
	uint64_t n, took, us;

	if (!strcmp(mode, "masked")) {
		timer_start(X2APIC_TIMER_PERIODIC, true, STORM_COUNT);
	} else if (!strcmp(mode, "periodic") || !strcmp(mode, "hlt")) {
		timer_start(X2APIC_TIMER_PERIODIC, false, STORM_COUNT);
	} else {
		tick_count = x2apic_timer_ticks(tick_us, STORM_DIVIDE);
		timer_start(X2APIC_TIMER_ONESHOT, false, tick_count);
	}
	n = strcmp(mode, "hlt") ? work(ms, &took) : idle(ms, &took);
	x2apic_timer_stop();
	tick_count = 0;
	us = tsc_to_us(took);
	printk("timerstorm: mode=%s iterations=%llu ticks=%u elapsed_us=%llu\n", mode,
	       (unsigned long long)n, ticks, (unsigned long long)us);
	if (!strcmp(mode, "masked"))
		guest_check(ticks == 0, "a masked timer delivered no interrupt (%u)", ticks);
	else
		guest_check(ticks > 0, "the unmasked timer ticked (%u)", ticks);
	if (min_period_us && strcmp(mode, "masked"))
		guest_check(ticks <= div_u64_u32(us, min_period_us, NULL) + 1,
			    "at most one tick per %u us: %u in %llu us", min_period_us, ticks,
			    (unsigned long long)us);
}

/* vCPU 1: a 1-cycle periodic timer, then CLI;HLT, which no timer interrupt may end. */
static __attribute__((noreturn)) void ap_main(uint32_t apic_id)
{
	(void)apic_id;
	x2apic_sw_enable();
	timer_start(X2APIC_TIMER_PERIODIC, false, STORM_COUNT);
	ap_parked = 1;
	for (;;) {
		asm volatile("cli; hlt" ::: "memory");
		ap_woke++;
	}
}

/* Whether @flag became non-zero within @us. */
static bool wait_flag(volatile uint32_t *flag, uint32_t us)
{
	uint64_t start = rdtsc(), limit = tsc_from_us(us);

	while (!*flag && rdtsc() - start < limit)
		cpu_relax();
	return *flag != 0;
}

/* clihlt: park vCPU 1 behind its timer storm, sleep @ms on vCPU 0's own timer, check it stayed. */
static void clihlt(uint32_t ms)
{
	uint64_t slept;

	if (!smp_start_ap(AP_APIC_ID, AP_TRAMPOLINE_PAGE, ap_main, ap_stack + sizeof(ap_stack),
			  AP_TIMEOUT_US) || !wait_flag(&ap_parked, AP_TIMEOUT_US)) {
		guest_fail("cpu1 (x2APIC ID %u) did not start and park (needs vcpus=2)",
			   AP_APIC_ID);
		return;
	}
	if (!sleep_init(WAKE_VECTOR))
		return;
	slept = sleep_us(ms * US_PER_MS);
	printk("timerstorm: mode=clihlt cpu1_woke=%u slept_us=%llu\n", ap_woke,
	       (unsigned long long)tsc_to_us(slept));
	guest_check(ap_woke == 0, "cpu1 halted with interrupts off stays halted under its "
		    "timer (woke %u)", ap_woke);
}

/*
 * mode=masked|periodic|oneshot|hlt|clihlt (default masked) for
 * duration_ms=N; oneshot re-arms a tick_us=N one-shot from its handler;
 * min_period_us=N checks the periodic and hlt storms' rate.
 */
void guest_main(const struct mb_info *mbi)
{
	char mode[MODE_MAX] = "masked";
	uint32_t ms = cmdline_u32(mbi, "duration_ms", DEFAULT_DURATION_MS);
	uint32_t tick_us = cmdline_u32(mbi, "tick_us", DEFAULT_TICK_US);
	uint32_t min_period_us = cmdline_u32(mbi, "min_period_us", 0);

	cmdline_str(mbi, "mode", mode, sizeof(mode));
	if (strcmp(mode, "masked") && strcmp(mode, "periodic") && strcmp(mode, "oneshot") &&
	    strcmp(mode, "hlt") && strcmp(mode, "clihlt")) {
		guest_error("unknown mode \"%s\" (masked, periodic, oneshot, hlt, clihlt)", mode);
		return;
	}
	if (!x2apic_timer_ready())
		return;
	irq_register(TIMER_VECTOR, tick_irq);
	x2apic_sw_enable();
	if (!strcmp(mode, "clihlt"))
		clihlt(ms);
	else
		storm(mode, ms, tick_us, min_period_us);
}
