# SPDX-License-Identifier: MIT
"""Domains created and destroyed at run time from templates (kernel/domain_runtime.c).

The control domain makes ten copies of a `template` module, sees them all
live in one DOMAIN_LIST_FROM, destroys them, a hundred times: every copy
prints its usage lines, the audit (run after each creation) finds no page
in two places, and free memory comes back to the byte, so the slot of each
ended copy (its struct domain, vCPUs and records) was freed too.
"""

import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

CYCLES = 100
COPIES = 10
BOOT_DOMAINS = 1                       # the control domain; a template is none
CREATED = CYCLES * COPIES + 1          # and one r-dup in the refusals

CONTROL_RT = ("name=control mem=8 role=control settle=0 "
              f"copy_of=spin cycles={CYCLES} copies={COPIES}")
# `hush`: of a copy's routine lines only its usage line prints, or 1000
# copies' created, overhead, exits and bill lines would keep the 115200-baud
# console busy for most of a minute and a half.
TEMPLATE = "name=spin mem=2 template hush duration_ms=100000"

REFUSALS = ("DOMAIN_CREATE from no template: -2 (-ENOENT)",
            "DOMAIN_CREATE r-dup again: -17 (-EEXIST)",
            "DOMAIN_CREATE named control: -17 (-EEXIST)",
            "DOMAIN_CREATE 'bad name': -22 (-EINVAL)",
            "DOMAIN_CREATE mem=0: -22 (-EINVAL)",
            "DOMAIN_CREATE role=control: -22 (-EINVAL)",
            "DOMAIN_CREATE with a guest word: -22 (-EINVAL)",
            "DOMAIN_CREATE mem=60000: -12 (-ENOMEM)",
            "DOMAIN_CREATE short length: -22 (-EINVAL)",
            "DOMAIN_CREATE beyond RAM: -14 (-EFAULT)")


class UsageOfEvery:
    """Every run-time domain printed its final usage line: @n `domain: dN cN-M cpu_us=` lines."""

    def __init__(self, n):
        self.n = n

    def __call__(self, r):
        names = [m.group(1) for m in DOMAIN_STATS_RE.finditer(r.serial)
                 if re.fullmatch(r"c\d+-\d+", m.group(1))]
        if len(names) == self.n and len(set(names)) == self.n:
            return None
        return (f"{len(names)} usage lines of copies ({len(set(names))} names), "
                f"not {self.n}", tail(r.serial))


class DepartedExact:
    """Each CPU's departed_cycles (the run cycles of the run-time vCPUs detached
    from it) are the cpu_cycles of the run-time domains whose usage lines it printed."""

    COPY_RE = re.compile(r"^\[c(\d+)\] domain: d\d+ (?:c\d+-\d+|r-dup) cpu_us=\d+ "
                         r"cpu_cycles=(\d+) ", re.MULTILINE)
    DEPARTED_RE = re.compile(r"\] sched: cpu(\d+) departed_cycles=(\d+)$", re.MULTILINE)

    def __call__(self, r):
        want = {}
        for cpu, cycles in self.COPY_RE.findall(r.serial):
            want[cpu] = want.get(cpu, 0) + int(cycles)
        got = {cpu: int(n) for cpu, n in self.DEPARTED_RE.findall(r.serial)}
        if want and got == want:
            return None
        return f"departed_cycles {got}, the copies' cpu_cycles by CPU {want}", tail(r.serial)


