/* SPDX-License-Identifier: MIT */
/* cpuid: the STI shadow around an instruction that exits. */
#ifndef GUEST_CPUID_SHADOW_H
#define GUEST_CPUID_SHADOW_H

/*
 * With a self-IPI pending and interrupts off, run STI; CPUID; a store: the
 * interrupt must arrive right after CPUID (the STI shadow covers only
 * CPUID), before the store, as on hardware, although CPUID exits to the
 * hypervisor, which steps over it.
 */
void check_sti_shadow(void);

#endif
