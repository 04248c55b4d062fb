/* SPDX-License-Identifier: MIT */
/* Building x86-64 4-level page tables, for paging and for EPT (pure logic).
 *
 * Both formats share the shape (512 entries a level, 4 levels, a large-page
 * bit 7 at the 2 MiB and 1 GiB levels, the address in bits 12-51); they
 * differ in which bits mean "present" and what a table entry carries, which
 * the caller passes in struct pgtable_fmt.  Table memory comes through
 * callbacks, so host unit tests build tables in malloc'd memory. */
#ifndef ARCH_PGTABLE_H
#define ARCH_PGTABLE_H

#include <tally/types.h>

#define PT_ENTRIES		512
#define PT_ADDR_MASK		0x000FFFFFFFFFF000ull
#define PT_LARGE		(1ull << 7)	/* PS in paging, "page" in EPT */

/* IA-32e paging entry bits (SDM Vol. 3A, 4.5). */
#define PTE_PRESENT		(1ull << 0)
#define PTE_WRITE		(1ull << 1)
#define PTE_NX			(1ull << 63)

enum pt_level {
	PT_LEVEL_4K = 1,
	PT_LEVEL_2M = 2,
	PT_LEVEL_1G = 3,
	PT_LEVEL_ROOT = 4,
};

struct pgtable_fmt {
	uint64_t present_mask;	/* an entry is in use if any of these is set */
	uint64_t table_flags;	/* bits of an entry pointing at a table */
	enum pt_level max_leaf;	/* largest page size allowed */
};

struct pgtable_mem {
	/* A zeroed 4 KiB table: returns its physical address, 0 when out of memory. */
	uint64_t (*alloc)(void *ctx);
	/* The table at physical @pa, as a pointer. */
	uint64_t *(*ptr)(uint64_t pa, void *ctx);
	void *ctx;
};

/*
 * Map [@va, @va + @len) to @pa with leaf entries carrying @leaf_flags,
 * using the largest pages that alignment and fmt->max_leaf allow.  All of
 * @va, @pa, @len must be 4 KiB aligned.  Returns 0, -EINVAL, -ENOMEM, or
 * -EEXIST when part of the range is mapped already (then some of the range
 * may be mapped: callers treat that as fatal).
 */
int pgtable_map(const struct pgtable_fmt *fmt, const struct pgtable_mem *mem,
		uint64_t root, uint64_t va, uint64_t pa, uint64_t len, uint64_t leaf_flags);

/*
 * Walk to the leaf for @va.  Returns its level (PT_LEVEL_4K..1G) with
 * *@entry set, or 0 when @va is not mapped.
 */
int pgtable_lookup(const struct pgtable_fmt *fmt, const struct pgtable_mem *mem,
		   uint64_t root, uint64_t va, uint64_t *entry);

/* Called for each leaf: where it maps (@va), its entry, and its level. */
typedef void (*pgtable_leaf_fn)(uint64_t va, uint64_t entry, enum pt_level level, void *ctx);
/* Called for each table page, the root last, after everything below it. */
typedef void (*pgtable_table_fn)(uint64_t table_pa, void *ctx);

/*
 * Visit every leaf and every table of the tree at @root, in address order.
 * Either callback may be NULL.  Table pages are visited after their
 * contents, so @table may free them.
 */
void pgtable_walk(const struct pgtable_fmt *fmt, const struct pgtable_mem *mem, uint64_t root,
		  pgtable_leaf_fn leaf, pgtable_table_fn table, void *ctx);

#endif
