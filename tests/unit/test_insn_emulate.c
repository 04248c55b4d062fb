/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: carrying out decoded MMIO instructions (arch/x86_64/vmx/insn_emulate.c):
 * register writes by width, AH..BH, extensions, XCHG, ALU results and flags,
 * and a refused access leaving registers and flags as they were.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/insn_emulate.h>
#include <tally/errno.h>

#include "shim.h"

enum { AX, CX, DX, BX, SP, BP, SI, DI, R8 };

/* A device of one 64-bit register: every access logged. */
static struct {
	uint64_t value;
	unsigned int reads, writes, last_size;
	int read_err, write_err;
} dev;

static int dev_read(void *ctx __unused, unsigned int size, uint64_t *val)
{
	dev.reads++;
	dev.last_size = size;
	if (dev.read_err)
		return dev.read_err;
	*val = size == 8 ? dev.value : dev.value & ((1ull << (8 * size)) - 1);
	return 0;
}

static int dev_write(void *ctx __unused, unsigned int size, uint64_t val)
{
	dev.writes++;
	dev.last_size = size;
	if (dev.write_err)
		return dev.write_err;
	dev.value = size == 8 ? val : val & ((1ull << (8 * size)) - 1);
	return 0;
}

static const struct insn_mem mem = { dev_read, dev_write, NULL };
static uint64_t gpr[INSN_GPR_COUNT];
static uint64_t rflags;

static int setup(void **state __unused)
{
	memset(&dev, 0, sizeof(dev));
	for (unsigned int i = 0; i < INSN_GPR_COUNT; i++)
		gpr[i] = 0x1111111111111111ull * (i + 1);
	rflags = 0x2 | RFLAGS_ARITH;
	return 0;
}

/* Decode @bytes (64-bit mode) and run it. */
static int run(const char *bytes, size_t len)
{
	struct insn in;

	assert_int_equal(insn_decode((const uint8_t *)bytes, len, INSN_MODE_64, &in), INSN_OK);
	return insn_emulate(&in, gpr, &rflags, &mem);
}

#define RUN(s)	run(s, sizeof(s) - 1)

static void test_loads_by_width(void **state __unused)
{
	dev.value = 0x8899AABBCCDDEEFFull;
	assert_int_equal(RUN("\x8b\x07"), 0);		/* mov (%rdi),%eax: zero-extends */
	assert_int_equal(gpr[AX], 0xCCDDEEFFull);
	assert_int_equal(RUN("\x66\x8b\x0f"), 0);	/* mov (%rdi),%cx: keeps the rest */
	assert_int_equal(gpr[CX], 0x222222222222EEFFull);
	assert_int_equal(RUN("\x8a\x17"), 0);		/* mov (%rdi),%dl */
	assert_int_equal(gpr[DX], 0x33333333333333FFull);
	assert_int_equal(RUN("\x8a\x3f"), 0);		/* mov (%rdi),%bh */
	assert_int_equal(gpr[BX], 0x444444444444FF44ull);
	assert_int_equal(RUN("\x40\x8a\x3f"), 0);	/* mov (%rdi),%dil */
	assert_int_equal(gpr[DI], 0x88888888888888FFull);
	assert_int_equal(RUN("\x4c\x8b\x07"), 0);	/* mov (%rdi),%r8 */
	assert_int_equal(gpr[R8], 0x8899AABBCCDDEEFFull);
	assert_int_equal(RUN("\x8b\x27"), 0);		/* mov (%rdi),%esp */
	assert_int_equal(gpr[SP], 0xCCDDEEFFull);
	assert_int_equal(dev.reads, 7);
	assert_int_equal(dev.writes, 0);
	assert_int_equal(rflags, 0x2 | RFLAGS_ARITH);	/* MOV leaves the flags */
}

