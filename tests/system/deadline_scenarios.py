# SPDX-License-Identifier: MIT
"""`max_run_s=` deadlines kept in a time-ordered queue (kernel/domain_deadline.c).

max-run-order: domains with different `max_run_s=` among spins without one,
on one CPU: each is ended in deadline order (not creation order), each at
its own deadline to within a fraction of a slice, and the others run on to
their own end.  Split from scenarios.py, which adds DEADLINE_SCENARIOS to
its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from checks import tail

STAMP = r"^\[\s*(\d+\.\d{6})\] \[c\d+\] "
# Bochs with sync=none: the TSC (deadlines and stamps alike) ticks once per
# instruction, so an end is late only by the VM exit and the scheduler's
# path to it (thousands of instructions: tens of microseconds at 50 MIPS).
# 2 ms is a fifth of a slice: a deadline seen only at slice ends (10 ms
# apart, four domains on the CPU) would miss it most of the time.  Early
# by at most the printing of the `created` line, taken after the deadline.
LATE_S = 0.002
EARLY_S = 0.001


@dataclasses.dataclass
class EndedAfter:
    """@dom's `max_run_s time is up` stamp is @seconds after its `created` stamp (within the bounds)."""
    dom: str
    seconds: int

    def __call__(self, r):
        name = re.escape(self.dom)
        made = re.search(STAMP + rf"domain: d\d+ {name} created ", r.serial, re.MULTILINE)
        end = re.search(STAMP + rf"WARN: domain: d\d+ {name} ended: max_run_s time is up$",
                        r.serial, re.MULTILINE)
        if not made or not end:
            return f"no stamped created and ended lines for {self.dom}", tail(r.serial)
        took = float(end.group(1)) - float(made.group(1))
        if self.seconds - EARLY_S <= took <= self.seconds + LATE_S:
            return None
        return (f"{self.dom} ended {took:.6f} s after its creation, expected {self.seconds} s "
                f"(-{EARLY_S}..+{LATE_S})", made.group(0) + "\n" + end.group(0))


def ended(dom):
    return rf"\] WARN: domain: d\d+ {dom} ended: max_run_s time is up$"


def said(dom, text):
    """@dom's guest (a regex) printed @text (a regex), its line stamped by console_timestamps."""
    return STAMP + rf"<{dom}> {text}"


def spin_passed(dom, ms):
    return [Line(said(dom, rf"spin: iterations=\d+ duration_ms={ms}$"), f"{dom} spin line"),
            Line(said(dom, "TEST RESULT: PASS$"), f"{dom} PASS verdict"),
            Line(rf"\] domain: d\d+ {dom} exited status=1 value=0$", f"{dom} exited value=0")]


# Created in the order two, free1, one, oneb, free2: ended one, oneb, two.
ORDER_MODULES = [(Guest("spin"), "name=two mem=8 duration_ms=600000 max_run_s=2"),
                 spin("free1", 2500),
                 (Guest("spin"), "name=one mem=8 duration_ms=600000 max_run_s=1"),
                 (Guest("spin"), "name=oneb mem=8 duration_ms=600000 max_run_s=1"),
                 spin("free2", 2500)]
ORDER_CHECKS = (
    [InOrder([ended("one"), ended("oneb"), ended("two")], "ends in deadline order"),
     Count(ended(r"\S+"), 3, "max_run_s end"),
     EndedAfter("one", 1), EndedAfter("oneb", 1), EndedAfter("two", 2),
     # The spins without a deadline outlive every deadline and finish on their own.
     InOrder([ended("two"), said("free1", r"spin: iterations=")],
             "free1 finished after the last deadline"),
     NoLine(said(r"(?:one|oneb|two)", "TEST RESULT"), "a guest past its deadline ended itself"),
     audit_ok(5), NO_ERRORS, MEM_BACK]
    + spin_passed("free1", r"25\d\d") + spin_passed("free2", r"25\d\d")
    + domains_done(EXIT_TIMED_OUT))

DEADLINE_SCENARIOS = [
    Scenario(
        "max-run-order", "max_run_s=1, 1 and 2 among spins without one on one CPU: ended in "
        "deadline order, each within 2 ms of its deadline; the others finish",
        "bochs", bochs_vmx(1), ORDER_CHECKS, timeout=120,
        cmdline=f"{VMX_CMDLINE} console_timestamps", modules=ORDER_MODULES),
]
