/* SPDX-License-Identifier: MIT */
/*
 * A 32-bit hardware task switch (SDM Vol. 3A, 7.3 "Task Switching"), as
 * pure code over an accessor of the guest's memory.
 *
 * Every check that may fault before the commit point (the new TSS
 * descriptor, both TSSs readable, the new CR3's PDPTEs) runs before the
 * first write, so such a fault leaves the guest as it was, and the
 * faulting CALL/JMP/IRET restarts (7.3 step 12, table 7-1).  After the
 * commit point the new task is loaded whatever follows; a bad LDT or
 * segment descriptor then faults in the new task's context.
 *
 * Not emulated (TS_UNSUPPORTED: the caller ends the domain): a 16-bit TSS
 * and a task with EFLAGS.VM (virtual-8086 mode).  Memory a CPU would
 * page-fault on (unmapped, or outside the domain's RAM) is reported as the
 * #TS/#GP of the selector at hand: the accessor cannot tell a #PF apart.
 */
#include <arch/task_switch.h>

#define DESC_BYTES		8
#define DESC_ACCESS_BYTE	5		/* type, S, DPL, P */
#define DESC_LIMIT_HIGH_SHIFT	48
#define DESC_AR_SHIFT		40
#define DESC_AR_MASK		0xF0FFu		/* bits 40-55 without limit 19:16 */
#define DESC_BASE_LOW_SHIFT	16
#define DESC_BASE_LOW_MASK	0xFFFFFFu
#define DESC_BASE_HIGH_SHIFT	56
#define DESC_BASE_HIGH_POS	24
#define DESC_LIMIT_LOW_MASK	0xFFFFu
#define DESC_LIMIT_HIGH_MASK	0xFu
#define PAGE_GRANULE_SHIFT	12
#define PAGE_GRANULE_LOW	0xFFFu
#define SEL_ERROR_MASK		0xFFFCu		/* selector error code: index and TI (SDM 6.13) */
#define PDPT_ADDR_MASK		0xFFFFFFE0u	/* CR3[31:5] in PAE paging (SDM Vol. 3A, 4.4.1) */
#define PDPTE_P			1ull
#define PDPTE_RESERVED_LOW	0x1E6ull	/* bits 2:1 and 8:5 must be 0 (4.4.1) */
#define CR0_PG_BIT		(1u << 31)

void ts_desc_decode(uint64_t d, uint16_t sel, struct ts_seg *s)
{
	uint32_t limit = (uint32_t)(d & DESC_LIMIT_LOW_MASK) |
			 (uint32_t)(((d >> DESC_LIMIT_HIGH_SHIFT) & DESC_LIMIT_HIGH_MASK) << 16);

	s->sel = sel;
	s->ar = (uint32_t)(d >> DESC_AR_SHIFT) & DESC_AR_MASK;
	s->base = (uint32_t)((d >> DESC_BASE_LOW_SHIFT) & DESC_BASE_LOW_MASK) |
		  (uint32_t)((d >> DESC_BASE_HIGH_SHIFT) << DESC_BASE_HIGH_POS);
	/* G scales the limit by 4 KiB, filling the low 12 bits (SDM Vol. 3A, 3.4.5). */
	s->limit = (s->ar & SEG_AR_G) ? (limit << PAGE_GRANULE_SHIFT) | PAGE_GRANULE_LOW : limit;
}

/* A null selector: index 0 in the GDT, any RPL (SDM Vol. 3A, 3.4.2). */
static bool sel_null(uint16_t sel) { return !(sel & ~SEL_RPL_MASK); }

static unsigned int ar_type(uint32_t ar) { return ar & SEG_AR_TYPE_MASK; }
static unsigned int ar_dpl(uint32_t ar) { return (ar >> SEG_AR_DPL_SHIFT) & SEG_AR_DPL_MASK; }

static enum ts_status fault(struct ts_fault *f, uint8_t vector, uint32_t error_code)
{
	f->vector = vector;
	f->error_code = error_code;
	return TS_FAULT;
}

