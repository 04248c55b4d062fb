# SPDX-License-Identifier: MIT
"""What every scenario file shares: the scenario record, module kinds, and the domain helpers.

Split from scenarios.py so that the scenario lists can live in files of a
topic each (scenarios.py, hypercall_scenarios.py) without importing each
other.
"""

import dataclasses
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import emu  # noqa: E402  (tools/ is not a package)
from checks import (BOCHS_EXIT, Count, Line, NoLine, SameNumber,  # noqa: E402
                    exit_line, guest_line)


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
class Built:
    """A module built as a user builds it: each of @commands (a command line as typed, run
    without a shell) in a copy of the repository folder @src; the module is the file @output."""
    src: str
    commands: list
    output: str


@dataclasses.dataclass
class LinuxFile:
    """A file of the Linux guest, fetched and built by tools/linux-guest (cached in
    build/linux): @what is "kernel" (the bzImage), "initrd" (busybox, a shell on the
    console) or "initrd_poweroff" (its /init powers off at once)."""
    what: str


@dataclasses.dataclass
class Scenario:
    name: str
    doc: str
    emulator: str               # "bochs" or "qemu"
    machine: object             # emu.BochsMachine or emu.QemuMachine
    checks: list
    boot: str = "iso"           # "iso": GRUB ISO, multiboot2; "kernel": QEMU -kernel, multiboot1;
                                # "esp" or "esp:FAULT": tools/mkesp disk, Tally's UEFI loader
    cmdline: str = "exit_when_done"
    modules: list = dataclasses.field(default_factory=list)     # [(Blob, Guest or Built, cmdline)]
    timeout: float = 60
    expect_fatal: bool = False  # a PANIC/FATAL report is the point of the test
    # [(regex, text)]: type text into COM1 once a line matches regex, one step
    # after another (each regex looks only at lines after the previous text).
    keys: list = dataclasses.field(default_factory=list)
    stop_when: str = None       # regex: end the run once it shows (no exit_when_done)
    guests_run: bool = True     # False: the machine's CPU is one Tally must refuse


def runs_domains(sc):
    """True if @sc boots a test guest on a machine with VMX (Bochs): Tally then runs domains."""
    return (sc.emulator == "bochs" and sc.guests_run
            and any(isinstance(m, Guest) for m, _ in sc.modules))


BOCHS_IPS = 50_000_000
BOCHS_KHZ = BOCHS_IPS / 1000    # Bochs, sync=none: TSC and LAPIC timer tick once per instruction



def bochs_vmx(cpus):
    return emu.BochsMachine(cpus=cpus, megs=256, ips=BOCHS_IPS)


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


def domains_done(code=0):
    """Every domain ended, and Tally left with exit code @code (a bitmask, checks.EXIT_*).

    Printed by whichever CPU saw the last domain go.
    """
    return [Line(r"\] tally: all domains ended$", "all domains ended"), exit_line(code),
            BOCHS_EXIT]


DOMAINS_DONE = domains_done(0)
# Every domain's RAM, EPT and VMCS pages came back.  One CPU only: on more,
# the other CPUs' VMXON pages are taken after the "before" line.
MEM_BACK = SameNumber(r"\] mem: free_kib=(\d+) before domains$",
                      r"\] mem: free_kib=(\d+) after all domains ended$",
                      "free memory before domains and after they all ended")
NO_ERRORS = NoLine(r"\] ERROR: ", "unexpected error")


def spin(dom, ms, pin=None):
    """A spin guest busy for @ms of its TSC time (pinned to CPU @pin if given)."""
    return (Guest("spin"), f"name={dom} mem=8 duration_ms={ms}"
            + ("" if pin is None else f" pcpu={pin}"))


def spin_done(dom):
    return ([Line(guest_line(dom, r"spin: iterations=\d+ duration_ms=\d+$"), f"{dom} spin line")]
            + passed(dom))
