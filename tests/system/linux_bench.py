# SPDX-License-Identifier: MIT
"""Linux on bare Bochs: the baseline that Linux under Tally is measured against.

Boots Debian's cloud kernel and an initramfs from tools/linux-guest with
GRUB's `linux`/`initrd` commands on 1-CPU Bochs configured as every
Tally run (corei7_skylake_x, clock sync=none, ips 50 M): with no Tally.

How the instructions are counted, exactly.  GRUB (i386-pc) starts a
bzImage through the 32-bit boot protocol: it jumps to the protected-mode
kernel's first byte, loaded at the header's pref_address (relocatable
kernels) or 0x100000 (Documentation/x86/boot.rst, "32-bit boot
protocol").  Bochs' debugger, given a physical breakpoint there, stops
before that instruction executes and `ptime` prints the tick count then.
The end is the guest's power-off: the poweroff initramfs's /init prints
its marker and calls `poweroff -f`, the kernel writes SLP_TYP=S5|SLP_EN to
the PIIX4's PM1a control register and Bochs' ACPI model ends the
simulation with a panic line that starts with the tick count it happened
at.  The difference is Linux's whole run, first instruction to S5.  With
`clock: sync=none` a tick is one instruction, except while the CPU is
halted, when Bochs skips time ahead to the next timer event: the figure is
virtual time in instruction ticks, halted time included, on both sides
alike (under Tally the TSC runs on the same clock).
"""

import os
import re
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import importlib.machinery  # noqa: E402
import importlib.util  # noqa: E402

import emu  # noqa: E402
import loopback  # noqa: E402

LINUX_GUEST = os.path.join(ROOT, "tools", "linux-guest")


def load_linux_guest():
    """tools/linux-guest as a module (no .py suffix): its constants, without fetching."""
    loader = importlib.machinery.SourceFileLoader("linux_guest", LINUX_GUEST)
    spec = importlib.util.spec_from_loader("linux_guest", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


TOOL = load_linux_guest()
IPS = 50_000_000
LINUX_MEGS = 128                # the bare machine's RAM: the Linux domain's mem= under Tally
# Documentation/x86/boot.rst, "The Real-Mode Kernel Header": offsets in the bzImage.
SETUP_HEADER_MAGIC_OFF = 0x202  # "HdrS"
VERSION_OFF = 0x206
RELOCATABLE_OFF = 0x234
PREF_ADDRESS_OFF = 0x258
BZIMAGE_LEGACY_LOAD = 0x100000  # where a non-relocatable protected-mode kernel goes
# Bochs' log lines open with the tick count (11 digits) and a level letter.
S5_RE = re.compile(r"^(\d+)[a-z]\[ACPI\s*\].*soft power off", re.MULTILINE | re.IGNORECASE)
PTIME_RE = re.compile(r"^ptime: (\d+)", re.MULTILINE)

GRUB_CFG = """\
set timeout=0
set timeout_style=hidden
set default=0
menuentry "linux" {{
\tlinux /boot/bzImage {cmdline}
\tinitrd /boot/initrd.cpio
\tboot
}}
"""


def linux_paths():
    """tools/linux-guest paths (fetching and building what is not cached) as a dict."""
    proc = subprocess.run([LINUX_GUEST, "paths"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"tools/linux-guest paths failed:\n{proc.stderr}")
    return dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)


def kernel_entry(bzimage):
    """The physical address of the protected-mode kernel's first instruction under GRUB."""
    with open(bzimage, "rb") as f:
        head = f.read(0x270)
    if head[SETUP_HEADER_MAGIC_OFF:SETUP_HEADER_MAGIC_OFF + 4] != b"HdrS":
        raise RuntimeError(f"{bzimage}: no HdrS setup header")
    version = struct.unpack_from("<H", head, VERSION_OFF)[0]
    if version >= 0x020A and head[RELOCATABLE_OFF]:
        return struct.unpack_from("<Q", head, PREF_ADDRESS_OFF)[0]
    return BZIMAGE_LEGACY_LOAD


def grub_word(word):
    """Quote one word for grub.cfg: single quotes keep everything literal."""
    return "'" + word.replace("'", "'\\''") + "'"


def make_iso(bzimage, initrd, cmdline, iso):
    """A GRUB rescue ISO booting @bzimage with @initrd and @cmdline (GRUB's `linux`)."""
    tool = shutil.which("grub-mkrescue") or shutil.which("grub2-mkrescue")
    if not tool:
        raise RuntimeError("grub-mkrescue not found (run tools/deps)")
    root = iso + ".tree"
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "boot", "grub"))
    shutil.copyfile(bzimage, os.path.join(root, "boot", "bzImage"))
    shutil.copyfile(initrd, os.path.join(root, "boot", "initrd.cpio"))
    words = " ".join(grub_word(w) for w in cmdline.split())
    with open(os.path.join(root, "boot", "grub", "grub.cfg"), "w") as f:
        f.write(GRUB_CFG.format(cmdline=words))
    proc = subprocess.run([tool, "-o", iso, "--locales=", "--fonts=", "--themes=", root],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False)
    shutil.rmtree(root, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"grub-mkrescue failed:\n{proc.stdout}")
    return iso


