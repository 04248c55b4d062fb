# SPDX-License-Identifier: MIT
"""System-test scenarios: how each boots Tally, and what its serial log must show.

A scenario is data: an emulator and machine, a Tally command line, modules,
a time bound, a list of checks and optionally keys to type on COM1.  run.py
boots it and applies the checks to the COM1 text.  Every scenario also gets
the common checks in COMMON_CHECKS: no PANIC or FATAL anywhere, and the
banner; one that runs domains under Bochs also DOMAIN_COMMON_CHECKS: each
CPU's accounting adds up, and the domains' CPU time matches the CPUs' guest
time (see common_checks()).
"""

import dataclasses
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import emu  # noqa: E402  (tools/ is not a package)
from metrics_checks import (ExporterServes, FinalCycles, StreamCpuShare,  # noqa: E402
                           StreamedMetric, StreamIsJson)
from agree_checks import AgentAgrees, CpuIsDomain, PausedAgree, last_agent_metric  # noqa: E402


from checks import *  # noqa: E402,F401,F403  (the check classes and helpers)
from checks import _around, _stats_of  # noqa: E402,F401


# ---------------------------------------------------------------- scenarios

@dataclasses.dataclass
class Blob:
    """A generated module file of @size deterministic bytes (seeded noise if @random)."""
    name: str
    size: int
    random: bool = False


@dataclasses.dataclass
class Guest:
    """A test guest as the module: BUILD/guests/<name>.elf, built by `make guests`."""
    name: str


@dataclasses.dataclass
class Scenario:
    name: str
    doc: str
    emulator: str               # "bochs" or "qemu"
    machine: object             # emu.BochsMachine or emu.QemuMachine
    checks: list
    boot: str = "iso"           # "iso": GRUB ISO, multiboot2; "kernel": QEMU -kernel, multiboot1
    cmdline: str = "exit_when_done"
    modules: list = dataclasses.field(default_factory=list)     # [(Blob or Guest, cmdline)]
    timeout: float = 60
    expect_fatal: bool = False  # a PANIC/FATAL report is the point of the test
    # [(regex, text)]: type text into COM1 once a line matches regex, one step
    # after another (each regex looks only at lines after the previous text).
    keys: list = dataclasses.field(default_factory=list)
    stop_when: str = None       # regex: end the run once it shows (no exit_when_done)


def runs_domains(sc):
    """True if @sc boots a test guest on a machine with VMX (Bochs): Tally then runs domains."""
    return sc.emulator == "bochs" and any(isinstance(m, Guest) for m, _ in sc.modules)


def common_checks(sc):
    """The checks every scenario gets; a fatal report's scenario only needs the banner."""
    if sc.expect_fatal:
        return [BANNER]
    return COMMON_CHECKS + (DOMAIN_COMMON_CHECKS if runs_domains(sc) else [])


BOCHS_IPS = 50_000_000
BOCHS_KHZ = BOCHS_IPS / 1000    # Bochs, sync=none: TSC and LAPIC timer tick once per instruction


def bochs_checks(cpus):
    checks = [MB2, mem_kib(128),
              Line(rf"\[c0\] acpi: rev=\d+ root=\w+ cpus={cpus} ioapics=1\b", f"acpi cpus={cpus}"),
              near(r"\[c0\] timer: tsc_khz=(\d+)", BOCHS_KHZ, 0.01, "tsc_khz"),
              near(r"\[c0\] timer: tsc_khz=\d+ lapic_khz=(\d+)", BOCHS_KHZ, 0.01, "lapic_khz"),
              # Deterministic under Bochs, so held tight; QEMU's depends on host load.
              TickCheck(0.01),
              Count(r"\] smp: cpu\d+ online apic_id=", cpus - 1, "AP online"),
              smp(cpus), BOOT_DONE, EXIT_LINE, BOCHS_EXIT]
    if cpus > 1:
        checks.insert(-4, Line(r"\[c1\] smp: cpu1 online apic_id=\d+", "cpu1 online"))
    return checks


# ---------------------------------------------------------------- domains
# Guest console lines read `[cN] <name> text`; Tally's own domain lines name
# the domain after its id (`domain: dN name ...`).

def exited(dom, value):
    """Tally saw @dom leave through the debug-exit port with @value."""
    return Line(rf"\] domain: d\d+ {re.escape(dom)} exited status={(value << 1) | 1} "
                rf"value={value}$", f"{dom} exited value={value}")


def verdict(dom, word, value):
    """@dom's guest printed its verdict line @word and left with @value."""
    return [Line(guest_line(dom, f"TEST RESULT: {word}$"), f"{dom} {word} verdict"),
            Count(guest_line(dom, "TEST RESULT: "), 1, f"{dom} verdict"),
            exited(dom, value)]


