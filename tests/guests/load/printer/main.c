/* SPDX-License-Identifier: MIT */
/* printer: console load: progress lines, a flood as fast as it can, or both vCPUs at once. */
#include "guest.h"

#define DEFAULT_LINES		100u
#define DEFAULT_WIDTH		40u
#define MAX_WIDTH		100u
#define AP_APIC_ID		1u
#define AP_TRAMPOLINE_PAGE	0x8000u
#define AP_STACK_SIZE		8192
#define AP_START_TIMEOUT_US	100000u
#define US_PER_MS		1000u
#define LINE_MAX		160u	/* "printer: cpuN line N " and the filler fit */
#define FLOOD_SETTLE_MS		50u	/* Tally's console refills a line per 10 ms */

const char guest_name[] = "printer";

/*
 * What each vCPU prints: line `n` of vCPU `cpu` reads
 * "printer: cpu<cpu> line <n> " and then width= copies of 'a' + cpu, so a
 * line mixed from two vCPUs' bytes shows at once.
 */
static struct {
	uint32_t lines;		/* per vCPU; 0 with duration_ms: until the time is up */
	uint32_t work;		/* loop iterations between two lines */
	uint32_t width;
	uint32_t duration_ms;	/* flood: print as fast as it can for this long */
	bool hcall;		/* CONSOLE_WRITE hypercall, a line per call, instead of the UART */
} opt;

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
static volatile uint32_t ap_printed;	/* vCPU 1: lines out so far */
static volatile uint32_t ap_done;	/* vCPU 1: finished */

/* Append the decimal @v to @buf at @n; the new length. */
static uint32_t put_u32(char *buf, uint32_t n, uint32_t v)
{
	char digits[10];
	uint32_t k = 0;

	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		buf[n++] = digits[--k];
	return n;
}

static uint32_t put_str(char *buf, uint32_t n, const char *s)
{
	while (*s)
		buf[n++] = *s++;
	return n;
}

/* One whole line, newline included, through the UART byte by byte or one hypercall. */
static void print_line(uint32_t cpu, uint32_t index)
{
	char line[LINE_MAX];
	uint32_t n = put_str(line, 0, "printer: cpu");

	n = put_u32(line, n, cpu);
	n = put_str(line, n, " line ");
	n = put_u32(line, n, index);
	line[n++] = ' ';
	for (uint32_t i = 0; i < opt.width; i++)
		line[n++] = (char)('a' + cpu);
	line[n++] = '\n';
	if (opt.hcall) {
		tally_console_write(line, n);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		serial_putc(line[i]);
}

/* Work between two lines: real iterations the compiler cannot fold. */
static void work(uint32_t iterations)
{
	for (uint32_t i = 0; i < iterations; i++)
		asm volatile("" : "+r"(i));
}

/* Print this vCPU's lines (or flood until the time is up); how many went out. */
static uint32_t print_all(uint32_t cpu, volatile uint32_t *printed)
{
	uint64_t end = opt.duration_ms ? rdtsc() + tsc_from_us(opt.duration_ms * US_PER_MS) : 0;
	uint32_t n = 0;

	while (opt.duration_ms ? rdtsc() < end : n < opt.lines) {
		print_line(cpu, n);
		*printed = ++n;
		work(opt.work);
	}
	return n;
}

/* vCPU 1: print its share, say it is done, then halt for good. */
static void ap_main(uint32_t apic_id)
{
	(void)apic_id;
	print_all(1, &ap_printed);
	ap_done = 1;
	irq_disable();
	halt_forever();
}

static bool start_ap(void)
{
	if (!x2apic_enable()) {
		guest_skip("no x2APIC (CPUID.1:ECX[21] clear): one vCPU only");
		return false;
	}
	if (!smp_start_ap(AP_APIC_ID, AP_TRAMPOLINE_PAGE, ap_main, ap_stack + sizeof(ap_stack),
			  AP_START_TIMEOUT_US)) {
		guest_fail("cpu1 did not start (needs vcpus=2)");
		return false;
	}
	return true;
}

/*
 * lines=N progress lines per vCPU, work=N iterations apart, width=N filler
 * characters; duration_ms=N floods instead; hcall prints through
 * CONSOLE_WRITE; vcpus=2 makes vCPU 1 print at the same time as vCPU 0.
 */
void guest_main(const struct mb_info *mbi)
{
	uint32_t vcpus = cmdline_u32(mbi, "vcpus", 1), printed0 = 0, n0;

	opt.lines = cmdline_u32(mbi, "lines", DEFAULT_LINES);
	opt.work = cmdline_u32(mbi, "work", 0);
	opt.width = cmdline_u32(mbi, "width", DEFAULT_WIDTH);
	opt.duration_ms = cmdline_u32(mbi, "duration_ms", 0);
	opt.hcall = cmdline_flag(mbi, "hcall");
	if (opt.width > MAX_WIDTH)
		opt.width = MAX_WIDTH;
	if (opt.duration_ms && !tsc_khz()) {
		guest_error("TSC rate unknown (source %s)", tsc_source_name(tsc_khz_source()));
		return;
	}
	if (vcpus > 1 && !start_ap())
		return;
	n0 = print_all(0, &printed0);
	while (vcpus > 1 && !ap_done)
		cpu_relax();
	/* After a flood, let the console's rate limit refill, so the report gets through. */
	if (opt.duration_ms)
		tsc_delay_us(FLOOD_SETTLE_MS * US_PER_MS);
	/* Also where no line can be lost: Tally prints published metrics when the domain ends. */
	if (tsc_under_tally())
		tally_publish_metric("lines", n0 + (vcpus > 1 ? ap_printed : 0), TALLY_UNIT_COUNT);
	printk("printer: done cpu0=%u cpu1=%u\n", n0, vcpus > 1 ? ap_printed : 0);
}