/*
 * The linear address of @sel's descriptor in the GDT (or the LDT with TI),
 * or false when it lies beyond the table's limit (SDM Vol. 3A, 3.5.1).
 */
static bool desc_addr(const struct ts_cpu *cpu, uint16_t sel, uint32_t *la)
{
	uint32_t base = cpu->gdt_base, limit = cpu->gdt_limit, off = sel & SEL_INDEX_MASK;

	if (sel & SEL_TI) {
		if (cpu->seg[TS_LDTR].ar & SEG_AR_UNUSABLE)
			return false;
		base = cpu->seg[TS_LDTR].base;
		limit = cpu->seg[TS_LDTR].limit;
	}
	if ((uint64_t)off + DESC_BYTES - 1 > limit)
		return false;
	*la = base + off;
	return true;
}

/* Read @sel's descriptor: false beyond the table's limit or outside the guest's memory. */
static bool desc_read(const struct ts_cpu *cpu, const struct ts_mem *mem, uint16_t sel,
		      uint64_t *d, uint32_t *la)
{
	return desc_addr(cpu, sel, la) && mem->read(mem->ctx, *la, d, DESC_BYTES) == 0;
}

/* Rewrite the type of the descriptor at @la (busy and accessed bits); best effort. */
static void desc_set_type(const struct ts_mem *mem, uint32_t la, uint64_t d, unsigned int type)
{
	uint8_t access = (uint8_t)(d >> DESC_AR_SHIFT);

	access = (uint8_t)((access & ~SEG_AR_TYPE_MASK) | type);
	(void)mem->write(mem->ctx, la + DESC_ACCESS_BYTE, &access, sizeof(access));
}

/* The checked new TSS, and what the commit needs of the old one. */
struct ts_plan {
	uint64_t new_desc, old_desc;
	uint32_t new_desc_la, old_desc_la;
	struct ts_seg tr;
	struct tss32 tss;		/* the new task's TSS image */
	struct tss32 old;		/* the old TSS, to update its dynamic part */
	uint64_t pdpte[4];
	uint32_t err;			/* the new selector as an error code */
};

/* SDM 7.3 steps 1-3 on the new TSS descriptor (faults: table 7-1's first rows). */
static enum ts_status check_new_desc(const struct ts_cpu *cpu, const struct ts_request *req,
				     const struct ts_mem *mem, struct ts_plan *p,
				     struct ts_fault *f)
{
	bool iret = req->source == TS_SRC_IRET;
	uint8_t bad_type = iret ? TS_VEC_TS : TS_VEC_GP;
	unsigned int type, cpl = cpu->seg[TS_CS].sel & SEL_RPL_MASK;

	/* A TSS descriptor lives only in the GDT (7.2.2). */
	if ((req->selector & SEL_TI) ||
	    !desc_read(cpu, mem, req->selector, &p->new_desc, &p->new_desc_la))
		return fault(f, bad_type, p->err);
	ts_desc_decode(p->new_desc, req->selector, &p->tr);
	type = ar_type(p->tr.ar);
	if ((p->tr.ar & SEG_AR_S) || (type != DESC_TYPE_TSS32_AVAIL && type != DESC_TYPE_TSS32_BUSY &&
				       type != DESC_TYPE_TSS16_AVAIL && type != DESC_TYPE_TSS16_BUSY))
		return fault(f, bad_type, p->err);
	/* CALL and JMP: CPL and RPL at most the TSS's DPL (7.3 step 2). */
	if (!iret && req->source != TS_SRC_GATE &&
	    ((req->selector & SEL_RPL_MASK) > ar_dpl(p->tr.ar) || cpl > ar_dpl(p->tr.ar)))
		return fault(f, TS_VEC_GP, p->err);
	if (!(p->tr.ar & SEG_AR_P))
		return fault(f, TS_VEC_NP, p->err);
	if (type == DESC_TYPE_TSS16_AVAIL || type == DESC_TYPE_TSS16_BUSY)
		return TS_UNSUPPORTED;
	if (p->tr.limit < TSS32_MIN_LIMIT)
		return fault(f, TS_VEC_TS, p->err);
	/* IRET returns to a busy task; the others enter an available one (7.4). */
	if (iret != (type == DESC_TYPE_TSS32_BUSY))
		return fault(f, bad_type, p->err);
	return TS_DONE;
}

