# SPDX-License-Identifier: MIT
"""The scheduler's timers under attack, and every scheduling scenario on the LAPIC timer.

hostile-timer-*: the timerstorm guest (tests/guests/check/timerstorm) arms APIC
timers that could starve the other vCPUs of its CPU, next to a spin guest
(the bystander), which must finish with about the exits it has alone and
its fair share of the CPU.  hostile-donation: the smp guest's IPI/HLT
ping-pong, which could inflate the donation ledger.  lapic_mode() makes
the `-lapic` copy of each scheduling scenario, run with `sched_timer=lapic`.

Split from scenarios.py, which adds SCHED_TIMER_SCENARIOS and the LAPIC
copies to its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from checks import CPU_STATS_RE, domain_lines, domain_stats, key_values, tail


# ---------------------------------------------------------------- checks

@dataclasses.dataclass
class CpuShare:
    """CPU @cpu's @field is within [@lo, @hi] of its accounted_cycles (the `sched: cpuN` line)."""
    cpu: int
    field: str
    lo: float
    hi: float

    def __call__(self, r):
        lines = {int(c): key_values(rest) for c, rest in CPU_STATS_RE.findall(r.serial)}
        n = lines.get(self.cpu)
        if not n or self.field not in n or not n.get("accounted_cycles"):
            return f"no `sched: cpu{self.cpu}` line with {self.field}=", tail(r.serial)
        share = n[self.field] / n["accounted_cycles"]
        if self.lo <= share <= self.hi:
            return None
        return (f"cpu{self.cpu}'s {self.field} is {share:.4f} of its time, expected "
                f"{self.lo:.4f}..{self.hi:.4f}",
                "\n".join(m.group(0) for m in CPU_STATS_RE.finditer(r.serial)))


@dataclasses.dataclass
class DonatedWithinElapsed:
    """@dom's donated_us is at most CPU @cpu's elapsed time (all of @dom's vCPUs live there)."""
    dom: str
    cpu: int

    def __call__(self, r):
        khz = re.search(r"\[c0\] timer: tsc_khz=(\d+)", r.serial)
        lines = {int(c): key_values(rest) for c, rest in CPU_STATS_RE.findall(r.serial)}
        stats = domain_stats(r.serial).get(self.dom)
        if not khz or self.cpu not in lines or not stats or "donated_us" not in stats:
            return f"no tsc_khz, cpu{self.cpu} or {self.dom} donated_us line", tail(r.serial)
        elapsed_us = lines[self.cpu]["accounted_cycles"] * 1000 // int(khz.group(1))
        if stats["donated_us"] <= elapsed_us:
            return None
        return (f"{self.dom} donated {stats['donated_us']} us in {elapsed_us} us of cpu{self.cpu}",
                domain_lines(r.serial, [self.dom]))


# ---------------------------------------------------------------- the attacks

BYSTANDER_MS = 300
# The bystander's exits alone on its CPU (spin duration_ms=300, measured:
# 159 with the preemption timer, 158 with the LAPIC timer): its start-up,
# its line, and one exit per 10 ms slice.  Next to an attacker it may have
# at most twice as many (it had 141 to 157 next to each attack).
BYSTANDER_SOLO_EXITS = 159
ATTACK_MS = 300


def bystander(dom, pin, ms=BYSTANDER_MS):
    return spin(dom, ms, pin=pin)


def bystander_ok(dom):
    """@dom finished its spin with PASS and no more than twice its solo exits."""
    return spin_done(dom) + [DomainStat(dom, "exits", 1, 2 * BYSTANDER_SOLO_EXITS)]


def storm(mode, pin, extra=""):
    return (Guest("timerstorm"), f"name=storm mem=8 pcpu={pin} mode={mode} "
            f"duration_ms={ATTACK_MS}{extra}")


STORM_LINE = r"timerstorm: mode={} iterations=\d+ ticks=\d+ elapsed_us=\d+$"


def storm_ok(mode):
    return [Line(guest_line("storm", STORM_LINE.format(mode)), f"storm {mode} line")] + \
        passed("storm")


# Both CPU-bound: the bystander gets its half of the guest time, at least.
FAIR_HALF = DomainShare("spin", ("storm", "spin"), 0.45, 1.0)
ATTACK_COMMON = [NO_ERRORS, MEM_BACK] + DOMAINS_DONE

