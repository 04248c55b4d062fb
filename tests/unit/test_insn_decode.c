/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the MMIO instruction decoder (arch/x86_64/vmx/insn_decode.c).
 * Every encoding below was checked against `objdump -D -b binary
 * -mi386:x86-64` (-mi386, -mi8086 for the other modes) when written; the
 * comment beside each is objdump's reading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/insn_decode.h>

#include "shim.h"

#define M16	INSN_MODE_16
#define M32	INSN_MODE_32
#define M64	INSN_MODE_64
#define NONE	INSN_REG_NONE
#define DEF	INSN_SEG_DEFAULT

enum { AX, CX, DX, BX, SP, BP, SI, DI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum { ES, CS, SS, DS, FS, GS };

/* One instruction and everything the decoder must say about it. */
struct ok_case {
	const char *text;	/* objdump's reading */
	enum insn_mode mode;
	const char *bytes;
	size_t len;
	struct insn want;
};

#define B(s)	s, sizeof(s) - 1
#define ADDR(b, i, sc, d, rip, as, sg) \
	{ .base = b, .index = i, .scale = sc, .disp = d, .rip_relative = rip, .size = as, .seg = sg }
/* A register operand: @r, of @rs bytes. */
#define REG(l, o, sz, rs, dst, r, hi, lk, a) \
	{ .length = l, .op = INSN_OP_##o, .size = sz, .reg_size = rs, .mem_is_dst = dst, \
	  .reg = r, .reg_high8 = hi, .lock = lk, .addr = a }
/* An immediate operand. */
#define IMM(l, o, sz, v, a) \
	{ .length = l, .op = INSN_OP_##o, .size = sz, .reg_size = sz, .mem_is_dst = true, \
	  .reg = NONE, .has_imm = true, .imm = v, .addr = a }

static const struct ok_case ok_cases[] = {
	/* The MOV family, 64-bit mode. */
	{ "mov 0x10(%rip),%eax", M64, B("\x8b\x05\x10\x00\x00\x00"),
	  REG(6, MOV, 4, 4, false, AX, false, false, ADDR(NONE, NONE, 1, 0x10, true, 8, DEF)) },
	{ "mov %ebx,(%rax)", M64, B("\x89\x18"),
	  REG(2, MOV, 4, 4, true, BX, false, false, ADDR(AX, NONE, 1, 0, false, 8, DEF)) },
	{ "mov %rcx,0x8(%rbx,%rcx,4)", M64, B("\x48\x89\x4c\x8b\x08"),
	  REG(5, MOV, 8, 8, true, CX, false, false, ADDR(BX, CX, 4, 8, false, 8, DEF)) },
	{ "mov %ah,(%rdi)", M64, B("\x88\x27"),
	  REG(2, MOV, 1, 1, true, AX, true, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "xchg %bh,(%rsi)", M64, B("\x86\x3e"),
	  REG(2, XCHG, 1, 1, true, BX, true, false, ADDR(SI, NONE, 1, 0, false, 8, DEF)) },
	{ "mov %spl,(%rdi)", M64, B("\x40\x88\x27"),
	  REG(3, MOV, 1, 1, true, SP, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "mov (%rdi),%r8b", M64, B("\x44\x8a\x07"),
	  REG(3, MOV, 1, 1, false, R8, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "mov (%rsp),%r15", M64, B("\x4c\x8b\x3c\x24"),
	  REG(4, MOV, 8, 8, false, R15, false, false, ADDR(SP, NONE, 1, 0, false, 8, DEF)) },
	{ "mov 0x0(%r13,%r15,1),%eax", M64, B("\x43\x8b\x44\x3d\x00"),
	  REG(5, MOV, 4, 4, false, AX, false, false, ADDR(R13, R15, 1, 0, false, 8, DEF)) },
	{ "mov 0x0(%r13),%eax", M64, B("\x41\x8b\x45\x00"),
	  REG(4, MOV, 4, 4, false, AX, false, false, ADDR(R13, NONE, 1, 0, false, 8, DEF)) },
	{ "mov (%r12),%eax", M64, B("\x41\x8b\x04\x24"),
	  REG(4, MOV, 4, 4, false, AX, false, false, ADDR(R12, NONE, 1, 0, false, 8, DEF)) },
	{ "mov 0x8(%rsp),%eax", M64, B("\x8b\x44\x24\x08"),
	  REG(4, MOV, 4, 4, false, AX, false, false, ADDR(SP, NONE, 1, 8, false, 8, DEF)) },
	{ "mov %fs:0x10,%eax", M64, B("\x64\x8b\x04\x25\x10\x00\x00\x00"),
	  REG(8, MOV, 4, 4, false, AX, false, false, ADDR(NONE, NONE, 1, 0x10, false, 8, FS)) },
	{ "mov -0x1200000(,%r12,4),%eax", M64, B("\x42\x8b\x04\xa5\x00\x00\xe0\xfe"),
	  REG(8, MOV, 4, 4, false, AX, false, false, ADDR(NONE, R12, 4, -0x1200000, false, 8, DEF)) },
	{ "mov 0x10(%eip),%eax", M64, B("\x67\x8b\x05\x10\x00\x00\x00"),
	  REG(7, MOV, 4, 4, false, AX, false, false, ADDR(NONE, NONE, 1, 0x10, true, 4, DEF)) },
	{ "rex.W; mov %ax,(%rdi): a REX before a legacy prefix is ignored", M64, B("\x48\x66\x89\x07"),
	  REG(4, MOV, 2, 2, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "data16 mov %rax,(%rdi): REX.W wins over 66", M64, B("\x66\x48\x89\x07"),
	  REG(4, MOV, 8, 8, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "cs mov %ax,(%rdi)", M64, B("\x2e\x66\x89\x07"),
	  REG(4, MOV, 2, 2, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, CS)) },
	{ "movw $0x1234,(%rdi)", M64, B("\x66\xc7\x07\x34\x12"),
	  IMM(5, MOV, 2, 0x1234, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "movq $0xffffffffffffffff,(%rdi)", M64, B("\x48\xc7\x07\xff\xff\xff\xff"),
	  IMM(7, MOV, 8, ~0ull, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "movb $0x80,(%rdi)", M64, B("\xc6\x07\x80"),
	  IMM(3, MOV, 1, 0xFFFFFFFFFFFFFF80ull, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "movabs 0x1122334455667788,%eax", M64, B("\xa1\x88\x77\x66\x55\x44\x33\x22\x11"),
	  REG(9, MOV, 4, 4, false, AX, false, false,
	      ADDR(NONE, NONE, 1, 0x1122334455667788, false, 8, DEF)) },
	{ "addr32 mov 0x11223344,%eax", M64, B("\x67\xa1\x44\x33\x22\x11"),
	  REG(6, MOV, 4, 4, false, AX, false, false, ADDR(NONE, NONE, 1, 0x11223344, false, 4, DEF)) },
	{ "movabs %al,0xfec00000", M64, B("\xa2\x00\x00\xc0\xfe\x00\x00\x00\x00"),
	  REG(9, MOV, 1, 1, true, AX, false, false, ADDR(NONE, NONE, 1, 0xfec00000, false, 8, DEF)) },
	{ "movabs %rax,0xfee00300", M64, B("\x48\xa3\x00\x03\xe0\xfe\x00\x00\x00\x00"),
	  REG(10, MOV, 8, 8, true, AX, false, false, ADDR(NONE, NONE, 1, 0xfee00300, false, 8, DEF)) },
	/* MOVZX, MOVSX, MOVSXD. */
	{ "movzbl (%rdi),%eax", M64, B("\x0f\xb6\x07"),
	  REG(3, MOVZX, 1, 4, false, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "movzwl (%rdi),%eax", M64, B("\x0f\xb7\x07"),
	  REG(3, MOVZX, 2, 4, false, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "movsbl (%rdi),%eax", M64, B("\x0f\xbe\x07"),
	  REG(3, MOVSX, 1, 4, false, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "movzbl (%rdi),%esp: no AH..BH for a 32-bit destination", M64, B("\x0f\xb6\x27"),
	  REG(3, MOVZX, 1, 4, false, SP, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "movswq -0x2(%rdi),%rax", M64, B("\x48\x0f\xbf\x47\xfe"),
	  REG(5, MOVSX, 2, 8, false, AX, false, false, ADDR(DI, NONE, 1, -2, false, 8, DEF)) },
	{ "movslq (%rdi),%rax", M64, B("\x48\x63\x07"),
	  REG(3, MOVSX, 4, 8, false, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	/* XCHG and the read-modify-write forms. */
	{ "xchg %eax,(%rdi)", M64, B("\x87\x07"),
	  REG(2, XCHG, 4, 4, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "lock xchg %eax,(%rdi)", M64, B("\xf0\x87\x07"),
	  REG(3, XCHG, 4, 4, true, AX, false, true, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "orl $0x100,(%rdi)", M64, B("\x81\x0f\x00\x01\x00\x00"),
	  IMM(6, OR, 4, 0x100, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "andl $0xfffffffe,(%rdi)", M64, B("\x83\x27\xfe"),
	  IMM(3, AND, 4, 0xFFFFFFFFFFFFFFFEull, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "lock addl $0x1,(%rdi)", M64, B("\xf0\x83\x07\x01"),
	  { .length = 4, .op = INSN_OP_ADD, .size = 4, .reg_size = 4, .mem_is_dst = true,
	    .reg = NONE, .has_imm = true, .imm = 1, .lock = true,
	    .addr = ADDR(DI, NONE, 1, 0, false, 8, DEF) } },
	{ "subb $0x1,(%rdi)", M64, B("\x80\x2f\x01"),
	  IMM(3, SUB, 1, 1, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "xorq $-1,(%rdi)", M64, B("\x48\x83\x37\xff"),
	  IMM(4, XOR, 8, ~0ull, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "cmpw $0x7fff,(%rdi)", M64, B("\x66\x81\x3f\xff\x7f"),
	  IMM(5, CMP, 2, 0x7fff, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "cmp (%rdi),%eax", M64, B("\x3b\x07"),
	  REG(2, CMP, 4, 4, false, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "cmp %eax,(%rdi)", M64, B("\x39\x07"),
	  REG(2, CMP, 4, 4, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "test %eax,(%rdi)", M64, B("\x85\x07"),
	  REG(2, TEST, 4, 4, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "test %al,(%rdi)", M64, B("\x84\x07"),
	  REG(2, TEST, 1, 1, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "testb $0x1,(%rdi)", M64, B("\xf6\x07\x01"),
	  IMM(3, TEST, 1, 1, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "testl $0x80000000,(%rdi)", M64, B("\xf7\x07\x00\x00\x00\x80"),
	  IMM(6, TEST, 4, 0xFFFFFFFF80000000ull, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "sub 0x4(%rdi),%eax", M64, B("\x2b\x47\x04"),
	  REG(3, SUB, 4, 4, false, AX, false, false, ADDR(DI, NONE, 1, 4, false, 8, DEF)) },
	{ "and %al,(%rdi)", M64, B("\x20\x07"),
	  REG(2, AND, 1, 1, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "or (%rdi),%al", M64, B("\x0a\x07"),
	  REG(2, OR, 1, 1, false, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "add %al,(%rdi)", M64, B("\x00\x07"),
	  REG(2, ADD, 1, 1, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "xor %al,(%rdi)", M64, B("\x30\x07"),
	  REG(2, XOR, 1, 1, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	{ "cmp %al,(%rdi)", M64, B("\x38\x07"),
	  REG(2, CMP, 1, 1, true, AX, false, false, ADDR(DI, NONE, 1, 0, false, 8, DEF)) },
	/* 32-bit mode: no RIP-relative, 67 picks 16-bit addressing, 40-4F are not REX. */
	{ "mov 0xfee00000,%eax", M32, B("\x8b\x05\x00\x00\xe0\xfe"),
	  REG(6, MOV, 4, 4, false, AX, false, false,
	      ADDR(NONE, NONE, 1, (int32_t)0xfee00000, false, 4, DEF)) },
	{ "mov %ax,0xfec00010", M32, B("\x66\xa3\x10\x00\xc0\xfe"),
	  REG(6, MOV, 2, 2, true, AX, false, false, ADDR(NONE, NONE, 1, 0xfec00010, false, 4, DEF)) },
	{ "mov %al,0xfec00000", M32, B("\xa2\x00\x00\xc0\xfe"),
	  REG(5, MOV, 1, 1, true, AX, false, false, ADDR(NONE, NONE, 1, 0xfec00000, false, 4, DEF)) },
	{ "mov (%bx),%eax", M32, B("\x67\x8b\x07"),
	  REG(3, MOV, 4, 4, false, AX, false, false, ADDR(BX, NONE, 1, 0, false, 2, DEF)) },
	{ "mov %eax,0x100(%ecx,%edx,4)", M32, B("\x89\x84\x91\x00\x01\x00\x00"),
	  REG(7, MOV, 4, 4, true, AX, false, false, ADDR(CX, DX, 4, 0x100, false, 4, DEF)) },
	{ "mov %ah,%es:(%edi)", M32, B("\x26\x88\x27"),
	  REG(3, MOV, 1, 1, true, AX, true, false, ADDR(DI, NONE, 1, 0, false, 4, ES)) },
	/* 16-bit mode: the 16-bit ModRM table. */
	{ "mov (%bx),%ax", M16, B("\x8b\x07"),
	  REG(2, MOV, 2, 2, false, AX, false, false, ADDR(BX, NONE, 1, 0, false, 2, DEF)) },
	{ "mov 0x10(%bp,%si),%ax", M16, B("\x8b\x42\x10"),
	  REG(3, MOV, 2, 2, false, AX, false, false, ADDR(BP, SI, 1, 0x10, false, 2, DEF)) },
	{ "mov 0x1234,%ax", M16, B("\x8b\x06\x34\x12"),
	  REG(4, MOV, 2, 2, false, AX, false, false, ADDR(NONE, NONE, 1, 0x1234, false, 2, DEF)) },
	{ "mov %ax,-0x8000(%bp)", M16, B("\x89\x86\x00\x80"),
	  REG(4, MOV, 2, 2, true, AX, false, false, ADDR(BP, NONE, 1, -0x8000, false, 2, DEF)) },
	{ "mov (%bx),%eax", M16, B("\x66\x8b\x07"),
	  REG(3, MOV, 4, 4, false, AX, false, false, ADDR(BX, NONE, 1, 0, false, 2, DEF)) },
	{ "mov (%edi),%ax", M16, B("\x67\x8b\x07"),
	  REG(3, MOV, 2, 2, false, AX, false, false, ADDR(DI, NONE, 1, 0, false, 4, DEF)) },
	{ "mov %ax,0xfe(%bx,%di)", M16, B("\x89\x81\xfe\x00"),
	  REG(4, MOV, 2, 2, true, AX, false, false, ADDR(BX, DI, 1, 0xfe, false, 2, DEF)) },
};

static void assert_insn_equal(const struct insn *got, const struct insn *want, const char *text)
{
	print_message("  %s\n", text);
	assert_int_equal(got->length, want->length);
	assert_int_equal(got->op, want->op);
	assert_int_equal(got->size, want->size);
	assert_int_equal(got->reg_size, want->reg_size);
	assert_int_equal(got->mem_is_dst, want->mem_is_dst);
	assert_int_equal(got->reg, want->reg);
	assert_int_equal(got->reg_high8, want->reg_high8);
	assert_int_equal(got->has_imm, want->has_imm);
	assert_int_equal(got->imm, want->imm);
	assert_int_equal(got->lock, want->lock);
	assert_int_equal(got->addr.base, want->addr.base);
	assert_int_equal(got->addr.index, want->addr.index);
	assert_int_equal(got->addr.scale, want->addr.scale);
	assert_int_equal(got->addr.disp, want->addr.disp);
	assert_int_equal(got->addr.rip_relative, want->addr.rip_relative);
	assert_int_equal(got->addr.size, want->addr.size);
	assert_int_equal(got->addr.seg, want->addr.seg);
}

static void test_decodes(void **state __unused)
{
	for (size_t i = 0; i < ARRAY_SIZE(ok_cases); i++) {
		const struct ok_case *c = &ok_cases[i];
		struct insn got;

		memset(&got, 0xA5, sizeof(got));
		assert_int_equal(insn_decode((const uint8_t *)c->bytes, c->len, c->mode, &got), INSN_OK);
		assert_insn_equal(&got, &c->want, c->text);
	}
}

/* Extra bytes after an instruction are not part of it; one byte fewer truncates it. */
static void test_length_exact(void **state __unused)
{
	for (size_t i = 0; i < ARRAY_SIZE(ok_cases); i++) {
		const struct ok_case *c = &ok_cases[i];
		uint8_t buf[INSN_MAX_LENGTH + 8];
		struct insn got;

		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, c->bytes, c->len);
		assert_int_equal(insn_decode(buf, sizeof(buf), c->mode, &got), INSN_OK);
		assert_int_equal(got.length, c->len);
		for (size_t n = 0; n < c->len; n++)
			assert_int_equal(insn_decode(buf, n, c->mode, &got), INSN_TRUNCATED);
	}
}

struct bad_case {
	const char *text;
	enum insn_mode mode;
	const char *bytes;
	size_t len;
	enum insn_status want;
};

static const struct bad_case bad_cases[] = {
	{ "nothing", M64, B(""), INSN_TRUNCATED },
	{ "a prefix only", M64, B("\x66"), INSN_TRUNCATED },
	{ "0F only", M64, B("\x0f"), INSN_TRUNCATED },
	{ "immediate cut short", M64, B("\xc7\x07\x01\x00"), INSN_TRUNCATED },
	{ "nop", M64, B("\x90"), INSN_UNSUPPORTED },
	{ "ud2", M64, B("\x0f\x0b"), INSN_UNSUPPORTED },
	{ "movsb", M64, B("\xa4"), INSN_UNSUPPORTED },
	{ "rep movsb", M64, B("\xf3\xa4"), INSN_UNSUPPORTED },
	{ "rep mov (F3 on a MOV)", M64, B("\xf3\x8b\x07"), INSN_UNSUPPORTED },
	{ "repne mov (F2 on a MOV)", M64, B("\xf2\x89\x07"), INSN_UNSUPPORTED },
	{ "movl /1 (reserved)", M64, B("\xc7\x0f\x00\x00\x00\x00"), INSN_UNSUPPORTED },
	{ "adcb $1,(%rdi)", M64, B("\x80\x17\x01"), INSN_UNSUPPORTED },
	{ "sbbl $1,(%rdi)", M64, B("\x83\x1f\x01"), INSN_UNSUPPORTED },
	{ "notb (%rdi)", M64, B("\xf6\x17"), INSN_UNSUPPORTED },
	{ "divl (%rdi)", M64, B("\xf7\x37"), INSN_UNSUPPORTED },
	{ "movsxd without REX.W", M64, B("\x63\x07"), INSN_UNSUPPORTED },
	{ "arpl outside 64-bit mode", M32, B("\x63\x07"), INSN_UNSUPPORTED },
	{ "dec %eax (48 is not REX in 32-bit mode)", M32, B("\x48\x8b\x07"), INSN_UNSUPPORTED },
	{ "inc %eax in 16-bit mode", M16, B("\x40\x8b\x07"), INSN_UNSUPPORTED },
	{ "vmovdqu (VEX)", M64, B("\xc5\xfe\x6f\x07"), INSN_UNSUPPORTED },
	{ "mov %eax,%eax", M64, B("\x8b\xc0"), INSN_NO_MEMORY },
	{ "movzbl %al,%eax", M64, B("\x0f\xb6\xc0"), INSN_NO_MEMORY },
	{ "xbegin (C7 F8)", M64, B("\xc7\xf8\x00\x00\x00\x00"), INSN_UNSUPPORTED },
	{ "lock mov", M64, B("\xf0\x89\x07"), INSN_INVALID },
	{ "lock mov load", M64, B("\xf0\x8b\x07"), INSN_INVALID },
	{ "lock cmp, memory first", M64, B("\xf0\x39\x07"), INSN_INVALID },
	{ "lock cmpl $1", M64, B("\xf0\x83\x3f\x01"), INSN_INVALID },
	{ "lock add, register destination", M64, B("\xf0\x03\x07"), INSN_INVALID },
	{ "lock test", M64, B("\xf0\x85\x07"), INSN_INVALID },
	{ "lock movzx", M64, B("\xf0\x0f\xb6\x07"), INSN_INVALID },
	{ "16 bytes of prefixes", M64,
	  B("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x8b\x07"), INSN_TOO_LONG },
	{ "15 prefixes and no opcode", M64,
	  B("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66"), INSN_TOO_LONG },
	{ "a 16-byte moffs form", M64,
	  B("\x66\x66\x66\x66\x66\x66\x67\xa1\x00\x00\x00\x00\x00\x00\x00\x00"), INSN_OK },
	{ "a 17-byte moffs form", M64,
	  B("\x66\x66\x66\x66\x66\x66\x66\xa1\x00\x00\x00\x00\x00\x00\x00\x00\x00"), INSN_TOO_LONG },
	{ "mode out of range", (enum insn_mode)7, B("\x8b\x07"), INSN_BAD_MODE },
};

static void test_refuses(void **state __unused)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct insn got, before;

		print_message("  %s\n", c->text);
		memset(&got, 0x5A, sizeof(got));
		before = got;
		assert_int_equal(insn_decode((const uint8_t *)c->bytes, c->len, c->mode, &got), c->want);
		if (c->want != INSN_OK)
			assert_memory_equal(&got, &before, sizeof(got));	/* untouched */
	}
}

/* The longest legal instruction is 15 bytes. */
static void test_fifteen_bytes(void **state __unused)
{
	const uint8_t b[] = "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x8b\x07";
	struct insn got;

	assert_int_equal(insn_decode(b, 15, M64, &got), INSN_OK);
	assert_int_equal(got.length, 15);
	assert_int_equal(got.size, 2);
}

static void test_names(void **state __unused)
{
	assert_string_equal(insn_status_name(INSN_OK), "ok");
	assert_string_equal(insn_status_name(INSN_UNSUPPORTED), "not emulated");
	assert_string_equal(insn_status_name((enum insn_status)99), "?");
	assert_string_equal(insn_op_name(INSN_OP_MOVZX), "movzx");
	assert_string_equal(insn_op_name(INSN_OP_TEST), "test");
	assert_string_equal(insn_op_name(INSN_OP_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decodes),
		cmocka_unit_test(test_length_exact),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_fifteen_bytes),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