def passed(dom):
    return verdict(dom, "PASS", 0)


# Tally prints %#lx: a zero comes out as plain 0.
HEX = r"(?:0x[0-9a-f]+|0)"


def destroyed(dom, reason):
    """Tally ended @dom for @reason (a regex): no verdict, no normal exit."""
    return [Line(rf"\] WARN: domain: d\d+ {re.escape(dom)} destroyed: {reason} "
                 rf"rip={HEX} qual={HEX}$", f"{dom} destroyed"),
            NoLine(guest_line(dom, "TEST RESULT"), f"{dom} reached a verdict"),
            NoLine(rf"\] domain: d\d+ {re.escape(dom)} exited", f"{dom} exited by itself")]


def audit_ok(domains):
    return Line(rf"\[c0\] audit: domains={domains} ranges=\d+ result=ok$",
                f"audit ok with domains={domains}")


VMX_CMDLINE = "exit_when_done audit"
VMX_CAPS = Line(r"\[c0\] vmx: revision=0x[0-9a-f]+ ept_1g=\d vpid=\d .*\bpin=0x[0-9a-f]+ "
                r"proc=0x[0-9a-f]+ proc2=0x[0-9a-f]+ exit=0x[0-9a-f]+ entry=0x[0-9a-f]+$",
                "vmx capabilities")
# Once every domain has ended, from whichever CPU saw the last one go.
DOMAINS_DONE = [Line(r"\] tally: all domains ended$", "all domains ended"),
                Line(r"\] tally: exit code=0$", "exit"), BOCHS_EXIT]
# Every domain's RAM, EPT and VMCS pages came back.  One CPU only: on more,
# the other CPUs' VMXON pages are taken after the "before" line.
MEM_BACK = SameNumber(r"\] mem: free_kib=(\d+) before domains$",
                      r"\] mem: free_kib=(\d+) after all domains ended$",
                      "free memory before domains and after they all ended")
NO_ERRORS = NoLine(r"\] ERROR: ", "unexpected error")

# Short runs: each 1-CPU Bochs scenario executes a few hundred million instructions.
FILLER = (Guest("memfill"), "name=filler mem=32 spin=2000000")
PROBER = (Guest("memprobe"), "name=prober mem=16")
BUSY = (Guest("busy"), "name=busy mem=8 loops=2000000 report=1000000")
HELLO = (Guest("hello"), "name=hello mem=16")

GUEST_CHECKS = {
    "hello": [Line(guest_line("hello", "hello from hello$"), "hello greeting")] + passed("hello"),
    "cpuid": passed("cpuid")
    + [NoLine(guest_line("cpuid", "cpuid: FAIL"), "cpuid check failed"),
       Line(guest_line("cpuid", r"cpuid: ok: unclaimed port 0x3000 reads 0xff "),
            "cpuid unclaimed-port check"),
       Line(guest_line("cpuid", r"cpuid: ok: VMCALL 0x7a11 returns -ENOSYS "
                       r"\(eax=0xffffffda\)$"), "cpuid unknown-VMCALL check"),
       # Its inb, inl and outb of the unclaimed ports, counted by Tally.
       Line(r"\] domain: d\d+ cpuid unclaimed_port_accesses=3 console_lines_dropped=0$",
            "cpuid's unclaimed port count")],
    "filler": [Line(guest_line("filler", r"memfill: all \d+ pages intact$"), "filler intact")]
    + passed("filler"),
    # The first page past 16 MiB of RAM: Tally stops the read itself.
    "prober": destroyed("prober", r"EPT violation: read at gpa=0x1000000 "
                        r"\(outside its RAM of 16 MiB\)")
    + [NoLine(guest_line("prober", "memprobe: .*survived"), "prober survived its probe")],
    "triple": destroyed("triple", "triple fault")
    + [NoLine(guest_line("triple", "triple: still running"), "triple kept running")],
    "busy": [Line(guest_line("busy", "busy: done 2000000$"), "busy done")] + passed("busy"),
}


def guest_checks(*names):
    return [c for n in names for c in GUEST_CHECKS[n]]


# On one CPU, another domain's output between filler's fill and its check
# shows the slices interleave (filling 32 MiB takes many 10 ms slices).
TIME_SHARED = Between(guest_line("filler", "memfill: filling "),
                      r"^\[c\d+\] <(?!filler>)[^>]+> ",
                      guest_line("filler", r"memfill: all \d+ pages intact"),
                      "other domain's output while filler ran")

