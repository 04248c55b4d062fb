/* SPDX-License-Identifier: MIT */
/*
 * Decoding the instructions a guest uses on device memory (see
 * arch/insn_decode.h): the MOV family, MOVZX/MOVSX/MOVSXD, XCHG and the
 * ALU forms with a memory operand, with every prefix and addressing form.
 * Encodings follow the SDM Vol. 2A chapter 2 (instruction format) and the
 * opcode map of Vol. 2D appendix A.  Pure: no inline assembly, host-tested.
 * It reads only the bytes it needs and never beyond @len.
 */
#include <arch/insn_decode.h>

/* Legacy prefixes (SDM Vol. 2A, 2.1.1). */
#define PFX_LOCK	0xF0
#define PFX_REPNE	0xF2
#define PFX_REP		0xF3
#define PFX_OPSIZE	0x66
#define PFX_ADDRSIZE	0x67
#define PFX_ES		0x26
#define PFX_CS		0x2E
#define PFX_SS		0x36
#define PFX_DS		0x3E
#define PFX_FS		0x64
#define PFX_GS		0x65

/* Segment register numbers as the sreg field encodes them (SDM Vol. 2D, B.1.4.8). */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/* REX prefix 0100WRXB (SDM Vol. 2A, 2.2.1): 64-bit mode only. */
#define REX_BASE	0x40
#define REX_MASK	0xF0
#define REX_W		0x08
#define REX_R		0x04
#define REX_X		0x02
#define REX_B		0x01

#define OPCODE_ESCAPE	0x0F

/* ModRM and SIB fields (SDM Vol. 2A, 2.1.5). */
#define MODRM_MOD(m)	((m) >> 6)
#define MODRM_REG(m)	(((m) >> 3) & 7)
#define MODRM_RM(m)	((m) & 7)
#define MOD_NO_DISP	0
#define MOD_DISP8	1
#define MOD_DISP_FULL	2
#define MOD_REGISTER	3
#define RM_SIB		4	/* 32/64-bit addressing: a SIB byte follows */
#define RM_DISP32	5	/* with mod 00: disp32 (RIP-relative in 64-bit mode) */
#define RM16_DISP16	6	/* 16-bit addressing with mod 00: disp16 */
#define SIB_NO_INDEX	4
#define SIB_NO_BASE	5	/* with mod 00 */

enum { REG_AX, REG_CX, REG_DX, REG_BX, REG_SP, REG_BP, REG_SI, REG_DI };

/* How an opcode takes its operands. */
#define F_VALID		0x0001
#define F_BYTE		0x0002	/* 8-bit operands */
#define F_MEM_DST	0x0004	/* the r/m operand comes first */
#define F_IMM8		0x0008	/* imm8, sign-extended */
#define F_IMMZ		0x0010	/* imm16 or imm32 (sign-extended to 64 with REX.W) */
#define F_GROUP1	0x0020	/* ModRM.reg picks the ALU operation */
#define F_GROUP_MOV	0x0040	/* C6/C7: ModRM.reg must be 0 */
#define F_GROUP_TEST	0x0080	/* F6/F7: only /0 (TEST) */
#define F_MOFFS		0x0100	/* A0-A3: an offset instead of ModRM, register AL/rAX */
#define F_LOCKABLE	0x0200	/* LOCK allowed (with a memory destination) */
#define F_MOVSXD	0x0400
#define F_EXT16		0x0800	/* MOVZX/MOVSX from 16 bits */

struct opdesc {
	uint16_t flags;
	uint8_t op;
};

#define ALU(base, o) \
	[(base) + 0] = { F_VALID | F_BYTE | F_MEM_DST | F_LOCKABLE, o }, \
	[(base) + 1] = { F_VALID | F_MEM_DST | F_LOCKABLE, o }, \
	[(base) + 2] = { F_VALID | F_BYTE, o }, \
	[(base) + 3] = { F_VALID, o }

