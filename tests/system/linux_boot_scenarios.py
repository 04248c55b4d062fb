# SPDX-License-Identifier: MIT
"""The Linux boot protocol without Linux: a synthetic bzImage that checks what the loader gave it.

tests/guests/check/bzimage/bzimage.asm is a boot protocol 2.15 setup
header and a 32-bit payload (built here with `nasm -f bin`) that checks
its entry registers and segments, and in the zero page the e820 map, the
command line (the module line after Tally's options and `--`), the
initrd (initrd.txt, a module of its own named by `initrd_of=`, placed
first to show the order does not matter) and the ACPI RSDP; one `ok` line
per check.  The refusal scenario feeds the loader a truncated kernel,
initrds naming no domain or two per domain or too big, an over-long
command line, and a guest that outlives its `max_run_s=`; the restart
scenario resets the machine through 0xCF9 with `on_reboot=restart` until
`max_run_s=` ends it.  Split from scenarios.py, which adds
LINUX_BOOT_SCENARIOS to its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, Built, Blob, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

BZ_DIR = "tests/guests/check/bzimage"
BZ_BUILD = ["nasm -f bin bzimage.asm -o bzimage"]
BZIMAGE = Built(BZ_DIR, BZ_BUILD, "bzimage")
INITRD = Built(BZ_DIR, [], "initrd.txt")
INITRD_BYTES = 73
# The kernel without its protected-mode part: (1 + 1) setup sectors only.
CUT = Built(BZ_DIR, BZ_BUILD + ["cp bzimage cut", "truncate -s 1024 cut"], "cut")
KCMD = "bzcheck=1 console=ttyS0"
# One `ok` line per check in bzimage.asm: 12 on registers and the header,
# 21 on the e820 map, 1 on the command line, 4 on the initrd, 2 on the RSDP.
BZ_OK_LINES = 40
MIB = 1 << 20


@dataclasses.dataclass
class CountAtLeast:
    """At least @n serial lines match @pattern."""
    pattern: str
    n: int
    what: str

    def __call__(self, r):
        hits = [ln for ln in r.serial.splitlines() if re.search(self.pattern, ln)]
        if len(hits) >= self.n:
            return None
        return f"{len(hits)} {self.what} lines, expected {self.n} or more", tail(r.serial)


@dataclasses.dataclass
class SameCount:
    """As many serial lines match @first as match @second (and at least one)."""
    first: str
    second: str
    what: str

    def __call__(self, r):
        lines = r.serial.splitlines()
        a = sum(1 for ln in lines if re.search(self.first, ln))
        b = sum(1 for ln in lines if re.search(self.second, ln))
        if a == b and a:
            return None
        return f"{self.what}: {a} against {b}", tail(r.serial)


def bz_checks(dom, boots=1):
    """@dom's bzimage printed every ok line @boots times, and no FAIL."""
    return [Count(guest_line(dom, "bzimage: ok: "), BZ_OK_LINES * boots,
                  f"{dom}: {BZ_OK_LINES} checks per boot"),
            NoLine(guest_line(dom, "bzimage: FAIL"), f"{dom}: a failed check")]


BOOT_PROTO_CHECKS = (
    [Line(rf"\] domain: d1 bz bzImage protocol=2\.15 kernel=0x100000 size=\d+ "
          rf"initrd=0x7ff000 size={INITRD_BYTES} cmdline=\"{KCMD}\"$",
          "the loader's line: protocol, kernel at 1 MiB, initrd in the top page"),
     Line(r"\] domain: d1 bz created mem_mib=8 vcpus=1 pcpu=0 entry=0x100000 ",
          "bz created with its entry at 1 MiB"),
     Line(guest_line("bz", "bzimage: ok: command line is "), "the command line check"),
     audit_ok(2), NO_ERRORS, MEM_BACK]
    + bz_checks("bz") + passed("bz") + passed("hello") + DOMAINS_DONE)

REFUSAL_CHECKS = (
    [Line(r"\[c0\] ERROR: module 0 \(cut\): Linux kernel refused: no protected-mode kernel "
          r"after the setup sectors \(0x400\)$", "truncated bzImage refused"),
     Line(r"\[c0\] ERROR: module 1: initrd_of=nobody names no domain; refused$",
          "an initrd naming no domain refused"),
     Line(r"\[c0\] ERROR: module 4 \(two\): two initrds \(modules 2 and 3\) name it; "
          r"not created$", "two initrds for one domain refused"),
     Line(r"\[c0\] ERROR: module 6 \(fat\): Linux kernel refused: initrd does not fit below "
          r"initrd_addr_max \(0x700000\)$", "an initrd too big refused"),
     Line(r"\[c0\] ERROR: module 7 \(long\): Linux kernel refused: command line longer than "
          r"the kernel's cmdline_size \(0x12c\)$", "an over-long command line refused"),
     Count(r"\] ERROR: ", 5, "one error line per refusal"),
     Line(r"\] WARN: domain: d1 hang ended: max_run_s time is up$", "hang ended at max_run_s"),
     NoLine(guest_line("hang", "TEST RESULT"), "hang reached a verdict"),
     Line(r"\] domain: d1 hang cpu_us=(?:9\d\d\d\d\d|1[0-2]\d\d\d\d\d) ",
          "hang ran about one second (0.9 to 1.3 s) of CPU"),
     audit_ok(2), MEM_BACK]
    + passed("hello") + domains_done(EXIT_REFUSED | EXIT_TIMED_OUT))