/* The PDPTEs the new CR3 names, when PAE paging is on (SDM Vol. 3A, 4.4.1). */
static bool load_pdptes(const struct ts_cpu *cpu, const struct ts_mem *mem, uint32_t cr3,
			uint64_t pdpte[4])
{
	if (!cpu->pae || !(cpu->cr0 & CR0_PG_BIT))
		return true;
	if (mem->read_pdptes(mem->ctx, cr3 & PDPT_ADDR_MASK, pdpte))
		return false;
	for (int i = 0; i < 4; i++)
		if ((pdpte[i] & PDPTE_P) && (pdpte[i] & PDPTE_RESERVED_LOW))
			return false;
	return true;
}

/* Everything before the commit point: no guest state changes (SDM 7.3 steps 1-8). */
static enum ts_status plan(const struct ts_cpu *cpu, const struct ts_request *req,
			   const struct ts_mem *mem, struct ts_plan *p, struct ts_fault *f)
{
	const struct ts_seg *tr = &cpu->seg[TS_TR];
	enum ts_status st = check_new_desc(cpu, req, mem, p, f);

	if (st != TS_DONE)
		return st;
	if (mem->read(mem->ctx, p->tr.base, &p->tss, sizeof(p->tss)))
		return fault(f, TS_VEC_TS, p->err);
	if (p->tss.eflags & EFLAGS_VM)
		return TS_UNSUPPORTED;
	/* The old TSS and its descriptor, to save into and to mark (steps 4 and 9). */
	if (tr->limit < TSS32_MIN_LIMIT || mem->read(mem->ctx, tr->base, &p->old, sizeof(p->old)) ||
	    !desc_read(cpu, mem, tr->sel, &p->old_desc, &p->old_desc_la))
		return fault(f, TS_VEC_TS, (tr->sel & SEL_ERROR_MASK) | (p->err & 1));
	/* A CR3 with bad PDPTEs is refused as MOV CR3 refuses it (#GP(0)). */
	if (!load_pdptes(cpu, mem, p->tss.cr3, p->pdpte))
		return fault(f, TS_VEC_GP, 0);
	return TS_DONE;
}

/* Steps 9-11: save the old task, update busy bits and the link, load TR. */
static void commit(struct ts_cpu *cpu, const struct ts_request *req, const struct ts_mem *mem,
		   struct ts_plan *p)
{
	struct ts_seg *tr = &cpu->seg[TS_TR];
	bool nest = req->source == TS_SRC_CALL || req->source == TS_SRC_GATE;

	p->old.eip = cpu->eip;
	/* IRET and JMP leave the old task unnested: NT cleared in its saved copy (7.4). */
	p->old.eflags = req->source == TS_SRC_IRET ? cpu->eflags & ~EFLAGS_NT : cpu->eflags;
	for (int i = 0; i < 8; i++)
		p->old.gpr[i] = cpu->gpr[i];
	for (int i = 0; i < TS_DATA_SEGS; i++)
		p->old.seg[i] = (p->old.seg[i] & ~0xFFFFu) | cpu->seg[i].sel;
	(void)mem->write(mem->ctx, tr->base + TSS32_DYNAMIC_START, &p->old.eip,
			 TSS32_DYNAMIC_END - TSS32_DYNAMIC_START);
	/* JMP and IRET leave the old task: its descriptor is available again (7.4, table 7-2). */
	if (req->source == TS_SRC_JMP || req->source == TS_SRC_IRET)
		desc_set_type(mem, p->old_desc_la, p->old_desc, DESC_TYPE_TSS32_AVAIL);
	if (nest) {
		uint16_t link = tr->sel;

		(void)mem->write(mem->ctx, p->tr.base, &link, sizeof(link));
		p->tss.eflags |= EFLAGS_NT;
	}
	if (req->source != TS_SRC_IRET)
		desc_set_type(mem, p->new_desc_la, p->new_desc, DESC_TYPE_TSS32_BUSY);
	*tr = p->tr;
	tr->ar = (tr->ar & ~SEG_AR_TYPE_MASK) | DESC_TYPE_TSS32_BUSY;
	cpu->cr0 |= CR0_TS_BIT;
}

