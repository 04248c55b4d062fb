# SPDX-License-Identifier: MIT
"""Power-off and reset (issue 12 item 7): a guest ends its domain through the FADT's
sleep control register (S5), the reset control register at 0xCF9, or the keyboard
controller's reset command (drivers/vdev/vpm.c), and Tally reports it as such.

Split from scenarios.py, which adds POWER_SCENARIOS to its list.
"""

import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)


def ended(dom, how):
    """@dom's guest asked for the end (@how: "powered off", "rebooted (cause)"), saw no
    verdict and did not leave any other way."""
    return [Line(rf"\] domain: d\d+ {re.escape(dom)} {re.escape(how)}$", f"{dom} {how}"),
            Count(rf"\] domain: d\d+ {re.escape(dom)} (?:powered off|rebooted|exited)", 1,
                  f"{dom} ended once"),
            NoLine(guest_line(dom, "TEST RESULT"), f"{dom} ran on to a verdict"),
            NoLine(guest_line(dom, "power: (?:FAIL|ERROR)"), f"{dom} failed a check")]


def tables_read(dom, cpus):
    """@dom's guest found its ACPI tables from the RSDP on, as an OS does, and what they say."""
    return [Line(guest_line(dom, "power: ok: RSDP revision 2 at 0x000e0000, both checksums good$"),
                 f"{dom} RSDP"),
            Line(guest_line(dom, f"power: ok: MADT lists {cpus} enabled local APICs "
                                 rf"\(expected {cpus}\)$"), f"{dom} MADT"),
            Line(guest_line(dom, "power: ok: FADT says hardware-reduced ACPI$"), f"{dom} FADT"),
            Line(guest_line(dom, r"power: sleep control 0x600 status 0x601, \\_S5 type 5, "
                                 "reset 0xcf9 value 0x6$"), f"{dom} registers")]


POWER_OFF = (
    tables_read("pwr", 2) +
    [Line(guest_line("pwr", "power: ok: sleep status reads WAK_STS clear$"), "WAK_STS clear"),
     InOrder([guest_line("pwr", "power: ok: still running after an S3 request$"),
              r"\] domain: d1 pwr powered off$"], "S3 ignored, then S5 powered off"),
     Line(r"\] vpm: d1 pwr sleep type 3 ignored \(only S5 is offered\), 1 so far$",
          "S3 request counted"),
     NO_ERRORS, MEM_BACK]
    + ended("pwr", "powered off") + DOMAINS_DONE)

RESET = (
    tables_read("cf9", 1) + tables_read("kbc", 1) +
    [InOrder([guest_line("cf9", "power: ok: still running after SYS_RST alone$"),
              r"\] domain: d\d cf9 rebooted \(reset register\)$"], "SYS_RST alone, then reset"),
     Line(guest_line("kbc", "power: ok: keyboard controller input buffer empty$"), "KBC idle"),
     NO_ERRORS, MEM_BACK]
    + ended("cf9", "rebooted (reset register)")
    + ended("kbc", "rebooted (keyboard controller)") + DOMAINS_DONE)

POWER_SCENARIOS = [
    Scenario(
        "power-off-s5", "a guest asks for S3 (ignored, counted) then S5 through the FADT's "
        "sleep control register: its domain ends as powered off",
        "bochs", bochs_vmx(1), POWER_OFF, cmdline=VMX_CMDLINE,
        modules=[(Guest("power"), "name=pwr mem=4 vcpus=2 how=s5 cpus=2")]),
    Scenario(
        "power-reset", "one guest resets through 0xCF9 (after SYS_RST alone), another "
        "through the keyboard controller: both domains end as rebooted, with the cause",
        "bochs", bochs_vmx(1), RESET, cmdline=VMX_CMDLINE,
        modules=[(Guest("power"), "name=cf9 mem=4 how=cf9"),
                 (Guest("power"), "name=kbc mem=4 how=kbc")]),
]
