# SPDX-License-Identifier: MIT
"""Host test of tools/mkiso --help: every example in it is one mkiso and Tally accept.

Its examples are what a newcomer copies first.  Each example command is
parsed by mkiso's own argument parser; its --cmdline by Tally's option
parser and each --module command line by Tally's domain settings parser
(kernel/options.c and kernel/domain_config.c, compiled for the host with
the unit tests' log shim).  The help once said `mem=16M`, which Tally
refuses (mem= is MiB as a plain number).  run.py runs this among the
host tests (`host-tools`); alone: python3 -m unittest tests/system/test_mkiso_help.py
"""

import importlib.machinery
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MKISO = os.path.join(ROOT, "tools", "mkiso")
PARSER_SOURCES = ("kernel/domain_config.c", "kernel/instance_types.c", "kernel/options.c",
                  "kernel/cmdline.c",
                  "kernel/fmt.c", "kernel/string.c", "tests/unit/shim.c")

# `check module LINE` and `check tally LINE`: exit 0 if Tally accepts LINE,
# else print why (the parser's own words) and exit 1.
CHECKER_C = r"""
#include <stdio.h>
#include <string.h>
#include <tally/domain_config.h>
#include <tally/options.h>
#include "shim.h"

int main(int argc, char **argv)
{
	struct domain_config cfg;
	char why[160];

	if (argc != 3)
		return 2;
	if (!strcmp(argv[1], "module")) {
		if (domain_config_parse(argv[2], 1, &cfg, why, sizeof(why)) < 0) {
			printf("%s\n", why);
			return 1;
		}
		return 0;
	}
	options_parse(argv[2]);
	if (shim_log_count(LOG_WARN) || shim_log_count(LOG_ERR)) {
		printf("%s\n", shim_log_last());
		return 1;
	}
	return 0;
}
"""


def help_examples(text):
    """The example commands under `examples:` in @text, continuation lines joined, as argv lists."""
    lines = text.split("examples:\n", 1)[1].splitlines()
    examples, pending = [], ""
    for line in lines:
        if not line.startswith("  "):
            break
        pending += line.strip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        examples.append(shlex.split(pending))
        pending = ""
    return examples


def load_mkiso():
    """tools/mkiso as a module (its file name has no .py)."""
    loader = importlib.machinery.SourceFileLoader("mkiso", MKISO)
    spec = importlib.util.spec_from_loader("mkiso", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class MkisoHelpExamples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mkiso-help.")
        cls.checker = os.path.join(cls.tmp, "check")
        with open(cls.checker + ".c", "w") as f:
            f.write(CHECKER_C)
        cc = shutil.which("cc") or shutil.which("gcc")
        proc = subprocess.run(
            [cc, "-std=gnu11", "-DTALLY_HOST_TEST", "-Iinclude", "-Iarch/x86_64/include",
             "-Itests/unit", "-o", cls.checker, cls.checker + ".c", *PARSER_SOURCES],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError("cannot build Tally's parsers for the host:\n" + proc.stdout)
        proc = subprocess.run([sys.executable, MKISO, "--help"], stdout=subprocess.PIPE,
                              text=True, check=True)
        cls.examples = help_examples(proc.stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tally_accepts(self, kind, line):
        proc = subprocess.run([self.checker, kind, line], stdout=subprocess.PIPE, text=True,
                              check=False)
        self.assertEqual(proc.returncode, 0, f"Tally refuses {kind} command line "
                         f"{line!r}: {proc.stdout.strip()}")

    def test_there_are_examples(self):
        self.assertGreaterEqual(len(self.examples), 2)
        for argv in self.examples:
            self.assertEqual(argv[0], "tools/mkiso")

    def test_mkiso_parses_each(self):
        """Run in a folder holding the files they name, so only the options are judged."""
        mkiso = load_mkiso()
        work = os.path.join(self.tmp, "files")
        for argv in self.examples:
            args = argv[1:]
            named = [args[i + 1] for i, a in enumerate(args) if a == "--module"] + [args[-1]]
            for path in named:
                os.makedirs(os.path.join(work, os.path.dirname(path)), exist_ok=True)
                open(os.path.join(work, path), "wb").close()
            cwd = os.getcwd()
            os.chdir(work)
            try:
                parsed = mkiso.parse_args(args)
            finally:
                os.chdir(cwd)
            self.assertTrue(parsed.output.endswith(".iso"))

    def test_tally_accepts_each_command_line(self):
        checked = 0
        for argv in self.examples:
            for i, word in enumerate(argv):
                if word == "--cmdline":
                    self.tally_accepts("tally", argv[i + 1])
                    checked += 1
                elif word == "--module":
                    self.tally_accepts("module", argv[i + 2])
                    checked += 1
        self.assertGreaterEqual(checked, 2)

    def test_checker_refuses_what_tally_refuses(self):
        """The checker itself: the refusal this test was written for."""
        proc = subprocess.run([self.checker, "module", "name=guest1 mem=16M"],
                              stdout=subprocess.PIPE, text=True, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("bad mem='16M'", proc.stdout)


if __name__ == "__main__":
    unittest.main()
