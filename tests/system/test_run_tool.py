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
import shlex
import shutil
import subprocess
import tempfile
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


if __name__ == "__main__":
    unittest.main()