REBOOTED = r"\] domain: d1 bz rebooted \(reset register\); restarting from its modules$"
RESTART_CHECKS = (
    [CountAtLeast(REBOOTED, 3, "resets in the second before max_run_s"),
     SameCount(REBOOTED, r"\] domain: d1 bz restarted \(\d+ restarts\)$",
               "restarts against resets"),
     # Each boot checks its zero page again: every one but the last ran to its reset.
     CountAtLeast(guest_line("bz", "bzimage: ok: "), 3 * BZ_OK_LINES, "ok lines over the boots"),
     NoLine(guest_line("bz", "bzimage: FAIL"), "bz: a failed check"),
     Line(r"\] WARN: domain: d1 bz ended: max_run_s time is up$", "ended at max_run_s"),
     NoLine(r"\] domain: d\d+ bz exited", "bz left through the debug-exit port"),
     NoLine(r"\] domain: d[2-9] bz ", "a new domain id for the restart"),
     NO_ERRORS]
    + passed("hello") + domains_done(EXIT_TIMED_OUT))

LINUX_BOOT_SCENARIOS = [
    Scenario(
        "linux-boot-proto", "a synthetic bzImage checks its entry state, e820 map, command "
        "line, initrd (a module of its own, given first) and RSDP; a multiboot guest beside it",
        "bochs", bochs_vmx(1), BOOT_PROTO_CHECKS, timeout=120, cmdline=VMX_CMDLINE,
        modules=[(INITRD, "initrd_of=bz"), (BZIMAGE, f"name=bz mem=8 -- {KCMD}"),
                 (Guest("hello"), "name=hello mem=8")]),
    Scenario(
        "linux-boot-refusals", "a truncated bzImage, initrds naming no domain, two for one "
        "domain or too big, a command line over cmdline_size: one line each; a guest past "
        "max_run_s=1 is ended (exit code 17)",
        "bochs", bochs_vmx(1), REFUSAL_CHECKS, timeout=120, cmdline=VMX_CMDLINE,
        modules=[(CUT, "name=cut mem=8 -- x"),
                 (INITRD, "initrd_of=nobody"),
                 (INITRD, "initrd_of=two"), (INITRD, "initrd_of=two"),
                 (BZIMAGE, f"name=two mem=8 -- {KCMD}"),
                 (Blob("big", 7 * MIB), "initrd_of=fat"),
                 (BZIMAGE, f"name=fat mem=8 -- {KCMD}"),
                 (BZIMAGE, "name=long mem=8 -- " + "x" * 300),
                 (Guest("spin"), "name=hang mem=8 duration_ms=600000 max_run_s=1"),
                 (Guest("hello"), "name=hello mem=8")]),
    Scenario(
        "linux-boot-restart", "a bzImage that resets through 0xCF9 with on_reboot=restart is "
        "rebuilt from its modules again and again, same id and name, until max_run_s=1",
        "bochs", bochs_vmx(1), RESTART_CHECKS + [MEM_BACK], timeout=120, cmdline=VMX_CMDLINE,
        modules=[(BZIMAGE, f"name=bz mem=8 on_reboot=restart max_run_s=1 -- {KCMD} reset"),
                 (INITRD, "initrd_of=bz"),
                 (Guest("hello"), "name=hello mem=8")]),
    Scenario(
        "linux-boot-restart-2cpu", "the same with 2 vCPUs on 2 CPUs: the waiting vCPU 1 is "
        "released on CPU 1 before each rebuild",
        # Not MEM_BACK: CPU 1's VMXON page is taken after the "before" line.
        "bochs", bochs_vmx(2), RESTART_CHECKS, timeout=300, cmdline=VMX_CMDLINE,
        modules=[(BZIMAGE, f"name=bz mem=8 vcpus=2 on_reboot=restart max_run_s=1 -- {KCMD} reset"),
                 (INITRD, "initrd_of=bz"),
                 (Guest("hello"), "name=hello mem=8 pcpu=1")]),
]