# A masked timer's expiries are bookkeeping: the attacker's own exits are
# its start-up and its lines (measured 393; each printed byte costs two).
HOSTILE_MASKED = storm_ok("masked") + bystander_ok("spin") + [
    share_near("spin", ("storm", "spin"), 0.5, 0.05),
    DomainStat("storm", "exits", 1, 600)] + ATTACK_COMMON
HOSTILE_PERIODIC = storm_ok("periodic") + bystander_ok("spin") + [FAIR_HALF] + ATTACK_COMMON
HOSTILE_ONESHOT = storm_ok("oneshot") + bystander_ok("spin") + [FAIR_HALF] + ATTACK_COMMON
# Halted with IF=1, the attacker wakes at every tick of its 1-cycle timer
# (one per 100 us): each wake-up is a timer exit in the bystander's run,
# counted as Tally's, not the bystander's; the attacker uses little CPU.
HOSTILE_HLT = storm_ok("hlt") + bystander_ok("spin") + [
    DomainShare("spin", ("storm", "spin"), 0.5, 1.0)] + ATTACK_COMMON

# The attacker's vCPU 1 stays halted with IF=0 under a 1-cycle timer, its
# vCPU 0 sleeps ATTACK_MS + CLIHLT_EXTRA_MS: the bystander gets the CPU,
# and once it is done the CPU idles rather than serving the dead timer.
CLIHLT_EXTRA_MS = 200
CLIHLT_LINE = guest_line("storm", r"timerstorm: mode=clihlt cpu1_woke=0 slept_us=\d+$")


def clihlt_checks(cpu, spin_name):
    return ([Line(CLIHLT_LINE, "storm clihlt line")] + passed("storm")
            + bystander_ok(spin_name)
            # The attacker's CPU time is its start-up (INIT, SIPI, SIPI and their
            # 10 ms wait, measured 20.6 ms); the parked vCPU's timer adds none.
            + [DomainStat("storm", "cpu_us", 1, 30000),
               DomainShare(spin_name, ("storm", spin_name), 0.5, 1.0),
               DomainStat("storm", "halts", 1, 10),
               CpuShare(cpu, "idle_cycles", 0.15, 1.0), NO_ERRORS] + DOMAINS_DONE)


def clihlt_storm(pin, ms=ATTACK_MS):
    return (Guest("timerstorm"), f"name=storm mem=8 vcpus=2 pcpu={pin} mode=clihlt "
            f"duration_ms={ms + CLIHLT_EXTRA_MS}")


# Two CPUs cost Bochs twice the instructions: shorter runs.
SHORT_MS = 150


# The smp guest's vCPUs ping-pong IPIs and halt each time, with 10 ms
# slices: every halt cuts a slice just begun, which once donated nearly a
# whole slice each (1,003 halts gave 9,985,639 us in 397 ms).  Beside it, halter.
DONATION_IPIS = 1000
HALTER_BESIDE = (Guest("halter"), "name=halter mem=8 pcpu=0 rounds=20 work_us=500 sleep_us=9500")
HOSTILE_DONATION = ([
    Line(r"^\[c0\] <smp> smp: cpu1 online apic_id=1$", "cpu1 online on c0"),
    Line(guest_line("smp", rf"smp: ipis sent={DONATION_IPIS} received={DONATION_IPIS} "
                    rf"answered={DONATION_IPIS}$"), "smp IPI counts")]
    + passed("smp") + passed("halter")
    + [DomainStat("smp", "halts", DONATION_IPIS), DomainStat("halter", "halts", 20),
       DonatedWithinElapsed("smp", 0), DonatedWithinElapsed("halter", 0),
       DonationsReceived("smp", ("halter",))]
    + ATTACK_COMMON)

