/* SPDX-License-Identifier: MIT */
/* The rules of the MSRs Tally models for guests (arch/msr_rules.h); no hardware access. */
#include <arch/msr_rules.h>
#include <tally/errno.h>

/* Bits a guest may change; the rest of the documented ones keep their value. */
#define MISC_ENABLE_WRITABLE	(MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_AUTO_THERMAL | \
				 MISC_ENABLE_EIST | MISC_ENABLE_XTPR_DISABLE)
/*
 * Documented bits that must stay 0 here: MONITOR/MWAIT and XD disable
 * would change CPUID (MONITOR is not offered, NX is), and LIMIT_CPUID
 * would cut CPUID down to leaf 2: a guest may clear them (as Linux does),
 * not set them.
 */
#define MISC_ENABLE_STAY_CLEAR	(MISC_ENABLE_MONITOR | MISC_ENABLE_LIMIT_CPUID | \
				 MISC_ENABLE_XD_DISABLE)
#define MISC_ENABLE_READ_ONLY	(MISC_ENABLE_PERF_MON | MISC_ENABLE_NO_BTS | MISC_ENABLE_NO_PEBS)

int msr_misc_enable_write(uint64_t cur, uint64_t val, uint64_t *out)
{
	uint64_t known = MISC_ENABLE_WRITABLE | MISC_ENABLE_STAY_CLEAR | MISC_ENABLE_READ_ONLY;

	if (val & ~known)
		return -EINVAL;		/* reserved bit */
	if (val & MISC_ENABLE_STAY_CLEAR)
		return -EINVAL;
	if ((val ^ cur) & MISC_ENABLE_READ_ONLY)
		return -EINVAL;
	*out = (cur & ~MISC_ENABLE_WRITABLE) | (val & MISC_ENABLE_WRITABLE);
	return 0;
}

/* SDM Vol. 3B, 15.3.1.2: writing 1s to IA32_MCG_STATUS is #GP; 0 clears it. */
int msr_mcg_status_write(uint64_t val)
{
	return val ? -EINVAL : 0;
}

uint64_t msr_tsc_deadline_to_host(uint64_t guest_deadline, uint64_t guest_now, uint64_t host_now)
{
	uint64_t ahead;

	if (!guest_deadline)
		return 0;
	if (guest_deadline <= guest_now)
		return host_now ? host_now : 1;
	ahead = guest_deadline - guest_now;
	return ahead > UINT64_MAX - host_now ? UINT64_MAX : host_now + ahead;
}

uint64_t msr_tsc_deadline_to_guest(uint64_t host_deadline, uint64_t offset)
{
	return host_deadline ? host_deadline + offset : 0;
}
