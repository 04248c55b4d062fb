# SPDX-License-Identifier: MIT
"""README.md's table of console commands is kernel/console_cmd.c's console_cmd_table[].

The table is written once, in C; the README's copy is compared with it row
by row (name, arguments, help), so a command added, renamed or reworded in
one place and not the other fails `make test`.
"""

import os
import re
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def read(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return f.read()


def c_commands():
    """[(`name usage`, help)] of console_cmd_table[], in table order."""
    table = re.search(r"console_cmd_table\[CONSOLE_CMD_COUNT\] = \{(.*?)\n\};",
                      read("kernel/console_cmd.c"), re.S)
    if not table:
        raise ValueError("no console_cmd_table[] in kernel/console_cmd.c")
    rows = []
    for name, usage, helps in re.findall(
            r'\[CONSOLE_CMD_\w+\]\s*=\s*\{\s*"([a-z]+)",\s*"([^"]*)",\s*[^,]+,\s*[^,]+,\s*'
            r'((?:"(?:[^"\\]|\\.)*"\s*)+)\}', table.group(1)):
        rows.append((f"{name} {usage}".strip(), "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', helps))))
    return rows


def readme_commands():
    """[(command, help)] of the table under README.md's "## Console commands"."""
    section = read("README.md").split("\n## Console commands\n", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([^`]+)` \| (.*?) \|$", section, re.M)


class ConsoleCommandsDocumented(unittest.TestCase):
    def test_parser_finds_the_c_table(self):
        enum = re.search(r"enum console_cmd_op \{(.*?)\};", read("include/tally/console_cmd.h"),
                         re.S).group(1)
        count = len(re.findall(r"CONSOLE_CMD_[A-Z]+,", enum)) - 1   # less CONSOLE_CMD_COUNT
        self.assertEqual(len(c_commands()), count)
        self.assertIn(("info NAME", "a domain's configuration, counters, devices and metrics"),
                      c_commands())

    def test_readme_table_is_the_c_table(self):
        self.assertEqual(readme_commands(), c_commands())


if __name__ == "__main__":
    unittest.main()
