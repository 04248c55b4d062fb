/* SPDX-License-Identifier: MIT */
/* Test-guest exceptions: expected faults resume at their fixup, others end the test with ERROR. */
#include <stdbool.h>
#include <stddef.h>
#include <public/tally.h>
#include "guest.h"

/* One expected-fault site, as EXTABLE_ENTRY() emits it. */
struct extable_entry {
	uint32_t fault;
	uint32_t resume;
};

/* Bounds of the .extable section, from guest.ld. */
extern const struct extable_entry _extable_start[], _extable_end[];

/* Set by trap_dispatch() behind the compiler's back, hence volatile. */
static volatile int caught_vector = TRAP_NO_FAULT;

static const char *const exception_names[X86_EXCEPTIONS] = {
	[0] = "#DE", [1] = "#DB", [2] = "NMI", [3] = "#BP", [4] = "#OF",
	[5] = "#BR", [6] = "#UD", [7] = "#NM", [8] = "#DF", [10] = "#TS",
	[11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF",
	[17] = "#AC", [18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
};

static const struct extable_entry *extable_find(uint32_t eip)
{
	const struct extable_entry *e;

	for (e = _extable_start; e < _extable_end; e++)
		if (e->fault == eip)
			return e;
	return NULL;
}

static const char *exception_name(uint32_t vector)
{
	if (vector < X86_EXCEPTIONS && exception_names[vector])
		return exception_names[vector];
	return "exception";
}

/* Report an exception nobody expected and end the test with ERROR. */
static __attribute__((noreturn)) void trap_unexpected(const struct trap_frame *f)
{
	static bool reporting;

	/* A fault while reporting (a broken console?) must not recurse forever. */
	if (reporting) {
		outb(TALLY_PORT_DEBUG_EXIT, VERDICT_ERROR);
		halt_forever();
	}
	reporting = true;
	guest_error("unexpected exception %s (vector %u) at eip=0x%08x error=0x%x",
		    exception_name(f->vector), f->vector, f->eip, f->error_code);
	guest_exit();
}

/* Handle an exception: resume at a fixup if one is registered, else end the test with ERROR. */
static volatile trap_nmi_fn nmi_handler;

void trap_set_nmi_handler(trap_nmi_fn fn)
{
	nmi_handler = fn;
}

void trap_dispatch(struct trap_frame *f)
{
	const struct extable_entry *e;

	if (f->vector == X86_EXC_NMI && nmi_handler) {
		nmi_handler();
		return;
	}
	e = extable_find(f->eip);

	if (!e)
		trap_unexpected(f);
	caught_vector = (int)f->vector;
	f->eip = e->resume;
}

/* Forget any earlier expected fault, before an instruction that may fault. */
void trap_expect(void)
{
	caught_vector = TRAP_NO_FAULT;
}

/* The vector of the expected fault taken since trap_expect(), or TRAP_NO_FAULT. */
int trap_caught(void)
{
	return caught_vector;
}

/* RDMSR @msr into *@val (0 if it faulted); returns the vector raised or TRAP_NO_FAULT. */
int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo, hi;
	int vector;

	trap_expect();
	asm volatile("1: rdmsr\n"
		     "2:\n\t"
		     EXTABLE_ENTRY(1b, 2b)
		     : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	vector = trap_caught();
	*val = vector == TRAP_NO_FAULT ? ((uint64_t)hi << 32) | lo : 0;
	return vector;
}

/* WRMSR @val to @msr; returns the vector raised or TRAP_NO_FAULT. */
int wrmsr_safe(uint32_t msr, uint64_t val)
{
	trap_expect();
	asm volatile("1: wrmsr\n"
		     "2:\n\t"
		     EXTABLE_ENTRY(1b, 2b)
		     : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
	return trap_caught();
}
