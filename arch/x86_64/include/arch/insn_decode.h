/* SPDX-License-Identifier: MIT */
/* Decoding the x86 instructions a guest uses to reach a device's memory (pure). */
#ifndef ARCH_INSN_DECODE_H
#define ARCH_INSN_DECODE_H

#include <tally/types.h>

/* An instruction is at most 15 bytes long (SDM Vol. 2A, 2.3.11). */
#define INSN_MAX_LENGTH		15

/* The code segment's default operand and address size (SDM Vol. 3A, 5.2.1). */
enum insn_mode {
	INSN_MODE_16,		/* CS.D = 0 outside 64-bit mode */
	INSN_MODE_32,		/* CS.D = 1 outside 64-bit mode */
	INSN_MODE_64,		/* EFER.LMA = 1 and CS.L = 1 */
};

/* What the instruction does with its memory operand. */
enum insn_op {
	INSN_OP_MOV,		/* load or store */
	INSN_OP_MOVZX,		/* load, zero-extended to the register's size */
	INSN_OP_MOVSX,		/* load, sign-extended (MOVSX, MOVSXD) */
	INSN_OP_XCHG,		/* load, then store the register's old value */
	INSN_OP_ADD,
	INSN_OP_OR,
	INSN_OP_AND,
	INSN_OP_SUB,
	INSN_OP_XOR,
	INSN_OP_CMP,		/* SUB without writing the result */
	INSN_OP_TEST,		/* AND without writing the result */
	INSN_OP_COUNT,
};

enum insn_status {
	INSN_OK,
	INSN_TRUNCATED,		/* the bytes given end inside the instruction */
	INSN_TOO_LONG,		/* longer than 15 bytes: #GP on a CPU */
	INSN_UNSUPPORTED,	/* a valid instruction this decoder does not emulate */
	INSN_NO_MEMORY,		/* its r/m operand is a register: it cannot touch MMIO */
	INSN_INVALID,		/* #UD on a CPU (LOCK on a MOV, say) */
	INSN_BAD_MODE,		/* the mode argument is out of range */
};

#define INSN_REG_NONE		0xFF
#define INSN_SEG_DEFAULT	0xFF	/* no segment override prefix */

/* The memory operand's address, as the ModRM/SIB/displacement bytes give it. */
struct insn_address {
	uint8_t base;		/* GPR number 0-15, or INSN_REG_NONE */
	uint8_t index;		/* GPR number 0-15, or INSN_REG_NONE */
	uint8_t scale;		/* 1, 2, 4 or 8 */
	bool rip_relative;	/* 64-bit mode, mod 00 r/m 101 */
	int64_t disp;		/* sign-extended; a moffs's full offset */
	uint8_t size;		/* address size in bytes: 2, 4 or 8 */
	uint8_t seg;		/* SDM segment number (ES=0 ... GS=5), or INSN_SEG_DEFAULT */
};

struct insn {
	uint8_t length;		/* bytes, 1..15 */
	enum insn_op op;
	uint8_t size;		/* bytes the memory access moves: 1, 2, 4 or 8 */
	uint8_t reg_size;	/* bytes of the register operand (MOVZX/MOVSX: the destination's) */
	bool mem_is_dst;	/* the memory operand is written (or, for CMP/TEST, is the first operand) */
	uint8_t reg;		/* the register operand, GPR 0-15, or INSN_REG_NONE if an immediate */
	bool reg_high8;		/* reg 0-3 means AH, CH, DH, BH (a byte operand 4-7 without REX) */
	bool has_imm;
	uint64_t imm;		/* the immediate, sign-extended to 64 bits */
	bool lock;
	struct insn_address addr;
};

/*
 * Decode the instruction in @bytes[0..@len) (len may exceed 15: only what
 * is needed is read) for a CPU in @mode; INSN_OK and *@out filled, or why not.
 */
enum insn_status insn_decode(const uint8_t *bytes, size_t len, enum insn_mode mode,
			     struct insn *out);

/* "ok", "truncated", ... for log lines. */
const char *insn_status_name(enum insn_status s);

/* "mov", "movzx", ... for log lines and tests. */
const char *insn_op_name(enum insn_op op);

#endif
