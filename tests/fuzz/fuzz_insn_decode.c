/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the MMIO instruction decoder and emulator (arch/x86_64/vmx/insn_*.c).
 *
 * Input: a byte picking the CPU mode (and, bit 7, a refusing device), then
 * the instruction bytes (up to 20), in a heap block of exactly that size so
 * that a read past them trips ASan.  Every sequence either decodes with a
 * length of 1..15 that it fits in, and fields in range, or is refused with
 * a status in range; decoding is a function of the bytes (again, and from
 * exactly @length bytes, gives the same; fewer is truncated).  A decoded
 * instruction then runs against a fake device: it touches only its own
 * register operand and the arithmetic flags, and a refused access touches
 * neither.
 */
#include <stdlib.h>
#include <string.h>

#include <arch/insn_emulate.h>
#include <tally/errno.h>

#include "harness.h"
#include "shim.h"

#define MODE_MASK	0x03
#define REFUSE		0x80
#define MAX_BYTES	20

static bool is_size(unsigned int s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static bool reg_ok(uint8_t r)
{
	return r < INSN_GPR_COUNT || r == INSN_REG_NONE;
}

static void check_fields(const struct insn *in, size_t len)
{
	FUZZ_CHECK(in->length >= 1 && in->length <= INSN_MAX_LENGTH && in->length <= len);
	FUZZ_CHECK((unsigned int)in->op < INSN_OP_COUNT);
	FUZZ_CHECK(is_size(in->size) && is_size(in->reg_size));
	FUZZ_CHECK(in->size <= in->reg_size);
	FUZZ_CHECK(reg_ok(in->reg) && reg_ok(in->addr.base) && reg_ok(in->addr.index));
	FUZZ_CHECK(in->has_imm == (in->reg == INSN_REG_NONE));
	FUZZ_CHECK(!in->reg_high8 || (in->reg < 4 && in->reg_size == 1));
	FUZZ_CHECK(is_size(in->addr.scale));
	FUZZ_CHECK(in->addr.size == 2 || in->addr.size == 4 || in->addr.size == 8);
	FUZZ_CHECK(in->addr.seg < 6 || in->addr.seg == INSN_SEG_DEFAULT);
	FUZZ_CHECK(!in->addr.rip_relative || in->addr.base == INSN_REG_NONE);
	FUZZ_CHECK(!in->lock || in->mem_is_dst);
	FUZZ_CHECK(in->op == INSN_OP_MOV || in->op == INSN_OP_MOVZX || in->op == INSN_OP_MOVSX ||
		   in->size == in->reg_size);
}

static bool same(const struct insn *a, const struct insn *b)
{
	return a->length == b->length && a->op == b->op && a->size == b->size &&
	       a->reg_size == b->reg_size && a->mem_is_dst == b->mem_is_dst &&
	       a->reg == b->reg && a->reg_high8 == b->reg_high8 && a->has_imm == b->has_imm &&
	       a->imm == b->imm && a->lock == b->lock && a->addr.base == b->addr.base &&
	       a->addr.index == b->addr.index && a->addr.scale == b->addr.scale &&
	       a->addr.disp == b->addr.disp && a->addr.rip_relative == b->addr.rip_relative &&
	       a->addr.size == b->addr.size && a->addr.seg == b->addr.seg;
}

static bool refuse;
static unsigned int accesses;

static int dev_read(void *ctx __unused, unsigned int size, uint64_t *val)
{
	FUZZ_CHECK(is_size(size));
	accesses++;
	*val = 0x8877665544332211ull & (size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
	return refuse ? -EIO : 0;
}

static int dev_write(void *ctx __unused, unsigned int size, uint64_t val __unused)
{
	FUZZ_CHECK(is_size(size));
	accesses++;
	return refuse ? -EIO : 0;
}

static void check_emulation(const struct insn *in)
{
	static const struct insn_mem mem = { dev_read, dev_write, NULL };
	uint64_t gpr[INSN_GPR_COUNT], before[INSN_GPR_COUNT], rflags = 0x202, f0 = rflags;
	int err;

	for (unsigned int i = 0; i < INSN_GPR_COUNT; i++)
		gpr[i] = before[i] = 0x0101010101010101ull * (i + 1);
	accesses = 0;
	err = insn_emulate(in, gpr, &rflags, &mem);
	FUZZ_CHECK(accesses >= 1 && accesses <= 2);
	FUZZ_CHECK(err == (refuse ? -EIO : 0));
	FUZZ_CHECK((rflags & ~RFLAGS_ARITH) == (f0 & ~RFLAGS_ARITH));
	if (err)
		FUZZ_CHECK(rflags == f0);
	for (unsigned int i = 0; i < INSN_GPR_COUNT; i++)
		if (err || in->has_imm || i != in->reg)
			FUZZ_CHECK(gpr[i] == before[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input input = { data, size };
	uint8_t ctl = (uint8_t)fuzz_take(&input, 1);
	enum insn_mode mode = (enum insn_mode)(ctl & MODE_MASK);
	size_t len;
	const uint8_t *src = fuzz_bytes(&input, MAX_BYTES, &len);
	uint8_t *bytes = malloc(len ? len : 1);
	struct insn in, again;
	enum insn_status s;

	memcpy(bytes, src, len);
	refuse = ctl & REFUSE;
	s = insn_decode(bytes, len, mode, &in);
	FUZZ_CHECK((unsigned int)s <= INSN_BAD_MODE);
	FUZZ_CHECK((s == INSN_BAD_MODE) == ((ctl & MODE_MASK) > INSN_MODE_64));
	FUZZ_CHECK(s != INSN_TRUNCATED || len < INSN_MAX_LENGTH);
	if (s == INSN_OK) {
		check_fields(&in, len);
		FUZZ_CHECK(insn_decode(bytes, in.length, mode, &again) == INSN_OK);
		FUZZ_CHECK(same(&in, &again));
		FUZZ_CHECK(insn_decode(bytes, in.length - 1u, mode, &again) == INSN_TRUNCATED);
		check_emulation(&in);
	} else {
		FUZZ_CHECK(insn_decode(bytes, len, mode, &again) == s);
	}
	free(bytes);
	return 0;
}
