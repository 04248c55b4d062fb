# SPDX-License-Identifier: MIT
"""System-test scenarios: how each boots Tally, and what its serial log must show.

A scenario is data: an emulator and machine, a Tally command line, modules,
a time bound, a list of checks and optionally keys to type on COM1.  run.py
boots it and applies the checks to the COM1 text.  Every scenario also gets
the common checks in COMMON_CHECKS: no PANIC or FATAL anywhere, and the
banner; one that runs domains under Bochs also DOMAIN_COMMON_CHECKS: each
CPU's accounting adds up, and the domains' CPU time matches the CPUs' guest
time (see common_checks()).  The scenario record and the domain helpers
are in scenario_base.py, the hypercall and metrics scenarios in
hypercall_scenarios.py, the check classes in checks.py.
"""

import dataclasses
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import emu  # noqa: E402  (tools/ is not a package)


from checks import *  # noqa: E402,F401,F403  (the check classes and helpers)
from checks import _around, _stats_of  # noqa: E402,F401
from scenario_base import *  # noqa: E402,F401,F403  (Scenario, Guest, passed, ...)
from hypercall_scenarios import HYPERCALL_SCENARIOS  # noqa: E402
from console_scenarios import CONSOLE_SCENARIOS  # noqa: E402
from guest_scenarios import GUEST_SCENARIOS  # noqa: E402
from top_scenarios import TOP_SCENARIOS  # noqa: E402
from cpu_model_scenarios import CPU_MODEL_SCENARIOS  # noqa: E402
from console_output_scenarios import CONSOLE_OUTPUT_SCENARIOS  # noqa: E402
from sdm_scenarios import SDM_SCENARIOS  # noqa: E402
from state_scenarios import STATE_SCENARIOS  # noqa: E402
from platform_scenarios import PLATFORM_SCENARIOS  # noqa: E402
from mmio_scenarios import MMIO_SCENARIOS  # noqa: E402
from disk_scenarios import DISK_SCENARIOS  # noqa: E402
from bill_scenarios import BILL_SCENARIOS  # noqa: E402
from power_scenarios import POWER_SCENARIOS  # noqa: E402
from hv_scenarios import HV_SCENARIOS  # noqa: E402
from sched_timer_scenarios import SCHED_TIMER_SCENARIOS, lapic_mode  # noqa: E402
from linux_scenarios import LINUX_SCENARIOS  # noqa: E402
from linux_boot_scenarios import LINUX_BOOT_SCENARIOS  # noqa: E402
from linux_net_scenarios import LINUX_NET_SCENARIOS  # noqa: E402
from agent_scenarios import AGENT_SCENARIOS  # noqa: E402
from uart_scenarios import UART_SCENARIOS  # noqa: E402
from console_cmd_scenarios import CONSOLE_CMD_SCENARIOS  # noqa: E402
from starve_scenarios import STARVE_SCENARIOS  # noqa: E402
from deadline_scenarios import DEADLINE_SCENARIOS  # noqa: E402
from scale_scenarios import SCALE_SCENARIOS  # noqa: E402
from runtime_scenarios import RUNTIME_SCENARIOS  # noqa: E402
from apic_scenarios import APIC_SCENARIOS  # noqa: E402
from net_scenarios import NET_SCENARIOS  # noqa: E402
from devcount_scenarios import DEVCOUNT_SCENARIOS  # noqa: E402
from vnet_scenarios import VNET_SCENARIOS  # noqa: E402
from virtio_mmio_scenarios import VIRTIO_MMIO_SCENARIOS  # noqa: E402
from virtio_hostile_scenarios import VIRTIO_HOSTILE_SCENARIOS  # noqa: E402
from efi_scenarios import EFI_SCENARIOS, ESP_FAULTS  # noqa: E402


# ---------------------------------------------------------------- scenarios

