# SPDX-License-Identifier: MIT
"""Host tests of the Makefile's dependencies: what a change must rebuild, it rebuilds.

Each test works on a scratch copy of the sources (build folders left out),
changes one thing there and asks `make -q` whether the targets that depend
on it are out of date, then builds and checks the real value that changed:
- a field added to struct guest_regs (a header asm-offsets.c includes)
  must regenerate asm-offsets.inc with the new size and reassemble every
  .asm that includes it (once, the .inc named only asm-offsets.c, and NASM
  2.16.01's -MD leaves %include files out of its dependency file);
- a changed %include file (boot/defs.inc) reassembles its includers;
- every flag variable (kernel, guests, the loopback shim) is stamped.
run.py runs these as `host-tools`; alone: python3 -m unittest tests/system/test_build_deps.py
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SKIP_TOP = {".git"}
OFFSETS_INCLUDE = '%include "asm-offsets.inc"'


def copy_sources(dest):
    """Copy the source tree to @dest, without .git and build folders (any with a Makefile stamp)."""
    def ignore(folder, names):
        if os.path.abspath(folder) != ROOT:
            return []
        return [n for n in names if n in SKIP_TOP or n.startswith("build")
                or os.path.isdir(os.path.join(folder, n, "config"))]
    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)


def make(src, *args):
    """Run make in @src with BUILD=b; return (status, output)."""
    proc = subprocess.run(["make", "--no-print-directory", "-j2", "BUILD=b", *args], cwd=src,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, timeout=300)
    return proc.returncode, proc.stdout


def files_containing(src, suffix, needle):
    """Paths (relative to @src) of the *@suffix files that contain @needle."""
    found = []
    for folder, dirs, names in os.walk(src):
        dirs[:] = [d for d in dirs if not (folder == src and d in ("b", ".git"))]
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith(suffix):
                with open(path, errors="replace") as f:
                    if needle in f.read():
                        found.append(os.path.relpath(path, src))
    return sorted(found)


def obj(path):
    """The kernel object BUILD=b makes of source @path."""
    return os.path.join("b", os.path.splitext(path)[0] + ".o")


def edit(path, old, new):
    with open(path) as f:
        text = f.read()
    assert old in text, f"{old!r} not in {path}"
    with open(path, "w") as f:
        f.write(text.replace(old, new, 1))


class ScratchTree(unittest.TestCase):
    """A copy of the sources with asm-offsets.inc and the kernel's assembly built in b/."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tally-deps.")
        cls.src = os.path.join(cls.tmp, "src")
        copy_sources(cls.src)
        cls.includers = files_containing(cls.src, ".asm", OFFSETS_INCLUDE)
        cls.asm_objs = [obj(p) for p in files_containing(cls.src, ".asm", "")
                        if p.startswith(("boot/", "arch/"))]
        status, out = make(cls.src, "b/gen/asm-offsets.inc", *cls.asm_objs)
        assert status == 0, out

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def out_of_date(self, target, *args):
        """True if make -q says @target must be rebuilt."""
        status, out = make(self.src, "-q", *args, target)
        self.assertIn(status, (0, 1), out)
        return status == 1

    def offsets(self):
        with open(os.path.join(self.src, "b", "gen", "asm-offsets.inc")) as f:
            return dict(re.findall(r"^%define (\w+) (-?\d+)$", f.read(), re.MULTILINE))


class DefaultGoal(unittest.TestCase):
    def test_plain_make_builds_everything(self):
        """`make` alone is `make all` (the value stamps' FORCE rule comes first in the file)."""
        proc = subprocess.run(["make", "--no-print-directory", "-n", "BUILD=b-default-goal"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("b-default-goal/tally.elf", proc.stdout)
        self.assertIn("b-default-goal/tally.iso", proc.stdout)


class AsmOffsets(ScratchTree):
    def test_a_header_change_regenerates_the_offsets_and_reassembles(self):
        self.assertGreaterEqual(len(self.includers), 2, "vmx_stub.asm and trampoline.asm at least")
        for target in ["b/gen/asm-offsets.inc"] + [obj(p) for p in self.includers]:
            self.assertFalse(self.out_of_date(target), f"{target}: just built")
        size = int(self.offsets()["GUEST_REGS_SIZE"])
        self.assertEqual(size, 16 * 8, "sixteen saved registers")
        (header,) = files_containing(self.src, ".h", "struct guest_regs {")
        edit(os.path.join(self.src, header), "struct guest_regs {\n",
             "struct guest_regs {\n\tuint64_t probe;\n")
        self.assertTrue(self.out_of_date("b/gen/asm-offsets.inc"),
                        f"{header} changed: asm-offsets.inc must be regenerated")
        for path in self.includers:
            self.assertTrue(self.out_of_date(obj(path)), f"{path} includes the offsets")
        status, out = make(self.src, "b/gen/asm-offsets.inc", *self.asm_objs)
        self.assertEqual(status, 0, out)
        self.assertEqual(int(self.offsets()["GUEST_REGS_SIZE"]), size + 8)
        for path in self.includers:
            self.assertIn(f"AS      {path}", out)
            self.assertFalse(self.out_of_date(obj(path)), f"{path}: rebuilt, now up to date")

    def test_an_included_asm_file_reassembles_its_includers(self):
        includers = files_containing(self.src, ".asm", '%include "boot/defs.inc"')
        self.assertTrue(includers)
        for path in includers:
            self.assertFalse(self.out_of_date(obj(path)), f"{path}: just built")
        with open(os.path.join(self.src, "boot", "defs.inc"), "a") as f:
            f.write("; changed\n")
        for path in includers:
            self.assertTrue(self.out_of_date(obj(path)), f"{path} includes boot/defs.inc")


class FlagStamps(ScratchTree):
    """Every flag variable is in a stamp its targets depend on (the stamps' own test is
    test_launch.MakeRebuilds)."""

    # (target relative to the tree, variable, another value)
    FLAGS = [("b/boot/entry.o", "KASFLAGS", "-f elf64 -g -Ib/gen/"),
             ("b/gen/asm-offsets.inc", "KCFLAGS", "-O1"),
             ("b/guests/hello.elf", "GUEST_CFLAGS", "-O1"),
             ("b/guests/hello.elf", "GUEST_ASFLAGS", "-f elf32 -g"),
             ("b/guests/hello.elf", "GUEST_LDFLAGS", "-m elf_i386"),
             ("b/tools/loopback-bind.so", "HOST_CFLAGS", "-O0")]

    def test_changing_a_flag_variable_rebuilds(self):
        status, out = make(self.src, *{t for t, _, _ in self.FLAGS})
        self.assertEqual(status, 0, out)
        for target, var, other in self.FLAGS:
            with self.subTest(var=var):
                self.assertFalse(self.out_of_date(target), f"{target}: just built")
                self.assertTrue(self.out_of_date(target, f"{var}={other}"),
                                f"{var} changed: {target} must be rebuilt")


if __name__ == "__main__":
    unittest.main()