/* The one-byte opcodes emulated (SDM Vol. 2D, table A-2). */
static const struct opdesc one_byte[256] = {
	ALU(0x00, INSN_OP_ADD), ALU(0x08, INSN_OP_OR), ALU(0x20, INSN_OP_AND),
	ALU(0x28, INSN_OP_SUB), ALU(0x30, INSN_OP_XOR), ALU(0x38, INSN_OP_CMP),
	[0x63] = { F_VALID | F_MOVSXD, INSN_OP_MOVSX },
	[0x80] = { F_VALID | F_BYTE | F_MEM_DST | F_IMM8 | F_GROUP1 | F_LOCKABLE, 0 },
	[0x81] = { F_VALID | F_MEM_DST | F_IMMZ | F_GROUP1 | F_LOCKABLE, 0 },
	[0x83] = { F_VALID | F_MEM_DST | F_IMM8 | F_GROUP1 | F_LOCKABLE, 0 },
	[0x84] = { F_VALID | F_BYTE | F_MEM_DST, INSN_OP_TEST },
	[0x85] = { F_VALID | F_MEM_DST, INSN_OP_TEST },
	[0x86] = { F_VALID | F_BYTE | F_MEM_DST | F_LOCKABLE, INSN_OP_XCHG },
	[0x87] = { F_VALID | F_MEM_DST | F_LOCKABLE, INSN_OP_XCHG },
	[0x88] = { F_VALID | F_BYTE | F_MEM_DST, INSN_OP_MOV },
	[0x89] = { F_VALID | F_MEM_DST, INSN_OP_MOV },
	[0x8A] = { F_VALID | F_BYTE, INSN_OP_MOV },
	[0x8B] = { F_VALID, INSN_OP_MOV },
	[0xA0] = { F_VALID | F_BYTE | F_MOFFS, INSN_OP_MOV },
	[0xA1] = { F_VALID | F_MOFFS, INSN_OP_MOV },
	[0xA2] = { F_VALID | F_BYTE | F_MOFFS | F_MEM_DST, INSN_OP_MOV },
	[0xA3] = { F_VALID | F_MOFFS | F_MEM_DST, INSN_OP_MOV },
	[0xC6] = { F_VALID | F_BYTE | F_MEM_DST | F_IMM8 | F_GROUP_MOV, INSN_OP_MOV },
	[0xC7] = { F_VALID | F_MEM_DST | F_IMMZ | F_GROUP_MOV, INSN_OP_MOV },
	[0xF6] = { F_VALID | F_BYTE | F_MEM_DST | F_IMM8 | F_GROUP_TEST, INSN_OP_TEST },
	[0xF7] = { F_VALID | F_MEM_DST | F_IMMZ | F_GROUP_TEST, INSN_OP_TEST },
};

/* The two-byte opcodes 0F xx emulated (SDM Vol. 2D, table A-3). */
static const struct opdesc two_byte[256] = {
	[0xB6] = { F_VALID, INSN_OP_MOVZX },
	[0xB7] = { F_VALID | F_EXT16, INSN_OP_MOVZX },
	[0xBE] = { F_VALID, INSN_OP_MOVSX },
	[0xBF] = { F_VALID | F_EXT16, INSN_OP_MOVSX },
};

/* Group 1 (80, 81, 83) by ModRM.reg; ADC and SBB (/2, /3) are not emulated. */
static const int8_t group1_ops[8] = {
	INSN_OP_ADD, INSN_OP_OR, -1, -1, INSN_OP_AND, INSN_OP_SUB, INSN_OP_XOR, INSN_OP_CMP,
};

/* The bytes being decoded: every read is checked against both ends. */
struct cursor {
	const uint8_t *bytes;
	size_t len;
	size_t pos;
	enum insn_status err;
};

static bool take(struct cursor *c, unsigned int n, uint64_t *val)
{
	uint64_t v = 0;

	if (c->err != INSN_OK)
		return false;
	if (c->pos + n > INSN_MAX_LENGTH) {
		/* An instruction that would be longer fails as such even if truncated. */
		c->err = INSN_TOO_LONG;
		return false;
	}
	if (c->pos + n > c->len) {
		c->err = INSN_TRUNCATED;
		return false;
	}
	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	*val = v;
	return true;
}