def common_checks(sc):
    """The checks every scenario gets; a fatal report's scenario only needs the banner,
    and one whose image the UEFI loader refuses never starts Tally."""
    if sc.boot in ESP_FAULTS:
        return [NoLine(PANIC_RE, "panic")]
    if sc.expect_fatal:
        return [BANNER]
    return COMMON_CHECKS + (DOMAIN_COMMON_CHECKS if runs_domains(sc) else [])



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
       Line(guest_line("cpuid", r"cpuid: ok: an interrupt pending at STI; CPUID came right "
                       r"after CPUID \(taken 1, after it: 0\)$"), "cpuid STI-shadow check"),
       Line(guest_line("cpuid", r"cpuid: ok: VMCALL 0x7a11 returns -ENOSYS "
                       r"\(eax=0xffffffda\)$"), "cpuid unknown-VMCALL check"),
       # Its inb, inl and outb of the unclaimed ports, counted by Tally.
       Line(r"\] domain: d\d+ cpuid unclaimed_port_accesses=3 console_lines_dropped=0 "
            r"log_lines_suppressed=0$",
            "cpuid's unclaimed port count")],
    "filler": [Line(guest_line("filler", r"memfill: all \d+ pages intact$"), "filler intact")]
    + passed("filler"),
    # The first page past 16 MiB of RAM: Tally stops the read itself.
    "prober": destroyed("prober", r"EPT violation: read at gpa=0x1000000 "
                        r"\(outside its RAM of 16 MiB\)")
    + [NoLine(guest_line("prober", "memprobe: .*survived"), "prober survived its probe")],
    # A triple fault is the guest's reset (issue 12 item 7): rebooted, not destroyed.
    "triple": [Line(r"\] domain: d\d+ triple rebooted \(triple fault\)$", "triple rebooted"),
               Count(r"\] domain: d\d+ triple (?:rebooted|exited|powered off)", 1,
                     "triple ended once"),
               NoLine(r"\] WARN: domain: d\d+ triple destroyed", "triple destroyed"),
               NoLine(guest_line("triple", "TEST RESULT"), "triple reached a verdict"),
               NoLine(guest_line("triple", "triple: still running"), "triple kept running")],
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
    (Guest("hello"), "name=badtype type=x9.huge"),
    (Guest("hello"), "name=twotypes type=t1.nano mem=8 type=t1.micro"),
    (Guest("hello"), "name=ok mem=8"),
    (Guest("hello"), "name=tpl mem=4 template"),
    (Guest("hello"), "name=tpl mem=8 template"),
]
# Every refusal names the module the same way: its number, then its name if given.
BAD_MODULE_CHECKS = [
    Line(r"\[c0\] ERROR: module 0 \(junk\): multiboot kernel refused: no multiboot header.* "
         r"\(0x[0-9a-f]+\)$", "junk refused"),
    Line(r"\[c0\] ERROR: module 1 \(huge\): needs 4096 MiB but only \d+ MiB are free; "
         r"not created$", "huge too big"),
    Line(r"\[c0\] ERROR: module 2 \(badmem\): bad mem='0' \(expected 1 to 65536\); "
         r"not created$", "badmem mem=0"),
    Line(r"\[c0\] ERROR: module 3 \(badpin\): pcpu=7 is not an online CPU; not created$",
         "badpin pcpu=7"),
    Line(r"\[c0\] ERROR: module 4 \(a/b\): bad name='a/b' \(.*\); not created$", "bad name"),
    Line(r"\[c0\] ERROR: module 5 \(badtype\): unknown type='x9\.huge' \(known: t1\.nano "
         r"t1\.micro t1\.small m1\.small m1\.medium m1\.large m1\.xlarge\); not created$",
         "an unknown type= listing the known ones"),
    Line(r"\[c0\] ERROR: module 6 \(twotypes\): type= given twice; not created$",
         "type= twice"),
    # A template is kept, not started; a second of the same name is refused.
    Line(r"\[c0\] domain: template tpl mem_mib=4 vcpus=1 \(module 8\)$", "the template kept"),
    Line(r"\[c0\] ERROR: module 9 \(tpl\): a template named tpl comes first; not kept$",
         "a second template of the name refused"),
    # Only those eight: one line per refused module, each in the one form.
    Count(r"\] ERROR: ", 8, "error"),
    Count(r"^\[c0\] ERROR: module \d \(\S+\): ", 8, "refusal"),
    Count(r"\] domain: d\d+ \S+ created ", 1, "domain created"),
    Line(r"\[c0\] domain: d1 ok created mem_mib=8 vcpus=1 pcpu=0 ", "d1 ok created"),
    Line(r"\] domain: d1 ok exited status=1 value=0$", "d1 ok exit"),
    Line(guest_line("ok", "TEST RESULT: PASS$"), "ok PASS verdict"),
    NoLine(r"\] <(junk|huge|badmem|badpin|a/b|badtype|twotypes|tpl)> ",
           "output from a refused module"),
    audit_ok(1)]

