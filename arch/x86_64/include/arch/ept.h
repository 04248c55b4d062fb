/* SPDX-License-Identifier: MIT */
/* EPT: a domain's guest-physical to host-physical map (SDM Vol. 3C, 29.3). */
#ifndef ARCH_EPT_H
#define ARCH_EPT_H

#include <arch/pgtable.h>
#include <arch/vcpu.h>

/* EPT entry bits (table 29-1 to 29-6). */
#define EPT_READ		(1ull << 0)
#define EPT_WRITE		(1ull << 1)
#define EPT_EXECUTE		(1ull << 2)
#define EPT_RWX			(EPT_READ | EPT_WRITE | EPT_EXECUTE)
#define EPT_MEMTYPE_WB		(6ull << 3)

/* EPTP (25.6.11): write-back paging structures, 4-level walk. */
#define EPTP_MEMTYPE_WB		6ull
#define EPTP_WALK_LENGTH_4	(3ull << 3)

/* EPT-violation exit qualification (table 28-7). */
#define EPT_QUAL_READ		(1ull << 0)
#define EPT_QUAL_WRITE		(1ull << 1)
#define EPT_QUAL_FETCH		(1ull << 2)
#define EPT_QUAL_GLA_VALID	(1ull << 7)	/* the guest-linear address field is valid */
#define EPT_QUAL_GLA_TRANSLATION (1ull << 8)	/* with bit 7: the access itself, not a page walk */

/* The EPT format for the pgtable builder: 1 GiB leaves only if @gb_pages. */
struct pgtable_fmt ept_format(bool gb_pages);

/* A guest-physical range of a domain's RAM, at the same offset in its host block. */
struct ept_ram_range {
	uint64_t gpa;
	uint64_t len;
};

/*
 * The ranges of a domain's @bytes of RAM (guest-physical [0, @bytes)) the
 * EPT maps: all of it but the device window [VPLATFORM_DEVICE_BASE, 4 GiB),
 * which stays unmapped for the device models.  Fills @out, returns how
 * many (0-2).  Pure: arch/x86_64/vmx/ept_layout.c.
 */
unsigned int ept_ram_ranges(uint64_t bytes, struct ept_ram_range out[2]);

/*
 * Build @ad's EPT mapping the ranges ept_ram_ranges() gives for @bytes to
 * host-physical @ram + gpa, read/write/execute, write-back, with the
 * largest pages alignment allows.  Returns 0 or -ENOMEM (the partial tree
 * is freed).
 */
int ept_build(struct arch_domain *ad, hpa_t ram, uint64_t bytes, bool gb_pages);

/* Free @ad's EPT paging structures and flush the CPU's cached translations. */
void ept_destroy(struct arch_domain *ad);

/* The memory callbacks EPT tables use (Tally's identity map), for walks. */
extern const struct pgtable_mem ept_mem;

#endif
