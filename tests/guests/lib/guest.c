/* SPDX-License-Identifier: MIT */
/* Test-guest lifecycle: start-up, the verdict (most severe wins), one verdict line, debug-exit. */
#include <stdarg.h>
#include "desc.h"
#include "guest.h"

static enum verdict verdict = VERDICT_PASS;

static const char *const verdict_names[] = {
	[VERDICT_PASS] = "PASS",
	[VERDICT_SKIP] = "SKIP",
	[VERDICT_FAIL] = "FAIL",
	[VERDICT_ERROR] = "ERROR",
};

/* Print "<name>: <tag>: <message>\n" and raise the verdict to @v. */
static void report_line(enum verdict v, const char *tag, const char *fmt, va_list ap)
{
	printk("%s: %s: ", guest_name, tag);
	vprintk(fmt, ap);
	printk("\n");
	guest_report(v);
}

/* Raise the verdict to @v if that is more severe than the current one. */
void guest_report(enum verdict v)
{
	if (v > verdict)
		verdict = v;
}

/* Print "<name>: FAIL: <message>" and raise the verdict to FAIL. */
void guest_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(VERDICT_FAIL, "FAIL", fmt, ap);
	va_end(ap);
}

/* Print "<name>: SKIP: <message>" and raise the verdict to SKIP. */
void guest_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(VERDICT_SKIP, "SKIP", fmt, ap);
	va_end(ap);
}

/* Print "<name>: ERROR: <message>" and raise the verdict to ERROR. */
void guest_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(VERDICT_ERROR, "ERROR", fmt, ap);
	va_end(ap);
}

/* Print "<name>: ok: <message>", or report a FAIL if !@ok; returns @ok. */
bool guest_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(ok ? VERDICT_PASS : VERDICT_FAIL, ok ? "ok" : "FAIL", fmt, ap);
	va_end(ap);
	return ok;
}

/* The most severe verdict reported so far. */
enum verdict guest_verdict(void)
{
	return verdict;
}

/*
 * Print "TEST RESULT: <verdict>" once and write the verdict to the
 * debug-exit port.  Without that device (plain hardware) the CPU halts.
 */
void guest_exit(void)
{
	static bool exiting;

	/* An exception while exiting comes back here: no second verdict line. */
	if (!exiting) {
		exiting = true;
		printk("TEST RESULT: %s\n", verdict_names[verdict]);
	}
	outb(TALLY_PORT_DEBUG_EXIT, (uint8_t)verdict);
	halt_forever();
}

/* C entry from entry.asm: console and descriptors first, then the magic check, the test, the exit. */
void guest_start(const struct mb_info *mbi, uint32_t magic)
{
	serial_init();
	desc_init();
	if (magic != MB_BOOTLOADER_MAGIC) {
		guest_error("entered with EAX=0x%08x, not the multiboot v1 magic 0x%08x",
			    magic, MB_BOOTLOADER_MAGIC);
		guest_exit();
	}
	/*
	 * `irqs_on`: start the test with interrupts enabled.  Under Tally a
	 * guest gets no interrupt it did not program its APIC for, and Bochs
	 * 2.7 leaves a guest with IF=0 for no host interrupt (it masks them
	 * by the guest's IF at VM entry, whatever external-interrupt exiting
	 * says), so a CPU-bound guest needs it to be preempted there by
	 * Tally's LAPIC timer (`sched_timer=lapic`).
	 */
	if (cmdline_flag(mbi, "irqs_on"))
		irq_enable();
	guest_main(mbi);
	guest_exit();
}
