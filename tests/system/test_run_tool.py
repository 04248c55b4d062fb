# SPDX-License-Identifier: MIT
"""tools/run end to end: the README's own-guest command boots Tally and returns its exit code.

Builds tests/guests/example/hello.asm with the README's nasm and ld lines
in a temporary folder standing for ~/hello, then runs the README's
`tools/run --module ...` line (forced to Bochs, stdin not a terminal)
against the build directory in TALLY_BUILD.  A good guest gives status 0;
the same guest refused (mem=0) gives 1, Tally's "module refused" bit,
which tools/run reads from the serial stream since Bochs has no exit status.
"""

import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("TALLY_BUILD", os.path.join(ROOT, "build"))
RUN_TIMEOUT_S = 120


def readme_section():
    with open(os.path.join(ROOT, "README.md")) as f:
        return f.read().split("## Bring your own guest", 1)[1].split("\n## ", 1)[0]


def readme_lines(first_word):
    return re.findall(rf"^({re.escape(first_word)} .*\S)\s*$", readme_section(), re.MULTILINE)


class ReadmeOwnGuest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(os.path.join(BUILD, "tally.elf")):
            raise RuntimeError(f"{BUILD}/tally.elf missing: run make (or set TALLY_BUILD)")
        cls.home = tempfile.mkdtemp(prefix="tally-own-guest-")
        cls.folder = os.path.join(cls.home, "hello")
        os.makedirs(cls.folder)
        shutil.copy(os.path.join(ROOT, "tests", "guests", "example", "hello.asm"), cls.folder)
        for command in readme_lines("nasm") + readme_lines("ld"):
            subprocess.run(shlex.split(command), cwd=cls.folder, check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.home)

    def run_readme_command(self, module_cmdline=None):
        """The README's tools/run line with ~ as our folder; (status, output)."""
        (line,) = readme_lines("tools/run --module")
        argv = [a.replace("~", self.home, 1) if a.startswith("~/") else a
                for a in shlex.split(line)]
        if module_cmdline:
            argv[argv.index("--module") + 2] = module_cmdline
        argv = [os.path.join(ROOT, argv[0])] + argv[1:] + ["--emu", "bochs", BUILD]
        proc = subprocess.run(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=RUN_TIMEOUT_S,
                              check=False)
        return proc.returncode, proc.stdout

    def test_the_readme_guest_runs_and_tools_run_exits_0(self):
        status, out = self.run_readme_command()
        self.assertIn("<hello> hello: a guest built with nasm and ld says hello", out)
        self.assertRegex(out, r"\] domain: d1 hello exited status=1 value=0")
        self.assertRegex(out, r"\] tally: exit code=0\n")
        self.assertEqual(status, 0, out[-2000:])

    def test_a_refused_module_makes_tools_run_exit_1(self):
        status, out = self.run_readme_command("name=hello mem=0")
        self.assertRegex(out, r"ERROR: .*module 0 \(hello\)")
        self.assertRegex(out, r"\] tally: exit code=1 ")
        self.assertEqual(status, 1, out[-2000:])


# ---------------------------------------------------------------- the demo's Linux VM
DEMO_TIMEOUT_S = 300        # GRUB reads 16 MiB of modules through Bochs' BIOS first
LINUX_CREATED_RE = re.compile(r"^\[c\d+\] domain: d1 linux created mem_mib=128 vcpus=2 ",
                              re.MULTILINE)


def load_linux_guest():
    """tools/linux-guest as a module (no .py suffix): its constants, without fetching."""
    import importlib.machinery
    import importlib.util
    path = os.path.join(ROOT, "tools", "linux-guest")
    loader = importlib.machinery.SourceFileLoader("linux_guest", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("linux_guest",
                                                                             loader))
    loader.exec_module(module)
    return module


