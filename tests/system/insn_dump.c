/* SPDX-License-Identifier: MIT */
/*
 * What Tally's MMIO instruction decoder (arch/x86_64/vmx/insn_decode.c)
 * makes of instructions, for tests/system/test_insn_objdump.py: each input
 * line "MODE HEX" (MODE 16, 32 or 64) gives one output line, either
 * "ok len op size reg_size mem_is_dst reg high8 has_imm imm lock base index
 * scale disp rip addr_size seg" (numbers in decimal, imm and disp as
 * unsigned 64-bit) or "refused STATUS".  Built with the host compiler over
 * the real source.
 */
#include <stdio.h>
#include <string.h>

#include <arch/insn_decode.h>

static enum insn_mode mode_of(int bits)
{
	return bits == 16 ? INSN_MODE_16 : bits == 32 ? INSN_MODE_32 : INSN_MODE_64;
}

static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (n < max && sscanf(s, "%2x", &b) == 1) {
		out[n++] = (uint8_t)b;
		s += 2;
	}
	return n;
}

int main(void)
{
	char line[256], hex[128];
	int bits;

	while (fgets(line, sizeof(line), stdin)) {
		uint8_t bytes[64];
		struct insn in;
		enum insn_status s;
		size_t n;

		if (sscanf(line, "%d %127s", &bits, hex) != 2)
			continue;
		n = parse_hex(hex, bytes, sizeof(bytes));
		s = insn_decode(bytes, n, mode_of(bits), &in);
		if (s != INSN_OK) {
			printf("refused %s\n", insn_status_name(s));
			continue;
		}
		printf("ok %u %s %u %u %d %u %d %d %llu %d %u %u %u %llu %d %u %u\n", in.length,
		       insn_op_name(in.op), in.size, in.reg_size, in.mem_is_dst, in.reg,
		       in.reg_high8, in.has_imm, (unsigned long long)in.imm, in.lock, in.addr.base,
		       in.addr.index, in.addr.scale, (unsigned long long)in.addr.disp,
		       in.addr.rip_relative, in.addr.size, in.addr.seg);
	}
	return 0;
}