static void test_extensions(void **state __unused)
{
	dev.value = 0x80F0;
	assert_int_equal(RUN("\x0f\xb6\x07"), 0);	/* movzbl */
	assert_int_equal(gpr[AX], 0xF0);
	assert_int_equal(RUN("\x0f\xbe\x0f"), 0);	/* movsbl: 32-bit destination zero-extends */
	assert_int_equal(gpr[CX], 0xFFFFFFF0ull);
	assert_int_equal(RUN("\x48\x0f\xbf\x17"), 0);	/* movswq */
	assert_int_equal(gpr[DX], 0xFFFFFFFFFFFF80F0ull);
	assert_int_equal(RUN("\x66\x0f\xbe\x1f"), 0);	/* movsbw: 16-bit destination keeps the rest */
	assert_int_equal(gpr[BX], 0x444444444444FFF0ull);
	assert_int_equal(dev.last_size, 1);
	dev.value = 0x80000000;
	assert_int_equal(RUN("\x48\x63\x07"), 0);	/* movslq */
	assert_int_equal(gpr[AX], 0xFFFFFFFF80000000ull);
	assert_int_equal(dev.last_size, 4);
}

static void test_stores(void **state __unused)
{
	assert_int_equal(RUN("\x89\x07"), 0);		/* mov %eax,(%rdi) */
	assert_int_equal(dev.value, 0x11111111);
	assert_int_equal(dev.last_size, 4);
	assert_int_equal(RUN("\x88\x27"), 0);		/* mov %ah,(%rdi) */
	assert_int_equal(dev.value, 0x11);
	gpr[BX] = 0xABCD;
	assert_int_equal(RUN("\x88\x3f"), 0);		/* mov %bh,(%rdi) */
	assert_int_equal(dev.value, 0xAB);
	assert_int_equal(RUN("\x48\xc7\x07\xfe\xff\xff\xff"), 0);	/* movq $-2 */
	assert_int_equal(dev.value, 0xFFFFFFFFFFFFFFFEull);
	assert_int_equal(RUN("\xc7\x07\xfe\xff\xff\xff"), 0);	/* movl $-2: 4 bytes */
	assert_int_equal(dev.value, 0xFFFFFFFE);
	assert_int_equal(RUN("\x66\xc7\x07\x34\x12"), 0);
	assert_int_equal(dev.value, 0x1234);
	assert_int_equal(dev.last_size, 2);
	assert_int_equal(dev.reads, 0);
	assert_int_equal(gpr[AX], 0x1111111111111111ull);
}

static void test_xchg(void **state __unused)
{
	dev.value = 0xCAFEF00D;
	gpr[AX] = 0xFFFFFFFF12345678ull;
	assert_int_equal(RUN("\x87\x07"), 0);		/* xchg %eax,(%rdi) */
	assert_int_equal(dev.value, 0x12345678);
	assert_int_equal(gpr[AX], 0xCAFEF00D);
	assert_int_equal(dev.reads, 1);
	assert_int_equal(dev.writes, 1);
}

struct alu_case {
	enum insn_op op;
	unsigned int size;
	uint64_t a, b, result, flags;
};

#define CF RFLAGS_CF
#define PF RFLAGS_PF
#define AF RFLAGS_AF
#define ZF RFLAGS_ZF
#define SF RFLAGS_SF
#define OF RFLAGS_OF

/* Results and flags as a CPU gives them (SDM Vol. 2, ADD/SUB/AND/OR/XOR, appendix A flags). */
static const struct alu_case alu_cases[] = {
	{ INSN_OP_ADD, 1, 0xFF, 0x01, 0x00, CF | PF | AF | ZF },
	{ INSN_OP_ADD, 1, 0x7F, 0x01, 0x80, AF | SF | OF },
	{ INSN_OP_ADD, 4, 0x80000000, 0x80000000, 0, CF | PF | ZF | OF },
	{ INSN_OP_ADD, 8, 1, 2, 3, PF },
	{ INSN_OP_SUB, 1, 0x00, 0x01, 0xFF, CF | PF | AF | SF },
	{ INSN_OP_SUB, 2, 0x8000, 0x0001, 0x7FFF, PF | AF | OF },
	{ INSN_OP_CMP, 4, 5, 5, 0, PF | ZF },
	{ INSN_OP_CMP, 8, 0, 1, ~0ull, CF | PF | AF | SF },
	{ INSN_OP_AND, 4, 0xF0F0, 0x0FF0, 0x00F0, PF },
	{ INSN_OP_TEST, 1, 0x80, 0x80, 0x80, SF },
	{ INSN_OP_OR, 2, 0x0100, 0x0001, 0x0101, 0 },
	{ INSN_OP_XOR, 8, ~0ull, ~0ull, 0, PF | ZF },
};

