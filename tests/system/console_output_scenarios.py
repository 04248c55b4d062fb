# SPDX-License-Identifier: MIT
"""Console output: what printing guests cost Tally, and guests that print or log to attack it.

Guest console lines and Tally's own log lines go to a ring that the
UART's transmit interrupt drains (docs/ARCHITECTURE.md, "Console and
logging"), so a printing guest costs Tally only its exits.  The printer
guest (tests/guests/load/printer) prints progress lines, floods, or prints from
two vCPUs at once; initself sends INITs to itself, each of which Tally
logs (rate-limited per domain).

Split from scenarios.py, which adds CONSOLE_OUTPUT_SCENARIOS to its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from checks import CPU_STATS_RE, key_values


@dataclasses.dataclass
class TallyShare:
    """CPU @cpu's hypervisor_cycles are at most @hi (a fraction) of its accounted_cycles."""
    cpu: int
    hi: float

    def __call__(self, r):
        for cpu, rest in CPU_STATS_RE.findall(r.serial):
            if int(cpu) != self.cpu:
                continue
            n = key_values(rest)
            share = n["hypervisor_cycles"] / n["accounted_cycles"]
            if share <= self.hi:
                return None
            return (f"Tally took {share:.4f} of cpu{cpu} (hypervisor_cycles="
                    f"{n['hypervisor_cycles']} of {n['accounted_cycles']}), expected at most "
                    f"{self.hi:.4f}", f"sched: cpu{cpu} {rest}")
        return f"no `sched: cpu{self.cpu} accounted_cycles=` line", tail(r.serial)


def printer_lines(dom, cpu, count, width=40):
    """@dom's vCPU @cpu printed its @count lines, each whole: its own filler and nothing else."""
    filler = chr(ord("a") + cpu) * width
    return [Count(guest_line(dom, rf"printer: cpu{cpu} line \d+ {filler}$"), count,
                  f"{dom} cpu{cpu} whole line"),
            Count(guest_line(dom, rf"printer: cpu{cpu} line "), count, f"{dom} cpu{cpu} line")]


@dataclasses.dataclass
class LinesInOrder:
    """@dom's vCPU @cpu printed lines 0, 1, ... @count - 1, in that order."""
    dom: str
    cpu: int
    count: int

    def __call__(self, r):
        got = [int(n) for n in re.findall(guest_line(self.dom, rf"printer: cpu{self.cpu} "
                                                     r"line (\d+) "), r.serial, re.MULTILINE)]
        if got == list(range(self.count)):
            return None
        return (f"{self.dom} cpu{self.cpu}'s lines came as {got[:12]}..., expected 0 to "
                f"{self.count - 1} in order", tail(r.serial))


# Three guests each print 60 progress lines of 80 characters through the
# console hypercall, ~1.5 M cycles of work apart, on one CPU.  Tally's share
# of the CPU is what handling them costs: under 2 % (1.48 % measured, over
# half of it creating and scrubbing the domains).  When every line was
# written polled, ~87 us a byte, Tally took 26.1 %.
PRINTERS = ("p1", "p2", "p3")
PRINTER_LINES = 60
PRINTERS_CHECKS = ([TallyShare(0, 0.02), NO_ERRORS, MEM_BACK]
                   + [c for dom in PRINTERS for c in printer_lines(dom, 0, PRINTER_LINES, 80)
                      + passed(dom)]
                   + DOMAINS_DONE)


# Both vCPUs of one domain print 40 lines each, byte by byte through the one
# UART, at the same time on two CPUs: every line is one vCPU's, whole and in
# order.  With one line buffer shared by the vCPUs (before), their bytes
# mixed into lines like `aaanter: cpu1 line 0 bbbbbbbpbrbi...`.
SMP_LINES = 40
PRINTER_SMP = (printer_lines("duo", 0, SMP_LINES) + printer_lines("duo", 1, SMP_LINES)
               + [LinesInOrder("duo", 0, SMP_LINES), LinesInOrder("duo", 1, SMP_LINES),
                  NoLine(guest_line("duo", r"(?!printer: cpu0 line \d+ a{40}$|"
                                    r"printer: cpu1 line \d+ b{40}$|printer: done |"
                                    r"TEST RESULT: PASS$)"), "mixed or foreign line"),
                  Line(guest_line("duo", rf"printer: done cpu0={SMP_LINES} cpu1={SMP_LINES}$"),
                       "duo done"),
                  NO_ERRORS]
               + passed("duo") + DOMAINS_DONE)


# ---------------------------------------------------------------- hostile
BYSTANDER = "bystander"


def _cpu_stats(r, cpu):
    """{field: int} of CPU @cpu's `sched: cpuN accounted_cycles=` line, or None."""
    for n, rest in CPU_STATS_RE.findall(r.serial):
        if int(n) == cpu:
            return key_values(rest)
    return None


