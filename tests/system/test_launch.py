# SPDX-License-Identifier: MIT
"""Host tests of `make run`: the emulator choice, tools/run's exit status, the Makefile.

Table-driven cases of tools/launch.py's pure functions, the real probe of
this machine (it must agree with /proc/cpuinfo), and `make -q`/`make -n`
against a scratch build directory and the one run.py was given
(TALLY_BUILD): a changed TALLY_CMDLINE or flag rebuilds what depends on it.
run.py runs these as `host-tools`; alone: python3 -m unittest discover -s tests/system
"""

import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import launch  # noqa: E402
from launch import HostFacts  # noqa: E402

BUILD = os.environ.get("TALLY_BUILD", os.path.join(ROOT, "build"))

NO_KVM = HostFacts(kvm="missing")
DENIED = HostFacts(kvm="denied", kvm_error="Permission denied", cpu_vmx=True, nested="Y")
AMD_OPENS = HostFacts(kvm="opens", kvm_vmx=False, cpu_vmx=False)
INTEL_NESTED_OFF = HostFacts(kvm="opens", kvm_vmx=False, cpu_vmx=True, nested="N")
INTEL_NO_MODULE = HostFacts(kvm="opens", kvm_vmx=False, cpu_vmx=True)
NESTED_ON = HostFacts(kvm="opens", kvm_vmx=True, cpu_vmx=True, nested="Y")
# KVM could not be asked (the ioctl failed): only cpuinfo and nested=Y together say yes.
UNASKED_EVIDENCE = HostFacts(kvm="opens", kvm_vmx=None, cpu_vmx=True, nested="Y")
UNASKED_NESTED_OFF = HostFacts(kvm="opens", kvm_vmx=None, cpu_vmx=True, nested="0")

# (EMU, facts, choice, words the reason must contain)
CHOICES = [
    ("auto", NO_KVM, "bochs", ["no /dev/kvm", "EMU=qemu forces QEMU"]),
    ("auto", DENIED, "bochs", ["/dev/kvm cannot be opened (Permission denied)"]),
    ("auto", AMD_OPENS, "bochs", ["/dev/kvm opens but KVM offers no VMX to its guests",
                                  "no vmx flag in /proc/cpuinfo", "EMU=qemu forces QEMU"]),
    ("auto", INTEL_NESTED_OFF, "bochs", ["KVM offers no VMX", "kvm_intel nested=N"]),
    ("auto", INTEL_NO_MODULE, "bochs", ["KVM offers no VMX", "kvm_intel is not loaded"]),
    ("auto", NESTED_ON, "qemu-kvm", ["KVM offers VMX to its guests", "EMU=bochs forces Bochs"]),
    ("auto", UNASKED_EVIDENCE, "qemu-kvm", ["could not be read", "nested=Y"]),
    ("auto", UNASKED_NESTED_OFF, "bochs", ["could not be read", "nested=0"]),
    ("bochs", NESTED_ON, "bochs", ["EMU=bochs", "EMU=auto would take QEMU+KVM"]),
    ("bochs", NO_KVM, "bochs", ["EMU=bochs"]),
    ("qemu", NESTED_ON, "qemu-kvm", ["EMU=qemu"]),
    ("qemu", AMD_OPENS, "qemu-kvm", ["EMU=qemu", "no guest will run"]),
    ("qemu", NO_KVM, "qemu-tcg", ["EMU=qemu", "no /dev/kvm", "no guest will run"]),
    ("qemu", DENIED, "qemu-tcg", ["no guest will run"]),
]


class ChooseEmulator(unittest.TestCase):
    def test_table(self):
        for emu, facts, choice, words in CHOICES:
            with self.subTest(emu=emu, facts=facts):
                got, reason = launch.choose_emulator(emu, facts)
                self.assertEqual(got, choice, reason)
                for word in words:
                    self.assertIn(word, reason)

    def test_an_open_dev_kvm_alone_never_means_qemu(self):
        # The bug: /dev/kvm opened, so QEMU+KVM was chosen, and Tally found no VMX.
        for facts in (AMD_OPENS, INTEL_NESTED_OFF, INTEL_NO_MODULE, UNASKED_NESTED_OFF):
            with self.subTest(facts=facts):
                self.assertEqual(launch.choose_emulator("auto", facts)[0], "bochs")

    def test_unknown_emu_is_refused(self):
        with self.assertRaises(ValueError):
            launch.choose_emulator("vbox", NO_KVM)


