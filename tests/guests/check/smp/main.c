/* SPDX-License-Identifier: MIT */
/* smp: vCPU 0 starts vCPU 1 with INIT-SIPI-SIPI, ping-pongs fixed IPIs with it, then parks it. */
#include "guest.h"

#define DEFAULT_IPIS		20u
#define DEFAULT_TIMEOUT_MS	100u	/* per answer, and for the AP to start */
#define AP_APIC_ID		1u
#define BSP_APIC_ID		0u
#define AP_TRAMPOLINE_PAGE	0x8000u
#define AP_STACK_SIZE		8192
#define VECTOR_PING		0x50	/* to vCPU 1 */
#define VECTOR_PONG		0x51	/* its answer, to vCPU 0 */
#define VECTOR_WATCHDOG		0x40	/* vCPU 0's one-shot timer: an answer is overdue */
#define TIMER_DIVIDE		1u
#define US_PER_MS		1000u
/* The AP prints its line; give it this long to come online after starting. */
#define ONLINE_TIMEOUT_US	1000000u

const char guest_name[] = "smp";

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));

/* Each counter is written by one CPU only. */
static volatile uint32_t ap_online;	/* vCPU 1: its line is out */
static volatile uint32_t received;	/* vCPU 1: pings taken */
static volatile uint32_t answered;	/* vCPU 0: pongs taken */
static volatile uint32_t watchdog_fired;	/* vCPU 0 */
static volatile uint32_t park;		/* vCPU 0: halt with interrupts off from now on */
static volatile uint32_t parked;	/* vCPU 1: about to CLI;HLT */
static volatile uint32_t woke_parked;	/* vCPU 1: times a CLI;HLT ended */

/* vCPU 1: count the ping, EOI, answer vCPU 0. */
static void ping_irq(uint32_t vector)
{
	(void)vector;
	received++;
	x2apic_eoi();
	x2apic_send_fixed(BSP_APIC_ID, VECTOR_PONG);
}

/* vCPU 0: count the answer. */
static void pong_irq(uint32_t vector)
{
	(void)vector;
	answered++;
	x2apic_eoi();
}

static void watchdog_irq(uint32_t vector)
{
	(void)vector;
	watchdog_fired = 1;
	x2apic_eoi();
}

/* vCPU 1, once parked: HLT with interrupts off, which only NMI, SMI or INIT may end. */
static __attribute__((noreturn)) void ap_park(void)
{
	parked = 1;
	for (;;) {
		asm volatile("cli; hlt" ::: "memory");
		woke_parked++;
	}
}

/* vCPU 1, from the trampoline: enable the APIC, say so, then idle on STI;HLT until parked. */
static void ap_main(uint32_t apic_id)
{
	x2apic_sw_enable();
	printk("smp: cpu1 online apic_id=%u\n", apic_id);
	ap_online = 1;
	irq_disable();
	while (!park) {
		sti_hlt();
		irq_disable();
	}
	ap_park();
}

/* Whether @flag became non-zero within @us, spinning with interrupts as they are. */
static bool wait_flag(volatile uint32_t *flag, uint32_t us)
{
	uint64_t start = rdtsc(), ticks = tsc_from_us(us);

	while (!*flag && rdtsc() - start < ticks)
		cpu_relax();
	return *flag != 0;
}

/* Ping vCPU 1 and halt until its answer (the @n-th) or the watchdog; true if answered. */
static bool ping(uint32_t n, uint32_t watchdog_ticks)
{
	irq_disable();
	watchdog_fired = 0;
	x2apic_timer_count(watchdog_ticks);
	x2apic_send_fixed(AP_APIC_ID, VECTOR_PING);
	while (answered < n && !watchdog_fired) {
		sti_hlt();
		irq_disable();
	}
	x2apic_timer_count(0);
	return answered >= n;
}

/*
 * Park vCPU 1 (the next ping wakes it to see the flag), then ping it once
 * more: halted with IF=0 it must neither take the interrupt nor wake up.
 */
static void check_park(uint32_t sent, uint32_t watchdog_ticks)
{
	park = 1;
	if (!ping(sent + 1, watchdog_ticks) || !wait_flag(&parked, ONLINE_TIMEOUT_US)) {
		guest_fail("cpu1 did not park (answered=%u)", answered);
		return;
	}
	irq_disable();
	watchdog_fired = 0;
	x2apic_timer_count(watchdog_ticks);
	x2apic_send_fixed(AP_APIC_ID, VECTOR_PING);
	while (!watchdog_fired) {
		sti_hlt();
		irq_disable();
	}
	guest_check(woke_parked == 0 && received == sent + 1,
		    "cpu1 halted with interrupts off stays halted on an IPI (woke %u, pings taken %u "
		    "of %u)", woke_parked, received, sent + 2);
}

/* Start vCPU 1, send it ipis=N pings one at a time, check every one was answered, park it. */
void guest_main(const struct mb_info *mbi)
{
	uint32_t ipis = cmdline_u32(mbi, "ipis", DEFAULT_IPIS);
	uint32_t timeout_ms = cmdline_u32(mbi, "timeout_ms", DEFAULT_TIMEOUT_MS);
	uint32_t sent, watchdog_ticks;

	if (!x2apic_timer_ready())
		return;
	irq_register(VECTOR_PING, ping_irq);
	irq_register(VECTOR_PONG, pong_irq);
	irq_register(VECTOR_WATCHDOG, watchdog_irq);
	x2apic_sw_enable();
	x2apic_timer_setup(X2APIC_TIMER_ONESHOT, VECTOR_WATCHDOG, TIMER_DIVIDE);
	watchdog_ticks = x2apic_timer_ticks(timeout_ms * US_PER_MS, TIMER_DIVIDE);
	if (!smp_start_ap(AP_APIC_ID, AP_TRAMPOLINE_PAGE, ap_main, ap_stack + sizeof(ap_stack),
			  timeout_ms * US_PER_MS)) {
		guest_fail("cpu1 (x2APIC ID %u) did not start (needs vcpus=2)", AP_APIC_ID);
		return;
	}
	if (!wait_flag(&ap_online, ONLINE_TIMEOUT_US)) {
		guest_fail("cpu1 started but did not come online");
		return;
	}
	for (sent = 0; sent < ipis; ) {
		sent++;
		if (!ping(sent, watchdog_ticks)) {
			guest_fail("IPI %u: no answer within %u ms (received=%u answered=%u)",
				   sent, timeout_ms, received, answered);
			break;
		}
	}
	printk("smp: ipis sent=%u received=%u answered=%u\n", sent, received, answered);
	if (received != sent || answered != sent) {
		guest_fail("counts differ: sent=%u received=%u answered=%u", sent, received,
			   answered);
		return;
	}
	check_park(sent, watchdog_ticks);
}
