# SPDX-License-Identifier: MIT
"""The console's line mode (issue 15 item 5): ':' opens a `tally> ` prompt.

Typed while a uartecho guest (e1) and a busy one (web) run: help, list,
info, pause and unpause from the console, the counters standing still
while paused and moving again after, a line edited with Backspace, one
abandoned with Esc, bad lines (an unknown command, a name no domain has,
a missing argument, a 300-byte line) each answered in one line and
changing nothing, `console e1` moving the input to e1's UART, a
command on e1 once it ended; then a domain created from a template and
destroyed, and web destroyed, the last, so that Tally ends.

Split from scenarios.py, which adds CONSOLE_CMD_SCENARIOS to its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)


def cmd(line):
    """Typed: the prompt key, @line, Enter."""
    return f":{line}\r"


def tally(text):
    return rf"^\[c0\] {text}"


READY = guest_line("e1", r"uartecho: ready for \d+ lines$")
METRICS = tally(r"info: metrics ")
LONG = "a" * 300
UNKNOWN = tally(r"cmd: unknown command 'frobnicate'; 'help' lists the commands$")
NOSUCH = tally(r"cmd: info: no domain nosuch$")
MISSING = tally(r"cmd: pause: missing arguments \(usage: pause NAME\)$")
TOO_LONG = tally(r"cmd: line too long: 180 bytes over the 120 a line holds; nothing done$")
ABANDONED = tally(r"cmd: line abandoned$")
PAUSED = tally(r"domain: d2 web paused from tally's console$")
UNPAUSED = tally(r"domain: d2 web unpaused from tally's console$")
CREATED = tally(r"domain: d(\d+) vm1 created from template spinner from tally's console$")
DESTROYED = tally(r"WARN: domain: d\d+ vm1 destroyed from tally's console$")
E1_ENDED = tally(r"console: d1 e1 ended; input to tally debug keys \(Ctrl-A x3 to switch\)$")

STEPS = [
    (READY, cmd("help")),                                            # 0
    (tally(r"help: Enter runs the line"), ":lisx\x7ft\r"),            # 1: Backspace edits
    (tally(r"list: 2 live, 0 ended$"), cmd("info web")),              # 2
    (METRICS, cmd("pause web")),                                      # 3
    (PAUSED, cmd("list")),                                            # 4
    (tally(r"list: 2 live, 0 ended$"), cmd("info web")),              # 5: paused ...
    (METRICS, cmd("info 2")),                                         # 6: ... still, by id
    (METRICS, cmd("pause web")),                                      # 7: again: no change
    (tally(r"cmd: pause: d2 web is paused already$"), cmd("unpause web")),  # 8
    (UNPAUSED, cmd("frobnicate")),                                    # 9
    (UNKNOWN, cmd("info nosuch")),                                    # 10
    (NOSUCH, cmd("pause")),                                           # 11
    (MISSING, cmd(LONG)),                                             # 12
    (TOO_LONG, ":list\x1b"),                                          # 13: Esc abandons
    (ABANDONED, cmd("info web")),                                     # 14: running again
    (METRICS, cmd("console e1")),                                     # 15
    (tally(r"console: input to d1 e1 \(Ctrl-A x3 to switch\)$"), "hello\r"),  # 16
    (E1_ENDED, cmd("pause e1")),                                      # 17: e1 ended
    (tally(r"cmd: pause: d1 e1 has ended$"), cmd("list")),            # 18
    (tally(r"list: 1 live, 1 ended$"), cmd("create spinner vm1 mem=16")),  # 19
    (CREATED, cmd("list")),                                           # 20
    (tally(r"list: 2 live, 1 ended$"), cmd("destroy vm1")),           # 21
    (DESTROYED, cmd("list")),                                         # 22
    # vm1's table entry may already be free again: then it is not counted as ended.
    (tally(r"list: 1 live, [12] ended$"), cmd("destroy web")),        # 23: the last one
]


@dataclasses.dataclass
class CountersPausedThenRun:
    """web's `info: counters cpu_ns=` of steps 2 (running), 5 and 6 (paused), 14 (again):
    the two paused equal, and each run one greater than the one before it."""

    def __call__(self, r):
        got = [int(n) for n in re.findall(r"^\[c0\] info: counters cpu_ns=(\d+) ", r.serial,
                                          re.MULTILINE)]
        if len(got) != 4:
            return f"{len(got)} info counters lines, expected 4", " ".join(map(str, got))
        before, paused1, paused2, after = got
        if not (0 < before < paused1 == paused2 < after):
            return ("cpu_ns should grow, stand still while paused, grow again: "
                    f"{before} {paused1} {paused2} {after}"), ""
        return None


def list_row(name, dom_id, state):
    return rf"^\[c0\] list: {name} +{dom_id} +8 +1 {state} +\d+\.\d{{3}}$"


CHECKS = [
    # The echo: the prompt and what was typed on one line, Backspace rubbing out.
    AfterKeys(tally(r"tally> help$"), "help echoed", 0),
    AfterKeys(tally("tally> lisx\x08 \x08t$"), "Backspace echoed", 1),
    AfterKeys(tally(r"list: Name +ID +Mem +VCPUs +State +Time\(s\)$"), "list header", 1),
    AfterKeys(list_row("e1", 1, "running"), "list: e1 running", 1),
    AfterKeys(list_row("web", 2, "running"), "list: web running", 1),
    AfterKeys(tally(r"info: d2 web state=running control=no vcpus=1 mem_mib=8 restarts=0$"),
              "info web", 2),
    AfterKeys(tally(r"info: devices uart console_dropped=0 nic=no disk=no "), "info devices", 2),
    AfterKeys(list_row("web", 2, "paused"), "list: web paused", 4),
    AfterKeys(tally(r"info: d2 web state=paused "), "info web paused", 5),
    AfterKeys(tally(r"tally> a{120}$"), "echo stops at 120 bytes", 12),
    AfterKeys(tally(r"info: d2 web state=running "), "info web running again", 14),
    AfterKeys(guest_line("e1", "uartecho: HELLO$"), "bytes reached e1's UART", 16),
    AfterKeys(list_row("web", 2, "running"), "list: web still running at the end", 18),
    CountersPausedThenRun(),
    Count(PAUSED, 1, "one pause"), Count(UNPAUSED, 1, "one unpause"),
    # Each bad line answered once and nothing else said for it.
    Count(UNKNOWN, 1, "unknown command"), Count(NOSUCH, 1, "no such domain"),
    Count(MISSING, 1, "missing argument"), Count(TOO_LONG, 1, "line too long"),
    Count(ABANDONED, 1, "abandoned line"),
    Count(tally(r"help: "), 10, "help lines: nine commands and the editing keys"),
    Count(r"\] list: 2 live, 0 ended$", 2, "lists while both ran"),
    NoLine(r"debug key '.' unknown", "a line's byte taken as a debug key"),
    AfterKeys(list_row("vm1", r"\d+", "running").replace(" +8 ", " +16 "), "list: vm1", 20),
    AfterKeys(tally(r"domain: d\d+ vm1 cpu_us=[1-9]\d* "), "vm1 ran and ended", 21),
    Count(CREATED, 1, "vm1 created once"), Count(DESTROYED, 1, "vm1 destroyed once"),
    AfterKeys(tally(r"WARN: domain: d2 web destroyed from tally's console$"), "web destroyed",
              23),
    Count(r"\] (?:WARN: )?domain: d2 web (?:exited|destroyed|ended)", 1, "web's one end, the last step"),
    NO_ERRORS, MEM_BACK] + domains_done()


CONSOLE_CMD_SCENARIOS = [
    Scenario(
        "console-cmd", "the console's line mode: help, list, info, pause and unpause from "
        "the console (counters stand still while paused), editing, bad lines refused in one "
        "line each, console NAME to a uartecho domain, a command on an ended domain",
        "bochs", bochs_vmx(1), CHECKS, timeout=240,
        modules=[(Guest("uartecho"), "name=e1 mem=8 lines=1"),
                 (Guest("busy"), "name=web mem=8 loops=0 report=100000000"),
                 (Guest("busy"), "name=spinner mem=8 template loops=0 report=100000000")],
        keys=STEPS),
]
