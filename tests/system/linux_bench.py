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


# ---------------------------------------------------------------- Linux to Linux over the switch

# Two 1-vCPU Linux domains in one switch group on 1-CPU Bochs: bob sends
# NET_XFER_BYTES of zeros with busybox nc to alice's listening nc, which
# counts them.  alice times the transfer, from its first byte to the end of
# the stream, with the kernel's monotonic clock (/proc/timer_list's `now at
# N nsecs`: the sender's clock would stop while its data still sat in its
# socket buffer).  That clock runs on the TSC: emulated time, and with
# sync=none the TSC ticks once per instruction, so the time is also the
# instruction count of the transfer (both domains and Tally, halted time
# skipped ahead included).
NET_XFER_BLOCK = 65536
NET_XFER_BLOCKS = 32
NET_XFER_BYTES = NET_XFER_BLOCK * NET_XFER_BLOCKS
NET_XFER_PORT = 5000
NET_MEGS = 96                   # per domain: the kernel loads at 16 MiB, init_size 51 MiB
NET_RECEIVED_RE = re.compile(r"^\[c\d+\] <alice>\+? xfer received=(\d+) ns=(\d+)$",
                             re.MULTILINE)
# Tally's usage lines for a NIC: `net mac=.. tx_packets=N tx_bytes=N ..`, then
# `net rx_packets=N rx_bytes=N ..` (kernel/domain_report.c).
NET_USAGE_RE = re.compile(r"\] domain: d\d+ (alice|bob) net (?:mac=\S+ group=\S+ )?"
                          r"([tr]x)_packets=(\d+) [tr]x_bytes=(\d+) ")
NOW_NS = r"now() { sed -n 's/^now at \([0-9]*\) nsecs$/\1/p' /proc/timer_list; }"
NET_SEND = (f"dd if=/dev/zero bs={NET_XFER_BLOCK} count={NET_XFER_BLOCKS} 2>/dev/null | "
            f"nc 10.0.0.1 {NET_XFER_PORT}; echo xfer sent")
# The first byte read alone (dd), then the clock, the rest counted, the clock.
NET_LISTEN = (f"{NOW_NS}; (nc -l -p {NET_XFER_PORT} | (dd bs=1 count=1 of=/dev/null "
              "2>/dev/null; a=$(now); n=$(wc -c); b=$(now); "
              "echo xfer received=$((n+1)) ns=$((b-a)))) &")


def net_keys(marker):
    """The typed steps: both shells up, alice listens, bob sends, both power off."""
    ready = rf"^\[c\d+\] <(?:alice|bob)> {re.escape(marker)}$"
    return [(ready, ""), (ready, "\x01\x01\x01"),
            (r"\] console: input to d1 alice\b", NET_LISTEN + "\n"),
            (r"^\[c\d+\] <alice>\+? .*nc -l -p", "\x01\x01\x01"),
            (r"\] console: input to d2 bob\b", NET_SEND + "\n"),
            (NET_RECEIVED_RE.pattern, "poweroff -f\n"),
            (r"\] console: d2 bob ended; input to ", "\x01\x01\x01"),
            (r"\] console: input to d1 alice\b", "poweroff -f\n")]


def boot_net_pair(build, name, timeout, make_iso):
    """Tally with alice and bob on one switch group, bob sending to alice; the emu.RunResult.

    @make_iso(kernel, run_dir, cmdline, mods) comes from run.py."""
    paths = linux_paths()
    run_dir = os.path.join(build, "bench", name)
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    mods = []
    for dom, ip in (("alice", "10.0.0.1/24"), ("bob", "10.0.0.2/24")):
        mods += [(paths["kernel"], f"name={dom} mem={NET_MEGS} vcpus=1 net=lan -- "
                                   f"{paths['net_cmdline']} tally.ip={ip}"),
                 (paths["initrd_net"], f"initrd_of={dom}")]
    iso = make_iso(os.path.join(build, "tally.elf"), run_dir, "exit_when_done", mods)
    machine = emu.BochsMachine(cpus=1, megs=2 * NET_MEGS + 128, ips=IPS)
    return emu.run_bochs(run_dir, iso, machine, timeout, shim=loopback.shim_path(build),
                         keys=net_keys(TOOL.INIT_MARKER))


def net_transfer(serial):
    """{"ns", "received", "alice", "bob"} from a net pair run's @serial (None where missing):
    what alice's nc counted and in how long, Tally's (tx/rx packets/bytes) per domain."""
    got = NET_RECEIVED_RE.search(serial)
    out = {"received": int(got.group(1)) if got else None,
           "ns": int(got.group(2)) if got else None, "alice": None, "bob": None}
    for m in NET_USAGE_RE.finditer(serial):
        dom, way = m.group(1), m.group(2)
        out[dom] = out[dom] or {}
        out[dom].update({f"{way}_packets": int(m.group(3)), f"{way}_bytes": int(m.group(4))})
    return out


def net_figures(serial, figure):
    """The Linux-to-Linux transfer figures from @serial (bench.Figure is @figure)."""
    x = net_transfer(serial)
    ns = x["ns"] if x["received"] == NET_XFER_BYTES else None
    bob = x["bob"] or {}
    return [
        figure("linux_net_bytes_per_s", round(NET_XFER_BYTES * 1e9 / ns) if ns else None,
               f"busybox nc, {NET_XFER_BYTES} bytes from one Linux domain to another over "
               "Tally's switch (TCP, 1500 MTU): bytes per second of emulated time"),
        figure("linux_net_ticks", round(ns * IPS / 1e9) if ns else None,
               "the transfer's emulated time in ticks (instructions of both domains and "
               "Tally, halted time skipped ahead included)"),
        figure("linux_net_ticks_per_kib", round(ns * IPS / 1e9 / (NET_XFER_BYTES / 1024))
               if ns else None, "ticks per KiB moved"),
        figure("linux_net_sender_frames", bob.get("tx_packets"),
               "frames the switch took from the sender over the whole run (Tally's count)"),
        figure("linux_net_sender_bytes", bob.get("tx_bytes"),
               "their bytes: the payload plus TCP/IP/Ethernet headers, ARP and ACKs"),
    ]


def run_net(build, timeout, make_iso, figure, show):
    """The Linux-to-Linux transfer under Tally, printed by @show; (figures, failed runs)."""
    print(f"linux-net: {NET_XFER_BYTES} bytes with busybox nc between two Linux domains")
    try:
        result = boot_net_pair(build, "linux-net", timeout, make_iso)
    except (OSError, RuntimeError) as e:
        print(f"bench: linux-net: FAILED: {e}", file=sys.stderr)
        return show(net_figures("", figure)), 1
    x = net_transfer(result.serial)
    if x["received"] != NET_XFER_BYTES or x["ns"] is None:
        print(f"bench: linux-net: FAILED: alice received {x['received']} bytes "
              f"({result.how})", file=sys.stderr)
        print("\n".join(result.serial.splitlines()[-15:]), file=sys.stderr)
        print(f"(logs in {os.path.join(build, 'bench', 'linux-net')}/)", file=sys.stderr)
        return show(net_figures("", figure)), 1
    print(f"  linux-net: {result.seconds:.1f}s wall")
    return show(net_figures(result.serial, figure)), 0