RUNTIME = ([Line(r"\] domain: template spin mem_mib=2 vcpus=1 \(module 1\)$",
                 "the template listed at boot"),
            NoLine(r"\] domain: d\d+ spin created", "the template itself never started"),
            Line(guest_line("control", rf"control: ok: {CYCLES} cycles of {COPIES} copies of "
                            r"spin: created, listed live, destroyed; last ids d\d+\.\.d\d+$"),
                 "every cycle's copies created, listed and destroyed")]
           + [Line(guest_line("control", "control: ok: " + re.escape(t) + "$"), t)
              for t in REFUSALS]
           + [NoLine(r"\] domain: d\d+ c\d+-\d+ (created|overhead_bytes|exits_by_reason)",
                     "a hushed copy's routine lines"),
              NoLine(r"\] bill: d\d+ c\d+-\d+ ", "a hushed copy's bill lines"),
              Line(rf"\] bill: total lives={CREATED + BOOT_DOMAINS} ", "yet every copy billed"),
              Count(r"\] WARN: domain: d\d+ c\d+-\d+ destroyed by the control domain d1 "
                    r"control$", CYCLES * COPIES, "copies destroyed"),
              Count(rf"\[c0\] audit: domains={BOOT_DOMAINS + COPIES} ranges=\d+ result=ok$",
                    CYCLES, "the audit clean with ten copies alive, every cycle"),
              NoLine(r"audit: .*FAILED", "a failed audit"),
              UsageOfEvery(CYCLES * COPIES),
              NoLine(guest_line("control", "control: FAIL"), "failed control check"),
              NO_ERRORS, MEM_BACK, GuestCyclesSplit(), CpuAccounting(), DepartedExact()]
           + passed("control") + DOMAINS_DONE)

# Two CPUs: a copy on the other CPU is released there at its next pick and
# its slot freed only once both CPUs have passed a scheduling point since.
CYCLES_2CPU = 20
COPIES_2CPU = 4
RUNTIME_2CPU = ([Line(guest_line("control", rf"control: ok: {CYCLES_2CPU} cycles of "
                                 rf"{COPIES_2CPU} copies of spin: created, listed live, "
                                 r"destroyed; last ids d\d+\.\.d\d+$"),
                      "every cycle's copies created, listed and destroyed"),
                 Count(rf"\[c\d\] audit: domains={BOOT_DOMAINS + COPIES_2CPU} ranges=\d+ "
                       r"result=ok$", CYCLES_2CPU, "the audit clean with the copies alive"),
                 Line(r"\] domain: d\d+ c\d+-\d+ cpu_us=\d+ .*$", "a copy's usage line"),
                 NoLine(r"audit: .*FAILED", "a failed audit"),
                 # top's walks skip the entries of ended copies, on the boot CPU,
                 # while the other CPU frees them.
                 Line(r"\] top: [1-5] domains?: [1-5] running, 0 paused, 0 ended$",
                      "a top table amid the cycles, the emptied entries not counted"),
                 NoLine(r"\] top: ([6-9]|\d\d+) domains", "a top count of emptied entries"),
                 UsageOfEvery(CYCLES_2CPU * COPIES_2CPU),
                 NoLine(guest_line("control", "control: FAIL"), "failed control check"),
                 NO_ERRORS, MEM_BACK, GuestCyclesSplit(), CpuAccounting(),
                 DepartedExact()]
                + passed("control") + DOMAINS_DONE)

RUNTIME_SCENARIOS = [
    Scenario(
        "domain-runtime-cycles", f"the control domain creates {COPIES} copies of a template, "
        f"lists and destroys them, {CYCLES} times: audit clean, usage lines of all "
        f"{CYCLES * COPIES}, memory back to the byte, and each refusal's exact code",
        "bochs", bochs_vmx(1), RUNTIME, cmdline="exit_when_done audit sched_slice_ms=1", timeout=240,
        modules=[(Guest("control"), CONTROL_RT), (Guest("spin"), TEMPLATE)]),
    Scenario(
        "domain-runtime-2cpu", f"{COPIES_2CPU} copies of a template spread over two CPUs, "
        f"created and destroyed {CYCLES_2CPU} times: each slot freed after both CPUs "
        "passed a scheduling point, the audit clean, every usage line, the split exact",
        "bochs", bochs_vmx(2), RUNTIME_2CPU,
        cmdline="exit_when_done audit sched_slice_ms=1 top_interval_s=1",
        timeout=240,
        modules=[(Guest("control"), "name=control mem=8 role=control settle=0 pcpu=0 "
                  f"copy_of=spin cycles={CYCLES_2CPU} copies={COPIES_2CPU}"),
                 (Guest("spin"), TEMPLATE)]),
]