def iso_grub_cfg(iso):
    """The grub.cfg inside @iso (tools/mkiso writes it to /boot/grub/grub.cfg)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "grub.cfg")
        subprocess.run(["xorriso", "-osirrox", "on", "-indev", iso, "-extract",
                        "/boot/grub/grub.cfg", out], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        with open(out) as f:
            return f.read()


def grub_modules(cfg):
    """[(file name, [words])] of a tools/mkiso grub.cfg's module2 lines, in order."""
    mods = []
    for line in cfg.splitlines():
        words = shlex.split(line)
        if words and words[0] == "module2":
            mods.append((os.path.basename(words[1]).split("-", 1)[1], words[2:]))
    return mods


class DemoLinux(unittest.TestCase):
    """`make run`'s demo ISO (BUILD/tally.iso, the Makefile's DEMO_MODULES) has a Linux VM."""

    @classmethod
    def setUpClass(cls):
        cls.iso = os.path.join(BUILD, "tally.iso")
        if not os.path.isfile(cls.iso):
            raise RuntimeError(f"{cls.iso} missing: run make (or set TALLY_BUILD)")
        cls.mods = grub_modules(iso_grub_cfg(cls.iso))

    def test_linux_is_the_first_domain_with_its_initrd(self):
        tool = load_linux_guest()
        self.assertEqual(self.mods[0][0], "bzImage")
        self.assertEqual(self.mods[0][1], ["name=linux", "type=m1.small", "vcpus=2", "net=demo",
                                           "disk=4", "agent", "--"]
                         + tool.NET_CMDLINE.split()
                         + ["tally.ip=10.0.0.1/24", "tally_agent=10"])
        self.assertEqual(self.mods[1], ("initramfs-net.cpio", ["initrd_of=linux"]))

    def test_the_test_guests_are_still_there(self):
        names = [w[5:] for _, words in self.mods for w in words if w.startswith("name=")]
        self.assertEqual(names, ["linux", "monitor", "app", "web", "batch", "idle", "duo",
                                 "hello", "worker"])
        self.assertIn("template", self.mods[-1][1])

    def test_the_demo_boots_to_the_linux_domain(self):
        """tools/run on the real demo (Bochs) until Tally creates the Linux domain, then stop."""
        argv = [os.path.join(ROOT, "tools", "run"), "--emu", "bochs", BUILD]
        proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        out, found = [], None
        try:
            deadline = time.monotonic() + DEMO_TIMEOUT_S
            while time.monotonic() < deadline:
                ready, _, _ = select.select([proc.stdout], [], [], 1)
                line = proc.stdout.readline() if ready else ""
                if not line and proc.poll() is not None:
                    break
                out.append(line)
                found = LINUX_CREATED_RE.search(line)
                if found:
                    break
        finally:
            proc.send_signal(signal.SIGTERM)    # tools/run ends Bochs' process group
            proc.communicate(timeout=30)
        text = "".join(out)
        self.assertIn("Ctrl-A three times moves the console's input", text)
        self.assertTrue(found, text[-3000:])
        self.assertNotRegex(text, r"\] ERROR: ")



class BochsBare(unittest.TestCase):
    """tools/bochs-bare boots a test guest on Bochs without Tally and prints its COM1 text."""

    def test_a_guest_reaches_its_verdict(self):
        elf = os.path.join(BUILD, "guests", "cpuid.elf")
        if not os.path.isfile(elf):
            raise RuntimeError(f"{elf} missing: run make guests (or set TALLY_BUILD)")
        proc = subprocess.run([os.path.join(ROOT, "tools", "bochs-bare"), "--build", BUILD,
                               "--timeout", str(RUN_TIMEOUT_S), elf],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=RUN_TIMEOUT_S + 30, check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # Not under Tally: the guest says so, and still gets to its verdict line.
        self.assertIn("cpuid: SKIP: not under Tally", proc.stdout)
        self.assertRegex(proc.stdout, r"(?m)^TEST RESULT: \w+$")
        self.assertIn("bochs-bare: stopped after", proc.stderr)


if __name__ == "__main__":
    unittest.main()