# Each verdict and its exit value (status (value << 1) | 1); hello's verdict=
# option asks for the non-PASS ones.
VERDICTS = [("PASS", 0), ("SKIP", 1), ("FAIL", 2), ("ERROR", 3)]


# ---------------------------------------------------------------- VM-entry failures
# crash_test=guest_state|vm_control breaks d1's first VM entry; d2 runs on.

ENTRY_MODULES = [(Guest("hello"), "name=broken mem=8"), (Guest("hello"), "name=fine mem=8")]
ENTRY_COMMON = (passed("fine")
                + [Line(r"\] domain: d2 fine exited status=1 value=0$", "d2 fine exited"),
                   NoLine(guest_line("broken", ""), "output from broken"), MEM_BACK]
                + domains_done(EXIT_CRASHED))
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
                  "smp IPI counts"),
             Line(guest_line("smp", r"smp: ok: cpu1 halted with interrupts off stays halted "
                             r"on an IPI \(woke 0, "), "parked cpu1 not woken")]
            + passed("smp") + [NO_ERRORS] + DOMAINS_DONE)


XSTATE_SEEDS = (1, 2, 3)
SCHED_XSTATE = ([c for seed in XSTATE_SEEDS for c in
                 [Line(guest_line(f"xstate{seed}", r"xstate: ymm0-7 intact over 20 rounds$"),
                       f"xstate{seed} intact")] + passed(f"xstate{seed}")]
                + [NO_ERRORS, MEM_BACK] + DOMAINS_DONE)


