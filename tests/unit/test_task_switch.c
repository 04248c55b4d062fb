/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the 32-bit hardware task switch (arch/x86_64/vmx/task_switch.c):
 * JMP, CALL, IRET and an IDT task gate with an error code, every check on the
 * new TSS before the commit point (memory and registers then untouched), and
 * the LDT and segment faults after it, delivered in the new task.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/task_switch.h>

#include "shim.h"

#define RAM_BYTES	0x10000
#define GDT_BASE	0x1000
#define TSS_A		0x2000		/* the running task's TSS */
#define TSS_B		0x3000
#define LDT_BASE	0x4000
#define STACK_B		0x8000
#define CR0_PE		0x1u
#define CR0_ET		0x10u

/* GDT selectors. */
enum {
	SEL_CODE = 0x08, SEL_DATA = 0x10, SEL_A = 0x18, SEL_B = 0x20, SEL_SHORT = 0x28,
	SEL_ABSENT = 0x30, SEL_TSS16 = 0x38, SEL_LDT = 0x40, SEL_DATA_ABSENT = 0x48,
	SEL_FAR = 0x50, SEL_CODE_ABSENT = 0x58, SEL_RO_DATA = 0x60, GDT_ENTRIES = 13,
};

static uint8_t ram[RAM_BYTES];
static unsigned int writes;

static int ram_read(void *ctx, uint32_t la, void *buf, uint32_t len)
{
	assert_ptr_equal(ctx, ram);
	if (la >= RAM_BYTES || len > RAM_BYTES - la)
		return -1;
	memcpy(buf, ram + la, len);
	return 0;
}

static int ram_write(void *ctx, uint32_t la, const void *buf, uint32_t len)
{
	assert_ptr_equal(ctx, ram);
	if (la >= RAM_BYTES || len > RAM_BYTES - la)
		return -1;
	memcpy(ram + la, buf, len);
	writes++;
	return 0;
}

static int ram_pdptes(void *ctx, uint32_t pdpt, uint64_t pdpte[4])
{
	return ram_read(ctx, pdpt, pdpte, 4 * sizeof(uint64_t));
}

static const struct ts_mem mem = { ram_read, ram_write, ram_pdptes, ram };

/* An 8-byte descriptor: @access is byte 5 (P, DPL, S, type), @flags the G/DB nibble. */
static uint64_t desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (limit & 0xFFFFull) | ((uint64_t)(base & 0xFFFFFF) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
	       ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56);
}

static void gdt_set(uint16_t sel, uint64_t d)
{
	memcpy(ram + GDT_BASE + (sel & ~7u), &d, sizeof(d));
}

static uint8_t gdt_type(uint16_t sel)
{
	return ram[GDT_BASE + sel + 5] & 0xF;
}

static struct tss32 *tss_at(uint32_t base)
{
	return (struct tss32 *)(ram + base);
}

/* Task B: registers 0xB0..0xB7 (ESP = STACK_B), EIP 0x5000, flat segments. */
static void tss_b_init(void)
{
	struct tss32 *t = tss_at(TSS_B);

	memset(t, 0, sizeof(*t));
	t->eip = 0x5000;
	t->eflags = 0x2 | 0x200;
	t->cr3 = 0x9000;
	for (int i = 0; i < 8; i++)
		t->gpr[i] = 0xB0u + (uint32_t)i;
	t->gpr[4] = STACK_B;
	for (int i = 0; i < TS_DATA_SEGS; i++)
		t->seg[i] = i == TS_CS ? SEL_CODE : SEL_DATA;
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	writes = 0;
	gdt_set(SEL_CODE, desc(0, 0xFFFFF, 0x9A, 0xC));		/* not yet accessed */
	gdt_set(SEL_DATA, desc(0, 0xFFFFF, 0x93, 0xC));
	gdt_set(SEL_A, desc(TSS_A, 0x67, 0x8B, 0));		/* busy: running */
	gdt_set(SEL_B, desc(TSS_B, 0x67, 0x89, 0));
	gdt_set(SEL_SHORT, desc(TSS_B, 0x60, 0x89, 0));
	gdt_set(SEL_ABSENT, desc(TSS_B, 0x67, 0x09, 0));
	gdt_set(SEL_TSS16, desc(TSS_B, 0x2B, 0x81, 0));
	gdt_set(SEL_LDT, desc(LDT_BASE, 0xF, 0x82, 0));
	gdt_set(SEL_DATA_ABSENT, desc(0, 0xFFFFF, 0x13, 0xC));
	gdt_set(SEL_FAR, desc(0xFFFFFF00u, 0x67, 0x89, 0));	/* TSS outside RAM */
	gdt_set(SEL_CODE_ABSENT, desc(0, 0xFFFFF, 0x1B, 0xC));
	gdt_set(SEL_RO_DATA, desc(0, 0xFFFFF, 0x91, 0xC));	/* read-only data */
	tss_b_init();
	return 0;
}

