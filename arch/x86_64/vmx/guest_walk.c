/* SPDX-License-Identifier: MIT */
/*
 * Walking a guest's page tables in software (see arch/guest_walk.h), for
 * the instruction bytes of an emulated MMIO access.  The four paging modes
 * of SDM Vol. 3A chapter 4 (32-bit 4.3, PAE 4.4, 4-level and 5-level 4.5)
 * share one loop over 8-byte entries but 32-bit paging, which has its own.
 * Pure: the entries come through a callback, so host tests build tables.
 */
#include <arch/cpu.h>
#include <arch/guest_walk.h>

#ifndef CR4_LA57
#define CR4_LA57		(1ull << 12)	/* 5-level paging (SDM Vol. 3A, 2.5) */
#endif

/* Paging-structure entry bits (SDM Vol. 3A, 4.3, 4.4, 4.5). */
#define ENT_P			(1ull << 0)
#define ENT_PS			(1ull << 7)
#define ENT_XD			(1ull << 63)
#define ENT_ADDR_MASK		0x000FFFFFFFFFF000ull	/* bits 51:12 */
#define ENT32_ADDR_MASK		0xFFFFF000ull
#define ENT32_4M_ADDR_MASK	0xFFC00000ull
#define ENT32_4M_HIGH_SHIFT	13	/* PDE bits 20:13 are address bits 39:32 (PSE-36) */
#define ENT32_4M_HIGH_BITS	8
#define ENT32_4M_RSVD		(1ull << 21)
#define PAE_PDPTE_RSVD		0x1E6ull	/* bits 8:5 and 2:1 */
#define PAE_CR3_MASK		0xFFFFFFE0ull
#define LARGE_RSVD_SHIFT	13	/* a large page's reserved bits: 13 up to its size (12 is PAT) */
#define INDEX_BITS		9
#define INDEX_MASK		0x1FFu
#define PT32_INDEX_MASK		0x3FFu
#define PT32_PDE_SHIFT		22
#define ENTRY64			8
#define ENTRY32			4
#define LA32_MASK		0xFFFFFFFFull
#define LEVEL_PT		1
#define LEVEL_PD		2
#define LEVEL_PDPT		3
#define LEVEL_PML4		4
#define LEVEL_PML5		5
#define MAXPHYADDR_MIN		32
#define MAXPHYADDR_MAX		52

static unsigned int level_shift(unsigned int level)
{
	return PAGE_SHIFT + INDEX_BITS * (level - 1);
}

