/* SPDX-License-Identifier: MIT */
/*
 * xapic: the local APIC as a CPU leaves reset, in xAPIC mode through its
 * MMIO page (SDM Vol. 3A 11.4): IA32_APIC_BASE, ID, a one-shot timer,
 * self-IPIs, disable and re-enable, then vCPU 1 started with INIT-SIPI-SIPI
 * through the xAPIC ICR and pinged by physical and logical (flat) IPIs;
 * then the switch to x2APIC mode, where the page is gone, the way back is
 * #GP, and a ping through the x2APIC ICR still reaches vCPU 1.  Between
 * them, a device interrupt end to end: the UART's THRE interrupt on IRQ 4
 * through a level-triggered I/O APIC entry, taken once, Remote IRR cleared
 * by the EOI (82093AA datasheet; SDM 11.8.5 EOI broadcast).
 */
#include "guest.h"
#include "xapic.h"

#define AP_APIC_ID		1u
#define AP_LOGICAL		0x02u	/* flat model: one bit per CPU */
#define AP_TRAMPOLINE_PAGE	0x8000u
#define AP_STACK_SIZE		8192
#define VECTOR_TIMER		0x40
#define VECTOR_SELF		0x41
#define VECTOR_PING		0x50
#define VECTOR_PONG		0x51
#define PINGS			5u
#define TIMEOUT_US		200000u
#define TIMER_US		1000u
#define US_PER_MS		1000u
#define TPR_PROBE		0x20
#define APIC_BASE_BSP		(1u << 8)
#define APIC_BASE_ADDR		0xFFFFF000u
#define SVR_RESET		0xFFu
#define UNDECODED		0xFFFFFFFFu
#define VERSION_INTEGRATED	0x10u	/* version 1xh: an integrated APIC (11.4.8) */
#define VERSION_MASK		0xFFu
#define VECTOR_GP		13
#define VECTOR_UART		0x60
/* I/O APIC (82093AA 3.0): IOREGSEL, IOWIN; version register; entry n at 0x10 + 2n. */
#define IOAPIC_BASE		0xFEC00000u
#define IOAPIC_IOWIN		0x10
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REDIR(pin)	(0x10 + 2 * (pin))
#define IOAPIC_VERSION_24_PINS	0x00170020u
#define RTE_LEVEL		(1u << 15)
#define RTE_REMOTE_IRR		(1u << 14)
#define RTE_MASKED		(1u << 16)
/* COM1 (16550): IER's THRE interrupt, IIR read clears it, MCR.OUT2 gates IRQ 4. */
#define UART_IRQ		4
#define COM1			0x3F8
#define UART_IER		(COM1 + 1)
#define UART_IIR		(COM1 + 2)
#define UART_MCR		(COM1 + 4)
#define IER_ETBEI		0x02
#define MCR_OUT2		0x08

const char guest_name[] = "xapic";

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
static volatile uint32_t timer_irqs, self_irqs, pongs, pings, ap_online, uart_irqs;
static volatile bool bsp_x2apic;	/* vCPU 0 switched: its EOI goes through the MSR */

static void bsp_eoi(void)
{
	if (bsp_x2apic)
		x2apic_eoi();
	else
		xapic_eoi();
}

static void timer_irq(uint32_t v) { (void)v; timer_irqs++; bsp_eoi(); }
static void self_irq(uint32_t v) { (void)v; self_irqs++; bsp_eoi(); }
static void pong_irq(uint32_t v) { (void)v; pongs++; bsp_eoi(); }

/* The device's interrupt: reading IIR clears THRE (de-asserting the line) before the EOI. */
static void uart_irq(uint32_t v)
{
	(void)v;
	uart_irqs++;
	(void)inb(UART_IIR);
	bsp_eoi();
}

static uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)(uintptr_t)IOAPIC_BASE = reg;
	return *(volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + IOAPIC_IOWIN);
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + IOAPIC_IOWIN) = val;
}

/* vCPU 1, still in xAPIC mode: count, EOI, answer vCPU 0 through the xAPIC ICR. */
static void ping_irq(uint32_t v)
{
	(void)v;
	pings++;
	xapic_eoi();
	xapic_send(0, VECTOR_PONG | XAPIC_ICR_LEVEL_ASSERT);
}

