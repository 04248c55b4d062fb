#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Benchmarks: the cost of a CPUID VM exit, and Tally's boot, counted in Bochs instructions.

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

Prints the figures and exits 0 even when a target is missed (this is a
benchmark, not a test); exits 1 only when the run itself failed.  Files go
to BUILD/bench/cpuidloop/.
"""

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True        # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import emu  # noqa: E402
import run as system_run  # noqa: E402  (make_iso)
import scenarios  # noqa: E402

ROUND_TRIP_TARGET = 60          # instructions per CPUID exit round trip
IPS = 50_000_000
# Tally's VMLAUNCH instruction (arch/x86_64/vmx_stub.asm): the first VM entry.
VMLAUNCH_SYMBOL = "vmx_restore.launch"
RESULT_RE = re.compile(r"<cpuidloop> cpuidloop: count=(\d+) tsc_per_cpuid=(\d+)")
EXITED_RE = re.compile(r"\] domain: d\d+ cpuidloop exited status=1 value=0$", re.MULTILINE)
PTIME_RE = re.compile(r"^ptime: (\d+)", re.MULTILINE)


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


def boot(build, count, timeout):
    """Run cpuidloop under Bochs; return (emu.RunResult, stop names)."""
    kernel = os.path.join(build, "tally.elf")
    guest = os.path.join(build, "guests", "cpuidloop.elf")
    for path, make in ((kernel, "make"), (guest, "make guests")):
        if not os.path.isfile(path):
            raise RuntimeError(f"{path} missing (run {make})")
    if not shutil.which("bochs"):
        raise RuntimeError("bochs not installed (run tools/deps)")
    run_dir = os.path.join(build, "bench", "cpuidloop")
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    iso = system_run.make_iso(kernel, run_dir, "exit_when_done",
                              [(guest, f"name=cpuidloop mem=8 count={count}")])
    cmds, stops = debugger_script(kernel)
    machine = emu.BochsMachine(cpus=1, megs=128, ips=IPS)
    result = emu.run_bochs(run_dir, iso, machine, timeout, debugger=cmds,
                           stop_re=re.compile(scenarios.PANIC_RE))
    return result, stops


def failure(result):
    """Why the run failed, or None."""
    if result.how == "timeout":
        return f"timed out after {result.seconds:.0f}s"
    if re.search(scenarios.PANIC_RE, result.serial):
        return "Tally reported PANIC/FATAL"
    if not RESULT_RE.search(result.serial):
        return "no `cpuidloop: count=N tsc_per_cpuid=X` line"
    if not EXITED_RE.search(result.serial):
        return "cpuidloop did not exit with PASS"
    if result.how != "shutdown-port":
        return f"Bochs ended by {result.how} (status {result.status}), not Tally's shutdown"
    return None


def report(result, stops):
    """Print the figures; return the exit status."""
    m = RESULT_RE.search(result.serial)
    per_cpuid = int(m.group(2))
    print(f"bench: cpuidloop count={m.group(1)} under Bochs, 1 CPU, sync=none, "
          f"ips={IPS}: {result.seconds:.1f}s wall")
    print(f"cpuid_exit_round_trip_instructions={per_cpuid} (target <= {ROUND_TRIP_TARGET})")
    if per_cpuid > ROUND_TRIP_TARGET:
        print(f"bench: the CPUID round trip misses its target by "
              f"{per_cpuid - ROUND_TRIP_TARGET} instructions")
    # Bochs' debugger prints `ptime: N` (ticks since power-on) at each stop.
    times = dict(zip(stops, (int(t) for t in PTIME_RE.findall(result.output))))
    if "tally_entry" in times:
        # Ticks, not instructions: the firmware may halt, and time skips ahead then.
        print(f"firmware_and_grub_ticks={times['tally_entry']}")
    if "tally_entry" in times and "first_vmlaunch" in times:
        print("tally_boot_to_first_vm_entry_instructions="
              f"{times['first_vmlaunch'] - times['tally_entry']}")
    else:
        print("bench: Tally's boot was not timed (no debugger stop at its entry or VMLAUNCH)")
    return 0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"),
                   help="build directory holding tally.elf and guests/ (default: build)")
    p.add_argument("--count", type=int, default=100_000, help="CPUID executions (default 100000)")
    p.add_argument("--timeout", type=float, default=300, help="wall-clock bound in seconds")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    build = os.path.abspath(args.build)
    try:
        result, stops = boot(build, args.count, args.timeout)
    except (OSError, RuntimeError) as e:
        print(f"bench: FAILED: {e}", file=sys.stderr)
        return 1
    why = failure(result)
    if why:
        print(f"bench: FAILED: {why}", file=sys.stderr)
        print(scenarios.tail(result.serial), file=sys.stderr)
        print(f"(logs in {os.path.join(build, 'bench', 'cpuidloop')}/)", file=sys.stderr)
        return 1
    return report(result, stops)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
