/* SPDX-License-Identifier: MIT */
/* The registers VMX leaves to software: CR2, DR0-DR3 and DR6, switched per vCPU (docs/STATE.md).
 *
 * Neither VM entry nor VM exit loads or saves CR2, DR0-DR3 or DR6 (SDM
 * Vol. 3C, 27.3.2.1, 28.3.1 and 28.5.1 name only DR7, with the
 * debug-controls bits), so the CPU keeps whatever the last guest left in
 * them.  Tally itself never uses them (a page fault inside Tally is
 * fatal; it sets no breakpoint), so a guest's values may stay in the CPU
 * while Tally runs and are exchanged only when another vCPU takes the CPU.
 * CR2 and DR6 change without any exit (a guest's page fault writes CR2, a
 * single step sets DR6.BS): they go with every switch.  DR0-DR3 change
 * only through MOV DR, which exits while "MOV-DR exiting" is on (SDM Vol.
 * 3C, 26.1.3): they are switched only for a vCPU that has used them. */
#ifndef ARCH_DEBUGREG_H
#define ARCH_DEBUGREG_H

#include <tally/types.h>
#include <arch/cpu.h>

#define DEBUGREG_ADDR_COUNT	4		/* DR0-DR3 */
#define DR6_RESET		0xFFFF0FF0ull	/* SDM Vol. 3B, 18.2.3 and table 10-1 */

/* One vCPU's copy while it is off the CPU. */
struct debugreg_state {
	uint64_t cr2;
	uint64_t dr6;
	uint64_t dr[DEBUGREG_ADDR_COUNT];
	/*
	 * DR0-DR3 are the guest's own in the CPU from its first MOV DR on
	 * (MOV-DR exiting then turned off), and switched with it; before, a
	 * MOV DR exits, so the guest cannot see or change them.
	 */
	bool addr_live;
};

struct vcpu;
struct guest_regs;

#define DEBUGREG_DEFINE_ACCESSORS(n)					\
static inline uint64_t debugreg_read_dr##n(void)			\
{									\
	uint64_t v;							\
	__asm__ volatile("mov %%db" #n ", %0" : "=r"(v));		\
	return v;							\
}									\
static inline void debugreg_write_dr##n(uint64_t v)			\
{									\
	__asm__ volatile("mov %0, %%db" #n : : "r"(v) : "memory");	\
}
DEBUGREG_DEFINE_ACCESSORS(0)
DEBUGREG_DEFINE_ACCESSORS(1)
DEBUGREG_DEFINE_ACCESSORS(2)
DEBUGREG_DEFINE_ACCESSORS(3)
DEBUGREG_DEFINE_ACCESSORS(6)
#undef DEBUGREG_DEFINE_ACCESSORS

/*
 * Reset state for a new vCPU (CR2 and DR0-DR3 zero, DR6 at its reset
 * value); @addr_live when MOV DR does not exit (a CPU without MOV-DR
 * exiting), so that DR0-DR3 are switched from the start.
 */
void debugreg_init(struct debugreg_state *d, bool addr_live);
/* MOV-DR exit: give the guest DR0-DR3 for good and let it run the MOV again, now without exit. */
void vmexit_dr_access(struct vcpu *v, struct guest_regs *r);

/* Put @d's DR0-DR3 into the CPU (safe in the host: every VM exit sets DR7 to 400H, SDM 28.5.1). */
static inline void debugreg_load_addr(const struct debugreg_state *d)
{
	debugreg_write_dr0(d->dr[0]);
	debugreg_write_dr1(d->dr[1]);
	debugreg_write_dr2(d->dr[2]);
	debugreg_write_dr3(d->dr[3]);
}

/* Switching away from the running vCPU: copy its registers out of the CPU.  Inline: every switch. */
static inline void debugreg_save(struct debugreg_state *d)
{
	d->cr2 = read_cr2();
	d->dr6 = debugreg_read_dr6();
	if (!d->addr_live)
		return;
	d->dr[0] = debugreg_read_dr0();
	d->dr[1] = debugreg_read_dr1();
	d->dr[2] = debugreg_read_dr2();
	d->dr[3] = debugreg_read_dr3();
}

/* Switching to a vCPU: put its registers into the CPU. */
static inline void debugreg_load(const struct debugreg_state *d)
{
	write_cr2(d->cr2);
	debugreg_write_dr6(d->dr6);
	if (d->addr_live)
		debugreg_load_addr(d);
}

#endif