# Module N below is its index on the GRUB menu entry, as Tally's errors name it.
BAD_MODULES = [
    (Blob("junk.bin", 8192, random=True), "name=junk"),
    (Guest("hello"), "name=huge mem=4096"),
    (Guest("hello"), "name=badmem mem=0"),
    (Guest("hello"), "name=badpin pcpu=7"),
    (Guest("hello"), "name=a/b"),
    (Guest("hello"), "name=ok mem=8"),
]
BAD_MODULE_CHECKS = [
    Line(r"\[c0\] ERROR: junk: multiboot kernel refused: no multiboot header.* \(0x[0-9a-f]+\)$",
         "junk refused"),
    Line(r"\[c0\] ERROR: domain huge: needs 4096 MiB but only \d+ MiB are free; not created$",
         "huge too big"),
    Line(r"\[c0\] ERROR: domain: module 2: bad mem='0' \(expected 1 to 65536\); not created$",
         "badmem mem=0"),
    Line(r"\[c0\] ERROR: domain badpin: pcpu=7 is not an online CPU; not created$",
         "badpin pcpu=7"),
    Line(r"\[c0\] ERROR: domain: module 4: bad name='a/b' \(.*\); not created$", "bad name"),
    Count(r"\] domain: d\d+ \S+ created ", 1, "domain created"),
    Line(r"\[c0\] domain: d1 ok created mem_mib=8 vcpus=1 pcpu=0 ", "d1 ok created"),
    Line(r"\] domain: d1 ok exited status=1 value=0$", "d1 ok exit"),
    Line(guest_line("ok", "TEST RESULT: PASS$"), "ok PASS verdict"),
    NoLine(r"\] <(junk|huge|badmem|badpin|a/b)> ", "output from a refused module"),
    audit_ok(1)]

# Each verdict and its exit value (status (value << 1) | 1); hello's verdict=
# option asks for the non-PASS ones.
VERDICTS = [("PASS", 0), ("SKIP", 1), ("FAIL", 2), ("ERROR", 3)]


# ---------------------------------------------------------------- debug keys
# Tally reads COM1 on the boot CPU's tick and logs each key's answer from c0.

def after_keys(pattern, what):
    return AfterKeys(rf"^\[c0\] {pattern}", what)


KEY_HELP = [after_keys(r"debug keys:$", "debug keys heading"),
            after_keys(r"  h  list the debug keys$", "key h help"),
            after_keys(r"  a  audit memory ownership ", "key a help"),
            after_keys(r"  d  list the domains$", "key d help")]


def key_audit(domains=r"\d+"):
    """The audit's line came after the keys; with no `audit` option, only `a` runs one."""
    return [after_keys(rf"audit: domains={domains} ranges=\d+ result=ok$", "audit"),
            Count(r"\] audit: ", 1, "audit")]


def busy(dom, mib):
    """A busy guest running long enough (a few seconds) for keys to find it alive."""
    return (Guest("busy"), f"name={dom} mem={mib} loops=20000000 report=10000000")


DEBUGKEYS_DOMAINS = (
    KEY_HELP + key_audit()
    + [after_keys(r"domains: 3 created, \d+ alive$", "domains: 3 created"),
       after_keys(r"  d1 web +(?:running|dead) +mem_mib=8 vcpus=1 ram=0x[0-9a-f]+ "
                  r"unclaimed_io=0$", "d1 web listed"),
       after_keys(r"debug key 'x' unknown; 'h' lists them$", "unknown key x"),
       # c, t, r, v, m: accounting, the table, run queues, a VMCS, the memory map.
       after_keys(r"cpu: cpu0 accounted_cycles=\d+ ", "key c accounting"),
       after_keys(r"  ledger: |  d1\.0 web +cpu_us=\d+ ", "key c per-vCPU line"),
       after_keys(r"top: d1  web +(?:running|dead) +1 +\d+\.\d ", "key t table row"),
       after_keys(r"runq cpu0: current ", "key r run queue"),
       after_keys(r"vmcs: d\d+ \w+ vCPU 0 \(current on cpu0\):$|vmcs: none current", "key v"),
       after_keys(r"  GUEST_RIP +0x[0-9a-f]+$", "key v VMCS field"),
       after_keys(r"mem: map \(cleaned\), free_kib=\d+:$", "key m memory map"),
       NO_ERRORS, MEM_BACK]
    + [c for dom in ("web", "batch") for c in
       [Line(guest_line(dom, "busy: done 20000000$"), f"{dom} done")] + passed(dom)]
    + passed("hello") + DOMAINS_DONE)


# ---------------------------------------------------------------- VM-entry failures
# crash_test=guest_state|vm_control breaks d1's first VM entry; d2 runs on.

ENTRY_MODULES = [(Guest("hello"), "name=broken mem=8"), (Guest("hello"), "name=fine mem=8")]
ENTRY_COMMON = (passed("fine")
                + [Line(r"\] domain: d2 fine exited status=1 value=0$", "d2 fine exited"),
                   NoLine(guest_line("broken", ""), "output from broken"), MEM_BACK]
                + DOMAINS_DONE)