def entry_debugger(entry):
    """Debugger commands: stop at the kernel's first instruction, print the tick, go on.

    The breakpoint is deleted once hit: the decompressed kernel runs at the
    same address later and must not stop the run again.
    """
    return [f"pb {entry:#x}", "c", "ptime", "d 1", "c"]


def boot_bare(build, name, initrd, timeout, cmdline=None, keys=(), cpus=1):
    """Boot Linux with @initrd on bare Bochs in BUILD/bench/@name/; the emu.RunResult.

    Adds .entry_tick and .s5_tick to the result (None when not seen).
    """
    paths = linux_paths()
    cmdline = cmdline or paths["bare_cmdline"]
    if not shutil.which("bochs"):
        raise RuntimeError("bochs not installed (run tools/deps)")
    run_dir = os.path.join(build, "bench", name)
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    iso = make_iso(paths["kernel"], initrd or paths["initrd_poweroff"], cmdline,
                   os.path.join(run_dir, "linux.iso"))
    machine = emu.BochsMachine(cpus=cpus, megs=LINUX_MEGS, ips=IPS)
    result = emu.run_bochs(run_dir, iso, machine, timeout, shim=loopback.shim_path(build),
                           debugger=entry_debugger(kernel_entry(paths["kernel"])),
                           keys=list(keys))
    times = PTIME_RE.findall(result.output)
    result.entry_tick = int(times[0]) if times else None
    s5 = S5_RE.search(result.output)
    result.s5_tick = int(s5.group(1)) if s5 else None
    return result


def bare_ticks(result):
    """Linux's first instruction to its S5 write on bare Bochs, in ticks, or None."""
    if result.entry_tick is None or result.s5_tick is None:
        return None
    return result.s5_tick - result.entry_tick


# ---------------------------------------------------------------- under Tally, and the figure

# Tally's two points: its VMLAUNCH (the domain's only vCPU enters Linux's first
# instruction: nothing else runs on this 1-CPU machine before it) and
# domain_power_off() (the S5 write's exit, handled).
TALLY_LAUNCH_SYMBOL = "vmx_restore.launch"
TALLY_S5_SYMBOL = "domain_power_off"
RATIO_GOAL = 1.2
DOMAIN_END_RE = re.compile(r"\] domain: d\d+ linux cpu_us=(\d+) .*\bexits=(\d+) ")


def tally_debugger(launch, s5):
    """Debugger commands: tick at Tally's first VMLAUNCH, then at domain_power_off()."""
    return [f"pb {launch:#x}", f"pb {s5:#x}", "c", "ptime", "d 1", "c", "ptime", "d 2", "c"]


def boot_tally(build, name, timeout, symbol_address, make_iso):
    """Linux (poweroff initramfs, 1 vCPU, LINUX_MEGS) as Tally's only domain, 1-CPU Bochs.

    @symbol_address(elf, name) and @make_iso(kernel, run_dir, cmdline, mods) come
    from bench.py and run.py.  Adds .linux_ticks (None unless both stops came).
    """
    paths = linux_paths()
    kernel = os.path.join(build, "tally.elf")
    stops = [symbol_address(kernel, s) for s in (TALLY_LAUNCH_SYMBOL, TALLY_S5_SYMBOL)]
    if None in stops:
        raise RuntimeError(f"{kernel} has no {TALLY_LAUNCH_SYMBOL} or {TALLY_S5_SYMBOL}")
    run_dir = os.path.join(build, "bench", name)
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    mods = [(paths["kernel"], f"name=linux mem={LINUX_MEGS} vcpus=1 {paths['cmdline']}"),
            (paths["initrd_poweroff"], "initrd_of=linux")]
    iso = make_iso(kernel, run_dir, "exit_when_done", mods)
    # Tally, its page tables and the domain's EPT need room beside the domain's RAM.
    machine = emu.BochsMachine(cpus=1, megs=2 * LINUX_MEGS, ips=IPS)
    result = emu.run_bochs(run_dir, iso, machine, timeout, shim=loopback.shim_path(build),
                           debugger=tally_debugger(*stops))
    times = [int(t) for t in PTIME_RE.findall(result.output)]
    result.linux_ticks = times[1] - times[0] if len(times) >= 2 else None
    return result


