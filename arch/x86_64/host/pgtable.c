/* SPDX-License-Identifier: MIT */
/* 4-level page-table builder shared by paging and EPT (see arch/pgtable.h). */
#include <arch/pgtable.h>
#include <tally/errno.h>

static unsigned int index_at(uint64_t va, enum pt_level level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

static uint64_t level_size(enum pt_level level)
{
	return 1ull << (PAGE_SHIFT + 9 * (level - 1));
}

/* Largest level whose page fits at va/pa with len bytes left. */
static enum pt_level leaf_level(const struct pgtable_fmt *fmt, uint64_t va,
				uint64_t pa, uint64_t len)
{
	for (enum pt_level l = fmt->max_leaf; l > PT_LEVEL_4K; l--) {
		uint64_t sz = level_size(l);

		if (IS_ALIGNED(va, sz) && IS_ALIGNED(pa, sz) && len >= sz)
			return l;
	}
	return PT_LEVEL_4K;
}

/* The table below entry @e, allocated if the entry is empty. */
static uint64_t *next_table(const struct pgtable_fmt *fmt, const struct pgtable_mem *mem,
			    uint64_t *e)
{
	uint64_t pa;

	if (*e & fmt->present_mask) {
		if (*e & PT_LARGE)
			return NULL;
		return mem->ptr(*e & PT_ADDR_MASK, mem->ctx);
	}
	pa = mem->alloc(mem->ctx);
	if (!pa)
		return NULL;
	*e = pa | fmt->table_flags;
	return mem->ptr(pa, mem->ctx);
}

static int map_one(const struct pgtable_fmt *fmt, const struct pgtable_mem *mem,
		   uint64_t root, uint64_t va, uint64_t pa, enum pt_level leaf, uint64_t flags)
{
	uint64_t *table = mem->ptr(root, mem->ctx);
	uint64_t *e;

	for (enum pt_level l = PT_LEVEL_ROOT; l > leaf; l--) {
		e = &table[index_at(va, l)];
		if ((*e & fmt->present_mask) && (*e & PT_LARGE))
			return -EEXIST;
		table = next_table(fmt, mem, e);
		if (!table)
			return -ENOMEM;
	}
	e = &table[index_at(va, leaf)];
	if (*e & fmt->present_mask)
		return -EEXIST;
	*e = pa | flags | (leaf > PT_LEVEL_4K ? PT_LARGE : 0);
	return 0;
}

int pgtable_map(const struct pgtable_fmt *fmt, const struct pgtable_mem *mem,
		uint64_t root, uint64_t va, uint64_t pa, uint64_t len, uint64_t leaf_flags)
{
	if (!len)
		return 0;
	if (!IS_ALIGNED(va | pa | len, PAGE_SIZE) || va + len < va || pa + len < pa ||
	    (pa + len - 1) > PT_ADDR_MASK || (leaf_flags & PT_ADDR_MASK) ||
	    fmt->max_leaf < PT_LEVEL_4K || fmt->max_leaf > PT_LEVEL_1G)
		return -EINVAL;
	while (len) {
		enum pt_level l = leaf_level(fmt, va, pa, len);
		int err = map_one(fmt, mem, root, va, pa, l, leaf_flags);

		if (err)
			return err;
		va += level_size(l);
		pa += level_size(l);
		len -= level_size(l);
	}
	return 0;
}

int pgtable_lookup(const struct pgtable_fmt *fmt, const struct pgtable_mem *mem,
		   uint64_t root, uint64_t va, uint64_t *entry)
{
	uint64_t *table = mem->ptr(root, mem->ctx);

	for (enum pt_level l = PT_LEVEL_ROOT; l >= PT_LEVEL_4K; l--) {
		uint64_t e = table[index_at(va, l)];

		if (!(e & fmt->present_mask))
			return 0;
		if (l == PT_LEVEL_4K || (l <= PT_LEVEL_1G && (e & PT_LARGE))) {
			*entry = e;
			return l;
		}
		table = mem->ptr(e & PT_ADDR_MASK, mem->ctx);
	}
	return 0;
}

struct walk {
	const struct pgtable_fmt *fmt;
	const struct pgtable_mem *mem;
	pgtable_leaf_fn leaf;
	pgtable_table_fn table;
	void *ctx;
};

/* Recursion is bounded by the four levels. */
static void walk_table(const struct walk *w, uint64_t table_pa, enum pt_level level,
		       uint64_t base)
{
	const uint64_t *t = w->mem->ptr(table_pa, w->mem->ctx);

	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = t[i], va = base + i * level_size(level);

		if (!(e & w->fmt->present_mask))
			continue;
		if (level == PT_LEVEL_4K || (level <= PT_LEVEL_1G && (e & PT_LARGE))) {
			if (w->leaf)
				w->leaf(va, e, level, w->ctx);
			continue;
		}
		walk_table(w, e & PT_ADDR_MASK, level - 1, va);
	}
	if (w->table)
		w->table(table_pa, w->ctx);
}

void pgtable_walk(const struct pgtable_fmt *fmt, const struct pgtable_mem *mem, uint64_t root,
		  pgtable_leaf_fn leaf, pgtable_table_fn table, void *ctx)
{
	struct walk w = { fmt, mem, leaf, table, ctx };

	walk_table(&w, root, PT_LEVEL_ROOT, 0);
}