GUEST_STATE_HEAD = (r"\[c0\] ERROR: d1 broken: VM entry failed "
                    r"\(VM-entry failure: invalid guest state\); guest state:$")
GUEST_STATE_END = r"\] WARN: domain: d1 broken destroyed: "
ENTRY_GUEST_STATE = (
    [Line(GUEST_STATE_HEAD, "guest-state failure heading"),
     # The dump names each field; RFLAGS 0 (bit 1 clear) is what broke the entry.
     Between(GUEST_STATE_HEAD, r"\] ERROR:   GUEST_RFLAGS +0$", GUEST_STATE_END,
             "GUEST_RFLAGS 0 in the dump"),
     Between(GUEST_STATE_HEAD, r"\] ERROR:   GUEST_CR0 +0x[0-9a-f]+$", GUEST_STATE_END,
             "GUEST_CR0 in the dump")]
    + destroyed("broken", r"VM-entry failure: invalid guest state") + ENTRY_COMMON)
ENTRY_VM_CONTROL = (
    [Line(r"\] ERROR:   GUEST_RIP +0x[0-9a-f]+$", "guest-state dump")]
    + destroyed("broken", r"VM entry failed: VM entry with invalid control field\(s\)")
    + ENTRY_COMMON)


# ---------------------------------------------------------------- scheduling
# Guests that measure what the scheduler gives them (tests/guests/README.md).

def spin(dom, ms, pin=None):
    """A spin guest busy for @ms of its TSC time (pinned to CPU @pin if given)."""
    return (Guest("spin"), f"name={dom} mem=8 duration_ms={ms}"
            + ("" if pin is None else f" pcpu={pin}"))


def spin_done(dom):
    return ([Line(guest_line(dom, r"spin: iterations=\d+ duration_ms=\d+$"), f"{dom} spin line")]
            + passed(dom))


SPIN_ITERATIONS = r"spin: iterations=(\d+) "
SHARE_SPINS = ("spin1", "spin2", "spin3")
# Three CPU-bound guests on one CPU get a third each, and spin's iterations
# (uniform work) follow the cycles Tally says each got.
SCHED_SHARE = (fair_shares(SHARE_SPINS, 0.02)
               + [WorkFollowsCpu(SHARE_SPINS, SPIN_ITERATIONS, 0.02), NO_ERRORS, MEM_BACK]
               + [c for dom in SHARE_SPINS for c in spin_done(dom)] + DOMAINS_DONE)

# halter works 500 us and sleeps 9500 us a round: a small share, and what it
# leaves is split evenly between the two spins.
HALTER_ROUNDS, HALTER_SLEEP_US = 40, 9500
SLICE_US = 10_000               # Tally's default sched_slice_ms=10
HALTER = (Guest("halter"), f"name=halter mem=8 rounds={HALTER_ROUNDS} work_us=500 "
          f"sleep_us={HALTER_SLEEP_US}")
HALTER_SPINS = ("spin1", "spin2")
HALTER_DOMS = ("halter",) + HALTER_SPINS
HALTER_SLEPT = guest_line("halter", rf"halter: rounds={HALTER_ROUNDS} work_iterations=\d+ "
                          r"slept_us=(\d+)$")
SCHED_HALTER = (
    [DomainShare("halter", HALTER_DOMS, 0, 0.10)]
    + [share_near(dom, HALTER_SPINS, 0.5, 0.05) for dom in HALTER_SPINS]
    + [DomainStat("halter", "halts", HALTER_ROUNDS), DomainStat("halter", "wakeups", HALTER_ROUNDS),
       # The donation ledger: halter gives, the spins take (no more than was given).
       DomainStat("halter", "donated_us", 1), DonationsReceived("halter", HALTER_SPINS)]
    # Each sleep ends on time or, with the spins around, at most two slices late.
    + [Number(HALTER_SLEPT, HALTER_ROUNDS * HALTER_SLEEP_US,
              HALTER_ROUNDS * (HALTER_SLEEP_US + 2 * SLICE_US), "halter slept_us"),
       NO_ERRORS, MEM_BACK]
    + passed("halter") + [c for dom in HALTER_SPINS for c in spin_done(dom)] + DOMAINS_DONE)

# sleeper's defaults: each mode 10 wake-ups 2 ms apart; the verdict fails if a
# mode's wake-up count or its elapsed time (10 % plus one period) is off.
SLEEPER_MODES = ("oneshot", "periodic", "deadline")
SCHED_SLEEPER = (
    [Line(guest_line("sleeper", rf"sleeper: mode={mode} wakeups=(\d+) expected=\1 "
                     r"elapsed_us=\d+ expected_us=\d+$"), f"sleeper {mode} wake-ups")
     for mode in SLEEPER_MODES]
    + passed("sleeper") + spin_done("spin") + [NO_ERRORS, MEM_BACK] + DOMAINS_DONE)


