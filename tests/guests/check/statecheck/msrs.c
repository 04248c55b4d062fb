/* SPDX-License-Identifier: MIT */
/* statecheck: the MSRs a guest may write (EFER, SYSCALL, SYSENTER, ...) and its x2APIC. */
#include "guest.h"
#include "state.h"

#define PAT_RESET		0x0007040600070406ull	/* SDM Vol. 3A, 12.12.4 */

struct msr_item {
	const char *name;
	uint32_t msr;
	uint64_t writer;	/* the writer's pattern */
	uint64_t reset;		/* what a guest that never wrote it reads */
};

/* Written in this order; x2APIC registers are the vCPU's virtual APIC (SDM Vol. 3A, table 11-6). */
static const struct msr_item items[] = {
	/* First: LVT entries stay masked while the APIC is software-disabled (SDM 11.4.7.2). */
	{ "x2APIC SVR", 0x80F, 0x1F5, 0xFF },
	{ "EFER", 0xC0000080, 0x801, 0 },		/* SCE, NXE */
	{ "STAR", 0xC0000081, 0x5A5A5A5A53535353ull, 0 },
	{ "LSTAR", 0xC0000082, 0xFFFFA5A54C4C4C4Cull, 0 },
	{ "CSTAR", 0xC0000083, 0x0000434343434340ull, 0 },
	{ "SFMASK", 0xC0000084, 0x00047FD5ull, 0 },
	{ "KERNEL_GS_BASE", 0xC0000102, 0xFFFF80006B6B6B68ull, 0 },
	{ "FS_BASE", 0xC0000100, 0x00007F5F5F5F5000ull, 0 },
	{ "GS_BASE", 0xC0000101, 0x00007A6A6A6A6000ull, 0 },
	{ "SYSENTER_CS", 0x174, 0x5E58, 0 },
	{ "SYSENTER_ESP", 0x175, 0xFFFF80005E5E5E50ull, 0 },
	{ "SYSENTER_EIP", 0x176, 0xFFFF80005E1E5E1Eull, 0 },
	{ "PAT", 0x277, 0x0001050400070406ull, PAT_RESET },
	{ "x2APIC TPR", 0x808, 0x5A, 0 },
	{ "x2APIC LVT timer", 0x832, 0x3005A, 0x10000 },	/* masked, periodic, vector 0x5A */
	{ "x2APIC LVT LINT0", 0x835, 0x1A75A, 0x10000 },	/* masked, level, low, ExtINT */
	{ "x2APIC LVT error", 0x837, 0x1005B, 0x10000 },
	{ "x2APIC timer divide", 0x83E, 0xB, 0 },		/* divide by 1 */
	/* Masked, and 30 s away at 50 MHz: it never fires in the test. */
	{ "x2APIC timer initial count", 0x838, 0x5A5A5A5A, 0 },
};

/* MSRs Tally may refuse (#GP): if it lets the writer write one, it must be the writer's alone. */
static const struct msr_item optional[] = {
	{ "TSC_AUX", 0xC0000103, 0x5A5A, 0 },
	{ "IA32_DEBUGCTL", 0x1D9, 0x1, 0 },
	{ "IA32_TSC_ADJUST", 0x3B, 0x1000, 0 },
};
#define N_ITEMS		(sizeof(items) / sizeof(items[0]))
#define N_OPTIONAL	(sizeof(optional) / sizeof(optional[0]))

static bool accepted[N_OPTIONAL];	/* the writer's write of each went through */
static uint64_t last_tsc;

static void writer_setup(void)
{
	int vec;

	for (unsigned int i = 0; i < N_ITEMS; i++)
		wrmsr(items[i].msr, items[i].writer);
	/*
	 * Time travel: if Tally took it, only the writer's TSC may move (the
	 * reader checks its own).  Before TSC_ADJUST: a TSC write moves
	 * TSC_ADJUST too (SDM Vol. 3B, 17.17.3), so the value checked is set last.
	 */
	vec = wrmsr_safe(MSR_IA32_TSC, 0x1000);
	printk("statecheck: WRMSR IA32_TSC: %s\n", vec == TRAP_NO_FAULT ? "accepted" : "#GP");
	for (unsigned int i = 0; i < N_OPTIONAL; i++) {
		accepted[i] = wrmsr_safe(optional[i].msr, optional[i].writer) == TRAP_NO_FAULT;
		printk("statecheck: WRMSR %s: %s\n", optional[i].name,
		       accepted[i] ? "accepted (checked as the writer's own)" : "#GP");
	}
}

void msrs_setup(void)
{
	x2apic_enable();	/* the APIC starts in xAPIC mode; its MSRs exist in x2APIC mode */
	if (state_writer())
		writer_setup();
	last_tsc = rdtsc();
	state_items += N_ITEMS + N_OPTIONAL + !state_writer();
	msrs_check(~0u);
}

void msrs_check(uint32_t round)
{
	uint64_t val, tsc;

	for (unsigned int i = 0; i < N_ITEMS; i++)
		state_expect(items[i].name, round, rdmsr(items[i].msr),
			     state_writer() ? items[i].writer : items[i].reset);
	for (unsigned int i = 0; i < N_OPTIONAL; i++) {
		/* Unreadable (#GP) is fine for either; readable, it must hold its own value. */
		if (rdmsr_safe(optional[i].msr, &val) != TRAP_NO_FAULT)
			continue;
		state_expect(optional[i].name, round, val,
			     state_writer() && accepted[i] ? optional[i].writer : optional[i].reset);
	}
	if (state_writer())
		return;
	tsc = rdtsc();
	state_expect("TSC went back", round, tsc < last_tsc, 0);
	last_tsc = tsc;
}