class ProbeParsing(unittest.TestCase):
    def test_cpuinfo_flags(self):
        text = ("processor\t: 0\nvendor_id\t: GenuineIntel\n"
                "flags\t\t: fpu vme vmx sse2\nbugs\t\t: vmx_bug\n")
        self.assertTrue(launch.cpuinfo_has_flag(text, "vmx"))
        self.assertFalse(launch.cpuinfo_has_flag(text, "svm"))
        # A flag mentioned elsewhere, or as part of another word, does not count.
        self.assertFalse(launch.cpuinfo_has_flag("flags : fpu vmxnope\nbugs : vmx\n", "vmx"))

    def test_kvm_cpuid_entries(self):
        def entry(function, index, ecx):
            return launch.KVM_CPUID_ENTRY.pack(function, index, 0, 1, 2, ecx, 4)
        buf = (struct.pack("<II", 2, 0) + entry(0, 0, 0x6c65746e)
               + entry(1, 0, launch.CPUID_1_ECX_VMX | 1) + bytes(40))
        entries = launch.cpuid_entries(buf)
        self.assertEqual(len(entries), 2)
        self.assertEqual(entries[(1, 0)][2] & launch.CPUID_1_ECX_VMX, launch.CPUID_1_ECX_VMX)
        self.assertEqual(launch.KVM_CPUID_ENTRY.size, 40)


class RealProbe(unittest.TestCase):
    """The probe of this very machine: never crashes, and agrees with /proc/cpuinfo."""

    def test_probe_agrees_with_cpuinfo(self):
        facts = launch.probe_host()
        with open("/proc/cpuinfo") as f:
            cpu_vmx = launch.cpuinfo_has_flag(f.read(), "vmx")
        self.assertEqual(facts.cpu_vmx, cpu_vmx)
        choice, reason = launch.choose_emulator("auto", facts)
        self.assertIn(choice, ("bochs", "qemu-kvm"))
        if facts.kvm_vmx:
            self.assertTrue(cpu_vmx, "KVM offers VMX on a CPU without the vmx flag?")
        if choice == "qemu-kvm":
            self.assertTrue(cpu_vmx, reason)
        if not cpu_vmx:
            self.assertEqual(choice, "bochs", reason)
        if "no vmx flag in /proc/cpuinfo" in reason:
            self.assertFalse(cpu_vmx, reason)
        if facts.kvm == "opens" and not cpu_vmx:
            self.assertIn("no VMX", reason)


class ExitStatus(unittest.TestCase):
    def scan(self, *chunks, finish=True):
        scanner = launch.ExitCodeScanner()
        for chunk in chunks:
            scanner.feed(chunk)
        if finish:
            scanner.finish()
        return scanner.code

    def test_exit_code_lines(self):
        cases = [
            ((b"[c0] tally: boot complete\r\n[c0] tally: exit code=0\r\n",), 0),
            ((b"[c0] tally: exit code=5\n",), 5),
            ((b"[c1] tally: exit code=0x7f\n",), 0x7F),
            ((b"[c0] tally: exit co", b"de=1", b"2\r\n"), 12),         # split across reads
            ((b"[c0] tally: exit code=4",), 4),                         # last line, no newline
            ((b"[c0] <guest> tally: exit code=3\n",), None),            # a guest cannot fake it
            ((b"[c0] tally: all domains ended\n",), None),
            ((b"[c0] tally: exit code=1\n[c0] tally: exit code=9\n",), 9),
        ]
        for chunks, code in cases:
            with self.subTest(chunks=chunks):
                self.assertEqual(self.scan(*chunks), code)

    def test_unterminated_line_waits_for_the_end(self):
        self.assertIsNone(self.scan(b"[c0] tally: exit code=1", finish=False))

    def test_bochs_status(self):
        # (exit code seen, Ctrl-C, shutdown port, Bochs' status) -> tools/run's status
        cases = [((0, False, True, 1), 0), ((6, False, True, 1), 6),
                 ((2, True, False, -15), 2),        # Tally's code wins over Ctrl-C
                 ((None, True, False, -15), 130),   # Ctrl-C, no code: as before
                 ((None, False, True, 1), 0),       # shut down by a Tally of old
                 ((None, False, False, 0), 0), ((None, False, False, 1), 1),
                 ((None, False, False, -9), 137)]
        for args, status in cases:
            with self.subTest(args=args):
                self.assertEqual(launch.bochs_run_status(*args), status)

    def test_qemu_status(self):
        # (QEMU's status, Ctrl-C) -> tools/run's status; debug-exit gives (N << 1) | 1.
        cases = [((1, False), 0), ((3, False), 1), ((9, True), 4), ((0xFF, False), 0x7F),
                 ((0, True), 130), ((0, False), 0), ((2, False), 2), ((-9, False), 137)]
        for args, status in cases:
            with self.subTest(args=args):
                self.assertEqual(launch.qemu_run_status(*args), status)