static void test_alu_flags(void **state __unused)
{
	for (size_t i = 0; i < ARRAY_SIZE(alu_cases); i++) {
		const struct alu_case *c = &alu_cases[i];
		uint64_t f = 0x202 | RFLAGS_ARITH;

		print_message("  case %zu\n", i);
		assert_int_equal(insn_alu(c->op, c->size, c->a, c->b, &f), c->result);
		assert_int_equal(f, 0x202 | c->flags);	/* other bits kept */
	}
}

static void test_read_modify_write(void **state __unused)
{
	dev.value = 0x0F;
	assert_int_equal(RUN("\x81\x0f\x00\x01\x00\x00"), 0);	/* orl $0x100,(%rdi) */
	assert_int_equal(dev.value, 0x10F);
	assert_int_equal(rflags & RFLAGS_ARITH, PF);	/* 0x0F: four ones */
	assert_int_equal(RUN("\x83\x27\xfe"), 0);		/* andl $-2,(%rdi) */
	assert_int_equal(dev.value, 0x10E);
	assert_int_equal(RUN("\x80\x2f\x0e"), 0);		/* subb $0xe,(%rdi): the low byte */
	assert_int_equal(dev.value, 0x00);
	assert_int_equal(rflags & RFLAGS_ARITH, ZF | PF);
	dev.value = 7;
	gpr[AX] = 10;
	assert_int_equal(RUN("\x2b\x07"), 0);			/* sub (%rdi),%eax */
	assert_int_equal(gpr[AX], 3);
	assert_int_equal(dev.value, 7);
	assert_int_equal(dev.writes, 3);
}

static void test_compare_writes_nothing(void **state __unused)
{
	dev.value = 0x80;
	gpr[AX] = 0x80;
	assert_int_equal(RUN("\x3b\x07"), 0);		/* cmp (%rdi),%eax */
	assert_int_equal(rflags & RFLAGS_ARITH, ZF | PF);
	assert_int_equal(RUN("\xf6\x07\x80"), 0);	/* testb $0x80,(%rdi) */
	assert_int_equal(rflags & RFLAGS_ARITH, SF);
	assert_int_equal(RUN("\x83\x3f\x01"), 0);	/* cmpl $1,(%rdi) */
	assert_int_equal(rflags & RFLAGS_ARITH, AF);	/* 0x80 - 1: a borrow out of bit 3 */
	assert_int_equal(dev.writes, 0);
	assert_int_equal(dev.value, 0x80);
	assert_int_equal(gpr[AX], 0x80);
}

static void test_refused_changes_nothing(void **state __unused)
{
	uint64_t before[INSN_GPR_COUNT], flags = rflags;

	memcpy(before, gpr, sizeof(before));
	dev.read_err = -EIO;
	assert_int_equal(RUN("\x8b\x07"), -EIO);
	assert_int_equal(RUN("\x87\x07"), -EIO);
	assert_int_equal(RUN("\x83\x07\x01"), -EIO);
	dev.read_err = 0;
	dev.write_err = -EACCES;
	assert_int_equal(RUN("\x89\x07"), -EACCES);
	assert_int_equal(RUN("\x87\x07"), -EACCES);
	assert_int_equal(RUN("\x83\x07\x01"), -EACCES);
	assert_memory_equal(before, gpr, sizeof(before));
	assert_int_equal(rflags, flags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_loads_by_width, setup),
		cmocka_unit_test_setup(test_extensions, setup),
		cmocka_unit_test_setup(test_stores, setup),
		cmocka_unit_test_setup(test_xchg, setup),
		cmocka_unit_test_setup(test_alu_flags, setup),
		cmocka_unit_test_setup(test_read_modify_write, setup),
		cmocka_unit_test_setup(test_compare_writes_nothing, setup),
		cmocka_unit_test_setup(test_refused_changes_nothing, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
