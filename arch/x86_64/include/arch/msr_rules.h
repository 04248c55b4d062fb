/* SPDX-License-Identifier: MIT */
/* The rules of the MSRs Tally models for guests (TSC, TSC_ADJUST, MISC_ENABLE, machine check): pure. */
#ifndef ARCH_MSR_RULES_H
#define ARCH_MSR_RULES_H

#include <tally/types.h>

#define MSR_IA32_TSC_ADJUST	0x0000003B
#define MSR_IA32_MCG_CAP	0x00000179
#define MSR_IA32_MCG_STATUS	0x0000017A
#define MSR_IA32_MCG_CTL	0x0000017B	/* exists if MCG_CAP.MCG_CTL_P: never here */
#define MSR_IA32_MC0_CTL	0x00000400	/* MCi_CTL/STATUS/ADDR/MISC: 4 per bank */
#define MSR_IA32_MCG_CAP_GUEST	0ull		/* no banks, no MCG_CTL, no CMCI, no LMCE */

/* IA32_MISC_ENABLE bits (SDM Vol. 4, table 2-2, architectural MSRs). */
#define MISC_ENABLE_FAST_STRINGS	(1ull << 0)	/* R/W */
#define MISC_ENABLE_AUTO_THERMAL	(1ull << 3)	/* R/W */
#define MISC_ENABLE_PERF_MON		(1ull << 7)	/* RO: performance monitoring available */
#define MISC_ENABLE_NO_BTS		(1ull << 11)	/* RO: branch trace storage unavailable */
#define MISC_ENABLE_NO_PEBS		(1ull << 12)	/* RO */
#define MISC_ENABLE_EIST		(1ull << 16)	/* R/W: Enhanced Intel SpeedStep */
#define MISC_ENABLE_MONITOR		(1ull << 18)	/* R/W: MONITOR/MWAIT */
#define MISC_ENABLE_LIMIT_CPUID		(1ull << 22)	/* R/W: CPUID leaf 0 says 2 at most */
#define MISC_ENABLE_XTPR_DISABLE	(1ull << 23)	/* R/W */
#define MISC_ENABLE_XD_DISABLE		(1ull << 34)	/* R/W: NX hidden from CPUID */

/* What a guest's IA32_MISC_ENABLE holds at power-on. */
#define MISC_ENABLE_POWER_ON	(MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_NO_BTS | MISC_ENABLE_NO_PEBS)

/*
 * WRMSR of @val to IA32_MISC_ENABLE holding @cur: 0 and the new value in
 * *@out, or -EINVAL for #GP (a reserved bit, a read-only bit changed, or
 * a feature turned on that this CPU does not offer).
 */
int msr_misc_enable_write(uint64_t cur, uint64_t val, uint64_t *out);

/* WRMSR of @val to IA32_MCG_STATUS: 0, or -EINVAL for #GP (only 0 may be written). */
int msr_mcg_status_write(uint64_t val);

/*
 * A guest's TSC is the host's plus its vCPU's offset (the VMCS TSC offset,
 * SDM Vol. 3C, 26.6.5), and its IA32_TSC_ADJUST always equals that offset:
 * both start at 0, a TSC write moves both by the same amount and an
 * TSC_ADJUST write sets both (SDM Vol. 3B, 17.17.3).
 */
/* The offset after WRMSR IA32_TSC of @val at host TSC @host_now. */
static inline uint64_t msr_tsc_write_offset(uint64_t val, uint64_t host_now)
{
	return val - host_now;
}

/*
 * The host TSC at which a guest TSC deadline @guest_deadline falls, for a
 * vCPU at guest TSC @guest_now and host TSC @host_now: 0 stays 0 (disarmed),
 * a deadline passed is @host_now (due), a far one saturates.
 */
uint64_t msr_tsc_deadline_to_host(uint64_t guest_deadline, uint64_t guest_now, uint64_t host_now);

/* A host TSC deadline as the guest reads it back with offset @offset (0: disarmed). */
uint64_t msr_tsc_deadline_to_guest(uint64_t host_deadline, uint64_t offset);

#endif
