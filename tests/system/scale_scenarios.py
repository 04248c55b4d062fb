# SPDX-License-Identifier: MIT
"""Many small domains (issue 16): all finish, the CPU is shared fairly, the books balance.

Each scenario boots @count spin guests of 2 MiB (tests/guests/load/spin)
that spin side by side for the same TSC time; Tally's round robin must
give each the same share of its CPU.  A spin runs from its first slice to
its first slice after duration_ms, so its share is off by at most about
one slice in its run: SCALE_ROUNDS rounds of all the domains' 1 ms slices
keep that within the 2 % asked.  Checked: every guest exits with PASS, the
shares (cpu_cycles among the domains of a CPU) are within 2 %, every
CPU's guest+hypervisor+idle sum is exact and the domains' cycles add up to
the CPUs' guest cycles, the audit holds with all of them alive, and (one
CPU) the free memory comes back.

The domains end within one round, and Tally's end lines (~700 bytes a
domain) then outgrow the console's 64 KiB ring: Tally's lines wait for
room and are never dropped (tally_lines_dropped=0, and from
TALLY_WAITS_FROM domains tally_waits > 0), while a guest's line that finds
the ring full is dropped whole.  So each guest's spin and verdict lines
are there, pieces joined, or cut or missing by exactly as many lines as
its console_lines_dropped counts, and the domains' counts add up to the
report's guest_lines_dropped (GuestLinesCounted).

scale_scenario() builds one for any count: `scale_scenario(16, 1)` for a
quick run by hand.  Both scale-128-1cpu and scale-256-2cpu are in the
default list.

Split from scenarios.py, which adds SCALE_SCENARIOS to its list.
"""

import dataclasses
import re

import emu
from scenario_base import (BOCHS_IPS, DOMAINS_DONE, MEM_BACK, NO_ERRORS, Guest, Scenario,
                           audit_ok, exited)
from checks import CpuAccounting, GuestCyclesSplit, Line, fair_shares, tail

SCALE_SLICE_MS = 1
SCALE_ROUNDS = 60           # rounds of every domain's slice while all spin: 1/60 < 2 %
SCALE_MEM_MIB = 2
TALLY_MIB = 64              # Tally, its tables and each domain's overhead, with room
# From this many domains ending together, Tally's ~700 bytes of end lines each outgrow
# the console's 64 KiB ring: its lines wait for room (and must not be dropped).
TALLY_WAITS_FROM = 256


def scale_names(count):
    """The domains' names: s1 .. s@count."""
    return [f"s{i}" for i in range(1, count + 1)]


def scale_megs(count):
    """Bochs RAM for @count domains of SCALE_MEM_MIB: theirs, plus Tally's, in a power of two."""
    need, megs = count * SCALE_MEM_MIB + TALLY_MIB, 128
    while megs < need:
        megs *= 2
    return megs