static int64_t sign_extend(uint64_t v, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return (int64_t)(v << shift) >> shift;
}

/* Signed displacement or immediate of @n bytes, 0 if the bytes run out. */
static int64_t take_signed(struct cursor *c, unsigned int n)
{
	uint64_t v = 0;

	take(c, n, &v);
	return sign_extend(v, n);
}

struct prefixes {
	uint8_t rex;
	bool opsize, addrsize, lock, rep;
	uint8_t seg;
};

static int segment_of(uint8_t b)
{
	switch (b) {
	case PFX_ES: return SEG_ES;
	case PFX_CS: return SEG_CS;
	case PFX_SS: return SEG_SS;
	case PFX_DS: return SEG_DS;
	case PFX_FS: return SEG_FS;
	case PFX_GS: return SEG_GS;
	default: return -1;
	}
}

/* One legacy prefix byte @b into @p: false if @b is not one. */
static bool legacy_prefix(uint8_t b, struct prefixes *p)
{
	int seg = segment_of(b);

	if (seg >= 0)
		p->seg = (uint8_t)seg;
	else if (b == PFX_OPSIZE)
		p->opsize = true;
	else if (b == PFX_ADDRSIZE)
		p->addrsize = true;
	else if (b == PFX_LOCK)
		p->lock = true;
	else if (b == PFX_REP || b == PFX_REPNE)
		p->rep = true;
	else
		return false;
	return true;
}

/*
 * Prefixes up to the opcode, which is returned in *@opcode.  A REX prefix
 * counts only directly before the opcode; one followed by a legacy prefix
 * is ignored (SDM Vol. 2A, 2.2.1).
 */
static bool prefixes(struct cursor *c, enum insn_mode mode, struct prefixes *p, uint8_t *opcode)
{
	uint64_t b;

	*p = (struct prefixes){ .seg = INSN_SEG_DEFAULT };
	while (take(c, 1, &b)) {
		if (mode == INSN_MODE_64 && (b & REX_MASK) == REX_BASE) {
			p->rex = (uint8_t)b;
			continue;
		}
		if (!legacy_prefix((uint8_t)b, p)) {
			*opcode = (uint8_t)b;
			return true;
		}
		p->rex = 0;
	}
	return false;
}

static uint8_t operand_size(enum insn_mode mode, const struct prefixes *p)
{
	if (mode == INSN_MODE_64 && (p->rex & REX_W))
		return 8;
	if (mode == INSN_MODE_16)
		return p->opsize ? 4 : 2;
	return p->opsize ? 2 : 4;
}

static uint8_t address_size(enum insn_mode mode, const struct prefixes *p)
{
	if (mode == INSN_MODE_64)
		return p->addrsize ? 4 : 8;
	if (mode == INSN_MODE_32)
		return p->addrsize ? 2 : 4;
	return p->addrsize ? 4 : 2;
}

/* 16-bit ModRM addressing (SDM Vol. 2A, table 2-1). */
static void modrm16(struct cursor *c, uint8_t modrm, struct insn_address *a)
{
	static const uint8_t base16[8] = { REG_BX, REG_BX, REG_BP, REG_BP,
					   REG_SI, REG_DI, REG_BP, REG_BX };
	static const uint8_t index16[8] = { REG_SI, REG_DI, REG_SI, REG_DI,
					    INSN_REG_NONE, INSN_REG_NONE,
					    INSN_REG_NONE, INSN_REG_NONE };
	unsigned int mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm);

	a->base = base16[rm];
	a->index = index16[rm];
	if (mod == MOD_NO_DISP && rm == RM16_DISP16) {
		a->base = INSN_REG_NONE;
		a->disp = take_signed(c, 2);
	} else if (mod == MOD_DISP8) {
		a->disp = take_signed(c, 1);
	} else if (mod == MOD_DISP_FULL) {
		a->disp = take_signed(c, 2);
	}
}

