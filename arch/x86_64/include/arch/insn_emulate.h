/* SPDX-License-Identifier: MIT */
/* Carrying out a decoded memory instruction on a guest's registers (pure). */
#ifndef ARCH_INSN_EMULATE_H
#define ARCH_INSN_EMULATE_H

#include <arch/insn_decode.h>

/* Arithmetic flags (SDM Vol. 1, 3.4.3.1). */
#define RFLAGS_CF		(1ull << 0)
#define RFLAGS_PF		(1ull << 2)
#define RFLAGS_AF		(1ull << 4)
#define RFLAGS_ZF		(1ull << 6)
#define RFLAGS_SF		(1ull << 7)
#define RFLAGS_OF		(1ull << 11)
#define RFLAGS_ARITH		(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

#define INSN_GPR_COUNT		16

/* The memory operand: the device behind it, called with the instruction's access size. */
struct insn_mem {
	/* Load @size bytes into *@val (zero-extended); 0 or a negative errno. */
	int (*read)(void *ctx, unsigned int size, uint64_t *val);
	/* Store the low @size bytes of @val; 0 or a negative errno. */
	int (*write)(void *ctx, unsigned int size, uint64_t val);
	void *ctx;
};

/*
 * Carry out @in: its memory operand through @mem, its register operand in
 * @gpr (x86 numbering, RSP at 4), the arithmetic flags in *@rflags.  0, or
 * the first error of a memory access (registers and flags then unchanged).
 */
int insn_emulate(const struct insn *in, uint64_t gpr[INSN_GPR_COUNT], uint64_t *rflags,
		 const struct insn_mem *mem);

/*
 * The result of ALU @op (add, or, and, sub, xor, cmp, test) on @size-byte
 * @a and @b, with *@rflags's arithmetic flags set as the CPU sets them.
 */
uint64_t insn_alu(enum insn_op op, unsigned int size, uint64_t a, uint64_t b, uint64_t *rflags);

#endif
