# SPDX-License-Identifier: MIT
"""Tally's MMIO instruction decoder (arch/x86_64/vmx/insn_decode.c) against GNU objdump.

Random instructions of every form the decoder emulates (seeded, so a run is
repeatable): prefixes (segment, 66, 67, LOCK where allowed, REX in 64-bit
mode), an opcode, a ModRM byte with a memory operand, then random bytes for
SIB, displacement and immediate, which both sides decode.  For each one
tests/system/insn_dump.c (built here over the real source) must agree with
`objdump -D -b binary -mi386:x86-64` (-mi386 for 32-bit code) on the
length, the operation, the register operand, the immediate, and the memory
operand's base, index, scale, displacement and segment.
run.py runs these as `host-tools`; alone: python3 -m unittest discover -s tests/system
"""

import os
import random
import re
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SOURCES = ["tests/system/insn_dump.c", "arch/x86_64/vmx/insn_decode.c"]
SAMPLES = 300            # per mode
SEED = 12

R64 = "rax rcx rdx rbx rsp rbp rsi rdi r8 r9 r10 r11 r12 r13 r14 r15".split()
R32 = "eax ecx edx ebx esp ebp esi edi r8d r9d r10d r11d r12d r13d r14d r15d".split()
R16 = "ax cx dx bx sp bp si di r8w r9w r10w r11w r12w r13w r14w r15w".split()
R8_REX = "al cl dl bl spl bpl sil dil r8b r9b r10b r11b r12b r13b r14b r15b".split()
R8_HIGH = "ah ch dh bh".split()
REGS = {8: R64, 4: R32, 2: R16}
SEGS = "es cs ss ds fs gs".split()
SEG_PREFIX = [0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65]
# Opcodes with a ModRM memory operand and a register operand.
RM_REG = [b + i for b in (0x00, 0x08, 0x20, 0x28, 0x30, 0x38) for i in range(4)] + \
         [0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B]
LOCKABLE = {b for b in (0x00, 0x01, 0x08, 0x09, 0x20, 0x21, 0x28, 0x29, 0x30, 0x31, 0x86, 0x87)}
TWO_BYTE = [0xB6, 0xB7, 0xBE, 0xBF]
# Group opcodes: the ModRM.reg values emulated.
GROUPS = {0x80: (0, 1, 4, 5, 6, 7), 0x81: (0, 1, 4, 5, 6, 7), 0x83: (0, 1, 4, 5, 6, 7),
          0xC6: (0,), 0xC7: (0,), 0xF6: (0,), 0xF7: (0,)}
MOFFS = [0xA0, 0xA1, 0xA2, 0xA3]
OBJDUMP_PREFIX_WORDS = {"lock", "data16", "data32", "addr32", "addr16", "cs", "ds", "es", "ss",
                        "fs", "gs", "notrack"}
OPS = {"mov": "mov", "movabs": "mov", "xchg": "xchg", "add": "add", "or": "or", "and": "and",
       "sub": "sub", "xor": "xor", "cmp": "cmp", "test": "test"}


def run(argv, cwd=ROOT, stdin=None):
    return subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=120)


def random_insn(rng, bits):
    """(bytes, rex): a random encoding of a form the decoder emulates."""
    kinds = ["rm", "rm", "rm", "two", "group", "moffs"] + (["movsxd"] if bits == 64 else [])
    kind = rng.choice(kinds)
    pre, lock_ok = [], False
    if rng.random() < 0.3:
        pre.append(rng.choice(SEG_PREFIX))
    if rng.random() < 0.3:
        pre.append(0x66)
    if rng.random() < 0.15:
        pre.append(0x67)
    if kind == "rm":
        op = [rng.choice(RM_REG)]
        lock_ok = op[0] in LOCKABLE
        reg = rng.randrange(8)
    elif kind == "two":
        op, reg = [0x0F, rng.choice(TWO_BYTE)], rng.randrange(8)
    elif kind == "group":
        g = rng.choice(sorted(GROUPS))
        op, reg = [g], rng.choice(GROUPS[g])
        lock_ok = g in (0x80, 0x81, 0x83) and reg != 7
    elif kind == "moffs":
        op, reg = [rng.choice(MOFFS)], None
    else:
        op, reg = [0x63], rng.randrange(8)
    if lock_ok and rng.random() < 0.3:
        pre.append(0xF0)
    rng.shuffle(pre)
    rex = 0
    if bits == 64 and (rng.random() < 0.5 or kind == "movsxd"):
        rex = 0x40 | rng.randrange(16) | (0x08 if kind == "movsxd" else 0)
        pre.append(rex)
    tail = [rng.randrange(256) for _ in range(12)]
    if reg is not None:
        tail[0] = (rng.randrange(3) << 6) | (reg << 3) | rng.randrange(8)   # mod 0-2: memory
    return bytes(pre + op + tail), rex


def objdump(path, bits):
    arch = "i386:x86-64" if bits == 64 else "i386"
    r = run(["objdump", "-D", "-b", "binary", "-m" + arch, "--insn-width=16", path])
    for line in r.stdout.splitlines():
        m = re.match(r"^\s*0:\t((?:[0-9a-f]{2} )+)\s*\t(.*)$", line)
        if m:
            return len(m.group(1).split()), m.group(2).split("#")[0].strip()
    raise AssertionError("no instruction in objdump's output:\n" + r.stdout + r.stderr)


