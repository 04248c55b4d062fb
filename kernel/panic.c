/* SPDX-License-Identifier: MIT */
/* panic(): report a broken invariant and stop every CPU.
 *
 * Locking: the first CPU to panic wins `panicking`; any other CPU that
 * panics or faults afterwards just halts, so one report is printed whole.
 * Once the others have stopped, the console sends the lines it had queued
 * and writes the report synchronously, without its lock. */
#include <tally/arch.h>
#include <tally/console.h>
#include <tally/emu_exit.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/options.h>
#include <tally/panic.h>

static int panicking;

bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE) != 0;
}

bool panic_begin(void)
{
	int expected = 0;

	arch_irq_save();
	if (!__atomic_compare_exchange_n(&panicking, &expected, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	arch_stop_other_cpus();
	/* What is queued comes first, then the report, written synchronously. */
	console_panic();
	return true;
}

void panic_end(void)
{
	log_err("PANIC: Tally stopped; all CPUs halted");
	/* Under test, end the emulator now rather than wait for a timeout. */
	if (options.exit_when_done)
		emu_exit(EMU_EXIT_PANIC);
	arch_halt_forever();
}

void panic(const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (!panic_begin())
		arch_halt_forever();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("PANIC: %s", msg);
	arch_dump_current();
	panic_end();
}