static void ap_main(uint32_t apic_id)
{
	xapic_sw_enable();
	xapic_write(XAPIC_DFR, XAPIC_DFR_FLAT);
	xapic_write(XAPIC_LDR, AP_LOGICAL << XAPIC_ID_SHIFT);
	printk("xapic: cpu1 online apic_id=%u mode=%s\n", apic_id, xapic_mode() ? "xapic" : "other");
	ap_online = 1;
	for (;;)
		sti_hlt();
}

/* Halt with interrupts on until *@flag reaches @want or TIMEOUT_US pass; true if it did. */
static bool wait_for(volatile uint32_t *flag, uint32_t want)
{
	uint64_t start = rdtsc(), ticks = tsc_from_us(TIMEOUT_US);

	while (*flag < want && rdtsc() - start < ticks) {
		irq_enable();
		cpu_relax();
		irq_disable();
	}
	return *flag >= want;
}

/* Power-on state: enabled, xAPIC, BSP, the default base; the x2APIC MSRs #GP. */
static void check_reset_state(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE), val;

	guest_check((base & (APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP)) ==
		    (APIC_BASE_EN | APIC_BASE_BSP) &&
		    ((uint32_t)base & APIC_BASE_ADDR) == XAPIC_DEFAULT_BASE,
		    "IA32_APIC_BASE after reset: 0x%llx", (unsigned long long)base);
	guest_check(rdmsr_safe(MSR_X2APIC_ID, &val) == VECTOR_GP, "x2APIC MSR in xAPIC mode is #GP");
	guest_check(xapic_id() == 0, "xAPIC ID %u (want 0)", xapic_id());
	guest_check((xapic_read(XAPIC_VERSION) & VERSION_MASK) >= VERSION_INTEGRATED,
		    "version 0x%x", xapic_read(XAPIC_VERSION));
	xapic_write(XAPIC_TPR, TPR_PROBE);
	guest_check(xapic_read(XAPIC_TPR) == TPR_PROBE, "TPR reads 0x%x", xapic_read(XAPIC_TPR));
	xapic_write(XAPIC_TPR, 0);
}

/* A one-shot timer and two self-IPIs (shorthand, own ID), all through the page. */
static void check_timer_and_self(void)
{
	xapic_sw_enable();
	irq_disable();
	xapic_timer_oneshot(VECTOR_TIMER, (uint32_t)tsc_from_us(TIMER_US));
	guest_check(wait_for(&timer_irqs, 1), "one-shot timer interrupt taken");
	guest_check(xapic_read(XAPIC_TIMER_CURRENT) == 0, "one-shot count left: %u",
		    xapic_read(XAPIC_TIMER_CURRENT));
	/* One at a time: a second one while the first waits in IRR would merge with it. */
	xapic_write(XAPIC_ICR_LOW, XAPIC_ICR_SELF | XAPIC_ICR_LEVEL_ASSERT | VECTOR_SELF);
	guest_check(wait_for(&self_irqs, 1), "self-IPI by shorthand taken");
	xapic_send(0, XAPIC_ICR_LEVEL_ASSERT | VECTOR_SELF);
	guest_check(wait_for(&self_irqs, 2), "self-IPI to its own ID taken");
	printk("xapic: timer_irqs=%u self_irqs=%u\n", timer_irqs, self_irqs);
}

/* Disabled: the page is not decoded, x2APIC straight from here is #GP; re-enabled: reset registers. */
static void check_disable(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	wrmsr(MSR_IA32_APIC_BASE, base & ~(uint64_t)APIC_BASE_EN);
	if (tsc_under_tally())	/* bare Bochs answers the page regardless */
		guest_check(xapic_read(XAPIC_SVR) == UNDECODED, "disabled: SVR reads 0x%x",
			    xapic_read(XAPIC_SVR));
	guest_check(wrmsr_safe(MSR_IA32_APIC_BASE, (base & ~(uint64_t)APIC_BASE_EN) |
			       APIC_BASE_EN | APIC_BASE_EXTD) == VECTOR_GP,
		    "disabled -> x2APIC is #GP");
	wrmsr(MSR_IA32_APIC_BASE, base);
	guest_check(xapic_read(XAPIC_SVR) == SVR_RESET, "re-enabled: SVR 0x%x (want 0x%x)",
		    xapic_read(XAPIC_SVR), SVR_RESET);
	xapic_sw_enable();
}

/*
 * IRQ 4 level-triggered to vCPU 0: masked, the THRE interrupt is held; once
 * unmasked it is taken exactly once (the handler's IIR read drops the line
 * before the EOI), and the EOI clears Remote IRR.  No printing meanwhile: a
 * byte to THR would raise THRE again.
 */
