/* SPDX-License-Identifier: MIT */
/* Translating a guest-linear address through the guest's own page tables (pure). */
#ifndef ARCH_GUEST_WALK_H
#define ARCH_GUEST_WALK_H

#include <tally/types.h>

/* The guest's paging state, as the VMCS holds it. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
	unsigned int maxphyaddr;	/* physical address width: wider address bits are reserved */
	const uint64_t *pdpte;		/* PAE: the 4 PDPTEs the CPU loaded (the VMCS's), or NULL: from CR3 */
};

/*
 * Reads one paging-structure entry of @size bytes (4 or 8) at guest-physical
 * @gpa: 0, or a negative errno when @gpa is not the guest's RAM.
 */
typedef int (*guest_walk_read_fn)(void *ctx, uint64_t gpa, unsigned int size, uint64_t *val);

enum guest_walk_status {
	GUEST_WALK_OK,
	GUEST_WALK_NOT_PRESENT,		/* an entry's P bit is clear: #PF */
	GUEST_WALK_RESERVED,		/* an entry sets a reserved bit: #PF with RSVD */
	GUEST_WALK_BAD_TABLE,		/* a table lies outside the guest's RAM */
	GUEST_WALK_NON_CANONICAL,	/* the address is not canonical: #GP */
};

struct guest_walk_result {
	enum guest_walk_status status;
	uint64_t gpa;			/* GUEST_WALK_OK: the translation */
	unsigned int level;		/* the level that answered: 1 = PTE ... 5 = PML5E; 0 without paging */
	uint64_t page_size;		/* GUEST_WALK_OK: bytes of the page mapping @la */
};

/*
 * Translate guest-linear @la with the paging mode @p selects (none, 32-bit,
 * PAE, 4-level or 5-level: SDM Vol. 3A, 4.1.1), reading entries through
 * @read.  Access rights are not checked: the caller translates what the CPU
 * already fetched.  Returns the status, with the details in *@res.
 */
enum guest_walk_status guest_walk(const struct guest_paging *p, uint64_t la,
				  guest_walk_read_fn read, void *ctx,
				  struct guest_walk_result *res);

/* "ok", "not present", ... for log lines. */
const char *guest_walk_status_name(enum guest_walk_status s);

#endif
