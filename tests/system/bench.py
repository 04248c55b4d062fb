#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Benchmarks: CPUID exits, hypercalls, Tally's boot and its scheduler paths, in Bochs instructions.

Boots Tally under single-CPU Bochs with `clock: sync=none` and a fixed
`ips`: virtual time then advances one tick per emulated instruction (VM
exit and VM entry included), and the TSC counts those ticks, so a TSC
difference is an instruction count, the same on every run and every host.

The cpuidloop guest times count=N CPUID leaf-0 executions, each a VM exit
to Tally and back, and prints `cpuidloop: count=N tsc_per_cpuid=X`; X is
the round trip plus the guest's few loop instructions.  The debugger,
stopped at Tally's entry point and at its VMLAUNCH, gives the ticks spent
in the firmware and GRUB (which may halt: time then skips ahead) and the
instructions of Tally's own boot up to the first VM entry (it never halts).

The hcloop guest times count=N null hypercalls (ABI_VERSION with no
buffer: VMCALL to Tally's dispatcher and back) and N counter snapshots
(DOMAIN_COUNTERS: the whole struct tally_counters read under the sequence
counts and copied into the guest), each figure with the guest's loop.

A third run puts a spin guest and a halter on the same CPU (default
10 ms slices) and reads Tally's `sched: cpu0 paths` line: the hypervisor
cycles (instructions, here) from a VM exit to the next VM entry for a
slice-end switch to the other vCPU, for a HLT that blocks, and from an
idle CPU's wake-up to the woken vCPU's entry.  A fourth run does the same
with `sched_timer=lapic`, where the LAPIC timer's interrupt ends a slice
(an external-interrupt exit) instead of the VMX-preemption timer; its
guests start with interrupts on (`irqs_on`), as Bochs 2.7 leaves a guest
with IF=0 for no host interrupt.

Prints each figure beside its goal and what it measures, in words.  A
goal is where Tally aims to be, not a pass mark: the exit status is 0
whatever the figures, and 1 only when a run itself failed.  Files go to
BUILD/bench/cpuidloop/, BUILD/bench/hcloop/, BUILD/bench/sched/ and
BUILD/bench/sched-lapic/.
"""

import argparse
import dataclasses
import os
import re
import shutil
import struct
import subprocess
import sys
import textwrap
from typing import Optional, Union

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True        # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import emu  # noqa: E402
import linux_bench  # noqa: E402  (Linux on bare Bochs and under Tally)
import loopback  # noqa: E402
import run as system_run  # noqa: E402  (make_iso)
import scale_bench  # noqa: E402  (the sched paths as domains grow in number)
import scenarios  # noqa: E402
import switch_bench  # noqa: E402  (the switch's forwarding path on the host, beside memcpy)

# Goals: where Tally aims to be, not pass marks.
ROUND_TRIP_TARGET = 60          # instructions per CPUID exit round trip
NULL_HYPERCALL_TARGET = 40      # instructions per null hypercall round trip
PREEMPT_SWITCH_TARGET = 500     # instructions, VM exit to the other vCPU's entry
HLT_BLOCK_WAKE_TARGET = 300     # instructions, HLT block plus idle wake-up
OVERHEAD_SHARE_TARGET = 0.05    # percent of a slice spent switching at its end
SLICE_MS = 10                   # Tally's default sched_slice_ms
IPS = 50_000_000
DISK_COUNT = 200                # 4 KiB requests of each kind the disk run times
NET_COUNT = 48                  # frames the net runs time: fewer than the receiver's 64 buffers
# Tally's VMLAUNCH instruction (arch/x86_64/vmx/vmx_stub.asm): the first VM entry.
VMLAUNCH_SYMBOL = "vmx_restore.launch"
RESULT_RE = re.compile(r"<cpuidloop> cpuidloop: count=(\d+) tsc_per_cpuid=(\d+)")
EXITED_RE = re.compile(r"\] domain: d\d+ cpuidloop exited status=1 value=0$", re.MULTILINE)
PTIME_RE = re.compile(r"^ptime: (\d+)", re.MULTILINE)
HCLOOP_RE = re.compile(r"<hcloop> hcloop: count=(\d+) null_hypercall_ticks=(\d+) "
                       r"counters_hypercall_ticks=(\d+)$", re.MULTILINE)
HCLOOP_EXITED_RE = re.compile(r"\] domain: d\d+ hcloop exited status=1 value=0$", re.MULTILINE)
# The disk run (tests/guests/check/virtioblk bench=N): 4 KiB virtio-blk reads and writes.
DISK_RE = re.compile(r"<disk> virtioblk: bench count=(\d+) read4k_ticks=(\d+) read4k_tally=(\d+) "
                     r"write4k_ticks=(\d+) write4k_tally=(\d+)$", re.MULTILINE)
DISK_EXITED_RE = re.compile(r"\] domain: d\d+ disk exited status=1 value=0$", re.MULTILINE)
# The net runs (tests/guests/check/net bench=N): frames to a halted peer whose buffers wait.
NET_RE = re.compile(r"<tx> net: bench frames=(\d+) len=(\d+) ticks_per_frame=(\d+) "
                    r"tally_per_frame=(\d+)$", re.MULTILINE)
NET_EXITED_RE = re.compile(r"\] domain: d\d+ rx exited status=1 value=0$", re.MULTILINE)


def net_modules(length):
    """A sender timing NET_COUNT frames of @length bytes and its sleeping receiver."""
    mac = "02:00:00:00:00:{:02x}"
    common = "mem=8 net=bench"
    return [("net", f"name=tx {common} mac={mac.format(1)} peer={mac.format(2)} "
                    f"bench={NET_COUNT} min={length} max={length}"),
            ("net", f"name=rx {common} mac={mac.format(2)} peer={mac.format(1)} "
                    f"benchrx={NET_COUNT} min={length} max={length}")]

# The scheduler run: halter sleeps on its APIC timer most of the time, spin
# never stops; halter outlasts spin, so the CPU also idles and wakes up.
# Two spins, so that slices also end by the timer and switch between them.
SCHED_MODULES = [("spin", "name=spin mem=8 duration_ms=300"),
                 ("spin", "name=spin2 mem=8 duration_ms=300"),
                 ("halter", "name=halter mem=8 rounds=50 work_us=500 sleep_us=9500")]
SCHED_NAMES = [cmd.split()[0].split("=")[1] for _, cmd in SCHED_MODULES]
SCHED_LAPIC_MODULES = [(guest, f"{cmd} irqs_on") for guest, cmd in SCHED_MODULES]
CMDLINE = "exit_when_done"
SCHED_LAPIC_CMDLINE = f"{CMDLINE} sched_timer=lapic"
SCHED_EXITED_RE = re.compile(r"\] domain: d\d+ (spin2?|halter) exited status=1 value=0$",
                             re.MULTILINE)
TSC_KHZ_RE = re.compile(r"\[c0\] timer: tsc_khz=(\d+)")
PATH_FIGURES = r"(\d+)/(\d+)/(\d+)"
PATHS_RE = re.compile(rf"\] sched: cpu0 paths preempt_switch={PATH_FIGURES} "
                      rf"hlt_block={PATH_FIGURES} wakeup={PATH_FIGURES}")


def elf_entry(path):
    """The entry address of the ELF64 file at @path (Tally is identity-mapped: it is physical)."""
    with open(path, "rb") as f:
        header = f.read(0x20)
    if header[:4] != b"\x7fELF" or header[4] != 2:
        raise RuntimeError(f"{path}: not an ELF64 file")
    return struct.unpack_from("<Q", header, 0x18)[0]


def symbol_address(path, name):
    """The address of symbol @name in @path (from nm), or None."""
    proc = subprocess.run(["nm", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, check=False)
    for line in proc.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2] == name:
            return int(fields[0], 16)
    return None


def debugger_script(kernel):
    """Debugger commands: stop at Tally's entry, then at its VMLAUNCH, printing the time at each.

    Returns (commands, stop names).  With no VMLAUNCH symbol only the
    entry is timed.
    """
    stops = [("tally_entry", elf_entry(kernel))]
    launch = symbol_address(kernel, VMLAUNCH_SYMBOL)
    if launch is not None:
        stops.append(("first_vmlaunch", launch))
    cmds = [f"pb {addr:#x}" for _, addr in stops] + ["c"]
    for _ in stops:
        cmds += ["ptime", "c"]
    # Every breakpoint hit once: delete them so the rest of the run never stops.
    cmds[-1:-1] = [f"d {i + 1}" for i in range(len(stops))]
    return cmds, [name for name, _ in stops]


def boot(build, name, modules, timeout, debugger=("c",), cmdline=CMDLINE, megs=128):
    """Run Tally (@cmdline) with @modules ([(guest, cmdline)]) under 1-CPU Bochs of @megs MiB
    in BUILD/bench/@name/.

    Returns the emu.RunResult.
    """
    kernel = os.path.join(build, "tally.elf")
    guests = [(os.path.join(build, "guests", guest + ".elf"), cmdline)
              for guest, cmdline in modules]
    for path, make in [(kernel, "make")] + [(path, "make guests") for path, _ in guests]:
        if not os.path.isfile(path):
            raise RuntimeError(f"{path} missing (run {make})")
    if not shutil.which("bochs"):
        raise RuntimeError("bochs not installed (run tools/deps)")
    run_dir = os.path.join(build, "bench", name)
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    iso = system_run.make_iso(kernel, run_dir, cmdline, guests)
    machine = emu.BochsMachine(cpus=1, megs=megs, ips=IPS)
    return emu.run_bochs(run_dir, iso, machine, timeout, shim=loopback.shim_path(build),
                         debugger=debugger, stop_re=re.compile(scenarios.PANIC_RE))


def run_failure(result):
    """Why a run failed as a run (whatever its guests said), or None."""
    if result.how == "timeout":
        return f"timed out after {result.seconds:.0f}s"
    if result.exposed:
        return f"Bochs listened beyond loopback on {', '.join(result.exposed)}"
    if re.search(scenarios.PANIC_RE, result.serial):
        return "Tally reported PANIC/FATAL"
    if result.how != "shutdown-port":
        return f"Bochs ended by {result.how} (status {result.status}), not Tally's shutdown"
    return None


def guest_run_failure(result, line_re, exited_re, what):
    """Why a run of one timing guest failed (no @what line, or no PASS), or None."""
    if not line_re.search(result.serial):
        return run_failure(result) or f"no `{what}` line"
    if not exited_re.search(result.serial):
        return run_failure(result) or f"{what.split(':')[0]} did not exit with PASS"
    return run_failure(result)


def failure(result):
    """Why the cpuidloop run failed, or None."""
    return guest_run_failure(result, RESULT_RE, EXITED_RE, "cpuidloop: count=N tsc_per_cpuid=X")


def hcloop_failure(result):
    """Why the hcloop run failed, or None."""
    return guest_run_failure(result, HCLOOP_RE, HCLOOP_EXITED_RE,
                             "hcloop: count=N null_hypercall_ticks=X ...")



def disk_failure(result):
    """Why the disk run failed, or None."""
    return guest_run_failure(result, DISK_RE, DISK_EXITED_RE,
                             "virtioblk: bench count=N read4k_ticks=X ...")


def net_failure(result):
    """Why a net run failed (no bench line, or the receiver did not get every frame), or None."""
    return guest_run_failure(result, NET_RE, NET_EXITED_RE, "net: bench frames=N ...")


def sched_failure(result):
    """Why the spin-and-halter run failed, or None."""
    passed = set(SCHED_EXITED_RE.findall(result.serial))
    missing = [name for name in SCHED_NAMES if name not in passed]
    if missing:
        return run_failure(result) or f"{missing[0]} did not exit with PASS"
    if not TSC_KHZ_RE.search(result.serial):
        return "no `timer: tsc_khz=` line"
    return run_failure(result)




# ---------------------------------------------------------------- presenting the figures

@dataclasses.dataclass
class Figure:
    """One figure: its value beside its goal (an upper bound aimed at) and what it measures."""
    name: str
    value: Optional[Union[int, float]]      # None: not measured
    meaning: str
    goal: Optional[Union[int, float]] = None
    unit: str = ""                          # "%" for a share
    strict: bool = False                    # the goal is "<" rather than "<="

    def _text(self, value):
        return f"{value:.3f}{self.unit}" if isinstance(value, float) else f"{value}{self.unit}"

    def within(self):
        """True within the goal, False above it, None without a goal or a value."""
        if self.goal is None or self.value is None:
            return None
        return self.value < self.goal if self.strict else self.value <= self.goal

    def verdict(self):
        """`goal <= 60: 164 above`, `goal <= 500: within`, `no goal: context`."""
        if self.goal is None:
            return "no goal: context"
        goal = f"goal {'<' if self.strict else '<='} {self._text(self.goal)}"
        if self.value is None:
            return f"{goal}: not measured"
        if self.within():
            return f"{goal}: within"
        return f"{goal}: {self._text(self.value - self.goal)} above"

    def lines(self):
        """The figure as printed: name, value and verdict, then its meaning, indented."""
        value = "n/a" if self.value is None else self._text(self.value)
        head = f"  {self.name:<42} {value:>10}   {self.verdict()}"
        return [head] + textwrap.wrap(self.meaning, 76, initial_indent=" " * 6,
                                      subsequent_indent=" " * 6)


def show(figures):
    """Print @figures; return them."""
    for figure in figures:
        print("\n".join(figure.lines()))
    return figures


def report(result, stops):
    """Print the cpuidloop run's figures; return them."""
    m = RESULT_RE.search(result.serial)
    print(f"cpuidloop: {m.group(1)} CPUIDs in one guest, {result.seconds:.1f}s wall")
    figures = [Figure("cpuid_exit_round_trip_instructions", int(m.group(2)),
                      "one CPUID in a guest, round trip: its VM exit, Tally's handling and "
                      "the VM entry back, plus the guest loop's 5 instructions",
                      goal=ROUND_TRIP_TARGET)]
    # Bochs' debugger prints `ptime: N` (ticks since power-on) at each stop.
    times = dict(zip(stops, (int(t) for t in PTIME_RE.findall(result.output))))
    if "tally_entry" in times:
        # Ticks, not instructions: the firmware may halt, and time skips ahead then.
        figures.append(Figure("firmware_and_grub_ticks", times["tally_entry"],
                              "power-on to Tally's first instruction: the BIOS and GRUB, "
                              "in ticks (they may halt, and time skips ahead then)"))
    if "tally_entry" in times and "first_vmlaunch" in times:
        figures.append(Figure("tally_boot_to_first_vm_entry_instructions",
                              times["first_vmlaunch"] - times["tally_entry"],
                              "Tally's boot, from its first instruction to the first VM "
                              "entry; includes timer calibration and the 100 ms tick "
                              "self-check (5 M instructions)"))
    show(figures)
    if "first_vmlaunch" not in times:
        print("  (Tally's boot was not timed: no debugger stop at its entry or VMLAUNCH)")
    return figures


def report_hcloop(result):
    """Print the hypercall figures; return them."""
    count, null, snapshot = (int(x) for x in HCLOOP_RE.search(result.serial).groups())
    print(f"hcloop: {count} hypercalls of each kind in one guest, {result.seconds:.1f}s wall")
    return show([
        Figure("null_hypercall_round_trip_instructions", null,
               "the cheapest hypercall (ABI_VERSION, no buffer), round trip: the VMCALL's "
               "exit, Tally's dispatch and the VM entry back, plus the guest's loop",
               goal=NULL_HYPERCALL_TARGET),
        Figure("counters_snapshot_hypercall_instructions", snapshot,
               "a DOMAIN_COUNTERS hypercall: the domain's counters read consistently "
               "under their sequence counts and copied into the guest, plus the loop"),
    ])


def report_disk(result):
    """Print the disk figures; return them."""
    count, rd, rd_tally, wr, wr_tally = (int(x) for x in DISK_RE.search(result.serial).groups())
    print(f"disk: {count} 4 KiB virtio-blk reads, then as many writes, {result.seconds:.1f}s wall")
    return show([
        Figure("disk_read_4k_tally_instructions", rd_tally,
               "one 4 KiB virtio-blk read, Tally's part: the QueueNotify store's exit, the "
               "MMIO decode, taking the chain, the copy, the used ring and the VM entry back "
               "(the request's ticks minus the guest's own cpu_cycles)"),
        Figure("disk_write_4k_tally_instructions", wr_tally,
               "one 4 KiB virtio-blk write, Tally's part, measured the same way"),
        Figure("disk_read_4k_round_trip_instructions", rd,
               "the same read as the guest sees it: its driver and poll loop included"),
        Figure("disk_write_4k_round_trip_instructions", wr,
               "the same write as the guest sees it"),
    ])


def report_net(result):
    """Print a net run's figures; return them."""
    count, length, per, tally = (int(x) for x in NET_RE.search(result.serial).groups())
    print(f"net: {count} frames of {length} bytes to a halted peer, {result.seconds:.1f}s wall")
    return show([
        Figure(f"net_frame{length}_tally_instructions", tally,
               f"forwarding one {length}-byte frame, Tally's part: the QueueNotify exit, the "
               "switch's decision, the copy into the receiver's buffer, both used rings and "
               "the VM entry back (the loop's ticks minus the sender's own cpu_cycles)"),
        Figure(f"net_frame{length}_round_trip_instructions", per,
               "the same frame as the sender sees it: building it and its driver included"),
    ])


def sched_figures(preempt, block, wake, slice_cycles):
    """The scheduler's figures from the paths line's (count, average, minimum) triples."""
    share = 100 * preempt[1] / slice_cycles if preempt else None
    return [
        Figure("sched_preempt_switch_instructions", preempt and preempt[1],
               "a slice's end: from the VM exit that ends it to the other vCPU's VM entry"
               + (f" (average of {preempt[0]} switches, minimum {preempt[2]})" if preempt
                  else ""), goal=PREEMPT_SWITCH_TARGET),
        Figure("sched_hlt_block_plus_wake_instructions", block and block[1] + wake[1],
               "one HLT round of an otherwise idle CPU: the HLT exit that blocks the vCPU"
               + (f" ({block[1]} on average over {block[0]})" if block else "")
               + ", plus the idle CPU's wake-up to that vCPU's VM entry"
               + (f" ({wake[1]} over {wake[0]})" if wake else ""),
               goal=HLT_BLOCK_WAKE_TARGET),
        Figure("sched_overhead_share", share and round(share, 3),
               f"the share of a CPU spent switching at slice ends: one switch over one "
               f"{SLICE_MS} ms slice ({slice_cycles} cycles)",
               goal=OVERHEAD_SHARE_TARGET, unit="%", strict=True),
    ]


def report_sched(result):
    """Print the scheduler run's figures (`n/a` where Tally printed no paths line); return them."""
    tsc_khz = int(TSC_KHZ_RE.search(result.serial).group(1))
    print(f"sched: two spin guests and a halter on one CPU, {SLICE_MS} ms slices, "
          f"{result.seconds:.1f}s wall")
    m = PATHS_RE.search(result.serial)
    if not m:
        print("  (no `sched: cpu0 paths` line from Tally: nothing measured)")
        return show(sched_figures(None, None, None, SLICE_MS * tsc_khz))
    preempt, block, wake = (tuple(int(x) for x in m.groups()[i:i + 3]) for i in (0, 3, 6))
    figures = show(sched_figures(preempt, block, wake, SLICE_MS * tsc_khz))
    for what, count in (("slice-end switch", preempt[0]), ("HLT block", block[0]),
                        ("idle wake-up", wake[0])):
        if not count:
            print(f"  (no {what} happened: its figure is 0)")
    return figures


def report_sched_lapic(result):
    """Print the LAPIC-timer scheduler run's switch figure (`n/a` without a paths line)."""
    print(f"sched-lapic: the same guests, sched_timer=lapic, {result.seconds:.1f}s wall")
    m = PATHS_RE.search(result.serial)
    preempt = tuple(int(x) for x in m.groups()[0:3]) if m else None
    return show([Figure(
        "sched_lapic_preempt_switch_instructions", preempt and preempt[1],
        "a slice's end without the VMX-preemption timer: from the external-interrupt exit "
        "of the LAPIC timer that ends it to the other vCPU's VM entry, the timer re-armed"
        + (f" (average of {preempt[0]} switches, minimum {preempt[2]})" if preempt else ""),
        goal=PREEMPT_SWITCH_TARGET)])


def summary(figures, runs, failed_runs):
    """The closing lines: how the runs went, and how the figures stand against their goals."""
    verdicts = [f.within() for f in figures if f.within() is not None]
    above = verdicts.count(False)
    runs_text = (f"all {runs} runs completed" if not failed_runs
                 else f"{failed_runs} of {runs} runs FAILED (see above)")
    return textwrap.wrap(f"bench: {runs_text}.  {len(verdicts)} figures have a goal: "
                         f"{len(verdicts) - above} within it, {above} still above it "
                         "(goals to work toward, not pass marks).", 78)

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"),
                   help="build directory holding tally.elf and guests/ (default: build)")
    p.add_argument("--count", type=int, default=100_000, help="CPUID executions (default 100000)")
    p.add_argument("--timeout", type=float, default=300, help="wall-clock bound in seconds")
    return p.parse_args(argv)


