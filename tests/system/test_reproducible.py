# SPDX-License-Identifier: MIT
"""Host test: two clean builds in different folders give byte-identical images.

The sources are copied (build folders and .git left out) to two scratch
folders whose paths differ in name and length, and each builds tally.elf
and one guest (hello: the guest library's C and assembly, the same rules
and flags as every guest) with make, then an ISO of the two with
tools/mkiso and the SOURCE_DATE_EPOCH the Makefile hands it.  The demo ISO
(`make BUILD/tally.iso`) packs more guests into the same kind of ISO, so
this proves the point at a fraction of the cost: what varied between
builds was the checkout path in the debug info and the ISO's dates, volume
UUID and EFI image serial number, none of which depends on which guests
are packed.  run.py runs this as `host-tools`; alone:
python3 -m unittest tests/system/test_reproducible.py
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from test_build_deps import copy_sources  # noqa: E402

TARGETS = ("build/tally.elf", "build/guests/hello.elf")


def run(argv, cwd, env=None):
    proc = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False, timeout=400)
    assert proc.returncode == 0, f"{' '.join(argv)} in {cwd}:\n{proc.stdout}"
    return proc.stdout


def source_date_epoch(src):
    """The SOURCE_DATE_EPOCH the Makefile's ISO rule hands tools/mkiso."""
    out = run(["make", "--no-print-directory", "-n", "-B", "BUILD=build", "build/tally.iso"], src)
    for line in out.splitlines():
        if "tools/mkiso" in line and line.startswith("SOURCE_DATE_EPOCH="):
            return line.split()[0].split("=", 1)[1]
    return None     # then the ISOs' dates differ, and the test says so


def build(src):
    """Build tally.elf, hello.elf and an ISO of them in @src; {name: sha256}."""
    run(["make", "--no-print-directory", "-j2", "BUILD=build", *TARGETS], src)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    epoch = source_date_epoch(src)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    run(["tools/mkiso", "-o", "build/tally.iso", "--cmdline", "exit_when_done",
         "--module", "build/guests/hello.elf", "name=hello mem=16", "build/tally.elf"], src, env)
    digests = {}
    for name in TARGETS + ("build/tally.iso",):
        with open(os.path.join(src, name), "rb") as f:
            digests[name] = hashlib.sha256(f.read()).hexdigest()
    return digests


class Reproducible(unittest.TestCase):
    def test_two_checkouts_build_identical_images(self):
        with tempfile.TemporaryDirectory(prefix="tally-repro.") as tmp:
            trees = [os.path.join(tmp, "a", "src"), os.path.join(tmp, "other", "tally-copy")]
            digests = []
            for src in trees:
                copy_sources(src)
                digests.append(build(src))
            for name in digests[0]:
                with self.subTest(name=name):
                    self.assertEqual(digests[0][name], digests[1][name],
                                     f"{name} differs between {trees[0]} and {trees[1]}")
            with open(os.path.join(trees[0], "build", "tally.elf"), "rb") as f:
                self.assertFalse(tmp.encode() in f.read(), "the checkout path is in tally.elf")


if __name__ == "__main__":
    unittest.main()
