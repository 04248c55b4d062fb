# SPDX-License-Identifier: MIT
"""Debian's cloud kernel as a domain: boots to a shell that the test types into, then powers off.

The kernel and initramfs come from tools/linux-guest (Debian packages,
cached in build/linux, fetched on first use: never skipped).  The shell
scenario boots Linux with 2 vCPUs beside a spin guest, waits for the
marker /etc/profile prints before the first prompt, moves the console's
input focus to the Linux domain (Ctrl-A three times) and types commands;
each answer is checked against what Tally configured or measured.  The
bare-Bochs baseline of the same kernel and initramfs (linux_bench.py)
gave, on 1 CPU and 128 MiB: MemTotal 94,864 kB, no call trace with this
command line (one, an XSAVE size warning, without clearcpuid=avx512f).
"""

import dataclasses
import re

from checks import InOrder, Line, Number, tail  # noqa: F401
from scenario_base import (LinuxFile, NO_ERRORS, Scenario, bochs_vmx, domains_done,
                           guest_line, spin, spin_done)
import linux_bench

CMDLINE = linux_bench.TOOL.CMDLINE
MARKER = linux_bench.TOOL.INIT_MARKER
LINUX_MEM_MIB = 128
LINUX_MEM_KB = LINUX_MEM_MIB * 1024
# What the kernel keeps for itself out of mem=: its image, page structs, per-CPU
# areas.  Measured bare (1 CPU, 128 MiB machine): 131,072 - 94,864 = 36,208 kB;
# 2 vCPUs add per-CPU areas, so allow 48 MiB, and nothing above mem=.
KERNEL_RESERVED_MAX_KB = 48 * 1024
# Linux's TSC rate (dmesg) against Tally's measured one: CPUID 0x15 gives it in Hz,
# 0x16 in whole MHz, so within 0.1 %.
TSC_TOLERANCE = 0.001
# The domain's CPU use: at least one second of guest time (bare Bochs: ~10 s of
# virtual time from Linux's first instruction to S5), and a bound that a run
# within the scenario's time limit cannot exceed.
LINUX_CPU_US = (1_000_000, 600_000_000)


def linux(text):
    """A pattern for a line @text (regex) of the Linux domain's console."""
    return guest_line("linux", text)


def prompt(command):
    """The echo of @command on the shell prompt's console line (Tally shows the open
    prompt and continues it with the echo).  Keys typed before the prompt came (the
    steps type once the last answer is seen) are echoed by the tty before it, and ash
    redraws them after it: so anything may precede the prompt on that line."""
    return linux(r".*~ # " + re.escape(command) + "$")


@dataclasses.dataclass
class TscRate:
    """Linux's TSC rate from dmesg (`tsc: Detected X MHz TSC|processor`) is Tally's tsc_khz."""
    tolerance: float

    def __call__(self, r):
        tally = re.search(r"\] timer: tsc_khz=(\d+)", r.serial)
        rates = re.findall(linux(r"\[\s*[\d.]+\] tsc: Detected (\d+)\.(\d{3}) MHz (TSC|processor)"),
                           r.serial, re.MULTILINE)
        if not tally or not rates:
            return "no Tally tsc_khz line or no `tsc: Detected` line from Linux", tail(r.serial)
        # Linux prints the TSC line only when it differs from the processor's rate.
        mhz, frac, _ = next((x for x in rates if x[2] == "TSC"), rates[0])
        khz, want = int(mhz) * 1000 + int(frac), int(tally.group(1))
        if abs(khz - want) <= want * self.tolerance:
            return None
        return f"Linux's TSC rate {khz} kHz, Tally measured {want} kHz", tail(r.serial)


PROMPT_THEN_NPROC = (r"(?:^\[c\d+\] <linux> ~ # nproc$|^\[c\d+\] <linux> ~ # \n(?:.*\n)*?"
                     r"\[c\d+\] <linux>\+ nproc$)")

SHOW_WARNINGS = "dmesg | grep -A2 'cut here'"
COUNT_TRACES = "dmesg | grep -c 'Call Trace'"
# PCI (drivers/vdev/vpci.c): Linux finds configuration mechanism #1, no "PCI: Fatal".
SHOW_PCI = "dmesg | grep 'PCI: '"
COUNT_PCI_FATAL = "dmesg | grep -c 'PCI: Fatal'"

# CPU hotplug: Linux parks vCPU 1 (it halts for good), then wakes it with INIT
# and start-up IPIs (vcpu_apic.c takes an INIT on a running vCPU).
CPU1_ONLINE = "/sys/devices/system/cpu/cpu1/online"
HOTPLUG = (f"echo 0 > {CPU1_ONLINE}; echo offline=$(nproc); "
           f"echo 1 > {CPU1_ONLINE}; echo online=$(nproc)")

