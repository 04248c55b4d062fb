# SPDX-License-Identifier: MIT
"""Hypercall and metrics scenarios: what a guest, the control domain, a hostile
guest and the metrics stream must show (include/public/tally.h, docs/HYPERCALLS.md).

Split from scenarios.py, which adds HYPERCALL_SCENARIOS to its list.
"""

import os
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from metrics_checks import (ExporterServes, FinalCycles, StreamCpuShare,
                            StreamedMetric, StreamIsJson)
from agree_checks import AgentAgrees, CpuIsDomain, PausedAgree, last_agent_metric




def abi_version():
    """(major << 16) | minor, as include/public/tally.h defines them."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                           "include", "public", "tally.h")) as f:
        text = f.read()
    major, minor = (int(re.search(rf"#define TALLY_ABI_VERSION_{w}\s+(\d+)", text).group(1))
                    for w in ("MAJOR", "MINOR"))
    return (major << 16) | minor


# The hypercall guest calls each call a domain may make, well and badly;
# every check is one `hypercall: ok:` line, and Tally keeps the metric.
HYPERCALL_CHECKS = (f"ABI_VERSION: {abi_version():#x}", "DOMAIN_INFO: result 72, name 'hc'",
                    "DOMAIN_INFO with a short length: -22", "straddling the top of RAM: -14",
                    "DOMAIN_COUNTERS twice: generation", "PUBLISH_METRIC mem_used",
                    "CONSOLE_WRITE: 36", "YIELD: 0", "unknown hypercall 0x777: -38",
                    "DOMAIN_LIST from an ordinary domain: -1", "named 'bad name': -22",
                    "CONSOLE_WRITE from beyond RAM: -14", "VCPU_COUNTERS of itself: 1 vCPU",
                    "VCPU_COUNTERS with capacity 256 (the limit): 1 vCPU, entry 1 untouched",
                    "VCPU_COUNTERS with capacity 257: -7 (-E2BIG)",
                    "VCPU_COUNTERS of another domain: -1",
                    "CPU_COUNTERS from an ordinary domain: -1",
                    "DOMAIN_INFO from user mode (CPL 3): -13 (-EACCES), nothing written",
                    "ABI_VERSION from user mode: -13")
HYPERCALLS = ([Line(guest_line("hc", "hypercall: ok: .*" + re.escape(text)), text)
               for text in HYPERCALL_CHECKS]
              + [NoLine(guest_line("hc", "hypercall: FAIL"), "failed hypercall check"),
                 Line(guest_line("hc", "hello through the console hypercall$"),
                      "console hypercall text"),
                 # An unknown name: Tally has nothing to check it against.
                 Line(r"\] domain: d1 hc guest-reported metric mem_used=123456 unit=1 "
                      r"trust=unchecked$", "published metric, unchecked"),
                 NO_ERRORS, MEM_BACK] + passed("hc") + DOMAINS_DONE)


# The control domain lists every domain with its counters through
# hypercalls and ends the victim; ordinary domains may not (hypercall-basic).
CONTROL = ([Line(guest_line("control", r"control: ok: DOMAIN_LIST: 4 domains$"), "list of 4"),
            Line(guest_line("control", r"control: d1 control: running, control domain, 1 vCPU, "
                            r"8 MiB RAM, "), "control flag on itself"),
            Line(guest_line("control", r"control: d2 victim: running, 1 vCPU, 8 MiB RAM, "
                            r"CPU time \d+\.\d{6} s, [1-9]\d* VM exits$"), "victim's counters"),
            Line(guest_line("control", r"control: d3 hello: dead, 1 vCPU, 8 MiB RAM, "),
                 "hello listed as ended"),
            # Figures past 2^32 print whole: 5000123456 us of CPU time (705.156160 s
            # when cut to 32 bits) and 2^32 + 1 exits.
            Line(guest_line("control", r"control: format check: d0 sample: paused, unknown flags "
                            r"0x80, 2 vCPUs, 8192 MiB RAM, CPU time 5000\.123456 s, 4294967297 VM "
                            r"exits$"), "64-bit counters printed whole"),
            Line(guest_line("control", r"control: ok: DOMAIN_DESTROY of itself: -22"), "self"),
            Line(guest_line("control", r"control: ok: DOMAIN_DESTROY of d999: -2"), "no such"),
            Line(guest_line("control", r"control: ok: DOMAIN_DESTROY of victim: 0$"), "destroy"),
            Line(r"\] WARN: domain: d2 victim destroyed by the control domain d1 control$",
                 "victim destroyed"),
            Line(guest_line("control", r"control: ok: DOMAIN_PAUSE of victim ended: -2"),
                 "pause of the ended victim"),
            Line(guest_line("control", r"control: d2 victim: dead, 1 vCPU, 8 MiB RAM, "),
                 "a second look (watch_rounds=1) lists the victim ended"),
            Line(guest_line("control", r"control: d4 held: paused, 1 vCPU, 8 MiB RAM, "),
                 "and held paused"),
            Line(guest_line("control", r"control: ok: DOMAIN_PAUSE of held, left paused"),
                 "held paused"),
            InOrder([r"\] domain: d4 held paused by the control domain d1 control$",
                     r"\] domain: d1 control exited status=1 value=0$",
                     r"\] domain: d4 held unpaused by the control domain d1 control$",
                     guest_line("held", r"TEST RESULT: PASS$")],
                    "the control domain's end lets the domain it held run again"),
            NoLine(guest_line("control", "control: FAIL"), "failed control check"),
            NoLine(guest_line("victim", "TEST RESULT"), "victim verdict"),
            NO_ERRORS, MEM_BACK] + passed("control") + passed("hello") + passed("held")
           + DOMAINS_DONE)


# More domains than a page: the control domain lists them with
# DOMAIN_LIST_FROM three at a time (ABI 1.3).  22 domains in pages of 3:
# 22, 19, ..., 4 left are 7 full pages, then 1 left is the eighth, short, call.
PAGED_GUESTS = 21
PAGED_DOMS = PAGED_GUESTS + 1
PAGED_CALLS = -(-PAGED_DOMS // 3)
PAGED_HOSTILE = ("DOMAIN_LIST_FROM d0: -22 (-EINVAL)",
                 "DOMAIN_LIST_FROM d4294967295: 0 (none left)",
                 "DOMAIN_LIST_FROM past the last: 0 (none left)",
                 f"DOMAIN_LIST_FROM d1 capacity 0: {PAGED_DOMS} (the count, {PAGED_DOMS})",
                 f"DOMAIN_LIST_FROM d2 capacity 0: {PAGED_DOMS - 1} ({PAGED_DOMS - 1})",
                 "DOMAIN_LIST_FROM capacity 257: -7 (-E2BIG)",
                 "DOMAIN_LIST_FROM misaligned: -22 (-EINVAL)",
                 "DOMAIN_LIST_FROM beyond RAM: -14 (-EFAULT)")
PAGED = ([Line(guest_line("control", rf"control: ok: DOMAIN_LIST_FROM in pages of 3: "
                          rf"{PAGED_DOMS} domains in {PAGED_CALLS} calls, as one DOMAIN_LIST$"),
               "paged listing")]
         + [Line(guest_line("control", "control: ok: " + re.escape(text) + "$"), text)
            for text in PAGED_HOSTILE]
         + [Line(guest_line("control", rf"control: ok: DOMAIN_LIST: {PAGED_DOMS} domains$"),
                 "one DOMAIN_LIST of all"),
            NoLine(guest_line("control", "control: FAIL"), "failed control check"),
            NO_ERRORS, MEM_BACK] + passed("control")
         + [exited(f"p{i}", 0) for i in range(1, PAGED_GUESTS + 1)] + DOMAINS_DONE)


# Thousands of malformed hypercalls next to well-behaved guests: each fails
# with an error code, and the others' results and counters stay right.
HOSTILE = ([Line(guest_line("hostile", r"hostile: calls=5000 errors=\d+ harmless=\d+ "
                            r"unexpected=0$"), "hostile tally"),
            NoLine(guest_line("hc", "hypercall: FAIL"), "hc check failed next to hostile"),
            Line(guest_line("hc", r"hypercall: ok: DOMAIN_COUNTERS twice: generation \d+ then "),
                 "hc counters unaffected"),
            NoLine(r"destroyed", "a domain destroyed"),
            NO_ERRORS, MEM_BACK] + passed("hostile") + passed("hc") + passed("spin")
           + DOMAINS_DONE)


# All the counter views together: a control domain and three guests (the agent, a busy
# one and a mostly idle one).  The control domain pauses the others for
# 1.5 s; their counters as it reads them through hypercalls must be what
# the stream and the console table show while they are paused.
AGREE_DOMS = ("agent", "busy", "halter")
AGREE_MODULES = [
    (Guest("control"), "name=control mem=8 role=control settle=500000 pause_ms=1500"),
    (Guest("agent"), "name=agent mem=16 rounds=10 interval_ms=200"),
    (Guest("busy"), "name=busy mem=8 loops=20000000 report=10000000"),
    (Guest("halter"), "name=halter mem=8 rounds=200 work_us=500 sleep_us=9500")]
AGREE = ([Line(guest_line("control", r"control: ok: DOMAIN_LIST: 4 domains$"), "list of 4")]
         + [Line(guest_line("control", rf"control: d{i} {dom}: \w+(, control domain)?, 1 vCPU, "),
                 f"{dom} listed")
            for i, dom in enumerate(("control",) + AGREE_DOMS, 1)]
         + [Line(guest_line("control", rf"control: ok: {dom} stood still for 1500 ms paused: "
                            r"generation (\d+) then \1$"), f"{dom} still") for dom in AGREE_DOMS]
         + [Line(guest_line("control", rf"control: ok: VCPU_COUNTERS of {dom}: 1 vCPUs adding up"),
                 f"{dom} vCPUs add up") for dom in AGREE_DOMS]
         + [Line(guest_line("control", r"control: cpu0 vcpus=4 guest_cycles=[1-9]\d* "
                            r"hypervisor_cycles=[1-9]\d* idle_cycles=\d+ switches=[1-9]"), "cpu0"),
            Line(guest_line("control", r"control: ok: unpaused, the domains ran on"), "ran on"),
            Line(guest_line("control", r"control: ok: DOMAIN_PAUSE of itself: -22"), "self"),
            Line(guest_line("control", r"control: ok: DOMAIN_PAUSE of d999: -2"), "no such"),
            Count(r"\] domain: d\d+ \S+ paused by the control domain d1 control$", 3, "pauses"),
            Count(r"\] domain: d\d+ \S+ unpaused by the control domain d1 control$", 3,
                  "unpauses"),
            NoLine(r"^\[c\d+\] <\S+> \S+: FAIL", "failed guest check"),
            StreamIsJson(3), FinalCycles(("control",) + AGREE_DOMS), PausedAgree(AGREE_DOMS),
            AgentAgrees("agent"), ExporterServes(("control",) + AGREE_DOMS, last_agent_metric),
            NO_ERRORS, MEM_BACK]
         + passed("control") + passed("agent") + passed("halter") + DOMAINS_DONE)

# Pausing across CPUs: DOMAIN_PAUSE kicks CPU 0 out of the busy guest and
# waits for it to switch away; the snapshots taken from CPU 1 under CPU 0's
# sequence count must then be identical.
PAUSE_2CPU = ([Line(guest_line("control", r"control: ok: busy stood still for 200 ms paused: "
                               r"generation (\d+) then \1$"), "busy still"),
               Line(guest_line("control", r"control: ok: VCPU_COUNTERS of busy: 1 vCPUs "
                               r"adding up"), "vCPUs add up"),
               Line(guest_line("control", r"control: cpu1 vcpus=1 "), "cpu1 listed"),
               CpuIsDomain(0, "busy"),
               Line(guest_line("control", r"control: ok: unpaused, the domains ran on"), "ran on"),
               Line(guest_line("control", r"control: ok: pause storm of d2: 100 rounds, 100 still "
                               r"while paused, 100 never went back"), "pause storm"),
               Count(r"\] domain: d2 busy paused by the control domain d1 control$", 101,
                     "pauses"),
               NoLine(r"^\[c\d+\] <\S+> \S+: FAIL", "failed guest check"),
               NO_ERRORS, MEM_BACK] + passed("control") + passed("busy") + DOMAINS_DONE)

# metrics=com2 every 100 ms beside the hypercall guest's published metric
# and a 600 ms spin: JSON on COM2 that agrees with the domain lines, and
# tools/tally-metrics serves it.  Once the spin runs alone, the
# interrupt-driven stream leaves it the CPU (< 1 % to Tally; 51 % when
# the stream was written synchronously).
METRICS_DOMS = ("hc", "spin")
METRICS_STREAM = ([StreamIsJson(3), FinalCycles(METRICS_DOMS), StreamCpuShare("spin", 0.05),
                   StreamedMetric("hc", "mem_used", 123456, "bytes"),
                   ExporterServes(METRICS_DOMS, ("hc", "mem_used", 123456, "bytes")),
                   NO_ERRORS, MEM_BACK]
                  + passed("hc") + spin_done("spin") + DOMAINS_DONE)


HYPERCALL_SCENARIOS = [
    Scenario(
        "hypercall-pause-2cpu", "the control domain on CPU 1 pauses a busy guest running on "
        "CPU 0: it stops there and then, and its counters read from CPU 1 stand still",
        "bochs", bochs_vmx(2), PAUSE_2CPU, timeout=300,
        modules=[(Guest("control"), "name=control mem=8 role=control pcpu=1 settle=200000 "
                                    "pause_ms=200 storm=busy storm_rounds=100"),
                 (Guest("busy"), "name=busy mem=8 pcpu=0 loops=6000000 report=100000000")]),
    Scenario(
        "hypercall-control", "the control domain lists the domains with counters and ends one",
        "bochs", bochs_vmx(1), CONTROL, timeout=120,
        modules=[(Guest("control"), "name=control mem=8 role=control victim=victim "
                                    "watch_s=1 watch_rounds=1 hold=held format_check=1"),
                 (Guest("busy"), "name=victim mem=8 report=100000000"),
                 (Guest("hello"), "name=hello mem=8"),
                 (Guest("busy"), "name=held mem=8 loops=5000000 report=100000000")]),
    Scenario(
        "hypercall-list-paged", "the control domain lists 22 domains with DOMAIN_LIST_FROM "
        "three at a time, as one DOMAIN_LIST lists them, and bad arguments fail exactly",
        "bochs", bochs_vmx(1), PAGED, timeout=240,
        modules=[(Guest("control"), "name=control mem=8 role=control settle=0 list_page=3")]
        + [(Guest("spin"), f"name=p{i} mem=2 duration_ms=20")
           for i in range(1, PAGED_GUESTS + 1)]),
    Scenario(
        "hypercall-hostile", "5000 malformed hypercalls beside guests that must not notice",
        "bochs", bochs_vmx(1), HOSTILE, timeout=180,
        modules=[(Guest("hostile"), "name=hostile mem=8"), (Guest("hypercall"), "name=hc mem=8"),
                 (Guest("spin"), "name=spin mem=8 duration_ms=200")]),
    Scenario(
        "hypercall-basic", "a guest makes each ordinary hypercall, with good and bad arguments",
        "bochs", bochs_vmx(1), HYPERCALLS, timeout=120,
        modules=[(Guest("hypercall"), "name=hc mem=8")]),
    Scenario(
        "hypercall-agree", "a control domain pauses three guests: its view, the console table "
        "and the JSON stream agree",
        "bochs", emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS, com2=True), AGREE,
        cmdline="exit_when_done metrics=com2 metrics_interval_ms=1000 top_interval_s=1",
        timeout=240, modules=AGREE_MODULES),
    Scenario(
        "metrics-stream", "metrics=com2: counters as JSON lines on COM2, served by tally-metrics",
        "bochs", emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS, com2=True), METRICS_STREAM,
        cmdline="exit_when_done metrics=com2 metrics_interval_ms=100", timeout=120,
        modules=[(Guest("hypercall"), "name=hc mem=8"), spin("spin", 600)]),
]