/* The running task A: registers 0xA0..0xA7, EIP past the instruction 0x1234. */
static struct ts_cpu cpu_a(void)
{
	struct ts_cpu c = {
		.eip = 0x1234, .eflags = 0x2 | 0x40, .cr0 = CR0_PE | CR0_ET, .cr3 = 0x7000,
		.gdt_base = GDT_BASE, .gdt_limit = GDT_ENTRIES * 8 - 1,
	};

	for (int i = 0; i < 8; i++)
		c.gpr[i] = 0xA0u + (uint32_t)i;
	for (int i = 0; i < TS_DATA_SEGS; i++)
		c.seg[i] = (struct ts_seg){ .sel = i == TS_CS ? SEL_CODE : SEL_DATA, .base = 0,
					    .limit = 0xFFFFFFFF, .ar = i == TS_CS ? 0xC09B : 0xC093 };
	c.seg[TS_LDTR] = (struct ts_seg){ .ar = SEG_AR_UNUSABLE };
	c.seg[TS_TR] = (struct ts_seg){ .sel = SEL_A, .base = TSS_A, .limit = 0x67, .ar = 0x8B };
	return c;
}

static enum ts_status run(struct ts_cpu *c, enum ts_source src, uint16_t sel, struct ts_fault *f)
{
	struct ts_request req = { .source = src, .selector = sel };

	return task_switch(c, &req, &mem, f);
}

/* The new task B's registers, loaded exactly. */
static void assert_task_b(const struct ts_cpu *c)
{
	assert_int_equal(c->eip, 0x5000);
	for (int i = 0; i < 8; i++)
		assert_int_equal(c->gpr[i], i == 4 ? STACK_B : 0xB0u + (uint32_t)i);
	assert_int_equal(c->cr3, 0x9000);
	assert_int_equal(c->seg[TS_TR].sel, SEL_B);
	assert_int_equal(c->seg[TS_TR].base, TSS_B);
	assert_int_equal(c->seg[TS_TR].limit, 0x67);
	assert_int_equal(c->seg[TS_TR].ar, 0x8B);
	assert_int_equal(c->seg[TS_CS].sel, SEL_CODE);
	assert_int_equal(c->seg[TS_CS].ar, 0xC09B);	/* accessed now */
	assert_int_equal(c->seg[TS_SS].limit, 0xFFFFFFFF);
	assert_true(c->seg[TS_LDTR].ar & SEG_AR_UNUSABLE);
	assert_true(c->cr0 & CR0_TS_BIT);
}

/* Task A's state saved in its TSS: EIP, EFLAGS, registers and selectors. */
static void assert_a_saved(uint32_t eflags)
{
	const struct tss32 *t = tss_at(TSS_A);

	assert_int_equal(t->eip, 0x1234);
	assert_int_equal(t->eflags, eflags);
	for (int i = 0; i < 8; i++)
		assert_int_equal(t->gpr[i], 0xA0u + (uint32_t)i);
	assert_int_equal(t->seg[TS_CS], SEL_CODE);
	assert_int_equal(t->seg[TS_GS], SEL_DATA);
	assert_int_equal(t->ldt, 0);			/* LDTR is not saved */
}

static void test_jmp(void **state)
{
	struct ts_cpu c = cpu_a();
	struct ts_fault f;

	(void)state;
	assert_int_equal(run(&c, TS_SRC_JMP, SEL_B, &f), TS_DONE);
	assert_false(f.committed);
	assert_task_b(&c);
	assert_int_equal(c.eflags, 0x202);			/* no NT */
	assert_a_saved(0x42);
	assert_int_equal(tss_at(TSS_B)->prev_task_link, 0);	/* no link */
	assert_int_equal(gdt_type(SEL_A), DESC_TYPE_TSS32_AVAIL);
	assert_int_equal(gdt_type(SEL_B), DESC_TYPE_TSS32_BUSY);
	assert_int_equal(gdt_type(SEL_CODE), 0xB);		/* accessed set in memory */
}