/* Step 10: the new task's registers (its segments come after, with their checks). */
static void load_registers(struct ts_cpu *cpu, const struct ts_plan *p)
{
	cpu->cr3 = p->tss.cr3;
	for (int i = 0; i < 4; i++)
		cpu->pdpte[i] = p->pdpte[i];
	cpu->eip = p->tss.eip;
	cpu->eflags = (p->tss.eflags & ~EFLAGS_RESERVED) | EFLAGS_FIXED1;
	for (int i = 0; i < 8; i++)
		cpu->gpr[i] = p->tss.gpr[i];
}

/* The LDT the new TSS names: null, or an LDT descriptor in the GDT (table 7-1: #TS). */
static enum ts_status load_ldt(struct ts_cpu *cpu, const struct ts_mem *mem, uint16_t sel,
			       uint32_t ext, struct ts_fault *f)
{
	struct ts_seg *ldt = &cpu->seg[TS_LDTR];
	uint64_t d;
	uint32_t la;

	*ldt = (struct ts_seg){ .sel = sel, .ar = SEG_AR_UNUSABLE };
	if (sel_null(sel))
		return TS_DONE;
	if ((sel & SEL_TI) || !desc_read(cpu, mem, sel, &d, &la))
		return fault(f, TS_VEC_TS, (sel & SEL_ERROR_MASK) | ext);
	ts_desc_decode(d, sel, ldt);
	if ((ldt->ar & SEG_AR_S) || ar_type(ldt->ar) != DESC_TYPE_LDT || !(ldt->ar & SEG_AR_P)) {
		*ldt = (struct ts_seg){ .sel = sel, .ar = SEG_AR_UNUSABLE };
		return fault(f, TS_VEC_TS, (sel & SEL_ERROR_MASK) | ext);
	}
	return TS_DONE;
}

/*
 * The fault loading segment @idx's descriptor @s with CPL @cpl raises, or 0
 * (SDM Vol. 3A, table 7-1, and 5.6/5.7's rules for CS, SS and the others).
 */
static uint8_t seg_check(enum ts_seg_index idx, const struct ts_seg *s, unsigned int cpl)
{
	unsigned int type = ar_type(s->ar), dpl = ar_dpl(s->ar), rpl = s->sel & SEL_RPL_MASK;
	bool code = (s->ar & SEG_AR_S) && (type & DESC_TYPE_CODE);
	bool data = (s->ar & SEG_AR_S) && !(type & DESC_TYPE_CODE);

	if (idx == TS_CS) {
		if (!code || ((type & DESC_TYPE_CONFORMING) ? dpl > rpl : dpl != rpl))
			return TS_VEC_TS;
		return (s->ar & SEG_AR_P) ? 0 : TS_VEC_NP;
	}
	if (idx == TS_SS) {
		if (!data || !(type & DESC_TYPE_WRITABLE) || rpl != cpl || dpl != cpl)
			return TS_VEC_TS;
		return (s->ar & SEG_AR_P) ? 0 : TS_VEC_SS;
	}
	if (!data && !(code && (type & DESC_TYPE_READABLE)))
		return TS_VEC_TS;
	if ((data || !(type & DESC_TYPE_CONFORMING)) && (rpl > dpl || cpl > dpl))
		return TS_VEC_TS;
	return (s->ar & SEG_AR_P) ? 0 : TS_VEC_NP;
}

