# SPDX-License-Identifier: MIT
"""Bring-your-own-guest scenarios: a guest built outside Tally's build, as a user builds it.

tests/guests/example/hello.asm is the worked example of README.md's "Bring
your own guest": built here with exactly the two commands the README shows
(nasm, then ld -Ttext=0x100000, which puts the ELF headers in a segment at
0xff000, in the PC's legacy area) and booted beside a test guest.
Split from scenarios.py, which adds GUEST_SCENARIOS to its list.
"""

import os
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, Built, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")


def readme_build_commands():
    """The `nasm` and `ld` lines of README.md's "Bring your own guest", as a user types them."""
    with open(README) as f:
        section = f.read().split("## Bring your own guest", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^((?:nasm|ld) .*\S)\s*$", section, re.MULTILINE)
    if [c.split()[0] for c in commands] != ["nasm", "ld"]:
        raise ValueError(f"README.md's own-guest section has no nasm then ld line: {commands}")
    return commands


# As README.md shows them (read from it), run in a copy of tests/guests/example/.
EXAMPLE_BUILD = readme_build_commands()
EXAMPLE = Built("tests/guests/example", EXAMPLE_BUILD, "hello.elf")

# loglevel=debug shows the loader's note on the segment at 0xff000: the run
# exercises a load into the legacy area whatever ld's layout becomes.
EXAMPLE_CHECKS = ([Line(guest_line("example", "hello: a guest built with nasm and ld says "
                                   "hello$"), "the example's greeting"),
                   # Labelled as the loader's refusals are: "module 0 (example)".
                   Line(r"\] debug: (?:module \d+ \()?example\)?: segment 0xff000-0xff[0-9a-f]{3} "
                        r"lies in the legacy area ", "the ELF headers' segment at 0xff000 loaded"),
                   NoLine(r"multiboot kernel refused", "a refused kernel"),
                   NoLine(guest_line("example", "TEST RESULT: (?!PASS)"), "another verdict"),
                   audit_ok(2), NO_ERRORS, MEM_BACK]
                  + passed("example") + passed("hello") + DOMAINS_DONE)

GUEST_SCENARIOS = [
    Scenario(
        "example-guest", "the README's own guest, built with nasm and ld as a user types "
        "it (ELF headers at 0xff000), runs beside a test guest",
        "bochs", bochs_vmx(1), EXAMPLE_CHECKS, timeout=120,
        cmdline=f"{VMX_CMDLINE} loglevel=debug",
        modules=[(EXAMPLE, "name=example mem=8"), (Guest("hello"), "name=hello mem=8")]),
]