static void test_call_then_iret(void **state)
{
	struct ts_cpu c = cpu_a();
	struct ts_fault f;

	(void)state;
	assert_int_equal(run(&c, TS_SRC_CALL, SEL_B, &f), TS_DONE);
	assert_task_b(&c);
	assert_int_equal(c.eflags, 0x202 | EFLAGS_NT);
	assert_int_equal(tss_at(TSS_B)->prev_task_link, SEL_A);
	assert_int_equal(gdt_type(SEL_A), DESC_TYPE_TSS32_BUSY);	/* caller stays busy */
	assert_int_equal(gdt_type(SEL_B), DESC_TYPE_TSS32_BUSY);
	assert_a_saved(0x42);

	/* The callee changes EAX and IRETs: NT goes, B is available, A resumes. */
	c.gpr[0] = 0x77;
	c.eip = 0x5010;
	assert_int_equal(run(&c, TS_SRC_IRET, SEL_A, &f), TS_DONE);
	assert_int_equal(tss_at(TSS_B)->eflags, 0x202);		/* NT cleared in the saved copy */
	assert_int_equal(tss_at(TSS_B)->gpr[0], 0x77);
	assert_int_equal(tss_at(TSS_B)->eip, 0x5010);
	assert_int_equal(gdt_type(SEL_B), DESC_TYPE_TSS32_AVAIL);
	assert_int_equal(gdt_type(SEL_A), DESC_TYPE_TSS32_BUSY);
	assert_int_equal(c.eip, 0x1234);
	assert_int_equal(c.eflags, 0x42);
	assert_int_equal(c.gpr[3], 0xA3);
	assert_int_equal(c.seg[TS_TR].sel, SEL_A);
}

static void test_gate_pushes_error_code(void **state)
{
	struct ts_cpu c = cpu_a();
	struct ts_request req = { .source = TS_SRC_GATE, .selector = SEL_B, .external = true,
				  .has_error = true, .error_code = 0x3B };
	struct ts_fault f;
	uint32_t pushed;

	(void)state;
	assert_int_equal(task_switch(&c, &req, &mem, &f), TS_DONE);
	assert_int_equal(c.gpr[4], STACK_B - 4);
	memcpy(&pushed, ram + STACK_B - 4, sizeof(pushed));
	assert_int_equal(pushed, 0x3B);
	assert_int_equal(c.eflags, 0x202 | EFLAGS_NT);		/* nested like CALL */
	assert_int_equal(tss_at(TSS_B)->prev_task_link, SEL_A);
	assert_int_equal(gdt_type(SEL_B), DESC_TYPE_TSS32_BUSY);
}

/* A fault before the commit point: the vector and error code, nothing written. */
static void expect_early(enum ts_source src, uint16_t sel, uint8_t vector, uint32_t error)
{
	struct ts_cpu c = cpu_a(), before = c;
	static uint8_t snapshot[RAM_BYTES];
	struct ts_fault f;

	memcpy(snapshot, ram, sizeof(ram));
	writes = 0;
	assert_int_equal(run(&c, src, sel, &f), TS_FAULT);
	assert_int_equal(f.vector, vector);
	assert_int_equal(f.error_code, error);
	assert_false(f.committed);
	assert_int_equal(writes, 0);
	assert_memory_equal(snapshot, ram, sizeof(ram));
	assert_memory_equal(&before, &c, sizeof(c));
}

static void test_new_tss_checks(void **state)
{
	(void)state;
	expect_early(TS_SRC_CALL, SEL_SHORT, TS_VEC_TS, SEL_SHORT);	/* limit 60H < 67H */
	expect_early(TS_SRC_CALL, SEL_A, TS_VEC_GP, SEL_A);		/* busy */
	expect_early(TS_SRC_JMP, SEL_A, TS_VEC_GP, SEL_A);
	expect_early(TS_SRC_CALL, SEL_ABSENT, TS_VEC_NP, SEL_ABSENT);
	expect_early(TS_SRC_JMP, SEL_B | SEL_TI, TS_VEC_GP, SEL_B | SEL_TI);	/* in an LDT */
	expect_early(TS_SRC_JMP, 0x100, TS_VEC_GP, 0x100);		/* beyond the GDT limit */
	expect_early(TS_SRC_JMP, SEL_CODE, TS_VEC_GP, SEL_CODE);	/* not a TSS */
	expect_early(TS_SRC_JMP, SEL_LDT, TS_VEC_GP, SEL_LDT);
	expect_early(TS_SRC_IRET, SEL_B, TS_VEC_TS, SEL_B);		/* IRET to an available TSS */
	expect_early(TS_SRC_IRET, SEL_CODE, TS_VEC_TS, SEL_CODE);
	expect_early(TS_SRC_JMP, SEL_B | 3, TS_VEC_GP, SEL_B);		/* RPL 3 > DPL 0 */
	expect_early(TS_SRC_JMP, SEL_FAR, TS_VEC_TS, SEL_FAR);		/* TSS outside RAM */
}