@dataclasses.dataclass
class CyclesPerExit:
    """CPU @cpu's hypervisor_cycles divided by all domains' exits is at most @hi.

    Tally only handles exits (a few hundred cycles each under Bochs); a
    handler that waits for the UART costs thousands.
    """
    cpu: int
    hi: int

    def __call__(self, r):
        cpu = _cpu_stats(r, self.cpu)
        exits = sum(d.get("exits", 0) for d in domain_stats(r.serial).values())
        if not cpu or not exits:
            return f"no sched: line of cpu{self.cpu} or no exits", tail(r.serial)
        per_exit = cpu["hypervisor_cycles"] / exits
        if per_exit <= self.hi:
            return None
        return (f"Tally spent {per_exit:.0f} cycles per exit (hypervisor_cycles="
                f"{cpu['hypervisor_cycles']}, {exits} exits), expected at most {self.hi}",
                tail(r.serial))


# What a printer prints besides its numbered lines: `printer: done ...` and the verdict.
PRINTER_REPORT_LINES = 2


@dataclasses.dataclass
class DroppedAddUp:
    """@dom's console lines shown plus its console_lines_dropped equal the lines it printed
    (its numbered ones and its report), and some were dropped.

    The printer publishes how many numbered lines it printed as the metric
    `lines`, which Tally prints when the domain ends: a line of Tally's, so
    never dropped.
    """
    dom: str

    def __call__(self, r):
        made = re.search(rf"\] domain: d\d+ {re.escape(self.dom)} guest-reported metric "
                         r"lines=(\d+) ", r.serial)
        end = re.search(rf"\] domain: d\d+ {re.escape(self.dom)} unclaimed_port_accesses=\d+ "
                        r"console_lines_dropped=(\d+) ", r.serial)
        if not made or not end:
            return (f"no metric lines= or no console_lines_dropped= line for {self.dom}",
                    tail(r.serial))
        shown = len(re.findall(guest_line(self.dom, ""), r.serial, re.MULTILINE))
        dropped = int(end.group(1))
        printed = int(made.group(1)) + PRINTER_REPORT_LINES
        if dropped > 0 and shown + dropped == printed:
            return None
        return (f"{self.dom} printed {printed} lines: {shown} shown + {dropped} dropped",
                f"{made.group(0)}\n{end.group(0)}")


# A spin of 600 ms alone exits ~130 times (its start and its lines) plus once
# a slice; beside another guest, once a slice it shares.
BYSTANDER_EXITS = DomainStat(BYSTANDER, "exits", 100, 400)
# The flood prints short lines (width=0: ~680 in 600 ms, far past the limit's
# 200-line burst plus 100 a second, so drops never hang on its speed)
# through the UART for 600 ms of its TSC time, then waits for
# the console's rate limit to let its report through; the spin beside it
# runs for 600 ms of its TSC time and so gets ~300 ms of CPU.  Before the
# console had a ring, each line that passed held the CPU ~5 ms: the spin got
# 250 ms, and Tally spent ~3,400 cycles an exit.
FLOOD = ([DroppedAddUp("flood"), DomainStat(BYSTANDER, "cpu_us", 285_000, 315_000),
          CyclesPerExit(0, 1000),
          BYSTANDER_EXITS, NO_ERRORS, MEM_BACK]
         + passed("flood") + spin_done(BYSTANDER) + DOMAINS_DONE)

# Two rounds of 1,000 INITs a second apart: ten warnings in the first (the
# burst), one in the second saying how many were held back, and the rest
# counted at the end.  Before, each INIT was a WARN line written polled
# (~244,000 cycles) and Tally took 0.99 of the CPU.
INIT_LINE = r"\] WARN: d1 initself: INIT to running vCPU 0 ignored"
INIT_SELF = ([Count(INIT_LINE, 11, "INIT warning"),
              Count(INIT_LINE + "$", 10, "INIT warning without a note"),
              Line(INIT_LINE + r" \(d1: 990 earlier lines suppressed\)$", "suppressed note"),
              Line(r"\] domain: d1 initself unclaimed_port_accesses=0 console_lines_dropped=0 "
                   r"log_lines_suppressed=1989$", "suppressed total"),
              Number(guest_line("initself", r"initself: round 0 inits=1000 ticks=(\d+)$"),
                     1, 1000 * 5000, "ticks of 1,000 INITs"),
              Number(guest_line("initself", r"initself: round 1 inits=1000 ticks=(\d+)$"),
                     1, 1000 * 5000, "ticks of 1,000 more INITs"),
              TallyShare(0, 0.10), BYSTANDER_EXITS, NO_ERRORS, MEM_BACK]
             + passed("initself") + spin_done(BYSTANDER) + DOMAINS_DONE)