def bench_run(build, name, modules, timeout, judge, debugger=("c",), cmdline=CMDLINE,
              megs=128):
    """One run; returns its emu.RunResult, or None after saying why it failed."""
    try:
        result = boot(build, name, modules, timeout, debugger, cmdline, megs)
    except (OSError, RuntimeError) as e:
        print(f"bench: {name}: FAILED: {e}", file=sys.stderr)
        return None
    why = judge(result)
    if why:
        print(f"bench: {name}: FAILED: {why}", file=sys.stderr)
        print(scenarios.tail(result.serial), file=sys.stderr)
        print(f"(logs in {os.path.join(build, 'bench', name)}/)", file=sys.stderr)
        return None
    return result


def linux_boot(build, name, timeout):
    """Boot Linux for run @name ("linux-bare" or "linux-tally"); the emu.RunResult."""
    if name == "linux-bare":
        return linux_bench.boot_bare(build, name, None, timeout)
    return linux_bench.boot_tally(build, name, timeout, symbol_address, system_run.make_iso)


def linux_ticks(name, result):
    """Linux's first instruction to S5 in run @name's @result, or None."""
    return linux_bench.bare_ticks(result) if name == "linux-bare" else result.linux_ticks


def run_linux(build, timeout):
    """Linux's boot on bare Bochs and under Tally (linux_bench.py); (figures, failed runs)."""
    print("linux: Debian's cloud kernel to its power-off, bare Bochs and under Tally")
    runs, failed = {}, 0
    for name in ("linux-bare", "linux-tally"):
        try:
            result = linux_boot(build, name, timeout)
        except (OSError, RuntimeError) as e:
            print(f"bench: {name}: FAILED: {e}", file=sys.stderr)
            failed += 1
            continue
        if linux_ticks(name, result) is None:
            print(f"bench: {name}: FAILED: Linux never reached S5 ({result.how})",
                  file=sys.stderr)
            print(scenarios.tail(result.serial), file=sys.stderr)
            print(f"(logs in {os.path.join(build, 'bench', name)}/)", file=sys.stderr)
            failed += 1
            continue
        print(f"  {name}: {result.seconds:.1f}s wall")
        runs[name] = result
    return show(linux_bench.linux_figures(runs.get("linux-bare"), runs.get("linux-tally"),
                                          Figure)), failed


