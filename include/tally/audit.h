/* SPDX-License-Identifier: MIT */
/* The memory-ownership audit: no host page belongs to two domains, or to a domain and Tally. */
#ifndef TALLY_AUDIT_H
#define TALLY_AUDIT_H

#include <tally/types.h>

#define AUDIT_OWNER_TALLY	0	/* owner id of the hypervisor's own memory */
#define AUDIT_MAX_RANGES	4096

/* Host-physical [start, end) owned by @owner (a domain id, or AUDIT_OWNER_TALLY). */
struct audit_range {
	uint64_t start, end;
	unsigned int owner;
};

struct audit {
	struct audit_range ranges[AUDIT_MAX_RANGES];
	unsigned int count;
	bool overflow;		/* more ranges than fit: the audit cannot conclude */
	unsigned int foreign;	/* mappings outside their own domain's block */
};

/* Record that @owner holds [@start, @start + @len). */
void audit_add(struct audit *a, uint64_t start, uint64_t len, unsigned int owner);

/*
 * Sort the ranges and look for two with different owners that overlap.
 * Returns true, with *@x and *@y set to their indices (after sorting), if
 * there is such a pair; false if ownership is clean.
 */
bool audit_find_conflict(struct audit *a, unsigned int *x, unsigned int *y);

/* Walk every live domain's EPT and Tally's own memory, and print the verdict. */
bool audit_run(void);

#endif