/* The SIB byte (SDM Vol. 2A, table 2-3), with REX.X and REX.B. */
static void sib(struct cursor *c, unsigned int mod, uint8_t rex, struct insn_address *a)
{
	uint64_t s = 0;
	unsigned int index, base;

	if (!take(c, 1, &s))
		return;
	index = ((s >> 3) & 7) | (rex & REX_X ? 8 : 0);
	base = (s & 7) | (rex & REX_B ? 8 : 0);
	a->scale = (uint8_t)(1u << (s >> 6));
	a->index = index == SIB_NO_INDEX ? INSN_REG_NONE : (uint8_t)index;
	if (mod == MOD_NO_DISP && (s & 7) == SIB_NO_BASE) {
		a->base = INSN_REG_NONE;
		a->disp = take_signed(c, 4);
	} else {
		a->base = (uint8_t)base;
	}
}

/* 32- and 64-bit ModRM addressing (SDM Vol. 2A, table 2-2 and 2.2.1.6). */
static void modrm32(struct cursor *c, uint8_t modrm, enum insn_mode mode, uint8_t rex,
		    struct insn_address *a)
{
	unsigned int mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm);

	if (rm == RM_SIB) {
		sib(c, mod, rex, a);
	} else if (mod == MOD_NO_DISP && rm == RM_DISP32) {
		a->rip_relative = mode == INSN_MODE_64;
		a->disp = take_signed(c, 4);
		return;
	} else {
		a->base = (uint8_t)(rm | (rex & REX_B ? 8 : 0));
	}
	if (mod == MOD_DISP8)
		a->disp += take_signed(c, 1);
	else if (mod == MOD_DISP_FULL)
		a->disp += take_signed(c, 4);
}

/* The operation of a group opcode from ModRM.reg, or -1 if not emulated. */
static int group_op(const struct opdesc *d, unsigned int reg)
{
	if (d->flags & F_GROUP1)
		return group1_ops[reg];
	if (d->flags & (F_GROUP_MOV | F_GROUP_TEST))
		return reg == 0 ? d->op : -1;
	return d->op;
}

/* The register operand @reg (ModRM.reg, REX.R applied by the caller) of @size bytes. */
static void set_reg(struct insn *in, unsigned int reg, bool rex)
{
	in->reg = (uint8_t)reg;
	/* Byte registers 4-7 without any REX are AH, CH, DH, BH (SDM Vol. 2A, 3.7.2.1). */
	if (in->reg_size == 1 && !rex && reg >= REG_SP && reg <= REG_DI) {
		in->reg = (uint8_t)(reg - REG_SP);
		in->reg_high8 = true;
	}
}

/* The immediate that follows the address. */
static void immediate(struct cursor *c, const struct opdesc *d, struct insn *in)
{
	in->has_imm = true;
	if (d->flags & F_IMM8)
		in->imm = (uint64_t)take_signed(c, 1);
	else
		in->imm = (uint64_t)take_signed(c, in->size == 2 ? 2 : 4);
}

/* Sizes of the memory and register operands, from the opcode and prefixes. */
static enum insn_status sizes(const struct opdesc *d, enum insn_mode mode,
			      const struct prefixes *p, struct insn *in)
{
	uint8_t osize = operand_size(mode, p);

	in->reg_size = (d->flags & F_BYTE) ? 1 : osize;
	in->size = in->reg_size;
	if (in->op == INSN_OP_MOVZX || (in->op == INSN_OP_MOVSX && !(d->flags & F_MOVSXD)))
		in->size = (d->flags & F_EXT16) ? 2 : 1;
	if (d->flags & F_MOVSXD) {
		/* MOVSXD outside 64-bit mode is ARPL; without REX.W Intel discourages it. */
		if (mode != INSN_MODE_64 || osize != 8)
			return INSN_UNSUPPORTED;
		in->size = 4;
	}
	return INSN_OK;
}

/* ModRM-based operands: the register or immediate and the memory address. */
static enum insn_status modrm_operands(struct cursor *c, const struct opdesc *d,
				       enum insn_mode mode, const struct prefixes *p,
				       struct insn *in)
{
	uint64_t modrm;
	int op;

