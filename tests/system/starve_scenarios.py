# SPDX-License-Identifier: MIT
"""The boot CPU's console chores while guests exit so often that no timer tick comes.

Two lsrpoll guests (tests/guests/load/lsrpoll) read the UART's LSR in a
loop and never halt: every slice of theirs ends at a port exit, past its
end, before the VMX-preemption timer fires, so sched_tick() -- which ran
the debug keys, the top table and the metrics stream -- never runs.  The
scheduler must run those chores at such slice ends too (kernel/sched.c,
at most once per slice length).  The scenario types the `d` key while both
poll and wants its answer, and top_interval_s=1 tables, before either
guest stops polling.  Before the fix: no answer and no table until the
guests ended.

Split from scenarios.py, which adds STARVE_SCENARIOS to its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from checks import _next_line_start

POLL_MS = 4000              # each guest polls for 4 s of TSC (wall) time, side by side
POLLING = guest_line("p2", r"lsrpoll: polling LSR for \d+ ms$")
POLL_DONE = r"^\[c\d+\] <p\d> lsrpoll: polls=\d+ data_ready=0$"
KEY_ANSWER = r"^\[c0\] domains: 2 created, 2 alive$"
TOP_HEADER = r"^\[c0\] top: uptime "
MIN_TABLES = 3              # of the 4 a second's tables while both poll (1 s of slack)


@dataclasses.dataclass
class WhilePolling:
    """At least @least lines match @pattern after step @step's keys (or the line @start)
    and before the first line @end: they came while the guests still polled."""
    pattern: str
    least: int
    what: str
    end: str = POLL_DONE
    start: str = POLLING
    step: int = None

    def __call__(self, r):
        if self.step is not None:
            if len(r.typed) <= self.step:
                return f"{self.what}: step {self.step}'s keys were never typed", tail(r.serial)
            begin = _next_line_start(r.serial, r.typed[self.step][1])
        else:
            m = re.search(self.start, r.serial, re.MULTILINE)
            if not m:
                return f"{self.what}: no /{self.start}/ line", tail(r.serial)
            begin = m.end()
        stop = re.compile(self.end, re.MULTILINE).search(r.serial, begin)
        if not stop:
            return f"{self.what}: no /{self.end}/ line after it", tail(r.serial)
        found = len(re.findall(self.pattern, r.serial[begin:stop.start()], re.MULTILINE))
        if found >= self.least:
            return None
        return (f"{self.what}: {found} while both guests polled, expected at least "
                f"{self.least}", r.serial[begin:stop.end()][-3000:])


STARVE_CHECKS = ([
    WhilePolling(KEY_ANSWER, 1, "debug key d answered", step=0),
    WhilePolling(TOP_HEADER, MIN_TABLES, "top tables"),
    Count(POLL_DONE, 2, "both guests' poll counts"),
    NO_ERRORS]
    + passed("p1") + passed("p2") + DOMAINS_DONE)

STARVE_SCENARIOS = [
    Scenario(
        "console-busy-exits", "two guests busy-polling the UART's LSR (never halting, "
        "every slice ended at an exit): a debug key is answered and the top table keeps "
        "coming while they poll",
        "bochs", bochs_vmx(1), STARVE_CHECKS, cmdline="exit_when_done top_interval_s=1",
        timeout=120,
        modules=[(Guest("lsrpoll"), f"name=p1 mem=8 duration_ms={POLL_MS}"),
                 (Guest("lsrpoll"), f"name=p2 mem=8 duration_ms={POLL_MS}")],
        keys=[(POLLING, "d")]),
]