# Four guests flood through the console hypercall, 100-byte lines: their
# bursts alone (200 lines each) are more than the ring's 48 KiB for guests,
# so whole lines are dropped for want of room, counted per domain and in the
# final line, and the console says so (at most once a second); Tally's own
# lines all come out (its 16 KiB reserve), so every check on them holds.
RING_FLOODS = ("f1", "f2", "f3", "f4")
FLOOD_WIDTH = 100


@dataclasses.dataclass
class RingDropsCounted:
    """The final line counts no Tally line and some guest lines dropped for want of room, no
    more than the floods' console_lines_dropped together, and no Tally line that waited for
    the line: the floods stay out of the reserve, so they never make Tally wait."""
    doms: tuple

    def __call__(self, r):
        final = re.search(r"\] console: tally_lines_dropped=(\d+) guest_lines_dropped=(\d+) "
                          r"tally_waits=(\d+) tally_wait_us=(\d+)$", r.serial, re.MULTILINE)
        if not final:
            return "no `console: tally_lines_dropped=` line", tail(r.serial)
        tally, guests, waits, wait_us = (int(g) for g in final.groups())
        per_domain = sum(int(n) for dom in self.doms for n in re.findall(
            rf"\] domain: d\d+ {dom} unclaimed_port_accesses=\d+ console_lines_dropped=(\d+) ",
            r.serial))
        if tally == 0 and 0 < guests <= per_domain and waits == 0 and wait_us == 0:
            return None
        return (f"tally_lines_dropped={tally} guest_lines_dropped={guests} tally_waits={waits} "
                f"tally_wait_us={wait_us}, the domains' console_lines_dropped add up to "
                f"{per_domain}", final.group(0))


RING_FULL = ([RingDropsCounted(RING_FLOODS),
              Line(r"^\[c0\] console: \d+ lines dropped \(output ring full\)$", "drop notice"),
              NoLine(r"^\[c\d+\] <f\d> (?!printer: cpu0 line \d+ a{100}$|printer: done "
                     r"cpu0=\d+ cpu1=0$|TEST RESULT: PASS$)", "cut or foreign flood line"),
              NO_ERRORS, MEM_BACK]
             # Their verdict lines may be dropped too: value 0 is PASS.
             + [c for dom in RING_FLOODS for c in [DroppedAddUp(dom), exited(dom, 0)]]
             + spin_done(BYSTANDER) + DOMAINS_DONE)


CONSOLE_OUTPUT_SCENARIOS = [
    Scenario(
        "console-printers", "three guests print progress lines on one CPU: Tally's share "
        "stays under 2 %",
        "bochs", bochs_vmx(1), PRINTERS_CHECKS, timeout=120,
        modules=[(Guest("printer"), f"name={dom} mem=2 lines={PRINTER_LINES} work=500000 "
                  "width=80 hcall") for dom in PRINTERS]),
    Scenario(
        "console-smp-lines", "a 2-vCPU guest prints from both vCPUs at once on two CPUs: "
        "no line mixes their bytes",
        "bochs", bochs_vmx(2), PRINTER_SMP, timeout=300,
        modules=[(Guest("printer"), f"name=duo mem=2 vcpus=2 lines={SMP_LINES}")]),
    Scenario(
        "hostile-console-flood", "a guest prints through its UART as fast as it can beside a "
        "spin: whole lines only, the excess dropped and counted, the spin keeps its half",
        "bochs", bochs_vmx(1), FLOOD, timeout=120,
        modules=[(Guest("printer"), "name=flood mem=2 duration_ms=600 width=0"),
                 (Guest("spin"), f"name={BYSTANDER} mem=2 duration_ms=600")]),
    Scenario(
        "hostile-console-ring", "four guests flood the console through the hypercall: the "
        "ring fills, their lines are dropped whole and counted, Tally's all come out",
        "bochs", bochs_vmx(1), RING_FULL, timeout=180,
        modules=[(Guest("printer"), f"name={dom} mem=2 duration_ms=150 width={FLOOD_WIDTH} "
                  "hcall") for dom in RING_FLOODS]
        + [(Guest("spin"), f"name={BYSTANDER} mem=2 duration_ms=150")]),
    Scenario(
        "hostile-init-self", "a guest sends itself 2,000 INITs beside a spin: eleven warnings, "
        "the rest counted, no CPU time lost to the console",
        "bochs", bochs_vmx(1), INIT_SELF, timeout=120,
        modules=[(Guest("initself"), "name=initself mem=2 inits=1000 rounds=2 pause_ms=1100"),
                 (Guest("spin"), f"name={BYSTANDER} mem=2 duration_ms=300")]),
]