SCENARIOS = [
    Scenario(
        "bochs-1cpu", "GRUB boots Tally by multiboot2: the RAM, ACPI, TSC and LAPIC rates "
        "(50 MHz within 1 %) and one CPU online are reported, then Tally shuts Bochs down",
        "bochs", emu.BochsMachine(cpus=1, megs=128, ips=BOCHS_IPS),
        bochs_checks(1), timeout=60),
    Scenario(
        "bochs-2cpu", "the same on 2 CPUs: the AP comes up once, as cpu1, and 2 of 2 are online",
        "bochs", emu.BochsMachine(cpus=2, megs=128, ips=BOCHS_IPS),
        bochs_checks(2), timeout=180),
    Scenario(
        "qemu-bios", "SeaBIOS and GRUB: multiboot2, the RAM, 2 CPUs online, a 1 GHz LAPIC "
        "timer, exit code 8 (no VMX) as QEMU status 17",
        "qemu", emu.QemuMachine(cpus=2, mem_mib=256),
        [MB2, mem_kib(256), smp(2),
         Line(r"\[c1\] smp: cpu1 online apic_id=\d+", "cpu1 online"),
         # QEMU's APIC timer runs at 1 GHz whatever the TSC does.  TCG's virtual
         # clock follows the host's, so a 50 ms calibration round misreads it by
         # however long the host kept QEMU off the CPU (8 % seen under load 6).
         near(r"\[c0\] timer: tsc_khz=\d+ lapic_khz=(\d+)", 1_000_000, 0.15, "lapic_khz"),
         Number(r"\[c0\] timer: tsc_khz=(\d+)", 1, float("inf"), "tsc_khz"),
         BOOT_DONE, NOVMX_EXIT_LINE, QEMU_NOVMX_EXIT]),
    Scenario(
        "qemu-uefi", "OVMF (UEFI) and GRUB: ACPI 2 through the XSDT, 2 CPUs online, exit "
        "code 8 as QEMU status 17",
        "qemu", emu.QemuMachine(cpus=2, mem_mib=256, uefi=True),
        [MB2, Line(r"\[c0\] acpi: rev=2 root=xsdt cpus=2 ", "acpi xsdt cpus=2"), smp(2),
         BOOT_DONE, NOVMX_EXIT_LINE, QEMU_NOVMX_EXIT], timeout=90),
    Scenario(
        "qemu-mb1", "QEMU -kernel boots Tally by multiboot v1: one -initrd module of 12345 "
        "bytes with its command line, one CPU online, exit code 8",
        "qemu", emu.QemuMachine(cpus=1, mem_mib=256),
        [Line(r"\[c0\] boot: protocol=multiboot1 ", "multiboot1 boot"),
         Line(r'\[c0\] boot: module 0 (?:at \S+ )?size=12345 cmdline="[^"]*arg1 arg2"',
              "module 0"),
         Count(r"\[c0\] boot: module \d+ ", 1, "module"),
         mem_kib(256), smp(1), NOVMX_EXIT_LINE, QEMU_NOVMX_EXIT],
        boot="kernel", modules=[(Blob("mod0.bin", 12345), "arg1 arg2")]),
    Scenario(
        "qemu-noacpi", "QEMU -machine acpi=off, 2 CPUs: no ACPI tables, so one CPU",
        "qemu", emu.QemuMachine(cpus=2, mem_mib=256, acpi=False),
        [Line(r"\[c0\] WARN: acpi: ", "acpi warning"), smp(1, 1),
         BOOT_DONE, NOVMX_EXIT_LINE, QEMU_NOVMX_EXIT]),
    Scenario(
        "bad-cmdline", "unknown and malformed options are warned about, not fatal",
        "qemu", emu.QemuMachine(cpus=1, mem_mib=128),
        [Line(r"\[c0\] WARN: .*loglevel", "loglevel warning"),
         Line(r"\[c0\] WARN: .*bogus_opt", "bogus_opt warning"),
         Line(r"\[c0\] WARN: .*console", "console warning"),
         BOOT_DONE, NOVMX_EXIT_LINE, QEMU_NOVMX_EXIT],
        cmdline="exit_when_done loglevel=banana bogus_opt=1 console=com9"),
    Scenario(
        "console-com2", "console=com2 moves the console after the banner",
        "bochs", emu.BochsMachine(cpus=1, megs=128, ips=BOCHS_IPS, com2=True),
        [Com2Line(r"\[c0\] mem: ram_kib=\d+", "mem"),
         Com2Line(r"\[c0\] tally: exit code=0$", "exit"),
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
                     r"\[c0\] ERROR:   by 0x[0-9a-f]{16} boot_main\+0x[0-9a-f]+")
        # The lines queued for the UART when panic() came are sent first, once each.
        + [InOrder([r"\] smp: online=2 expected=2$", r"^\[c0\] tally: boot complete$",
                    r"^\[c0\] ERROR: PANIC: crash test requested"], "queued lines, then report"),
           Count(r"\] tally: boot complete$", 1, "boot complete")],
        cmdline="exit_when_done crash_test=panic", expect_fatal=True),
    Scenario(
        "vmx-domains-1cpu", "six guests time-share one CPU; prober is killed, triple "
        "is rebooted by its triple fault",
        "bochs", bochs_vmx(1),
        [VMX_CAPS, audit_ok(6), NO_ERRORS, TIME_SHARED, MEM_BACK, DomainOverhead()]
        + guest_checks("hello", "cpuid", "filler", "prober", "triple", "busy")
        + domains_done(EXIT_CRASHED),
        cmdline=VMX_CMDLINE, timeout=120,
        modules=[HELLO, (Guest("cpuid"), "name=cpuid mem=8"), FILLER, PROBER,
                 (Guest("triple"), "name=triple mem=4"), BUSY]),
    Scenario(
        "vmx-domains-2cpu", "four guests placed on two CPUs in turn: each prints only from "
        "its own CPU, the audit holds, prober is ended (exit code 2)",
        "bochs", bochs_vmx(2),
        [VMX_CAPS, audit_ok(4), NO_ERRORS,
         Line(r"\[c0\] domain: d\d+ \S+ created .* pcpu=0 ", "domain on pcpu=0"),
         Line(r"\[c0\] domain: d\d+ \S+ created .* pcpu=1 ", "domain on pcpu=1"),
         Line(r"^\[c0\] <[^>]+> ", "guest output on c0"),
         Line(r"^\[c1\] <[^>]+> ", "guest output on c1"), OnPlacedCpu()]
        + guest_checks("hello", "filler", "prober", "busy") + domains_done(EXIT_CRASHED),
        cmdline=VMX_CMDLINE, timeout=300, modules=[HELLO, FILLER, PROBER, BUSY]),
    Scenario(
        "vmx-bad-modules", "bad modules are refused one by one; the good one still runs",
        "bochs", bochs_vmx(1), BAD_MODULE_CHECKS + [MEM_BACK] + domains_done(EXIT_REFUSED),
        cmdline=VMX_CMDLINE, timeout=120, modules=BAD_MODULES),
    Scenario(
        "vmx-guest-exit-codes", "PASS, SKIP, FAIL and ERROR guests exit with values 0-3, "
        "reported as such; exit code 4 and no other bit",
        "bochs", bochs_vmx(1),
        [audit_ok(len(VERDICTS)), NO_ERRORS, MEM_BACK]
        + [c for word, value in VERDICTS for c in verdict(word.lower(), word, value)]
        # SKIP, FAIL and ERROR are non-zero values: the guest bit, and no other.
        + domains_done(EXIT_GUEST_FAILED),
        cmdline=VMX_CMDLINE, timeout=120,
        modules=[(Guest("hello"), f"name={word.lower()} mem=4"
                  + ("" if value == 0 else f" verdict={word.lower()}"))
                 for word, value in VERDICTS]),
    Scenario(
        "qemu-novmx", "QEMU TCG has no VMX: one warning saying how to get it, no domains, "
        "exit code 8",
        "qemu", emu.QemuMachine(cpus=1, mem_mib=256),
        [MB2, Count(NOVMX_WARNING, 1, "no-VMX warning"),
         NoLine(r"\] domain: ", "domain line"), NoLine(r"\] <hello> ", "guest output"),
         NoLine(r"\] ERROR: module ", "module refused (it was never tried)"),
         NOVMX_EXIT_LINE, QEMU_NOVMX_EXIT],
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
        "sched-xstate", "three AVX guests on one CPU keep their ymm registers across slices",
        "bochs", bochs_vmx(1), SCHED_XSTATE, timeout=120,
        modules=[(Guest("xstate"), f"name=xstate{seed} mem=8 seed={seed} rounds=20")
                 for seed in XSTATE_SEEDS]),
] + (HYPERCALL_SCENARIOS + CONSOLE_SCENARIOS + GUEST_SCENARIOS + TOP_SCENARIOS
   + CPU_MODEL_SCENARIOS + CONSOLE_OUTPUT_SCENARIOS + SDM_SCENARIOS + STATE_SCENARIOS
   + SCHED_TIMER_SCENARIOS + UART_SCENARIOS + PLATFORM_SCENARIOS + MMIO_SCENARIOS + APIC_SCENARIOS
   + POWER_SCENARIOS + NET_SCENARIOS + HV_SCENARIOS)
# The scheduling scenarios again on the LAPIC timer (sched_timer_scenarios.LAPIC_MODE).
SCENARIOS += lapic_mode(SCENARIOS)
SCENARIOS += CONSOLE_CMD_SCENARIOS
SCENARIOS += LINUX_SCENARIOS
SCENARIOS += LINUX_BOOT_SCENARIOS
SCENARIOS += LINUX_NET_SCENARIOS
SCENARIOS += AGENT_SCENARIOS
SCENARIOS += STARVE_SCENARIOS
SCENARIOS += DEADLINE_SCENARIOS
SCENARIOS += SCALE_SCENARIOS
SCENARIOS += DEVCOUNT_SCENARIOS
SCENARIOS += VNET_SCENARIOS
SCENARIOS += DISK_SCENARIOS
SCENARIOS += BILL_SCENARIOS
SCENARIOS += VIRTIO_MMIO_SCENARIOS
SCENARIOS += VIRTIO_HOSTILE_SCENARIOS
SCENARIOS += EFI_SCENARIOS
SCENARIOS += RUNTIME_SCENARIOS