static uint64_t low_bits(unsigned int n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* Address bits from MAXPHYADDR to 51, reserved in every 8-byte entry. */
static uint64_t high_rsvd(const struct guest_paging *p)
{
	unsigned int m = p->maxphyaddr;

	if (m < MAXPHYADDR_MIN || m > MAXPHYADDR_MAX)
		m = MAXPHYADDR_MAX;
	return low_bits(MAXPHYADDR_MAX) & ~low_bits(m);
}

static enum guest_walk_status done(struct guest_walk_result *res, enum guest_walk_status s,
				   unsigned int level)
{
	res->status = s;
	res->level = level;
	return s;
}

static enum guest_walk_status leaf(struct guest_walk_result *res, uint64_t base,
				   uint64_t la, unsigned int shift, unsigned int level)
{
	res->page_size = 1ull << shift;
	res->gpa = (base & ~low_bits(shift)) | (la & low_bits(shift));
	return done(res, GUEST_WALK_OK, level);
}

/* 32-bit paging, CR4.PAE = 0 (SDM Vol. 3A, 4.3, tables 4-4 to 4-6). */
static enum guest_walk_status walk32(const struct guest_paging *p, uint64_t la,
				     guest_walk_read_fn read, void *ctx,
				     struct guest_walk_result *res)
{
	uint64_t pde, pte, high;
	unsigned int m = p->maxphyaddr < 40 ? p->maxphyaddr : 40;

	la &= LA32_MASK;
	if (read(ctx, (p->cr3 & ENT32_ADDR_MASK) + (la >> PT32_PDE_SHIFT) * ENTRY32, ENTRY32, &pde))
		return done(res, GUEST_WALK_BAD_TABLE, LEVEL_PD);
	if (!(pde & ENT_P))
		return done(res, GUEST_WALK_NOT_PRESENT, LEVEL_PD);
	if ((pde & ENT_PS) && (p->cr4 & CR4_PSE)) {
		/* PSE-36: bits 20:13 give address bits 39:32, those past MAXPHYADDR reserved. */
		high = (pde >> ENT32_4M_HIGH_SHIFT) & low_bits(ENT32_4M_HIGH_BITS);
		if ((pde & ENT32_4M_RSVD) || (m >= 32 && (high >> (m - 32))))
			return done(res, GUEST_WALK_RESERVED, LEVEL_PD);
		return leaf(res, (pde & ENT32_4M_ADDR_MASK) | (high << 32), la, PT32_PDE_SHIFT,
			    LEVEL_PD);
	}
	if (read(ctx, (pde & ENT32_ADDR_MASK) + ((la >> PAGE_SHIFT) & PT32_INDEX_MASK) * ENTRY32,
		 ENTRY32, &pte))
		return done(res, GUEST_WALK_BAD_TABLE, LEVEL_PT);
	if (!(pte & ENT_P))
		return done(res, GUEST_WALK_NOT_PRESENT, LEVEL_PT);
	return leaf(res, pte & ENT32_ADDR_MASK, la, PAGE_SHIFT, LEVEL_PT);
}

/* Reserved bits of an 8-byte entry at @level whose PS bit is @ps (SDM tables 4-8 to 4-20). */
static uint64_t rsvd64(const struct guest_paging *p, unsigned int level, bool pae, bool ps)
{
	uint64_t r = high_rsvd(p);

	if (!(p->efer & EFER_NXE) || (pae && level == LEVEL_PDPT))
		r |= ENT_XD;
	if (pae && level == LEVEL_PDPT)
		return r | PAE_PDPTE_RSVD;
	if (level >= LEVEL_PML4)
		r |= ENT_PS;
	if (ps && (level == LEVEL_PD || level == LEVEL_PDPT))
		r |= low_bits(level_shift(level)) & ~low_bits(LARGE_RSVD_SHIFT);
	return r;
}

/* An entry maps a page: the PT level, or PS at the PD (or, in 4/5-level, PDPT) level. */
static bool is_leaf(unsigned int level, bool pae, uint64_t e)
{
	if (level == LEVEL_PT)
		return true;
	if (!(e & ENT_PS))
		return false;
	return level == LEVEL_PD || (level == LEVEL_PDPT && !pae);
}

/* PAE, 4-level and 5-level paging: from @top down, 8-byte entries. */
static enum guest_walk_status walk64(const struct guest_paging *p, uint64_t la, unsigned int top,
				     bool pae, guest_walk_read_fn read, void *ctx,
				     struct guest_walk_result *res)
{
	uint64_t table = pae ? p->cr3 & PAE_CR3_MASK : p->cr3 & ENT_ADDR_MASK, e;

	for (unsigned int level = top; level >= LEVEL_PT; level--) {
		unsigned int idx = (la >> level_shift(level)) & INDEX_MASK;

		if (pae && level == LEVEL_PDPT && p->pdpte)
			e = p->pdpte[idx];
		else if (read(ctx, table + idx * ENTRY64, ENTRY64, &e))
			return done(res, GUEST_WALK_BAD_TABLE, level);
		if (!(e & ENT_P))
			return done(res, GUEST_WALK_NOT_PRESENT, level);
		if (e & rsvd64(p, level, pae, is_leaf(level, pae, e) && level > LEVEL_PT))
			return done(res, GUEST_WALK_RESERVED, level);
		if (is_leaf(level, pae, e))
			return leaf(res, e & ENT_ADDR_MASK, la, level_shift(level), level);
		table = e & ENT_ADDR_MASK;
	}
	return done(res, GUEST_WALK_NOT_PRESENT, LEVEL_PT);	/* not reached: level 1 is a leaf */
}

/* Bits 63:47 (63:56 with 5-level paging) copy the top address bit (SDM Vol. 1, 3.3.7.1). */
static bool canonical(uint64_t la, unsigned int bits)
{
	int64_t s = (int64_t)(la << (64 - bits)) >> (64 - bits);

	return (uint64_t)s == la;
}

enum guest_walk_status guest_walk(const struct guest_paging *p, uint64_t la,
				  guest_walk_read_fn read, void *ctx,
				  struct guest_walk_result *res)
{
	bool la57 = (p->cr4 & CR4_LA57) != 0;

	*res = (struct guest_walk_result){ 0 };
	if (!(p->cr0 & CR0_PG)) {
		res->gpa = la & LA32_MASK;
		res->page_size = PAGE_SIZE;
		return done(res, GUEST_WALK_OK, 0);
	}
	if (!(p->cr4 & CR4_PAE))
		return walk32(p, la, read, ctx, res);
	if (!(p->efer & EFER_LMA))
		return walk64(p, la & LA32_MASK, LEVEL_PDPT, true, read, ctx, res);
	if (!canonical(la, la57 ? 57 : 48))
		return done(res, GUEST_WALK_NON_CANONICAL, la57 ? LEVEL_PML5 : LEVEL_PML4);
	return walk64(p, la, la57 ? LEVEL_PML5 : LEVEL_PML4, false, read, ctx, res);
}

const char *guest_walk_status_name(enum guest_walk_status s)
{
	static const char *const names[] = {
		[GUEST_WALK_OK] = "ok", [GUEST_WALK_NOT_PRESENT] = "not present",
		[GUEST_WALK_RESERVED] = "reserved bit set",
		[GUEST_WALK_BAD_TABLE] = "table outside RAM",
		[GUEST_WALK_NON_CANONICAL] = "non-canonical",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "?";
}