def linux_figures(bare, tally, figure):
    """The Linux boot figures from the two runs (either may be None); @figure is bench.Figure."""
    bare_ticks_ = bare_ticks(bare) if bare else None
    tally_ticks = tally.linux_ticks if tally else None
    end = DOMAIN_END_RE.search(tally.serial) if tally else None
    ratio = (round(tally_ticks / bare_ticks_, 3) if bare_ticks_ and tally_ticks else None)
    return [
        figure("linux_boot_bare_ticks", bare_ticks_,
               "Debian's cloud kernel on bare Bochs (GRUB, 1 CPU, 128 MiB): its first "
               "instruction to the S5 write of /init's poweroff -f, in ticks (instructions, "
               "plus halted time skipped ahead)"),
        figure("linux_boot_tally_ticks", tally_ticks,
               "the same kernel, initramfs and command line as a 1-vCPU, 128 MiB domain: "
               "Tally's VMLAUNCH into it to its domain_power_off()"),
        figure("linux_boot_ratio", ratio,
               "Linux's boot under Tally over bare Bochs, first instruction to S5: what "
               "virtualization costs a real OS's boot", goal=RATIO_GOAL),
        figure("linux_boot_exits", int(end.group(2)) if end else None,
               "VM exits the boot caused, all reasons (by reason below)"),
    ] + exit_figures(exits_by_reason(tally.serial) if tally else {},
                     int(end.group(2)) if end else None, figure)


# ---------------------------------------------------------------- exits by reason

# Tally's `domain: dN linux exits_by_reason R:N ...` lines (kernel/domain.c), one or more.
EXITS_BY_REASON_RE = re.compile(r"\] domain: d\d+ linux exits_by_reason((?: \d+:\d+)+)$",
                                re.MULTILINE)
# The names Tally gives the basic exit reasons (SDM Vol. 3D Appendix C), from its own tables.
VMX_H = os.path.join(ROOT, "arch", "x86_64", "include", "arch", "vmx.h")
VMX_NAMES_C = os.path.join(ROOT, "arch", "x86_64", "vmx", "vmx_names.c")


def exits_by_reason(serial):
    """{reason number: count} from the Linux domain's exits_by_reason lines in @serial.

    Raises ValueError when a reason shows twice (the lines split one sum)."""
    counts = {}
    for m in EXITS_BY_REASON_RE.finditer(serial):
        for word in m.group(1).split():
            reason, count = (int(x) for x in word.split(":"))
            if reason in counts:
                raise ValueError(f"exit reason {reason} listed twice")
            counts[reason] = count
    return counts


def exit_reason_names(vmx_h=VMX_H, names_c=VMX_NAMES_C):
    """{reason number: name} from vmx.h's EXIT_REASON_X = N and vmx_names.c's table."""
    with open(vmx_h) as f:
        numbers = dict(re.findall(r"\b(EXIT_REASON_\w+) = (\d+)", f.read()))
    with open(names_c) as f:
        pairs = re.findall(r"\[(EXIT_REASON_\w+)\] = \"([^\"]+)\"", f.read())
    return {int(numbers[sym]): name for sym, name in pairs if sym in numbers}


def exit_figures(counts, total, figure, names=None):
    """One figure per exit reason in @counts, most frequent first, with its share of @total.

    The names come from Tally's own table (exit_reason_names()); a sum that is
    not @total (lines lost) is a figure of its own, so it shows."""
    names = exit_reason_names() if names is None else names
    out = []
    for reason, count in sorted(counts.items(), key=lambda rc: (-rc[1], rc[0])):
        name = names.get(reason, f"reason {reason}")
        share = f", {100 * count / total:.1f}% of all" if total else ""
        out.append(figure(f"linux_boot_exits_{reason}", count,
                          f"exits for {name} (SDM basic reason {reason}){share}"))
    out.append(figure("linux_boot_exits_unsplit",
                      total - sum(counts.values()) if total is not None and counts else None,
                      "exits not in the by-reason lines (0: they add up to the total)", goal=0))
    return out
