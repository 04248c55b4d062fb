/* SPDX-License-Identifier: MIT */
/* Exception and interrupt dispatch; a fault inside Tally is fatal and fully reported. */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/pic.h>
#include <arch/trap.h>
#include <tally/arch.h>
#include <tally/log.h>
#include <tally/panic.h>
#include <tally/percpu.h>

static const char *const exception_names[32] = {
	[VEC_DE] = "#DE divide error",	[VEC_DB] = "#DB debug",
	[VEC_NMI] = "NMI",		[VEC_BP] = "#BP breakpoint",
	[VEC_OF] = "#OF overflow",	[VEC_BR] = "#BR bound range",
	[VEC_UD] = "#UD invalid opcode", [VEC_NM] = "#NM device not available",
	[VEC_DF] = "#DF double fault",	[VEC_TS] = "#TS invalid TSS",
	[VEC_NP] = "#NP segment not present", [VEC_SS] = "#SS stack fault",
	[VEC_GP] = "#GP general protection", [VEC_PF] = "#PF page fault",
	[VEC_MF] = "#MF x87 error",	[VEC_AC] = "#AC alignment check",
	[VEC_MC] = "#MC machine check",	[VEC_XM] = "#XM SIMD error",
	[VEC_VE] = "#VE virtualization", [VEC_CP] = "#CP control protection",
};

static __noreturn void fatal_exception(struct trap_frame *f)
{
	const char *name = exception_names[f->vector];

	if (!panic_begin())
		arch_halt_forever();
	log_err("FATAL: exception %s (vector %lu) in Tally on cpu%u",
		name ? name : "reserved", f->vector, this_cpu()->id);
	trap_dump_frame(f);
	panic_end();
}

/* An NMI is how a panicking CPU stops the others. */
static void handle_nmi(struct trap_frame *f)
{
	if (panic_in_progress())
		arch_halt_forever();
	log_warn("unexpected NMI at rip=%#lx", f->rip);
}

void trap_external_interrupt(uint64_t vector)
{
	/* No EOI for spurious interrupts (SDM Vol. 3A, 11.9; 8259A data sheet). */
	if (vector == VEC_LAPIC_SPURIOUS || vector == PIC_SPURIOUS_MASTER ||
	    vector == PIC_SPURIOUS_SLAVE)
		return;
	if (vector == VEC_LAPIC_TIMER)
		lapic_timer_interrupt();
	else if (vector != VEC_KICK &&	/* a kick only needs the CPU to look again */
		 !irq_dispatch(vector))
		log_warn("unexpected interrupt vector %lu", vector);
	lapic_eoi();
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector == VEC_NMI) {
		handle_nmi(f);
		return;
	}
	if (f->vector < VEC_FIRST_EXTERNAL)
		fatal_exception(f);
	trap_external_interrupt(f->vector);
}