def smp_checks(cpu1_on):
    """smp's vCPU 1 came online, printing from Tally's CPU @cpu1_on; every IPI was answered."""
    return ([Line(rf"^\[c{cpu1_on}\] <smp> smp: cpu1 online apic_id=1$",
                  f"cpu1 online on c{cpu1_on}"),
             Line(guest_line("smp", r"smp: ipis sent=(\d+) received=\1 answered=\1$"),
                  "smp IPI counts")]
            + passed("smp") + [NO_ERRORS] + DOMAINS_DONE)


XSTATE_SEEDS = (1, 2, 3)
SCHED_XSTATE = ([c for seed in XSTATE_SEEDS for c in
                 [Line(guest_line(f"xstate{seed}", r"xstate: ymm0-7 intact over 20 rounds$"),
                       f"xstate{seed} intact")] + passed(f"xstate{seed}")]
                + [NO_ERRORS, MEM_BACK] + DOMAINS_DONE)


# The hypercall guest calls each call a domain may make, well and badly;
# every check is one `hypercall: ok:` line, and Tally keeps the metric.
HYPERCALL_CHECKS = ("ABI_VERSION: 0x10001", "DOMAIN_INFO: result 72, name 'hc'",
                    "DOMAIN_INFO with a short length: -22", "straddling the top of RAM: -14",
                    "DOMAIN_COUNTERS twice: generation", "PUBLISH_METRIC mem_used",
                    "CONSOLE_WRITE: 36", "YIELD: 0", "unknown hypercall 0x777: -38",
                    "DOMAIN_LIST from an ordinary domain: -1", "named 'bad name': -22",
                    "CONSOLE_WRITE from beyond RAM: -14", "VCPU_COUNTERS of itself: 1 vCPU",
                    "VCPU_COUNTERS of another domain: -1",
                    "CPU_COUNTERS from an ordinary domain: -1",
                    "DOMAIN_INFO from user mode (CPL 3): -13 (-EACCES), nothing written",
                    "ABI_VERSION from user mode: -13")
HYPERCALLS = ([Line(guest_line("hc", "hypercall: ok: .*" + re.escape(text)), text)
               for text in HYPERCALL_CHECKS]
              + [NoLine(guest_line("hc", "hypercall: FAIL"), "failed hypercall check"),
                 Line(guest_line("hc", "hello through the console hypercall$"),
                      "console hypercall text"),
                 Line(r"\] domain: d1 hc guest-reported metric mem_used=123456 unit=1$",
                      "published metric"),
                 NO_ERRORS, MEM_BACK] + passed("hc") + DOMAINS_DONE)