HEADER = (f"bench: Tally under Bochs, 1 CPU, clock sync=none, ips={IPS}: virtual time "
          "ticks once per instruction, so each figure is an instruction count, the same "
          "on every run and host.  A goal is where Tally aims to be, not a pass mark.")


def main(argv):
    args = parse_args(argv)
    build = os.path.abspath(args.build)
    kernel = os.path.join(build, "tally.elf")
    cmds, stops = debugger_script(kernel) if os.path.isfile(kernel) else (["c"], [])
    print("\n".join(textwrap.wrap(HEADER, 78)))
    runs = [("cpuidloop", [("cpuidloop", f"name=cpuidloop mem=8 count={args.count}")],
             failure, lambda r: report(r, stops), cmds, CMDLINE),
            ("hcloop", [("hcloop", f"name=hcloop mem=8 count={args.count // 10}")],
             hcloop_failure, report_hcloop, ("c",), CMDLINE),
            ("disk", [("virtioblk", f"name=disk mem=8 disk=1 bench={DISK_COUNT}")],
             disk_failure, report_disk, ("c",), CMDLINE),
            ("net64", net_modules(64), net_failure, report_net, ("c",), CMDLINE),
            ("net1500", net_modules(1500), net_failure, report_net, ("c",), CMDLINE),
            ("sched", SCHED_MODULES, sched_failure, report_sched, ("c",), CMDLINE),
            ("sched-lapic", SCHED_LAPIC_MODULES, sched_failure, report_sched_lapic, ("c",),
             SCHED_LAPIC_CMDLINE)]
    figures, failed = [], 0
    for name, modules, judge, present, debugger, cmdline in runs:
        print()
        result = bench_run(build, name, modules, args.timeout, judge, debugger=debugger,
                           cmdline=cmdline)
        if result:
            figures += present(result)
        failed += result is None
    print()
    scale, scale_failed = scale_bench.run(build, args.timeout, bench_run, run_failure, Figure,
                                          show)
    figures += scale
    failed += scale_failed
    print()
    linux, linux_failed = run_linux(build, args.timeout)
    figures += linux
    print()
    net, net_failed = linux_bench.run_net(build, args.timeout, system_run.make_iso, Figure, show)
    figures += net
    linux_failed += net_failed
    print()
    switch, switch_failed = switch_bench.report(build, Figure, show)
    figures += switch
    failed += linux_failed + switch_failed
    print()
    print("\n".join(summary(figures, len(runs) + 4 + len(scale_bench.SCALE_COUNTS), failed)))
    return 0 if not failed else 1

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