static void test_gate_fault_sets_ext(void **state)
{
	struct ts_cpu c = cpu_a();
	struct ts_request req = { .source = TS_SRC_GATE, .selector = SEL_ABSENT, .external = true };
	struct ts_fault f;

	(void)state;
	assert_int_equal(task_switch(&c, &req, &mem, &f), TS_FAULT);
	assert_int_equal(f.vector, TS_VEC_NP);
	assert_int_equal(f.error_code, SEL_ABSENT | 1);
	/* A task gate skips the DPL check (the gate's DPL was the CPU's to check). */
	c = cpu_a();
	c.seg[TS_CS].sel = SEL_CODE | 3;
	req = (struct ts_request){ .source = TS_SRC_GATE, .selector = SEL_B };
	assert_int_equal(task_switch(&c, &req, &mem, &f), TS_DONE);
}

static void test_cpl_above_dpl(void **state)
{
	struct ts_cpu c = cpu_a();
	struct ts_fault f;

	(void)state;
	c.seg[TS_CS].sel = SEL_CODE | 3;
	assert_int_equal(run(&c, TS_SRC_CALL, SEL_B, &f), TS_FAULT);
	assert_int_equal(f.vector, TS_VEC_GP);
	assert_int_equal(f.error_code, SEL_B);
}

static void test_old_tss_unreachable(void **state)
{
	struct ts_cpu c = cpu_a();
	struct ts_fault f;

	(void)state;
	c.seg[TS_TR].base = 0xFFFFFF00u;
	assert_int_equal(run(&c, TS_SRC_JMP, SEL_B, &f), TS_FAULT);
	assert_int_equal(f.vector, TS_VEC_TS);
	assert_int_equal(f.error_code, SEL_A);
	assert_int_equal(gdt_type(SEL_B), DESC_TYPE_TSS32_AVAIL);
}

static void test_unsupported(void **state)
{
	struct ts_cpu c = cpu_a();
	struct ts_fault f;

	(void)state;
	assert_int_equal(run(&c, TS_SRC_JMP, SEL_TSS16, &f), TS_UNSUPPORTED);
	tss_at(TSS_B)->eflags |= EFLAGS_VM;
	assert_int_equal(run(&c, TS_SRC_JMP, SEL_B, &f), TS_UNSUPPORTED);
	assert_int_equal(gdt_type(SEL_B), DESC_TYPE_TSS32_AVAIL);
	assert_int_equal(c.seg[TS_TR].sel, SEL_A);
}

/* A fault after the commit point: in the new task, with the vector and error code. */
static struct ts_cpu expect_late(uint8_t vector, uint32_t error)
{
	struct ts_cpu c = cpu_a();
	struct ts_fault f;

	assert_int_equal(run(&c, TS_SRC_JMP, SEL_B, &f), TS_FAULT);
	assert_int_equal(f.vector, vector);
	assert_int_equal(f.error_code, error);
	assert_true(f.committed);
	assert_int_equal(c.seg[TS_TR].sel, SEL_B);
	assert_int_equal(c.eip, 0x5000);
	assert_int_equal(gdt_type(SEL_B), DESC_TYPE_TSS32_BUSY);
	assert_int_equal(tss_at(TSS_A)->eip, 0x1234);
	return c;
}

static void test_late_faults(void **state)
{
	struct ts_cpu c;

	(void)state;
	tss_at(TSS_B)->ldt = SEL_DATA;				/* not an LDT */
	expect_late(TS_VEC_TS, SEL_DATA);
	setup(NULL);
	tss_at(TSS_B)->seg[TS_CS] = 0;				/* null CS */
	c = expect_late(TS_VEC_TS, 0);
	assert_int_equal(c.seg[TS_CS].sel, SEL_CODE);		/* the old CS kept */
	setup(NULL);
	tss_at(TSS_B)->seg[TS_CS] = SEL_CODE_ABSENT;
	expect_late(TS_VEC_NP, SEL_CODE_ABSENT);
	setup(NULL);
	tss_at(TSS_B)->seg[TS_CS] = SEL_DATA;			/* not code */
	expect_late(TS_VEC_TS, SEL_DATA);
	setup(NULL);
	tss_at(TSS_B)->seg[TS_SS] = SEL_DATA_ABSENT;
	expect_late(TS_VEC_SS, SEL_DATA_ABSENT);
	setup(NULL);
	tss_at(TSS_B)->seg[TS_SS] = SEL_RO_DATA;		/* not writable */
	expect_late(TS_VEC_TS, SEL_RO_DATA);
	setup(NULL);
	tss_at(TSS_B)->seg[TS_DS] = SEL_DATA_ABSENT;
	c = expect_late(TS_VEC_NP, SEL_DATA_ABSENT);
	assert_true(c.seg[TS_DS].ar & SEG_AR_UNUSABLE);
	assert_int_equal(c.seg[TS_DS].sel, SEL_DATA_ABSENT);
	setup(NULL);
	tss_at(TSS_B)->seg[TS_ES] = SEL_DATA | 3;		/* RPL 3 > DPL 0 */
	expect_late(TS_VEC_TS, SEL_DATA);
	setup(NULL);
	tss_at(TSS_B)->seg[TS_FS] = 0x200;			/* beyond the GDT */
	expect_late(TS_VEC_TS, 0x200);
}

