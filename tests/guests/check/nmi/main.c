/* SPDX-License-Identifier: MIT */
/*
 * nmi: NMIs and INIT through the local APIC's ICR, in xAPIC and x2APIC
 * mode (SDM Vol. 3A 11.6.1, 6.7.1, 9.4).  Without flags: NMI IPIs to itself
 * and to vCPU 1 (physical, logical, all-excluding-self), one from an I/O
 * APIC pin in NMI mode, two more sent inside the handler (delivered once,
 * after its IRET), and vCPU 1 woken from CLI;HLT by each of its NMIs.
 * With "init": vCPU 1 started, stopped by INIT, started again by SIPI
 * (three times, once with the SIPI right after the INIT as Linux sends it,
 * once through the x2APIC ICR), and CPUID.1:EDX.APIC following the APIC's
 * global enable (11.4.3).
 */
#include "guest.h"
#include "xapic.h"

#define AP_APIC_ID		1u
#define AP_LOGICAL		0x02u	/* flat model: one bit per CPU */
#define AP_TRAMPOLINE_PAGE	0x8000u
#define AP_STACK_SIZE		8192
#define TIMEOUT_US		200000u
#define STOPPED_US		20000u
#define ALL_BUT_SELF		(3u << 18)	/* ICR destination shorthand 11b */
#define APIC_BASE_BSP		(1u << 8)	/* IA32_APIC_BASE: this is the BSP */
#define CPUID_1_EDX_APIC	(1u << 9)
/* I/O APIC (82093AA): IOREGSEL, IOWIN; entry n at 0x10 + 2n; delivery mode NMI (100b). */
#define IOAPIC_BASE		0xFEC00000u
#define IOAPIC_IOWIN		0x10
#define IOAPIC_REDIR(pin)	(0x10 + 2 * (pin))
#define RTE_DM_NMI		(4u << 8)
#define RTE_MASKED		(1u << 16)
/* COM1: IER's THRE interrupt drives IRQ 4 while MCR.OUT2 is set. */
#define UART_IRQ		4
#define COM1			0x3F8
#define UART_IER		(COM1 + 1)
#define UART_MCR		(COM1 + 4)
#define IER_ETBEI		0x02
#define MCR_OUT2		0x08

const char guest_name[] = "nmi";

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
static volatile uint32_t nmis[2], depth, max_depth, ap_wakes, ap_online, ap_starts;
static volatile uint64_t ap_ticks;
static volatile bool x2_mode, nest_next;

/* Which vCPU runs this: the BSP flag (vCPU 1 stays in xAPIC mode while vCPU 0 switches). */
static uint32_t my_cpu(void)
{
	return (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_BSP) ? 0 : 1;
}

static void send_nmi(uint32_t dest, uint32_t extra)
{
	if (x2_mode)
		x2apic_send_nmi(dest);	/* no extra bits through the MSR helper */
	else
		xapic_send((uint8_t)dest, XAPIC_ICR_DM_NMI | XAPIC_ICR_LEVEL_ASSERT | extra);
}

/*
 * Count per CPU; once asked, send two more NMIs to itself from inside:
 * NMIs are blocked until the IRET, so they merge into one that comes after.
 */
static void nmi_handler(void)
{
	uint32_t id = my_cpu();

	if (++depth > max_depth)
		max_depth = depth;
	nmis[id]++;
	if (nest_next && id == 0) {
		nest_next = false;
		send_nmi(0, 0);
		send_nmi(0, 0);
		tsc_delay_us(1000);	/* time for a wrong, nested delivery to show */
	}
	depth--;
}

/* vCPU 1: in CLI;HLT, which only an NMI ends; counts each wake-up. */
static void ap_nmi_main(uint32_t apic_id)
{
	(void)apic_id;
	xapic_sw_enable();
	xapic_write(XAPIC_DFR, XAPIC_DFR_FLAT);
	xapic_write(XAPIC_LDR, AP_LOGICAL << XAPIC_ID_SHIFT);
	ap_online = 1;
	for (;;) {
		asm volatile("cli; hlt" : : : "memory");
		ap_wakes++;
	}
}

/* Busy-wait (IF off: only NMIs) until *@flag reaches @want or TIMEOUT_US pass. */
static bool wait_for(volatile uint32_t *flag, uint32_t want)
{
	uint64_t start = rdtsc(), ticks = tsc_from_us(TIMEOUT_US);

	while (*flag < want && rdtsc() - start < ticks)
		cpu_relax();
	return *flag >= want;
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + IOAPIC_IOWIN) = val;
}

/* IRQ 4 in NMI delivery mode to vCPU 0: the UART's THRE edge is one NMI (no printing meanwhile). */
static void check_ioapic_nmi(void)
{
	uint8_t mcr = inb(UART_MCR);

	ioapic_write(IOAPIC_REDIR(UART_IRQ) + 1, 0);
	ioapic_write(IOAPIC_REDIR(UART_IRQ), RTE_DM_NMI);
	outb(UART_MCR, mcr | MCR_OUT2);
	outb(UART_IER, IER_ETBEI);
	wait_for(&nmis[0], 4);
	outb(UART_IER, 0);
	outb(UART_MCR, mcr);
	ioapic_write(IOAPIC_REDIR(UART_IRQ), RTE_MASKED);
}