# The control domain lists every domain with its counters through
# hypercalls and ends the victim; ordinary domains may not (hypercall-basic).
CONTROL = ([Line(guest_line("control", r"control: ok: DOMAIN_LIST: 4 domains$"), "list of 4"),
            Line(guest_line("control", r"control: d1 control vcpus=1 mem_mib=8 flags=0x1 "),
                 "control flag on itself"),
            Line(guest_line("control", r"control: d2 victim vcpus=1 mem_mib=8 flags=0x0 "
                            r"cpu_us=[1-9]\d* exits=[1-9]\d* \(736\)$"), "victim's counters"),
            Line(guest_line("control", r"control: d3 hello vcpus=1 mem_mib=8 flags=0x4 "),
                 "hello listed as ended"),
            Line(guest_line("control", r"control: ok: DOMAIN_DESTROY of itself: -22"), "self"),
            Line(guest_line("control", r"control: ok: DOMAIN_DESTROY of d999: -2"), "no such"),
            Line(guest_line("control", r"control: ok: DOMAIN_DESTROY of victim: 0$"), "destroy"),
            Line(r"\] WARN: domain: d2 victim destroyed by the control domain d1 control$",
                 "victim destroyed"),
            Line(guest_line("control", r"control: ok: DOMAIN_PAUSE of victim ended: -2"),
                 "pause of the ended victim"),
            Line(guest_line("control", r"control: d2 victim vcpus=1 mem_mib=8 flags=0x4 "),
                 "a second look (watch_rounds=1) lists the victim ended"),
            Line(guest_line("control", r"control: d4 held vcpus=1 mem_mib=8 flags=0x2 "),
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


# The issue-5 whole: a control domain and three guests (the agent, a busy
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
         + [Line(guest_line("control", rf"control: d{i} {dom} vcpus=1 "), f"{dom} listed")
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


def bochs_vmx(cpus):
    return emu.BochsMachine(cpus=cpus, megs=256, ips=BOCHS_IPS)


SCENARIOS = [
    Scenario(
        "bochs-1cpu", "GRUB ISO under Bochs, 1 CPU, 128 MiB, 50M ips, sync=none",
        "bochs", emu.BochsMachine(cpus=1, megs=128, ips=BOCHS_IPS),
        bochs_checks(1), timeout=60),
    Scenario(
        "bochs-2cpu", "GRUB ISO under Bochs, 2 CPUs: the AP comes up",
        "bochs", emu.BochsMachine(cpus=2, megs=128, ips=BOCHS_IPS),
        bochs_checks(2), timeout=180),
    Scenario(
        "qemu-bios", "GRUB ISO under QEMU TCG with SeaBIOS, 2 CPUs, 256 MiB",
        "qemu", emu.QemuMachine(cpus=2, mem_mib=256),
        [MB2, mem_kib(256), smp(2),
         Line(r"\[c1\] smp: cpu1 online apic_id=\d+", "cpu1 online"),
         # QEMU's APIC timer runs at 1 GHz whatever the TSC does.  TCG's virtual
         # clock follows the host's, so a 50 ms calibration round misreads it by
         # however long the host kept QEMU off the CPU (8 % seen under load 6).
         near(r"\[c0\] timer: tsc_khz=\d+ lapic_khz=(\d+)", 1_000_000, 0.15, "lapic_khz"),
         Number(r"\[c0\] timer: tsc_khz=(\d+)", 1, float("inf"), "tsc_khz"),
         BOOT_DONE, EXIT_LINE, QEMU_EXIT]),
    Scenario(
        "qemu-uefi", "GRUB ISO under QEMU TCG with OVMF (UEFI), 2 CPUs",
        "qemu", emu.QemuMachine(cpus=2, mem_mib=256, uefi=True),
        [MB2, Line(r"\[c0\] acpi: rev=2 root=xsdt cpus=2 ", "acpi xsdt cpus=2"), smp(2),
         BOOT_DONE, EXIT_LINE, QEMU_EXIT], timeout=90),
    Scenario(
        "qemu-mb1", "QEMU -kernel (multiboot v1) with one -initrd module",
        "qemu", emu.QemuMachine(cpus=1, mem_mib=256),
        [Line(r"\[c0\] boot: protocol=multiboot1 ", "multiboot1 boot"),
         Line(r'\[c0\] boot: module 0 (?:at \S+ )?size=12345 cmdline="[^"]*arg1 arg2"',
              "module 0"),
         Count(r"\[c0\] boot: module \d+ ", 1, "module"),
         mem_kib(256), smp(1), EXIT_LINE, QEMU_EXIT],
        boot="kernel", modules=[(Blob("mod0.bin", 12345), "arg1 arg2")]),
    Scenario(
        "qemu-noacpi", "QEMU -machine acpi=off, 2 CPUs: no ACPI tables, so one CPU",
        "qemu", emu.QemuMachine(cpus=2, mem_mib=256, acpi=False),
        [Line(r"\[c0\] WARN: acpi: ", "acpi warning"), smp(1, 1),
         BOOT_DONE, EXIT_LINE, QEMU_EXIT]),
    Scenario(
        "bad-cmdline", "unknown and malformed options are warned about, not fatal",
        "qemu", emu.QemuMachine(cpus=1, mem_mib=128),
        [Line(r"\[c0\] WARN: .*loglevel", "loglevel warning"),
         Line(r"\[c0\] WARN: .*bogus_opt", "bogus_opt warning"),
         Line(r"\[c0\] WARN: .*console", "console warning"),
         BOOT_DONE, EXIT_LINE, QEMU_EXIT],
        cmdline="exit_when_done loglevel=banana bogus_opt=1 console=com9"),
    Scenario(
        "console-com2", "console=com2 moves the console after the banner",
        "bochs", emu.BochsMachine(cpus=1, megs=128, ips=BOCHS_IPS, com2=True),
        [Com2Line(r"\[c0\] mem: ram_kib=\d+", "mem"),
         Com2Line(r"\[c0\] tally: exit code=0", "exit"),
         NoLine(r"mem: ram_kib", "COM1 output after the switch"), BOCHS_EXIT],
        cmdline="exit_when_done console=com2"),
    Scenario(
        "crash-null", "a NULL dereference inside Tally: #PF report with CR2=0, CPUs stopped",
        "qemu", emu.QemuMachine(cpus=2, mem_mib=128),
        fatal_report(r"\[c0\] ERROR: FATAL: exception #PF page fault \(vector 14\)",
                     r"\[c0\] ERROR:   at 0x[0-9a-f]{16} boot_main\+0x[0-9a-f]+")
        + [Line(r"cr2=0x0000000000000000", "CR2 of the NULL access")],
        cmdline="exit_when_done crash_test=null", expect_fatal=True),
    Scenario(
        "crash-ud", "an invalid opcode inside Tally: #UD report",
        "qemu", emu.QemuMachine(cpus=1, mem_mib=128),
        fatal_report(r"\[c0\] ERROR: FATAL: exception #UD invalid opcode \(vector 6\)",
                     r"\[c0\] ERROR:   at 0x[0-9a-f]{16} boot_main\+0x[0-9a-f]+"),
        cmdline="exit_when_done crash_test=ud", expect_fatal=True),
    Scenario(
        "crash-panic", "panic(): message, registers, backtrace through panic() to its caller",
        "qemu", emu.QemuMachine(cpus=2, mem_mib=128),
        fatal_report(r"\[c0\] ERROR: PANIC: crash test requested on the command line",
                     r"\[c0\] ERROR:   by 0x[0-9a-f]{16} boot_main\+0x[0-9a-f]+"),
        cmdline="exit_when_done crash_test=panic", expect_fatal=True),
    Scenario(
        "vmx-domains-1cpu", "six guests time-share one CPU; two of them are killed",
        "bochs", bochs_vmx(1),
        [VMX_CAPS, audit_ok(6), NO_ERRORS, TIME_SHARED, MEM_BACK]
        + guest_checks("hello", "cpuid", "filler", "prober", "triple", "busy") + DOMAINS_DONE,
        cmdline=VMX_CMDLINE, timeout=120,
        modules=[HELLO, (Guest("cpuid"), "name=cpuid mem=8"), FILLER, PROBER,
                 (Guest("triple"), "name=triple mem=4"), BUSY]),
    Scenario(
        "vmx-domains-2cpu", "four guests spread over two CPUs",
        "bochs", bochs_vmx(2),
        [VMX_CAPS, audit_ok(4), NO_ERRORS,
         Line(r"\[c0\] domain: d\d+ \S+ created .* pcpu=0 ", "domain on pcpu=0"),
         Line(r"\[c0\] domain: d\d+ \S+ created .* pcpu=1 ", "domain on pcpu=1"),
         Line(r"^\[c0\] <[^>]+> ", "guest output on c0"),
         Line(r"^\[c1\] <[^>]+> ", "guest output on c1"), OnPlacedCpu()]
        + guest_checks("hello", "filler", "prober", "busy") + DOMAINS_DONE,
        cmdline=VMX_CMDLINE, timeout=300, modules=[HELLO, FILLER, PROBER, BUSY]),
    Scenario(
        "vmx-bad-modules", "bad modules are refused one by one; the good one still runs",
        "bochs", bochs_vmx(1), BAD_MODULE_CHECKS + [MEM_BACK] + DOMAINS_DONE,
        cmdline=VMX_CMDLINE, timeout=120, modules=BAD_MODULES),
    Scenario(
        "vmx-guest-exit-codes", "each guest verdict's exit value is reported",
        "bochs", bochs_vmx(1),
        [audit_ok(len(VERDICTS)), NO_ERRORS, MEM_BACK]
        + [c for word, value in VERDICTS for c in verdict(word.lower(), word, value)]
        + DOMAINS_DONE,
        cmdline=VMX_CMDLINE, timeout=120,
        modules=[(Guest("hello"), f"name={word.lower()} mem=4"
                  + ("" if value == 0 else f" verdict={word.lower()}"))
                 for word, value in VERDICTS]),
    Scenario(
        "qemu-novmx", "QEMU TCG has no VMX: one warning, no domains, clean exit",
        "qemu", emu.QemuMachine(cpus=1, mem_mib=256),
        [MB2, Count(r"\] WARN: vmx: this CPU has no VMX \(CPUID\.1:ECX\.VMX=0\): "
                    r"Tally cannot run guests$", 1, "no-VMX warning"),
         NoLine(r"\] domain: ", "domain line"), NoLine(r"\] <hello> ", "guest output"),
         EXIT_LINE, QEMU_EXIT],
        cmdline=VMX_CMDLINE, modules=[HELLO]),
    Scenario(
        "vmx-entry-guest-state", "d1's first entry has invalid guest state: dump, d1 ends, d2 runs",
        "bochs", bochs_vmx(1), ENTRY_GUEST_STATE,
        cmdline="exit_when_done crash_test=guest_state", timeout=120, modules=ENTRY_MODULES),
    Scenario(
        "vmx-entry-vm-control", "d1's first entry has a bad control field: d1 ends, d2 runs",
        "bochs", bochs_vmx(1), ENTRY_VM_CONTROL,
        cmdline="exit_when_done crash_test=vm_control", timeout=120, modules=ENTRY_MODULES),
    Scenario(
        "debugkeys-domains", "debug keys h, d, a and an unknown one typed while guests run",
        "bochs", bochs_vmx(1), DEBUGKEYS_DOMAINS, timeout=120,
        keys=[(guest_line("web", "busy: loops="), "hdaxctrvm")],
        modules=[busy("web", 8), busy("batch", 16), (Guest("hello"), "name=hello mem=8")]),
    Scenario(
        "sched-share", "three spins pinned to one CPU, 2 ms slices: a third of the CPU each",
        "bochs", bochs_vmx(1), SCHED_SHARE, timeout=120,
        cmdline="exit_when_done sched_slice_ms=2",
        modules=[spin(dom, 1000, pin=0) for dom in SHARE_SPINS]),
    Scenario(
        "sched-halter", "a mostly halted guest beside two spins: small share, the rest split",
        "bochs", bochs_vmx(1), SCHED_HALTER, timeout=120,
        modules=[HALTER] + [spin(dom, 800) for dom in HALTER_SPINS]),
    Scenario(
        "sched-sleeper", "APIC timer wake-ups on time in all three modes beside a spin",
        "bochs", bochs_vmx(1), SCHED_SLEEPER, timeout=120,
        modules=[(Guest("sleeper"), "name=sleeper mem=8"), spin("spin", 400)]),
    Scenario(
        "sched-smp-1cpu", "a 2-vCPU guest on one CPU: INIT-SIPI and IPIs between its vCPUs",
        "bochs", bochs_vmx(1), smp_checks(0) + [MEM_BACK], timeout=120,
        modules=[(Guest("smp"), "name=smp mem=8 vcpus=2")]),
    Scenario(
        "sched-smp-2cpu", "a 2-vCPU guest on two CPUs: vCPU 1 runs on CPU 1, 50 IPIs",
        "bochs", bochs_vmx(2), smp_checks(1), timeout=300,
        modules=[(Guest("smp"), "name=smp mem=8 vcpus=2 ipis=50")]),
    Scenario(
        "hypercall-pause-2cpu", "the control domain on CPU 1 pauses a busy guest running on "
        "CPU 0: it stops there and then, and its counters read from CPU 1 stand still",
        "bochs", bochs_vmx(2), PAUSE_2CPU, timeout=300,
        modules=[(Guest("control"), "name=control mem=8 role=control pcpu=1 settle=200000 "
                                    "pause_ms=200 storm=busy storm_rounds=100"),
                 (Guest("busy"), "name=busy mem=8 pcpu=0 loops=6000000 report=100000000")]),
    Scenario(
        "sched-xstate", "three AVX guests on one CPU keep their ymm registers across slices",
        "bochs", bochs_vmx(1), SCHED_XSTATE, timeout=120,
        modules=[(Guest("xstate"), f"name=xstate{seed} mem=8 seed={seed} rounds=20")
                 for seed in XSTATE_SEEDS]),
    Scenario(
        "hypercall-control", "the control domain lists the domains with counters and ends one",
        "bochs", bochs_vmx(1), CONTROL, timeout=120,
        modules=[(Guest("control"), "name=control mem=8 role=control victim=victim "
                                    "watch_s=1 watch_rounds=1 hold=held"),
                 (Guest("busy"), "name=victim mem=8 report=100000000"),
                 (Guest("hello"), "name=hello mem=8"),
                 (Guest("busy"), "name=held mem=8 loops=5000000 report=100000000")]),
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
        "metrics-stream", "metrics=com2: counters as JSON lines on COM2, served by tally-metrics",
        "bochs", emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS, com2=True), METRICS_STREAM,
        cmdline="exit_when_done metrics=com2 metrics_interval_ms=100", timeout=120,
        modules=[(Guest("hypercall"), "name=hc mem=8"), spin("spin", 600)]),
    Scenario(
        "hypercall-agree", "a control domain pauses three guests: its view, the console table "
        "and the JSON stream agree",
        "bochs", emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS, com2=True), AGREE,
        cmdline="exit_when_done metrics=com2 metrics_interval_ms=1000 top_interval_s=1",
        timeout=240, modules=AGREE_MODULES),
    Scenario(
        # Without exit_when_done Tally stays up serving keys; the audit line ends the run.
        "debugkeys-novmx", "debug keys h and a under QEMU TCG, with no VMX and no domains",
        "qemu", emu.QemuMachine(cpus=1, mem_mib=256),
        KEY_HELP + key_audit(0)
        + [Count(r"\] WARN: vmx: this CPU has no VMX ", 1, "no-VMX warning"),
           NoLine(r"\] domain: ", "domain line"), NoLine(r"tally: exit code", "exit line"),
           EndedBy("done")],
        cmdline="", keys=[(r"^\[c0\] tally: boot complete$", "ha")],
        stop_when=r"^\[c0\] audit: "),
]