static void test_ldt_and_null_data(void **state)
{
	struct ts_cpu c = cpu_a();
	struct ts_fault f;
	uint64_t ldt_data = desc(0x100, 0xFFF, 0x92, 0x4);

	(void)state;
	memcpy(ram + LDT_BASE + 8, &ldt_data, sizeof(ldt_data));
	tss_at(TSS_B)->ldt = SEL_LDT;
	tss_at(TSS_B)->seg[TS_DS] = 0x8 | SEL_TI;		/* LDT entry 1 */
	tss_at(TSS_B)->seg[TS_GS] = 0;				/* null: unusable */
	assert_int_equal(run(&c, TS_SRC_JMP, SEL_B, &f), TS_DONE);
	assert_int_equal(c.seg[TS_LDTR].base, LDT_BASE);
	assert_int_equal(c.seg[TS_LDTR].limit, 0xF);
	assert_int_equal(c.seg[TS_DS].base, 0x100);
	assert_int_equal(c.seg[TS_DS].limit, 0xFFF);
	assert_int_equal(c.seg[TS_DS].ar, 0x4093);
	assert_int_equal(c.seg[TS_GS].ar, SEG_AR_UNUSABLE);
}

static void test_pae_pdptes(void **state)
{
	struct ts_cpu c = cpu_a();
	struct ts_fault f;
	uint64_t good[4] = { 0xA001, 0, 0xB001, 0 }, bad = 0xC001 | 0x2;

	(void)state;
	c.pae = true;
	c.cr0 |= 1u << 31;
	memcpy(ram + 0x9000, good, sizeof(good));
	assert_int_equal(run(&c, TS_SRC_JMP, SEL_B, &f), TS_DONE);
	assert_memory_equal(c.pdpte, good, sizeof(good));
	setup(NULL);
	c = cpu_a();
	c.pae = true;
	c.cr0 |= 1u << 31;
	memcpy(ram + 0x9008, &bad, sizeof(bad));		/* reserved bit 1 */
	assert_int_equal(run(&c, TS_SRC_JMP, SEL_B, &f), TS_FAULT);
	assert_int_equal(f.vector, TS_VEC_GP);
	assert_int_equal(f.error_code, 0);
	assert_false(f.committed);
}

static void test_desc_decode(void **state)
{
	struct ts_seg s;

	(void)state;
	ts_desc_decode(desc(0x12345678, 0xABCDE, 0x93, 0xC), 0x10, &s);
	assert_int_equal(s.base, 0x12345678);
	assert_int_equal(s.limit, 0xABCDEFFF);
	assert_int_equal(s.ar, 0xC093);
	ts_desc_decode(desc(0x2000, 0x67, 0x89, 0), 0x18, &s);
	assert_int_equal(s.limit, 0x67);
	assert_int_equal(s.ar, 0x89);
	assert_int_equal(s.sel, 0x18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_jmp, setup),
		cmocka_unit_test_setup(test_call_then_iret, setup),
		cmocka_unit_test_setup(test_gate_pushes_error_code, setup),
		cmocka_unit_test_setup(test_new_tss_checks, setup),
		cmocka_unit_test_setup(test_gate_fault_sets_ext, setup),
		cmocka_unit_test_setup(test_cpl_above_dpl, setup),
		cmocka_unit_test_setup(test_old_tss_unreachable, setup),
		cmocka_unit_test_setup(test_unsupported, setup),
		cmocka_unit_test_setup(test_late_faults, setup),
		cmocka_unit_test_setup(test_ldt_and_null_data, setup),
		cmocka_unit_test_setup(test_pae_pdptes, setup),
		cmocka_unit_test_setup(test_desc_decode, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
