# SPDX-License-Identifier: MIT
"""Many small domains (issue 16): all finish, the CPU is shared fairly, the books balance.

Each scenario boots @count spin guests of 2 MiB (tests/guests/load/spin)
that spin side by side for the same TSC time; Tally's round robin must
give each the same share of its CPU.  A spin runs from its first slice to
its first slice after duration_ms, so its share is off by at most about
one slice in its run: SCALE_ROUNDS rounds of all the domains' 1 ms slices
keep that within the 2 % asked.  Checked: every guest passes, the shares
(cpu_cycles among the domains of a CPU) are within 2 %, every CPU's
guest+hypervisor+idle sum is exact and the domains' cycles add up to the
CPUs' guest cycles, the audit holds with all of them alive, and (one CPU)
the free memory comes back.

scale_scenario() builds one for any count, so a count the build cannot
hold (DOMAIN_MAX) is tried with a smaller one by hand:
`scale_scenario(16, 1)`.  The 256-domain run on two CPUs is OPT_IN (run it
with `run.py --only scale-256-2cpu`): see OPT_IN_SCALE_SCENARIOS.

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


def scale_checks(count, cpus):
    """The checks of a @count-domain run on @cpus CPUs (domains placed on them in turn)."""
    names = scale_names(count)
    checks = [audit_ok(count), NO_ERRORS, CpuAccounting(), GuestCyclesSplit(),
              Line(rf"\] domain: d{count} s{count} created mem_mib={SCALE_MEM_MIB} ",
                   f"the {count}th domain created")]
    # Tally places domains on its CPUs in turn: the share is among one CPU's domains.
    for cpu in range(cpus):
        checks += fair_shares(tuple(names[cpu::cpus]), 0.02)
    checks += [GuestSaid(tuple(names), r"spin: iterations=\d+ duration_ms=\d+", 1, "spin"),
               GuestSaid(tuple(names), r"TEST RESULT: PASS", 1, "PASS verdict"),
               GuestSaid(tuple(names), r"TEST RESULT: .*", 1, "verdict")]
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


SCALE_SCENARIOS = [scale_scenario(128, 1)]
# Not in the default list: 256 domains on two emulated CPUs take ~170 s, and with
# the 64 KiB console ring their end lines overflow it (docs/TESTING.md); run it by name.
OPT_IN_SCALE_SCENARIOS = [scale_scenario(256, 2, timeout=900)]
