#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""System-test runner: boots Tally under Bochs and QEMU and checks its serial log.

Each scenario (tests/system/scenarios.py) runs in build/system/<name>/,
which keeps the ISO, emulator config, serial log and emulator output for
reruns by hand.  Prints `PASS name (Xs)` or `FAIL name: reason` per
scenario, then `N passed, N failed`; exits 1 on any failure.
"""

import argparse
import concurrent.futures
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True        # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import emu  # noqa: E402
import linux_bench  # noqa: E402  (tools/linux-guest's files)
import loopback  # noqa: E402
import scenarios  # noqa: E402
import efi_scenarios  # noqa: E402

MKISO = os.path.join(ROOT, "tools", "mkiso")
# Host tests of the tools (tests/system/test_*.py, no emulator): run first, as one entry.
HOST_TESTS = "host-tools"
HOST_TESTS_DOC = ("unittest of tools/tally-metrics, make run's launcher, the loopback "
                  "shim, the Makefile's stamps, the domain-line checks, and the docs: "
                  "SCENARIOS.md and HYPERCALLS.md agree with their sources, the Makefile's "
                  "dependencies and two checkouts building identical images (no emulator)")
HOST_TESTS_TIMEOUT = 300
EMULATOR_BINARIES = {"bochs": "bochs", "qemu": "qemu-system-x86_64"}
_print_lock = threading.Lock()


class Outcome:
    """A scenario's verdict: the first failed check's reason and excerpt, the others' reasons."""
    def __init__(self, name, ok, seconds, reason="", excerpt="", also=()):
        self.name, self.ok, self.seconds = name, ok, seconds
        self.reason, self.excerpt, self.also = reason, excerpt, list(also)


def blob_bytes(size):
    """Deterministic module contents, so a module's size and bytes never vary."""
    return bytes((i * 131 + 7) & 0xFF for i in range(size))


def random_bytes(size, seed):
    """Noise from a fixed seed: the same bytes every run, but no structure to them."""
    return random.Random(seed).randbytes(size)


def build_module(module, run_dir):
    """Build a scenario.Built module in a copy of its source folder under @run_dir; its path."""
    work = os.path.join(run_dir, os.path.basename(module.src))
    # Several modules may come from one folder (a kernel and its initrd): one copy.
    shutil.copytree(os.path.join(ROOT, module.src), work, dirs_exist_ok=True)
    for command in module.commands:
        proc = subprocess.run(shlex.split(command), cwd=work, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"`{command}` failed (status {proc.returncode}) in {work}:\n"
                               + proc.stdout)
    return os.path.join(work, module.output)


def module_path(module, build, run_dir):
    """The file for one scenario module: a test guest from @build, or one built or a blob
    written in @run_dir."""
    if isinstance(module, scenarios.Built):
        return build_module(module, run_dir)
    if isinstance(module, scenarios.LinuxFile):
        return linux_bench.linux_paths()[module.what]
    if isinstance(module, scenarios.Guest):
        path = os.path.join(build, "guests", module.name + ".elf")
        if not os.path.isfile(path):
            raise RuntimeError(f"{path} missing (run make guests)")
        return path
    path = os.path.join(run_dir, module.name)
    with open(path, "wb") as f:
        f.write(random_bytes(module.size, module.name) if module.random
                else blob_bytes(module.size))
    return path


def write_modules(sc, build, run_dir):
    """Create or find the scenario's module files; return [(path, cmdline)]."""
    return [(module_path(m, build, run_dir), cmdline) for m, cmdline in sc.modules]


