# SPDX-License-Identifier: MIT
"""Console scenarios: every debug key typed in every state Tally can be in.

The keys come from the keys[] table of kernel/debugkeys.c, parsed here, so
a key added there is typed by every scenario below at once; its expected
answer in each state goes in ANSWERS (a key without one fails with a
message saying so).  The states: no VMX (QEMU TCG), VMX but no domain
(Bochs, the only module refused), domains running, and all domains ended.
No key may fault Tally in any of them.

Split from scenarios.py, which adds CONSOLE_SCENARIOS to its list.
"""

import dataclasses
import os
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, Blob, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

DEBUGKEYS_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                           "kernel", "debugkeys.c")


def parse_keys(source):
    """[(key, help)] from the `keys[]` table in C @source, in table order."""
    table = re.search(r"\bkeys\[\]\s*=\s*\{(.*?)\n\};", source, re.DOTALL)
    if not table:
        raise ValueError("no keys[] table in kernel/debugkeys.c")
    entries = re.findall(r"\{\s*'(\\?.)'\s*,\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+),",
                         table.group(1))
    keys = []
    for char, text in entries:
        help_text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text))
        keys.append((char, help_text.replace('\\"', '"')))
    if not keys:
        raise ValueError("kernel/debugkeys.c: keys[] lists no key")
    return keys


with open(DEBUGKEYS_C) as f:
    KEYS = parse_keys(f.read())
UNKNOWN_KEY = next(c for c in "xyzqXYZQ" if c not in dict(KEYS))
TYPED = "".join(k for k, _ in KEYS) + UNKNOWN_KEY       # the unknown one last: it ends the run

NOVMX, NODOMAIN, RUNNING, ENDED = "no VMX", "VMX, no domain", "domains running", "domains ended"
WHY_NOVMX = r"guests cannot run on this CPU; see the vmx: line at boot"
WHY_NODOMAIN = r"no module became a domain"
ALL_STATES = (NOVMX, NODOMAIN, RUNNING, ENDED)


def nothing(what):
    """A key with nothing to show without domains: @what, then why, in brackets."""
    return {NOVMX: rf"{what} \({WHY_NOVMX}\)$", NODOMAIN: rf"{what} \({WHY_NODOMAIN}\)$"}


# Each key's answer (a line from c0, after its echo) in each state.  The
# running state is `debugkeys-domains`: web (d1) is busy, maybe just ended.
ANSWERS = {
    "h": dict.fromkeys(ALL_STATES, r"debug keys:$"),
    "a": {NOVMX: r"audit: domains=0 ranges=\d+ result=ok$",
          NODOMAIN: r"audit: domains=0 ranges=\d+ result=ok$",
          RUNNING: r"audit: domains=\d+ ranges=\d+ result=ok$",
          ENDED: r"audit: domains=0 ranges=\d+ result=ok$"},
    "d": {**nothing("domains: none"),
          RUNNING: r"  d1 web +(?:running|dead) +mem_mib=8 vcpus=1 ram=0x[0-9a-f]+ unclaimed_io=0$",
          ENDED: r"  d1 hello +dead +mem_mib=8 vcpus=1 ram=0x[0-9a-f]+ unclaimed_io=0$"},
    "c": {**nothing("cpu: nothing to account"),
          RUNNING: r"cpu: cpu0 accounted_cycles=\d+ ", ENDED: r"cpu: cpu0 accounted_cycles=\d+ "},
    # kernel/top.c's table, whatever its columns: a line for Tally itself
    # even without domains, and one for each domain once there are some.
    "t": {NOVMX: r"top: ", NODOMAIN: r"top: ", RUNNING: r"top: +d1 +web +(?:running|ended)\b",
          ENDED: r"top: +d1 +hello +ended\b"},
    "r": {**nothing("runq: nothing scheduled"),
          RUNNING: r"runq cpu0: current ", ENDED: r"runq cpu0: current \(idle\)$"},
    "v": {NOVMX: r"vmcs: VMX is off on this CPU; nothing to show$",
          NODOMAIN: r"vmcs: none current on this CPU$",
          RUNNING: r"vmcs: d\d+ \w+ vCPU 0 \(current on cpu0\):$|vmcs: none current on this CPU$",
          ENDED: r"vmcs: none current on this CPU$"},
    "m": dict.fromkeys(ALL_STATES, r"mem: map \(cleaned\), free_kib=\d+:$"),
    # No state here gives a domain a NIC (nic-switch-key does): the switch has no port.
    "n": dict.fromkeys(ALL_STATES, r"switch: no ports \(no domain has a NIC; net=GROUP gives one\)$"),
}


def after_keys(pattern, what):
    """A line from c0 matching @pattern came after the keys were typed."""
    return AfterKeys(rf"^\[c0\] {pattern}", what)


@dataclasses.dataclass
class Fail:
    """A check that always fails with @reason: something the test itself lacks."""
    reason: str

    def __call__(self, r):
        return self.reason, ""