/* Load segment @idx from selector @sel: 0, or the vector of its fault (@s then unchanged). */
static uint8_t load_seg(struct ts_cpu *cpu, const struct ts_mem *mem, enum ts_seg_index idx,
			uint16_t sel, unsigned int cpl)
{
	struct ts_seg s;
	uint64_t d;
	uint32_t la;
	uint8_t vec;

	if (sel_null(sel)) {
		if (idx == TS_CS || idx == TS_SS)
			return TS_VEC_TS;
		cpu->seg[idx] = (struct ts_seg){ .sel = sel, .ar = SEG_AR_UNUSABLE };
		return 0;
	}
	if (!desc_read(cpu, mem, sel, &d, &la))
		return TS_VEC_TS;
	ts_desc_decode(d, sel, &s);
	vec = seg_check(idx, &s, cpl);
	if (vec)
		return vec;
	/* Loading a segment marks its descriptor accessed (SDM Vol. 3A, 3.4.5.1). */
	if (!(s.ar & DESC_TYPE_ACCESSED)) {
		s.ar |= DESC_TYPE_ACCESSED;
		desc_set_type(mem, la, d, ar_type(s.ar));
	}
	cpu->seg[idx] = s;
	return 0;
}

/*
 * Step 10's segment loads, in table 7-1's order: CS (which sets CPL), SS,
 * then DS, ES, FS, GS.  A failing data segment is left unusable; a failing
 * CS or SS keeps the old task's (the VMCS cannot hold an invalid CS or SS).
 */
static enum ts_status load_segments(struct ts_cpu *cpu, const struct ts_mem *mem,
				    const struct tss32 *tss, uint32_t ext, struct ts_fault *f)
{
	static const enum ts_seg_index order[] = { TS_CS, TS_SS, TS_DS, TS_ES, TS_FS, TS_GS };
	unsigned int cpl = tss->seg[TS_CS] & SEL_RPL_MASK;

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		enum ts_seg_index idx = order[i];
		uint16_t sel = (uint16_t)tss->seg[idx];
		uint8_t vec = load_seg(cpu, mem, idx, sel, cpl);

		if (!vec)
			continue;
		if (idx != TS_CS && idx != TS_SS)
			cpu->seg[idx] = (struct ts_seg){ .sel = sel, .ar = SEG_AR_UNUSABLE };
		return fault(f, vec, (sel & SEL_ERROR_MASK) | ext);
	}
	return TS_DONE;
}

/* Step 13's error code, pushed on the new task's stack (SDM Vol. 3A, 6.12.2). */
static enum ts_status push_error(struct ts_cpu *cpu, const struct ts_mem *mem, uint32_t code,
				 uint32_t ext, struct ts_fault *f)
{
	const struct ts_seg *ss = &cpu->seg[TS_SS];
	bool big = ss->ar & SEG_AR_DB;
	uint32_t size = big ? 4 : 2;
	uint32_t esp = big ? cpu->gpr[4] - size : (cpu->gpr[4] & ~0xFFFFu) |
						   ((cpu->gpr[4] - size) & 0xFFFFu);
	uint32_t off = big ? esp : esp & 0xFFFFu;

	if (mem->write(mem->ctx, ss->base + off, &code, size))
		return fault(f, TS_VEC_SS, ext);
	cpu->gpr[4] = esp;
	return TS_DONE;
}

enum ts_status task_switch(struct ts_cpu *cpu, const struct ts_request *req,
			   const struct ts_mem *mem, struct ts_fault *f)
{
	/* EXT: the switch delivers an event from outside the program (SDM 6.13). */
	uint32_t ext = req->source == TS_SRC_GATE && req->external ? 1 : 0;
	struct ts_plan p = { .err = (req->selector & SEL_ERROR_MASK) | ext };
	enum ts_status st;

	*f = (struct ts_fault){ 0 };
	st = plan(cpu, req, mem, &p, f);
	if (st != TS_DONE)
		return st;
	commit(cpu, req, mem, &p);
	load_registers(cpu, &p);
	f->committed = true;
	st = load_ldt(cpu, mem, (uint16_t)p.tss.ldt, ext, f);
	if (st == TS_DONE)
		st = load_segments(cpu, mem, &p.tss, ext, f);
	if (st == TS_DONE && req->source == TS_SRC_GATE && req->has_error)
		st = push_error(cpu, mem, req->error_code, ext, f);
	if (st == TS_DONE)
		f->committed = false;
	return st;
}