static void check_ioapic(void)
{
	uint32_t version = ioapic_read(IOAPIC_REG_VERSION), held, entry;
	uint8_t mcr = inb(UART_MCR);

	ioapic_write(IOAPIC_REDIR(UART_IRQ) + 1, 0);	/* destination: APIC ID 0 */
	ioapic_write(IOAPIC_REDIR(UART_IRQ), RTE_MASKED | RTE_LEVEL | VECTOR_UART);
	irq_disable();
	outb(UART_MCR, mcr | MCR_OUT2);
	outb(UART_IER, IER_ETBEI);
	wait_for(&uart_irqs, 1);
	held = uart_irqs;
	ioapic_write(IOAPIC_REDIR(UART_IRQ), RTE_LEVEL | VECTOR_UART);
	wait_for(&uart_irqs, 2);	/* only one may come: a second would be a re-delivery */
	entry = ioapic_read(IOAPIC_REDIR(UART_IRQ));
	outb(UART_IER, 0);
	outb(UART_MCR, mcr);
	ioapic_write(IOAPIC_REDIR(UART_IRQ), RTE_MASKED);
	guest_check(version == IOAPIC_VERSION_24_PINS, "I/O APIC version 0x%x", version);
	guest_check(held == 0, "masked level pin held (%u taken)", held);
	guest_check(uart_irqs == 1, "UART interrupt taken once after unmasking (%u)", uart_irqs);
	guest_check(!(entry & RTE_REMOTE_IRR), "Remote IRR clear after the EOI (entry 0x%x)", entry);
}

/* vCPU 1 by INIT-SIPI-SIPI through the xAPIC ICR, then pings by physical and logical destination. */
static bool check_ap(void)
{
	if (!smp_start_ap(AP_APIC_ID, AP_TRAMPOLINE_PAGE, ap_main, ap_stack + sizeof(ap_stack),
			  TIMEOUT_US) || !wait_for(&ap_online, 1)) {
		guest_fail("cpu1 did not start through the xAPIC ICR (needs vcpus=2)");
		return false;
	}
	for (uint32_t i = 1; i <= PINGS; i++) {
		xapic_send(AP_APIC_ID, XAPIC_ICR_LEVEL_ASSERT | VECTOR_PING);
		if (!guest_check(wait_for(&pongs, i), "physical ping %u answered", i))
			return false;
	}
	xapic_send(AP_LOGICAL, XAPIC_ICR_LOGICAL | XAPIC_ICR_LEVEL_ASSERT | VECTOR_PING);
	return guest_check(wait_for(&pongs, PINGS + 1), "logical ping answered");
}

/* xAPIC -> x2APIC: MSRs now, the page gone, no way straight back, IPIs still flow. */
static void check_x2apic_switch(void)
{
	uint64_t base;

	x2apic_enable();
	bsp_x2apic = true;
	base = rdmsr(MSR_IA32_APIC_BASE);
	guest_check((base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD),
		    "IA32_APIC_BASE 0x%llx after the switch", (unsigned long long)base);
	guest_check(x2apic_id() == 0, "x2APIC ID %u", x2apic_id());
	if (tsc_under_tally())
		guest_check(xapic_read(XAPIC_SVR) == UNDECODED, "x2APIC mode: page reads 0x%x",
			    xapic_read(XAPIC_SVR));
	guest_check(wrmsr_safe(MSR_IA32_APIC_BASE, base & ~(uint64_t)APIC_BASE_EXTD) == VECTOR_GP,
		    "x2APIC -> xAPIC is #GP");
	x2apic_sw_enable();
	x2apic_send_fixed(AP_APIC_ID, VECTOR_PING);
	guest_check(wait_for(&pongs, PINGS + 2), "ping through the x2APIC ICR answered");
}

void guest_main(const struct mb_info *mbi)
{
	(void)mbi;
	if (!tsc_khz()) {
		guest_error("TSC rate unknown");
		return;
	}
	irq_register(VECTOR_TIMER, timer_irq);
	irq_register(VECTOR_SELF, self_irq);
	irq_register(VECTOR_PING, ping_irq);
	irq_register(VECTOR_PONG, pong_irq);
	irq_register(VECTOR_UART, uart_irq);
	check_reset_state();
	check_timer_and_self();
	check_disable();
	check_ioapic();
	if (!check_ap())
		return;
	check_x2apic_switch();
	printk("xapic: pings=%u pongs=%u\n", pings, pongs);
}
