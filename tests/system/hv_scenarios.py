# SPDX-License-Identifier: MIT
"""Hypervisor time charged to the domain that caused it (issue 15 item 6).

Split from scenarios.py, which adds HV_SCENARIOS to its list.  The sums
(per CPU and over the domains) are DOMAIN_COMMON_CHECKS' CpuAccounting and
HypervisorCyclesSplit, run on every domain scenario; this one checks that
the time lands on the right domain.
"""

import dataclasses

from metrics_checks import final_domains
from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, spin, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

HV_CPUIDS = 20000
HV_SPIN_MS = 300


@dataclasses.dataclass
class HypervisorShare:
    """@heavy's hv_cycles exceed @light's by more than @ratio, and both were charged.

    Each of @heavy's exits is hypervisor time of its own; @light only
    exits when its slice ends, so its share is its switches in and those
    few timer exits.
    """
    heavy: str
    light: str
    ratio: float

    def __call__(self, r):
        stats = domain_stats(r.serial)
        doms = (self.heavy, self.light)
        if any("hv_cycles" not in stats.get(d, {}) for d in doms):
            return f"no hv_cycles= for {doms}", domain_lines(r.serial, doms)
        heavy, light = stats[self.heavy]["hv_cycles"], stats[self.light]["hv_cycles"]
        if light > 0 and heavy > self.ratio * light:
            return None
        return (f"{self.heavy} hv_cycles={heavy}, {self.light} hv_cycles={light}: expected "
                f"both charged and a ratio above {self.ratio}", domain_lines(r.serial, doms))


@dataclasses.dataclass
class StreamHypervisorLives:
    """The last COM2 object's "hypervisor_cycles" for @dom is the sum of its lives' hv_cycles.

    Each life prints its own usage line; domain_hypervisor_cycles() keeps
    the ended lives' part, so the stream's figure covers all @lives of them.
    """
    dom: str
    lives: int

    def __call__(self, r):
        last, failure = final_domains(r)
        if failure:
            return failure
        lines = [key_values(m.group(2)) for m in DOMAIN_STATS_RE.finditer(r.serial)
                 if m.group(1) == self.dom]
        if len(lines) != self.lives:
            return (f"{len(lines)} usage lines for {self.dom} (expected {self.lives})",
                    domain_lines(r.serial, (self.dom,)))
        want = sum(line.get("hv_cycles", 0) for line in lines)
        got = [last[self.dom].get("hypervisor_cycles")] if self.dom in last else []
        if got == [want] and min(line.get("hv_cycles", 0) for line in lines) > 0:
            return None
        return (f"{self.dom}: hypervisor_cycles {got} in the last COM2 object, expected [{want}] "
                "(its lives' hv_cycles, each above 0)", domain_lines(r.serial, (self.dom,)))


HV_CHECKS = ([HypervisorShare("exits", "spinner", 10), NO_ERRORS, MEM_BACK,
              Line(r"<exits> cpuidloop: count=20000 tsc_per_cpuid=\d+$", "cpuidloop result"),
              exited("exits", 0)]
             + spin_done("spinner") + DOMAINS_DONE)

HV_SCENARIOS = [
    Scenario(
        "sched-hv-charged", "an exit-heavy guest (20000 CPUIDs) beside a spin on one CPU: "
        "its hv_cycles are over 10 times the spin's, and the hypervisor split adds up",
        "bochs", bochs_vmx(1), HV_CHECKS, timeout=180,
        modules=[(Guest("cpuidloop"), f"name=exits mem=8 count={HV_CPUIDS}"),
                 spin("spinner", HV_SPIN_MS)]),
    Scenario(
        "sched-hv-lives", "a domain restarted once (on_reboot=restart): the JSON stream's "
        "final hypervisor_cycles is the sum of both lives' hv_cycles",
        "bochs", emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS, com2=True),
        [StreamHypervisorLives("again", 2), NO_ERRORS, exited("again", 0)] + DOMAINS_DONE,
        cmdline="exit_when_done metrics=com2 metrics_interval_ms=1000", timeout=120,
        modules=[(Guest("virtioblk"), "name=again mem=8 disk=1 on_reboot=restart restart "
                  "seed=5 chunk=32")]),
]