SCHED_TIMER_SCENARIOS = [
    Scenario(
        "hostile-timer-masked", "a masked 1-cycle periodic APIC timer beside a spin on one "
        "CPU: the spin keeps its exits and half the CPU", "bochs", bochs_vmx(1),
        HOSTILE_MASKED, timeout=120,
        modules=[storm("masked", 0), bystander("spin", 0)]),
    Scenario(
        "hostile-timer-periodic", "an unmasked 1-cycle periodic timer: held to one tick per "
        "100 us, paid by its owner", "bochs", bochs_vmx(1), HOSTILE_PERIODIC, timeout=120,
        modules=[storm("periodic", 0, " min_period_us=100"), bystander("spin", 0)]),
    Scenario(
        "hostile-timer-oneshot", "a 1 ms one-shot tick re-armed from its handler, as a "
        "kernel's, beside a spin", "bochs", bochs_vmx(1), HOSTILE_ONESHOT, timeout=120,
        modules=[storm("oneshot", 0), bystander("spin", 0)]),
    Scenario(
        "hostile-timer-hlt", "an unmasked 1-cycle periodic timer waking STI;HLT, as an idle "
        "kernel's tick: its wake-ups are not the spin's exits", "bochs", bochs_vmx(1),
        HOSTILE_HLT, timeout=120,
        modules=[storm("hlt", 0, " min_period_us=100"), bystander("spin", 0)]),
    Scenario(
        "hostile-timer-clihlt", "a 1-cycle timer behind CLI;HLT: the spin beside it runs, "
        "then the CPU idles", "bochs", bochs_vmx(1), clihlt_checks(0, "spin"), timeout=120,
        modules=[clihlt_storm(0), bystander("spin", 0)]),
    Scenario(
        "hostile-timer-clihlt-2cpu", "the CLI;HLT timer on CPU 1 beside a spin; CPU 0 runs "
        "another", "bochs", bochs_vmx(2),
        clihlt_checks(1, "spin1") + bystander_ok("spin0") + [OnPlacedCpu()], timeout=300,
        modules=[clihlt_storm(1, SHORT_MS), bystander("spin1", 1, SHORT_MS),
                 bystander("spin0", 0, SHORT_MS)]),
    Scenario(
        "hostile-donation", f"{DONATION_IPIS} IPI/HLT rounds between two vCPUs beside a "
        "halter: no more donated than the time that passed", "bochs", bochs_vmx(1),
        HOSTILE_DONATION, timeout=120,
        modules=[(Guest("smp"), f"name=smp mem=8 vcpus=2 pcpu=0 ipis={DONATION_IPIS}"),
                 HALTER_BESIDE]),
]


# ---------------------------------------------------------------- the LAPIC timer

# The scheduling scenarios that run again with `sched_timer=lapic`: slices
# end by the LAPIC timer's external-interrupt exit, as on a CPU or nested
# hypervisor without the VMX-preemption timer.  Not hostile-donation: the
# ledger does not depend on the timer, and its smp guest spins at IF=0
# waiting for its other vCPU on the same CPU, which under Bochs the LAPIC
# timer never preempts (see irqs_on below).
LAPIC_MODE = ("sched-share", "sched-halter", "sched-sleeper", "sched-smp-1cpu",
              "sched-smp-2cpu", "sched-xstate") + tuple(
                  sc.name for sc in SCHED_TIMER_SCENARIOS if sc.name.startswith("hostile-timer-"))
PREEMPTION_TIMER_OFF = Line(r"\[c0\] vmx: revision=.* preemption_timer=0 ",
                            "vmx line with the preemption timer off")


def irqs_on(module):
    """@module with its guest started with interrupts on (tests/guests/README.md).

    Bochs 2.7 masks host interrupts by the guest's RFLAGS.IF at VM entry,
    although external-interrupt exiting makes IF irrelevant on a real CPU:
    a CPU-bound guest at IF=0 would never be preempted by the LAPIC timer.
    """
    kind, cmdline = module
    return (kind, f"{cmdline} irqs_on") if isinstance(kind, Guest) else module


def lapic_mode(scenarios):
    """The `-lapic` copy of each scenario of @scenarios named in LAPIC_MODE."""
    return [dataclasses.replace(sc, name=f"{sc.name}-lapic", doc=f"{sc.doc} (LAPIC timer)",
                                cmdline=f"{sc.cmdline} sched_timer=lapic",
                                modules=[irqs_on(m) for m in sc.modules],
                                checks=sc.checks + [PREEMPTION_TIMER_OFF])
            for sc in scenarios if sc.name in LAPIC_MODE]
