# SPDX-License-Identifier: MIT
"""The README stays true: every option, module option and debug key the code has is in it.

Reads the tables out of the C sources (the option table of kernel/options.c,
the keys of kernel/debugkeys.c, the module options of kernel/domain_config.c)
and looks for each in README.md, so adding one without documenting it fails
`make test`.  And the reverse for the command-line table: an option the
README lists must exist.
"""

import os
import re
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def read(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return f.read()


def c_options():
    """Option names of kernel/options.c's option_table: `{ "name", has_value, ...`."""
    table = re.search(r"option_table\[\] = \{(.*?)\n\};", read("kernel/options.c"), re.S)
    return re.findall(r'\{\s*"([a-z0-9_]+)",\s*(?:true|false)', table.group(1))


def c_keys():
    """Keys of kernel/debugkeys.c's keys[] table: `{ 'x', "help", fn }`."""
    table = re.search(r"struct debugkey keys\[\] = \{(.*?)\n\};", read("kernel/debugkeys.c"), re.S)
    return re.findall(r"\{\s*'(.)',", table.group(1))


def c_module_options():
    """Keys compared in kernel/domain_config.c: `!strcmp(tok->key, "mem")`."""
    return re.findall(r'strcmp\(tok->key, "([a-z_]+)"\)', read("kernel/domain_config.c"))


def readme_option_table():
    """Option names in the first column of the README's command-line table.

    A cell names options as `name=value` or a bare `name` first; a bare word
    after that is a value (`loglevel=0..3` or `err`).  `\\|` inside a cell is
    a pipe of the text, not a column break.
    """
    section = read("README.md").split("## Command line", 1)[1].split("\n## ", 1)[0]
    names = []
    for line in section.splitlines():
        cells = re.split(r"(?<!\\)\|", line)
        if len(cells) < 3 or set(cells[1].strip()) <= set("- "):
            continue
        items = re.findall(r"`([^`]*)`", cells[1])
        for i, item in enumerate(items):
            m = re.fullmatch(r"([a-z0-9_]+)(=.*)?", item)
            if m and (m.group(2) or i == 0):
                names.append(m.group(1))
    return names


class ReadmeMatchesCode(unittest.TestCase):
    def setUp(self):
        self.readme = read("README.md")

    def test_parsers_find_the_tables(self):
        # A parser that finds nothing would make the other tests pass vacuously.
        self.assertIn("exit_when_done", c_options())
        self.assertIn("h", c_keys())
        self.assertIn("mem", c_module_options())
        self.assertIn("loglevel", readme_option_table())

    def test_every_option_is_in_the_command_line_table(self):
        table = set(readme_option_table())
        missing = [o for o in c_options() if o not in table]
        self.assertEqual(missing, [], "options missing from README's command-line table")

    def test_every_listed_option_exists(self):
        code = set(c_options())
        # console=com1..com4 lists values, not options: only names before '='.
        unknown = [o for o in readme_option_table() if o not in code]
        self.assertEqual(unknown, [], "README lists options Tally does not have")

    def test_every_debug_key_is_described(self):
        missing = [k for k in c_keys() if f"`{k}`" not in self.readme]
        self.assertEqual(missing, [], "debug keys missing from README")

    def test_every_module_option_is_described(self):
        # A bare word (`disk_ro`) is named as it is typed.
        missing = [o for o in c_module_options()
                   if f"`{o}=" not in self.readme and f"`{o}`" not in self.readme]
        self.assertEqual(missing, [], "module options missing from README")


if __name__ == "__main__":
    unittest.main()