def make(*args):
    """Run make in the source tree; return (status, output)."""
    proc = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, timeout=60)
    return proc.returncode, proc.stdout


class MakeRebuilds(unittest.TestCase):
    """A make variable that changes what is built or booted rebuilds what depends on it."""

    # (stamp in BUILD/config/, a variable it holds, another value)
    STAMPS = [("iso", "TALLY_CMDLINE", "loglevel=debug 'quoted'"),
              ("kernel-toolchain", "KCFLAGS", "-O1"),
              ("kernel-toolchain", "NASM", "yasm"),
              ("unit-toolchain", "UCFLAGS", "-O0"),
              ("efi-toolchain", "EFI_CFLAGS", "-O1")]

    def test_stamps_follow_their_variables(self):
        with tempfile.TemporaryDirectory() as build:
            for stamp, var, other in self.STAMPS:
                with self.subTest(stamp=stamp, var=var):
                    target = os.path.join(build, "config", stamp)
                    status, out = make(f"BUILD={build}", target)
                    self.assertEqual(status, 0, out)
                    self.assertEqual(make("-q", f"BUILD={build}", target)[0], 0,
                                     "same values: up to date")
                    self.assertEqual(make("-q", f"BUILD={build}", f"{var}={other}", target)[0],
                                     1, f"{var} changed: must be rewritten")
                    # The stamp holds the value exactly, quotes and all.
                    self.assertEqual(make(f"BUILD={build}", f"{var}={other}", target)[0], 0)
                    self.assertEqual(make("-q", f"BUILD={build}", f"{var}={other}", target)[0],
                                     0, out)
                    make(f"BUILD={build}", target)

    def test_built_iso_follows_tally_cmdline(self):
        iso = os.path.join(BUILD, "tally.iso")
        if not os.path.isfile(iso):
            self.skipTest(f"{iso} not built")
        status, out = make("-n", f"BUILD={BUILD}", "TALLY_CMDLINE=loglevel=debug made_up_option",
                           iso)
        self.assertEqual(status, 0, out)
        self.assertRegex(out, r"tools/mkiso -o \S*tally\.iso "
                              r"--cmdline \"loglevel=debug made_up_option\"")
        # The stamp records what the ISO was built with, read and compared without writing.
        status, out = make("-q", f"BUILD={BUILD}", "TALLY_CMDLINE=loglevel=debug made_up_option",
                           os.path.join(BUILD, "config", "iso"))
        self.assertEqual(status, 1, out)

    def test_every_object_depends_on_the_kernel_flags(self):
        status, out = make("-p", "-q", "-n", f"BUILD={BUILD}", "help")
        rules = re.findall(r"^\S*%\.o: %\.(?:c|asm) (.*)$", out, re.MULTILINE)
        self.assertTrue(rules, "no pattern rules for objects?")
        for prereqs in rules:
            self.assertRegex(prereqs, r"config/(kernel|unit|fuzz|efi)-toolchain")


class MakeHelp(unittest.TestCase):
    def test_help_lists_every_target_and_variable(self):
        status, help_text = make("BUILD=build", "help")
        self.assertEqual(status, 0, help_text)
        makefiles = ""
        for path in ("Makefile", os.path.join("tests", "guests", "guests.mk")):
            with open(os.path.join(ROOT, path)) as f:
                makefiles += f.read()
        phony = {t for line in re.findall(r"^\.PHONY:(.*)$", makefiles, re.MULTILINE)
                 for t in line.split()} - {"FORCE"}
        self.assertTrue({"all", "run", "clean", "guests", "deps", "bench"} <= phony)
        for target in sorted(phony):
            self.assertRegex(help_text, rf"\bmake {target}\b", f"`make help` omits {target}")
        settable = set(re.findall(r"^(\w+)\s*\?=", makefiles, re.MULTILINE)) | {"V"}
        self.assertTrue({"BUILD", "EMU", "TALLY_CMDLINE"} <= settable)
        for var in sorted(settable) + ["TALLY_TIMEOUT_SCALE"]:
            self.assertRegex(help_text, rf"\b{var}=", f"`make help` omits {var}")


if __name__ == "__main__":
    unittest.main()
