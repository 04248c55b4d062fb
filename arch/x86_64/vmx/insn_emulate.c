/* SPDX-License-Identifier: MIT */
/*
 * Carrying out a decoded instruction whose memory operand is a device
 * (see arch/insn_emulate.h): register writes with the x86 width rules and
 * the arithmetic flags of ADD/OR/AND/SUB/XOR/CMP/TEST.  Pure, host-tested.
 */
#include <arch/insn_emulate.h>

static uint64_t mask_of(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t sign_bit(unsigned int size)
{
	return 1ull << (8 * size - 1);
}

/* The register operand's value, @size bytes wide (AH..BH when high8). */
static uint64_t reg_read(const struct insn *in, const uint64_t *gpr, unsigned int size)
{
	if (in->reg_high8)
		return (gpr[in->reg] >> 8) & 0xFF;
	return gpr[in->reg] & mask_of(size);
}

/*
 * Write @val to the register operand: a 32-bit write zero-extends to 64
 * bits, an 8- or 16-bit write keeps the rest (SDM Vol. 1, 3.4.1.1).
 */
static void reg_write(const struct insn *in, uint64_t *gpr, unsigned int size, uint64_t val)
{
	uint64_t *r = &gpr[in->reg];

	if (in->reg_high8)
		*r = (*r & ~0xFF00ull) | ((val & 0xFF) << 8);
	else if (size == 4)
		*r = val & mask_of(4);
	else if (size == 8)
		*r = val;
	else
		*r = (*r & ~mask_of(size)) | (val & mask_of(size));
}

/* PF: set when the result's low byte has an even number of ones. */
static bool parity_even(uint64_t r)
{
	return !(__builtin_popcountll(r & 0xFF) & 1);
}

uint64_t insn_alu(enum insn_op op, unsigned int size, uint64_t a, uint64_t b, uint64_t *rflags)
{
	uint64_t m = mask_of(size), sb = sign_bit(size), r, f = 0;

	a &= m;
	b &= m;
	switch (op) {
	case INSN_OP_ADD:
		r = (a + b) & m;
		f |= r < a ? RFLAGS_CF : 0;
		f |= ((a ^ r) & (b ^ r) & sb) ? RFLAGS_OF : 0;
		f |= (a ^ b ^ r) & RFLAGS_AF;
		break;
	case INSN_OP_SUB:
	case INSN_OP_CMP:
		r = (a - b) & m;
		f |= a < b ? RFLAGS_CF : 0;
		f |= ((a ^ b) & (a ^ r) & sb) ? RFLAGS_OF : 0;
		f |= (a ^ b ^ r) & RFLAGS_AF;
		break;
	case INSN_OP_OR:
		r = a | b;
		break;
	case INSN_OP_XOR:
		r = a ^ b;
		break;
	default:	/* AND, TEST: CF and OF cleared, AF left clear (undefined) */
		r = a & b;
		break;
	}
	f |= r == 0 ? RFLAGS_ZF : 0;
	f |= (r & sb) ? RFLAGS_SF : 0;
	f |= parity_even(r) ? RFLAGS_PF : 0;
	*rflags = (*rflags & ~RFLAGS_ARITH) | f;
	return r;
}

static uint64_t extend(const struct insn *in, uint64_t val)
{
	unsigned int shift = 64 - 8 * in->size;

	if (in->op == INSN_OP_MOVSX)
		return (uint64_t)((int64_t)(val << shift) >> shift);
	return val;
}

/* The source operand of a store or the second ALU operand: immediate or register. */
static uint64_t source(const struct insn *in, const uint64_t *gpr)
{
	return in->has_imm ? in->imm & mask_of(in->size) : reg_read(in, gpr, in->size);
}

static int alu(const struct insn *in, uint64_t *gpr, uint64_t *rflags, const struct insn_mem *mem)
{
	uint64_t m, a, b, r, flags = *rflags;
	bool writes = in->op != INSN_OP_CMP && in->op != INSN_OP_TEST;
	int err = mem->read(mem->ctx, in->size, &m);

	if (err)
		return err;
	a = in->mem_is_dst ? m : reg_read(in, gpr, in->size);
	b = in->mem_is_dst ? source(in, gpr) : m;
	r = insn_alu(in->op, in->size, a, b, &flags);
	if (writes && in->mem_is_dst)
		err = mem->write(mem->ctx, in->size, r);
	if (err)
		return err;
	if (writes && !in->mem_is_dst)
		reg_write(in, gpr, in->size, r);
	*rflags = flags;
	return 0;
}

int insn_emulate(const struct insn *in, uint64_t gpr[INSN_GPR_COUNT], uint64_t *rflags,
		 const struct insn_mem *mem)
{
	uint64_t val;
	int err;

	switch (in->op) {
	case INSN_OP_MOV:
		if (in->mem_is_dst)
			return mem->write(mem->ctx, in->size, source(in, gpr));
		__attribute__((fallthrough));	/* a load */
	case INSN_OP_MOVZX:
	case INSN_OP_MOVSX:
		err = mem->read(mem->ctx, in->size, &val);
		if (!err)
			reg_write(in, gpr, in->reg_size, extend(in, val & mask_of(in->size)));
		return err;
	case INSN_OP_XCHG:
		err = mem->read(mem->ctx, in->size, &val);
		if (!err)
			err = mem->write(mem->ctx, in->size, reg_read(in, gpr, in->size));
		if (!err)
			reg_write(in, gpr, in->size, val);
		return err;
	default:
		return alu(in, gpr, rflags, mem);
	}
}