def every_key(state):
    """Each key of the table: echoed, listed by h, and answered as ANSWERS says for @state."""
    checks = [after_keys(rf"debug key '{UNKNOWN_KEY}' unknown; 'h' lists them$", "unknown key")]
    for key, help_text in KEYS:
        checks += [after_keys(rf"key '{re.escape(key)}': {re.escape(help_text)}$",
                              f"key {key} echo"),
                   after_keys(rf"  {re.escape(key)}  {re.escape(help_text)}$", f"key {key} help")]
        answer = ANSWERS.get(key, {}).get(state)
        if answer is None:
            checks.append(Fail(f"key {key!r} has no expected answer for the state '{state}' "
                               "(add it to ANSWERS in tests/system/console_scenarios.py)"))
        else:
            checks.append(after_keys(f"(?:{answer})", f"key {key} answer ({state})"))
    return checks


CONSOLE_LINE = Count(r"^\[c0\] console: type h for the debug keys$", 1, "console hint")
# Without exit_when_done Tally serves keys until the runner stops it, a
# second after the unknown key's answer (the last one typed).
SERVED_TO_THE_END = [NoLine(r"tally: exit code", "exit line"), EndedBy("done")]
STOP_AT_UNKNOWN = rf"^\[c0\] debug key '{UNKNOWN_KEY}' unknown"


def busy(dom, mib):
    """A busy guest running long enough (a few seconds) for keys to find it alive."""
    return (Guest("busy"), f"name={dom} mem={mib} loops=20000000 report=10000000")


DEBUGKEYS_NOVMX = (every_key(NOVMX)
                   + [Count(NOVMX_WARNING, 1, "no-VMX warning"), CONSOLE_LINE,
                      Count(r"\] audit: ", 1, "audit"),
                      NoLine(r"\] domain: ", "domain line"), NoLine(r"\] <hello> ", "guest output")]
                   + SERVED_TO_THE_END)

DEBUGKEYS_NODOMAIN = (every_key(NODOMAIN)
                      + [VMX_CAPS, CONSOLE_LINE, Count(r"\] audit: ", 1, "audit"),
                         Line(r"^\[c0\] ERROR: module 0 \(junk\): multiboot kernel refused: ",
                              "junk refused"),
                         Line(r"^\[c0\] tally: no domains to run$", "no domains"),
                         NoLine(r"\] domain: ", "domain line")]
                      + SERVED_TO_THE_END)

DEBUGKEYS_DOMAINS = (
    every_key(RUNNING)
    + [CONSOLE_LINE, Count(r"\] audit: ", 1, "audit"),
       after_keys(r"domains: 3 created, \d+ alive$", "domains: 3 created"),
       after_keys(r"  ledger: |  d1\.0 web +cpu_us=\d+ ", "key c per-vCPU line"),
       after_keys(r"  GUEST_RIP +0x[0-9a-f]+$|vmcs: none current", "key v VMCS field"),
       NO_ERRORS, MEM_BACK]
    + [c for dom in ("web", "batch") for c in
       [Line(guest_line(dom, "busy: done 20000000$"), f"{dom} done")] + passed(dom)]
    + passed("hello") + DOMAINS_DONE)

DEBUGKEYS_ENDED = (every_key(ENDED)
                   + [CONSOLE_LINE, Count(r"\] audit: ", 1, "audit"),
                      after_keys(r"domains: 1 created, 0 alive$", "domains: 1 created"),
                      Line(r"\] tally: all domains ended$", "all domains ended"),
                      NO_ERRORS, MEM_BACK] + passed("hello") + SERVED_TO_THE_END)


CONSOLE_SCENARIOS = [
    Scenario(
        "debugkeys-novmx", "every debug key under QEMU TCG: no VMX, so no domain, "
        "and each key says why it has nothing to show",
        "qemu", emu.QemuMachine(cpus=1, mem_mib=256), DEBUGKEYS_NOVMX,
        cmdline="", modules=[(Guest("hello"), "name=hello mem=8")],
        keys=[(r"^\[c0\] tally: boot complete$", TYPED)], stop_when=STOP_AT_UNKNOWN),
    Scenario(
        "debugkeys-vmx-nodomain", "every debug key under Bochs with VMX, the only module refused",
        "bochs", bochs_vmx(1), DEBUGKEYS_NODOMAIN, timeout=120, cmdline="",
        modules=[(Blob("junk.bin", 8192, random=True), "name=junk")],
        keys=[(r"^\[c0\] tally: boot complete$", TYPED)], stop_when=STOP_AT_UNKNOWN),
    Scenario(
        "debugkeys-domains", "every debug key and an unknown one typed while guests run",
        "bochs", bochs_vmx(1), DEBUGKEYS_DOMAINS, timeout=120,
        keys=[(guest_line("web", "busy: loops="), TYPED)],
        modules=[busy("web", 8), busy("batch", 16), (Guest("hello"), "name=hello mem=8")]),
    Scenario(
        "debugkeys-ended", "every debug key after all domains ended: the boot CPU still "
        "serves them",
        "bochs", bochs_vmx(1), DEBUGKEYS_ENDED, timeout=120, cmdline="",
        modules=[(Guest("hello"), "name=hello mem=8")],
        keys=[(r"^\[c0\] tally: all domains ended$", TYPED)], stop_when=STOP_AT_UNKNOWN),
]