@dataclasses.dataclass
class AnswerAfter:
    """The first number-only line of Linux's console after the line @prompt_re is @want."""
    prompt_re: str
    want: int
    what: str

    def __call__(self, r):
        m = re.search(self.prompt_re, r.serial, re.MULTILINE)
        answer = m and re.compile(linux(r"(\d+)$"), re.MULTILINE).search(r.serial, m.end())
        if not answer:
            return f"no answer for {self.what} (/{self.prompt_re}/)", tail(r.serial)
        if int(answer.group(1)) == self.want:
            return None
        return (f"{self.what}: {answer.group(1)}, expected {self.want}",
                r.serial[m.start():answer.end()])


# Each step waits for the answer to the previous command, then types the next.
SHELL_COMMANDS = [
    (linux(re.escape(MARKER) + "$"), "\x01\x01\x01"),
    (r"\] console: input to d\d+ linux\b", "nproc\n"),
    (linux(r"\d+$"), "grep MemTotal /proc/meminfo\n"),
    # The warnings behind any call trace first (for the log), then the count.
    (linux(r"MemTotal:"), f"{SHOW_WARNINGS}; {COUNT_TRACES}\n"),
    (linux(r"\d+$"), "dmesg | grep 'tsc: '\n"),
    (linux(r"\[\s*[\d.]+\] tsc: Detected"), f"{SHOW_PCI}; {COUNT_PCI_FATAL}\n"),
    (linux(r"\d+$"), f"{HOTPLUG}\n"),
    (linux(r"online=\d+$"), "poweroff -f\n"),
]

LINUX_SHELL_CHECKS = [
    Line(r"\] domain: d1 linux created mem_mib=128 vcpus=2 ", "linux domain created"),
    Line(r"\] console: input to d1 linux\b", "console input moved to linux"),
    # Typed once the focus moved, after the prompt: the prompt and the echo on one line.
    # The echo continues the open prompt: on its line, or, when a line of Tally's (the focus
    # line, typed for right after the prompt showed) ended that line first, as "<linux>+ ".
    InOrder([PROMPT_THEN_NPROC, linux("2$")], "nproc typed on the prompt's line, answers 2"),
    Number(linux(r"MemTotal: +(\d+) kB$"), LINUX_MEM_KB - KERNEL_RESERVED_MAX_KB,
           LINUX_MEM_KB, "MemTotal kB"),
    AnswerAfter(prompt(f"{SHOW_WARNINGS}; {COUNT_TRACES}"), 0, "call traces in dmesg"),
    TscRate(TSC_TOLERANCE),
    InOrder([prompt(f"{SHOW_PCI}; {COUNT_PCI_FATAL}"),
             linux(r"\[\s*[\d.]+\] PCI: Using configuration type 1 for base access$")],
            "Linux uses PCI configuration mechanism #1"),
    AnswerAfter(prompt(f"{SHOW_PCI}; {COUNT_PCI_FATAL}"), 0, "PCI: Fatal lines in dmesg"),
    InOrder([prompt(HOTPLUG), linux("offline=1$"), linux("online=2$")],
            "vCPU 1 taken offline (nproc 1) and brought back (nproc 2)"),
    InOrder([prompt("poweroff -f"), r"\] domain: d1 linux powered off$"],
            "linux powered off after poweroff -f"),
    Number(r"\] domain: d1 linux cpu_us=(\d+) ", *LINUX_CPU_US, "linux cpu_us"),
    NO_ERRORS,
] + spin_done("spin") + domains_done(0)

LINUX_POWEROFF_CHECKS = [
    Line(r"\] domain: d1 linux created mem_mib=128 vcpus=1 ", "linux domain created"),
    InOrder([linux(re.escape(MARKER) + "$"), r"\] domain: d1 linux powered off$"],
            "linux reached /init, then powered off"),
    Number(r"\] domain: d1 linux cpu_us=(\d+) ", *LINUX_CPU_US, "linux cpu_us"),
    NO_ERRORS,
] + domains_done(0)

LINUX_SCENARIOS = [
    Scenario(
        "linux-shell", "Debian's cloud kernel, 2 vCPUs and 128 MiB, boots to busybox sh beside "
        "a spin guest; Ctrl-A x3 moves input to it; nproc is 2, MemTotal within 48 MiB under "
        "mem=, no call trace, TSC rate = Tally's, PCI type 1, vCPU 1 offline and back "
        "(INIT/SIPI); poweroff -f ends it as powered off",
        "bochs", bochs_vmx(2), LINUX_SHELL_CHECKS, timeout=240,
        modules=[(LinuxFile("kernel"), f"name=linux mem={LINUX_MEM_MIB} vcpus=2 {CMDLINE}"),
                 (LinuxFile("initrd"), "initrd_of=linux"),
                 spin("spin", 2000)],
        keys=SHELL_COMMANDS),
    Scenario(
        "linux-poweroff", "Debian's cloud kernel, 1 vCPU: its /init prints a marker and powers "
        "off at once (ACPI S5): the domain ends as powered off, with its CPU use",
        "bochs", bochs_vmx(1), LINUX_POWEROFF_CHECKS, timeout=120,
        modules=[(LinuxFile("kernel"), f"name=linux mem={LINUX_MEM_MIB} vcpus=1 {CMDLINE}"),
                 (LinuxFile("initrd_poweroff"), "initrd_of=linux")]),
]