def make_iso(kernel, run_dir, cmdline, mods):
    """Build run_dir/tally.iso (grub.cfg beside it) with tools/mkiso; raise on failure."""
    iso = os.path.join(run_dir, "tally.iso")
    argv = [MKISO, "-o", iso, "--print-cfg", "--cmdline", cmdline]
    for path, mod_cmdline in mods:
        argv += ["--module", path, mod_cmdline]
    proc = subprocess.run(argv + [kernel], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError("mkiso failed:\n" + proc.stderr)
    with open(os.path.join(run_dir, "grub.cfg"), "w") as f:
        f.write(proc.stdout)
    return iso


def boot(sc, build, run_dir, timeout):
    """Boot scenario @sc once; return the emu.RunResult."""
    kernel = os.path.join(build, "tally.elf")
    mods = write_modules(sc, build, run_dir)
    watch = {"stop_re": re.compile(scenarios.PANIC_RE), "keys": sc.keys,
             "done_re": re.compile(sc.stop_when, re.MULTILINE) if sc.stop_when else None}
    if sc.boot == "kernel":
        return emu.run_qemu(run_dir, sc.machine, timeout, kernel=kernel,
                            initrd=[f"{p} {c}".rstrip() for p, c in mods], append=sc.cmdline,
                            **watch)
    if sc.boot.startswith(efi_scenarios.ESP_GOOD):
        disk = efi_scenarios.make_esp(sc.boot, kernel, build, run_dir, sc.cmdline, mods)
        return emu.run_qemu(run_dir, sc.machine, timeout, disk=disk, **watch)
    iso = make_iso(kernel, run_dir, sc.cmdline, mods)
    if sc.emulator == "bochs":
        return emu.run_bochs(run_dir, iso, sc.machine, timeout,
                             shim=loopback.shim_path(build), **watch)
    return emu.run_qemu(run_dir, sc.machine, timeout, iso=iso, **watch)


def judge(sc, result):
    """Apply the common and the scenario's checks; return the failures as [(reason, excerpt)]."""
    failures = []
    if result.how == "timeout":
        failures.append((f"timed out after {result.seconds:.0f}s",
                         scenarios.tail(result.serial)))
    for pattern, keys in result.untyped:
        failures.append((f"never typed {keys!r}: no line /{pattern}/ came",
                         scenarios.tail(result.serial)))
    if result.exposed:
        failures.append((f"the emulator listened beyond loopback on {', '.join(result.exposed)} "
                         "(Bochs' RFB display without the loopback shim?)", ""))
    for check in scenarios.common_checks(sc) + sc.checks:
        failure = check(result)
        if failure:
            failures.append(failure)
    return failures


def run_scenario(sc, build, timeout_scale):
    """Boot and judge one scenario; never raises."""
    start = time.monotonic()
    run_dir = os.path.join(build, "system", sc.name)
    kernel = os.path.abspath(os.path.join(build, "tally.elf"))
    binary = EMULATOR_BINARIES[sc.emulator]
    if not os.path.isfile(kernel):
        return Outcome(sc.name, False, 0, f"{kernel} missing (run make)")
    if not shutil.which(binary):
        return Outcome(sc.name, False, 0, f"{binary} not installed (run tools/deps)")
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    try:
        result = boot(sc, build, run_dir, sc.timeout * timeout_scale)
    except (OSError, RuntimeError) as e:
        return Outcome(sc.name, False, time.monotonic() - start, str(e))
    failures = judge(sc, result)
    seconds = time.monotonic() - start
    if failures:
        reason, excerpt = failures[0]
        return Outcome(sc.name, False, seconds, reason, excerpt,
                       also=[f[0] for f in failures[1:]])
    return Outcome(sc.name, True, seconds)


def run_host_tests(build):
    """Run tests/system/test_*.py with unittest in a child Python; never raises.

    They find the build directory (the loopback shim, a built ISO) in
    TALLY_BUILD.
    """
    start = time.monotonic()
    argv = [sys.executable, "-m", "unittest", "discover", "-s", HERE, "-p", "test_*.py"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", TALLY_BUILD=build)
    try:
        proc = subprocess.run(argv, cwd=HERE, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False,
                              timeout=HOST_TESTS_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Outcome(HOST_TESTS, False, time.monotonic() - start,
                       f"timed out after {HOST_TESTS_TIMEOUT}s")
    seconds = time.monotonic() - start
    if proc.returncode == 0:
        return Outcome(HOST_TESTS, True, seconds)
    return Outcome(HOST_TESTS, False, seconds, "unittest failed",
                   scenarios.tail(proc.stdout, 40))


def report(outcome, build):
    with _print_lock:
        if outcome.ok:
            print(f"PASS {outcome.name} ({outcome.seconds:.1f}s)", flush=True)
            return
        print(f"FAIL {outcome.name}: {outcome.reason}", flush=True)
        for line in outcome.excerpt.splitlines():
            print(f"    | {line}")
        for reason in outcome.also:
            print(f"    also: {reason}")
        where = ("" if outcome.name == HOST_TESTS
                 else f"; logs in {os.path.join(build, 'system', outcome.name)}/")
        print(f"    (after {outcome.seconds:.1f}s{where})", flush=True)


def run_all(selected, build, jobs, timeout_scale):
    """Run @selected scenarios on @jobs workers, longest time bound first."""
    order = sorted(selected, key=lambda s: -s.timeout)
    outcomes = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(run_scenario, sc, build, timeout_scale) for sc in order]
        for fut in concurrent.futures.as_completed(futures):
            outcomes.append(fut.result())
            report(outcomes[-1], build)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        emu.terminate_all()
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    pool.shutdown()
    return outcomes


SCENARIOS_MD_HEAD = """\
# System test scenarios

Generated from the Scenario records in `tests/system/*scenarios.py` by
`tests/system/run.py --list --markdown > docs/SCENARIOS.md`; edit the
records, not this file (`tests/system/test_docs.py` fails when the two
differ). What every scenario checks besides its own list is in
[TESTING.md](TESTING.md#what-each-scenario-asserts).

| scenario | machine | bound | asserts |
| --- | --- | --- | --- |
"""


def machine_text(sc):
    """@sc's emulator, firmware and boot path, CPUs and RAM in words, for the scenario list."""
    m = sc.machine
    if sc.emulator == "bochs":
        model = "" if m.model == emu.BochsMachine.model else f" `{m.model}`"
        words = [f"Bochs{model}", "GRUB ISO", f"{m.cpus} CPU{'s' * (m.cpus > 1)}",
                 f"{m.megs} MiB"] + (["COM2 captured"] if m.com2 else [])
    else:
        boot = "`-kernel`" if sc.boot == "kernel" else (
            "OVMF, Tally's EFI loader (ESP)" if sc.boot.startswith(efi_scenarios.ESP_GOOD)
            else "OVMF, GRUB ISO" if m.uefi else "SeaBIOS, GRUB ISO")
        words = ["QEMU " + ("KVM" if m.kvm else "TCG"), boot,
                 f"{m.cpus} CPU{'s' * (m.cpus > 1)}", f"{m.mem_mib} MiB"]
        words += ([] if m.acpi else ["`acpi=off`"])
    guests = {}
    for module, _ in sc.modules:
        name = (module.name if isinstance(module, scenarios.Guest)
                else module.src if isinstance(module, scenarios.Built)
                else f"Linux {module.what}" if isinstance(module, scenarios.LinuxFile)
                else "blob")
        guests[name] = guests.get(name, 0) + 1
    modules = ", ".join(n if c == 1 else f"{c}× {n}" for n, c in guests.items())
    return (", ".join(words) + (f"; `{sc.cmdline}`" if sc.cmdline else "; empty command line")
            + (f"; modules: {modules}" if modules else ""))


def scenarios_markdown():
    """docs/SCENARIOS.md as generated from the Scenario records."""
    def row(name, machine, bound, doc):
        return f"| `{name}` | {machine} | {bound:.0f} s | {doc.replace('|', chr(92) + '|')} |\n"
    rows = [row(HOST_TESTS, "the host, no emulator", HOST_TESTS_TIMEOUT, HOST_TESTS_DOC)]
    rows += [row(sc.name, machine_text(sc), sc.timeout, sc.doc) for sc in scenarios.SCENARIOS]
    return SCENARIOS_MD_HEAD + "".join(rows)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"),
                   help="build directory holding tally.elf (default: build)")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="run only this scenario (repeatable, or comma-separated)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--markdown", action="store_true",
                   help="with --list: print docs/SCENARIOS.md (name, machine, bound, asserts)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="parallel emulators (default 2)")
    p.add_argument("--timeout-scale", type=float,
                   default=float(os.environ.get("TALLY_TIMEOUT_SCALE", "1")),
                   help="multiply every time bound (env TALLY_TIMEOUT_SCALE)")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    by_name = {sc.name: sc for sc in scenarios.SCENARIOS}
    if args.list and args.markdown:
        sys.stdout.write(scenarios_markdown())
        return 0
    if args.list:
        print(f"{HOST_TESTS:21} {HOST_TESTS_TIMEOUT:4.0f}s  {HOST_TESTS_DOC}")
        for sc in scenarios.SCENARIOS:
            print(f"{sc.name:21} {sc.timeout:4.0f}s  {sc.doc}")
        return 0
    names = [n for arg in (args.only or []) for n in arg.split(",") if n]
    unknown = [n for n in names if n not in by_name and n != HOST_TESTS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    selected = [by_name[n] for n in names if n != HOST_TESTS]
    if not names:
        selected = scenarios.SCENARIOS
    build = os.path.abspath(args.build)
    outcomes = []
    if not names or HOST_TESTS in names:
        outcomes.append(run_host_tests(build))
        report(outcomes[-1], build)
    outcomes += run_all(selected, build, max(1, args.jobs), args.timeout_scale)
    failed = sum(not o.ok for o in outcomes)
    print(f"{len(outcomes) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