static void check_nmis(void)
{
	guest_check(wait_for(&nmis[0], 1) && nmis[0] == 1, "xAPIC NMI to itself: %u", nmis[0]);
	send_nmi(AP_APIC_ID, 0);
	guest_check(wait_for(&ap_wakes, 1), "xAPIC NMI woke vCPU 1 from CLI;HLT (%u)", ap_wakes);
	xapic_send(AP_LOGICAL, XAPIC_ICR_DM_NMI | XAPIC_ICR_LEVEL_ASSERT | XAPIC_ICR_LOGICAL);
	guest_check(wait_for(&ap_wakes, 2), "logical NMI woke vCPU 1 (%u)", ap_wakes);
	send_nmi(0, ALL_BUT_SELF);
	guest_check(wait_for(&ap_wakes, 3), "all-but-self NMI woke vCPU 1 (%u)", ap_wakes);
	nest_next = true;
	send_nmi(0, 0);
	guest_check(wait_for(&nmis[0], 3), "NMIs sent in the handler came after its IRET");
	tsc_delay_us(STOPPED_US);
	check_ioapic_nmi();
	x2apic_enable();
	x2_mode = true;
	x2apic_sw_enable();
	send_nmi(0, 0);
	guest_check(wait_for(&nmis[0], 5), "x2APIC NMI to itself");
	send_nmi(AP_APIC_ID, 0);
	guest_check(wait_for(&ap_wakes, 4), "x2APIC NMI woke vCPU 1 (%u)", ap_wakes);
	tsc_delay_us(STOPPED_US);	/* nothing more may come */
	printk("nmi: bsp_nmis=%u ap_nmis=%u ap_wakes=%u max_depth=%u\n", nmis[0], nmis[1],
	       ap_wakes, max_depth);
	guest_check(nmis[0] == 5 && nmis[1] == 4 && ap_wakes == 4 && max_depth == 1,
		    "NMI counts");
}

/* ------------------------------------------------ INIT and SIPI */

static void ap_count_main(uint32_t apic_id)
{
	(void)apic_id;
	ap_starts++;
	for (;;) {
		ap_ticks++;
		cpu_relax();
	}
}

/* Does vCPU 1 count on?  True if its counter moved within STOPPED_US. */
static bool ap_running(void)
{
	uint64_t before = ap_ticks;

	tsc_delay_us(STOPPED_US);
	return ap_ticks != before;
}

static void send_init(void)
{
	if (x2_mode)
		x2apic_send_init(AP_APIC_ID);
	else
		xapic_send(AP_APIC_ID, XAPIC_ICR_DM_INIT | XAPIC_ICR_LEVEL_ASSERT);
}

static bool apic_flag(void)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	return r.edx & CPUID_1_EDX_APIC;
}

static void check_cpuid_apic(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	bool enabled = apic_flag(), disabled;

	wrmsr(MSR_IA32_APIC_BASE, base & ~(uint64_t)APIC_BASE_EN);
	disabled = apic_flag();
	wrmsr(MSR_IA32_APIC_BASE, base);
	printk("nmi: cpuid_apic enabled=%u disabled=%u again=%u\n", enabled, disabled, apic_flag());
	guest_check(enabled && !disabled && apic_flag(), "CPUID.1:EDX.APIC follows IA32_APIC_BASE.EN");
}

static bool start_ap(uint32_t want)
{
	return guest_check(smp_start_ap(AP_APIC_ID, AP_TRAMPOLINE_PAGE, ap_count_main,
					ap_stack + sizeof(ap_stack), TIMEOUT_US) &&
			   ap_starts == want && ap_running(), "vCPU 1 started (%u starts)", ap_starts);
}

static void check_init(void)
{
	check_cpuid_apic();
	xapic_sw_enable();
	if (!start_ap(1))
		return;
	send_init();
	guest_check(!ap_running(), "INIT stopped vCPU 1");
	if (!start_ap(2))
		return;
	/* Linux's order: the SIPI right after the INIT, while the INIT may not be taken yet. */
	send_init();
	xapic_send(AP_APIC_ID, XAPIC_ICR_DM_STARTUP | XAPIC_ICR_LEVEL_ASSERT |
		   (AP_TRAMPOLINE_PAGE >> 12));
	guest_check(wait_for(&ap_starts, 3) && ap_running(), "INIT then SIPI at once: restarted");
	x2apic_enable();
	x2_mode = true;
	send_init();
	guest_check(!ap_running(), "x2APIC INIT stopped vCPU 1");
	start_ap(4);
	printk("nmi: ap_starts=%u\n", ap_starts);
}

void guest_main(const struct mb_info *mbi)
{
	if (!tsc_khz()) {
		guest_error("TSC rate unknown");
		return;
	}
	if (cmdline_flag(mbi, "init")) {
		check_init();
		return;
	}
	irq_disable();
	trap_set_nmi_handler(nmi_handler);
	xapic_sw_enable();
	send_nmi(0, 0);
	if (!smp_start_ap(AP_APIC_ID, AP_TRAMPOLINE_PAGE, ap_nmi_main, ap_stack + sizeof(ap_stack),
			  TIMEOUT_US) || !wait_for(&ap_online, 1)) {
		guest_fail("cpu1 did not start (needs vcpus=2)");
		return;
	}
	check_nmis();
}