	if (!take(c, 1, &modrm))
		return c->err;
	op = group_op(d, MODRM_REG(modrm));
	if (op < 0)
		return INSN_UNSUPPORTED;
	in->op = (enum insn_op)op;
	if (MODRM_MOD(modrm) == MOD_REGISTER)
		return INSN_NO_MEMORY;
	if (in->addr.size == 2)
		modrm16(c, (uint8_t)modrm, &in->addr);
	else
		modrm32(c, (uint8_t)modrm, mode, p->rex, &in->addr);
	if (d->flags & (F_IMM8 | F_IMMZ))
		immediate(c, d, in);	/* ModRM.reg picked the operation */
	else
		set_reg(in, MODRM_REG(modrm) | (p->rex & REX_R ? 8 : 0), p->rex != 0);
	return c->err;
}

/* A0-A3: the offset's width is the address size (SDM Vol. 2B, MOV). */
static enum insn_status moffs_operands(struct cursor *c, struct insn *in)
{
	uint64_t off = 0;

	in->reg = REG_AX;
	take(c, in->addr.size, &off);
	in->addr.disp = (int64_t)off;
	return c->err;
}

/* The opcode's description, reading the second byte of a 0F escape. */
static const struct opdesc *opcode_desc(struct cursor *c, uint8_t opcode)
{
	uint64_t second;

	if (opcode != OPCODE_ESCAPE)
		return &one_byte[opcode];
	if (!take(c, 1, &second))
		return NULL;
	return &two_byte[second];
}

/* LOCK is allowed only on a read-modify-write of memory (SDM Vol. 2A, LOCK). */
static bool lock_ok(const struct opdesc *d, const struct insn *in)
{
	return (d->flags & F_LOCKABLE) && in->mem_is_dst && in->op != INSN_OP_CMP;
}

static enum insn_status decode(struct cursor *c, enum insn_mode mode, struct insn *in)
{
	const struct opdesc *d;
	struct prefixes p;
	uint8_t opcode = 0;
	enum insn_status s;

	if (!prefixes(c, mode, &p, &opcode))
		return c->err;
	d = opcode_desc(c, opcode);
	if (!d)
		return c->err;
	if (!(d->flags & F_VALID) || p.rep)
		return INSN_UNSUPPORTED;
	*in = (struct insn){ .op = (enum insn_op)d->op, .reg = INSN_REG_NONE,
			     .mem_is_dst = (d->flags & F_MEM_DST) != 0, .lock = p.lock,
			     .addr = { .base = INSN_REG_NONE, .index = INSN_REG_NONE, .scale = 1,
				       .size = address_size(mode, &p), .seg = p.seg } };
	s = sizes(d, mode, &p, in);
	if (s != INSN_OK)
		return s;
	s = (d->flags & F_MOFFS) ? moffs_operands(c, in) : modrm_operands(c, d, mode, &p, in);
	if (s != INSN_OK)
		return s;
	if (p.lock && !lock_ok(d, in))
		return INSN_INVALID;
	in->length = (uint8_t)c->pos;
	return INSN_OK;
}

enum insn_status insn_decode(const uint8_t *bytes, size_t len, enum insn_mode mode,
			     struct insn *out)
{
	struct cursor c = { .bytes = bytes, .len = len, .err = INSN_OK };
	struct insn in;
	enum insn_status s;

	if (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64)
		return INSN_BAD_MODE;
	s = decode(&c, mode, &in);
	if (s == INSN_OK)
		*out = in;
	return s;
}

const char *insn_status_name(enum insn_status s)
{
	static const char *const names[] = {
		[INSN_OK] = "ok", [INSN_TRUNCATED] = "truncated",
		[INSN_TOO_LONG] = "longer than 15 bytes",
		[INSN_UNSUPPORTED] = "not emulated", [INSN_NO_MEMORY] = "no memory operand",
		[INSN_INVALID] = "invalid (#UD)", [INSN_BAD_MODE] = "bad CPU mode",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *insn_op_name(enum insn_op op)
{
	static const char *const names[INSN_OP_COUNT] = {
		"mov", "movzx", "movsx", "xchg", "add", "or", "and", "sub", "xor", "cmp", "test",
	};

	return (unsigned int)op < INSN_OP_COUNT ? names[op] : "?";
}