def split_operands(text):
    """objdump's operands, split at commas outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and not depth:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return out + ([cur] if cur else [])


MEM = re.compile(r"^(?:%(?P<seg>[c-gs]s):)?(?P<disp>-?0x[0-9a-f]+)?"
                 r"(?:\((?P<base>%\w+)?(?:,(?P<index>%\w+)(?:,(?P<scale>\d))?)?\))?$")


def reg_name(number, size, high8, rex):
    if size == 1:
        return R8_HIGH[number] if high8 else R8_REX[number]
    return REGS[size][number]


def addr_reg(number, asize):
    if asize == 2:
        return R16[number]
    return REGS[asize][number]


class ObjdumpAgrees(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("objdump"):
            raise AssertionError("objdump not found: run tools/deps (Debian package binutils)")
        cls.tmp = tempfile.mkdtemp(prefix="insn-objdump-")
        cls.dump = os.path.join(cls.tmp, "insn_dump")
        cc = run(["gcc", "-std=gnu11", "-g", "-fsanitize=address,undefined",
                  "-fno-sanitize-recover=all", "-Wall", "-Wextra", "-Werror",
                  "-DTALLY_HOST_TEST", "-Iinclude", "-Iarch/x86_64/include", "-o", cls.dump]
                 + SOURCES)
        if cc.returncode:
            raise AssertionError("building insn_dump failed:\n" + cc.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def decode(self, samples):
        r = run([self.dump], stdin="".join(f"{bits} {b.hex()}\n" for bits, b, _ in samples))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.splitlines()

    def check_memory(self, what, operand, f):
        m = MEM.match(operand)
        self.assertIsNotNone(m, f"{what}: memory operand {operand!r}")
        asize, base, index, scale = int(f[16]), int(f[11]), int(f[12]), int(f[13])
        mask = (1 << (8 * asize)) - 1
        disp = int(m.group("disp") or "0", 16)
        self.assertEqual((disp - int(f[14])) & mask, 0, f"{what}: displacement")
        want_base = None if base == 255 else "%" + addr_reg(base, asize)
        if f[15] == "1":
            want_base = "%rip" if asize == 8 else "%eip"
        self.assertEqual(m.group("base"), want_base, f"{what}: base")
        got_index = m.group("index")
        if got_index in ("%riz", "%eiz"):
            got_index = None
        self.assertEqual(got_index, None if index == 255 else "%" + addr_reg(index, asize),
                         f"{what}: index")
        if got_index and asize != 2:
            self.assertEqual(int(m.group("scale")), scale, f"{what}: scale")
        if m.group("seg"):
            self.assertEqual(SEGS.index(m.group("seg")), int(f[17]), f"{what}: segment")

    def check_one(self, bits, code, rex, mine):
        f = mine.split()
        what = f"{bits}-bit {code.hex()} ({mine})"
        self.assertEqual(f[0], "ok", what)
        path = os.path.join(self.tmp, "insn.bin")
        with open(path, "wb") as out:
            out.write(code)
        length, text = objdump(path, bits)
        what += f" objdump: {text!r}"
        self.assertEqual(int(f[1]), length, f"{what}: length")
        words = text.split()
        while words and (words[0] in OBJDUMP_PREFIX_WORDS or words[0].startswith("rex")):
            words.pop(0)
        mnemonic, operands = words[0], split_operands("".join(words[1:]))
        base_op = re.sub(r"^(movz|movs)\w+$", lambda m: m.group(1) + "x", mnemonic)
        base_op = OPS.get(base_op, OPS.get(base_op[:-1], base_op))
        self.assertEqual(base_op, f[2], f"{what}: operation")
        mem = [o for o in operands if not o.startswith("$") and
               (not o.startswith("%") or ":" in o)]
        regs = [o for o in operands if o.startswith("%") and ":" not in o]
        imms = [o for o in operands if o.startswith("$")]
        self.assertEqual(len(mem), 1, f"{what}: one memory operand")
        self.check_memory(what, mem[0], f)
        size, reg_size, reg = int(f[3]), int(f[4]), int(f[6])
        if reg != 255:
            self.assertEqual(regs, ["%" + reg_name(reg, reg_size, f[7] == "1", rex)],
                             f"{what}: register")
        if f[8] == "1":
            self.assertEqual(len(imms), 1, f"{what}: immediate")
            mask = (1 << (8 * size)) - 1
            self.assertEqual(int(imms[0][1:], 16) & mask, int(f[9]) & mask, f"{what}: immediate")

    def run_mode(self, bits):
        rng = random.Random(SEED + bits)
        samples = []
        for _ in range(SAMPLES):
            code, rex = random_insn(rng, bits)
            samples.append((bits, code, rex))
        for (b, code, rex), mine in zip(samples, self.decode(samples)):
            self.check_one(b, code, rex, mine)

    def test_64bit(self):
        self.run_mode(64)

    def test_32bit(self):
        self.run_mode(32)


if __name__ == "__main__":
    unittest.main()