def scale_duration_ms(count, cpus):
    """How long each spin spins: SCALE_ROUNDS rounds of its CPU's share of the domains."""
    per_cpu = -(-count // cpus)
    return SCALE_ROUNDS * per_cpu * SCALE_SLICE_MS


GUEST_PIECE_RE = re.compile(r"^\[c\d+\] <([^>]+)>(\+?) (.*)$", re.MULTILINE)


def guest_lines(serial):
    """{domain: [its guest's lines]}, pieces joined: with a round of many domains
    longer than the console's 50 ms, a line a slice cut in two is left open and
    its rest comes later tagged `<name>+ ` (docs/ARCHITECTURE.md)."""
    lines = {}
    for m in GUEST_PIECE_RE.finditer(serial):
        own = lines.setdefault(m.group(1), [])
        if m.group(2) and own:
            own[-1] += m.group(3)
        else:
            own.append(m.group(3))
    return lines


@dataclasses.dataclass
class GuestSaid:
    """Every domain of @doms printed, pieces joined, a line matching @pattern @count times."""
    doms: tuple
    pattern: str
    count: int
    what: str

    def __call__(self, r):
        lines = guest_lines(r.serial)
        for dom in self.doms:
            n = sum(1 for ln in lines.get(dom, []) if re.fullmatch(self.pattern, ln))
            if n != self.count:
                return (f"{dom}: {n} {self.what} lines /{self.pattern}/, expected "
                        f"{self.count}", "\n".join(lines.get(dom, [])) or tail(r.serial))
        return None


# What each spin's guest prints, in order; `#` stands for one or more digits.
SPIN_TEMPLATES = ("spin: iterations=# duration_ms=#", "TEST RESULT: PASS")


def template_walk(line, template):
    """(whether @line is a prefix of a line of @template, whether it is a whole one)."""
    i = 0
    for t in template:
        if i == len(line):
            return True, False
        if t != "#":
            if line[i] != t:
                return False, False
            i += 1
            continue
        if not line[i].isdigit():
            return False, False
        while i < len(line) and line[i].isdigit():
            i += 1
    return i == len(line), i == len(line)


def lines_short(lines, templates):
    """How many of @templates' lines @lines (in order) lack or cut; None if one is foreign."""
    at, whole = 0, 0
    for line in lines:
        for k in range(at, len(templates)):
            prefix, full = template_walk(line, templates[k])
            if prefix:
                whole += full
                at = k + 1
                break
        else:
            return None
    return len(templates) - whole


CONSOLE_REPORT_RE = re.compile(r"\] console: tally_lines_dropped=(\d+) guest_lines_dropped=(\d+) "
                               r"tally_waits=(\d+) tally_wait_us=(\d+)$", re.MULTILINE)


@dataclasses.dataclass
class GuestLinesCounted:
    """Every domain of @doms printed SPIN_TEMPLATES' lines, pieces joined, or Tally counted
    the lines it lacks or cut in its console_lines_dropped: hundreds of domains ending
    together fill the console ring with Tally's end lines, which wait for room, while a
    guest's line is dropped whole.  The domains' drops add up to the report's
    guest_lines_dropped, Tally dropped none, and (@waits) its lines waited for room."""
    doms: tuple
    waits: bool

    def __call__(self, r):
        report = CONSOLE_REPORT_RE.search(r.serial)
        if not report:
            return "no `console: tally_lines_dropped=` line", tail(r.serial)
        tally, guests, waits, wait_us = (int(g) for g in report.groups())
        lines, total = guest_lines(r.serial), 0
        for dom in self.doms:
            # Tally prints the line only when a count is not 0.
            m = re.search(rf"\] domain: d\d+ {dom} unclaimed_port_accesses=\d+ "
                          r"console_lines_dropped=(\d+) ", r.serial)
            dropped = int(m.group(1)) if m else 0
            short = lines_short(lines.get(dom, []), SPIN_TEMPLATES)
            total += dropped
            if short is None or short > dropped:
                return (f"{dom}: lines {lines.get(dom, [])} lack {short} of "
                        f"{SPIN_TEMPLATES}, console_lines_dropped={dropped}", tail(r.serial))
        if tally or guests != total or (self.waits and not (waits and wait_us)):
            return (f"tally_lines_dropped={tally} (want 0), guest_lines_dropped={guests} "
                    f"(the domains' add up to {total}), tally_waits={waits} "
                    f"tally_wait_us={wait_us}", report.group(0))
        return None


def scale_checks(count, cpus):
    """The checks of a @count-domain run on @cpus CPUs (domains placed on them in turn)."""
    names = scale_names(count)
    checks = [audit_ok(count), NO_ERRORS, CpuAccounting(), GuestCyclesSplit(),
              Line(rf"\] domain: d{count} s{count} created mem_mib={SCALE_MEM_MIB} ",
                   f"the {count}th domain created")]
    # Tally places domains on its CPUs in turn: the share is among one CPU's domains.
    for cpu in range(cpus):
        checks += fair_shares(tuple(names[cpu::cpus]), 0.02)
    checks += [GuestLinesCounted(tuple(names), waits=count >= TALLY_WAITS_FROM)]
    checks += [exited(dom, 0) for dom in names]
    if cpus == 1:           # on more, the other CPUs' VMXON pages come after the first line
        checks.append(MEM_BACK)
    return checks + DOMAINS_DONE


def scale_scenario(count, cpus, timeout=None):
    """@count spins of 2 MiB on @cpus CPUs, 1 ms slices, every check of the module's doc."""
    duration = scale_duration_ms(count, cpus)
    return Scenario(
        f"scale-{count}-{cpus}cpu", f"{count} spin guests of {SCALE_MEM_MIB} MiB on {cpus} "
        f"CPU(s), {SCALE_SLICE_MS} ms slices: all pass, shares within 2 %, CPU sums exact, "
        "audit ok" + (", memory back" if cpus == 1 else ""),
        "bochs", emu.BochsMachine(cpus=cpus, megs=scale_megs(count), ips=BOCHS_IPS),
        scale_checks(count, cpus),
        cmdline=f"exit_when_done audit sched_slice_ms={SCALE_SLICE_MS}",
        timeout=timeout or 120 + count * 2,
        modules=[(Guest("spin"), f"name={dom} mem={SCALE_MEM_MIB} duration_ms={duration}")
                 for dom in scale_names(count)])


# 256 domains on two emulated CPUs: 110-145 s on a 2-core host; the bound leaves room for load.
SCALE_SCENARIOS = [scale_scenario(128, 1), scale_scenario(256, 2, timeout=900)]
