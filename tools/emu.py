# SPDX-License-Identifier: MIT
"""Emulator launcher for Tally: Bochs configs, QEMU command lines, bounded runs.

Used by tests/system/run.py and tools/run.  Nothing here knows what Tally
prints; it only starts an emulator, bounds it in wall-clock time and hands
back how it ended and what the guest wrote to its serial ports.  With
keys=[(regex, text)], COM1 is a socket we serve (SerialSocket): what
arrives is still written to serial.log, and each text is typed once a line
matching its regex has come in.

How a run ends, and the status it gives:
  QEMU   isa-debug-exit at port 0xf4: a guest write of v ends QEMU with
         status (v << 1) | 1, so Tally's "exit code=0" gives status 1.
         Guest reset or triple fault with -no-reboot: status 0.
  Bochs  the guest writes "Shutdown" to port 0x8900: Bochs stops with a
         "Shutdown port: shutdown requested" panic, which `panic:
         action=fatal` turns into status 1.  RunResult.how tells this
         apart from a real Bochs panic.

No emulator may listen beyond loopback: every Bochs runs with the
loopback shim preloaded (loopback.py), and run() records in
RunResult.exposed every listening socket of the emulator that is not on
loopback, for the runners to fail on.
"""

import dataclasses
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import threading
import time

import loopback

BOCHS_BIOS_CANDIDATES = ["/usr/share/bochs/BIOS-bochs-latest"]
BOCHS_VGABIOS_CANDIDATES = ["/usr/share/bochs/VGABIOS-lgpl-latest",
                            "/usr/share/vgabios/vgabios.bin"]
# (code, vars) pairs; the first whose files exist is used.
OVMF_CANDIDATES = [("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"),
                   ("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd")]

# isa-debug-exit sits on the port Tally writes its exit code to.
QEMU_DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
BOCHS_SHUTDOWN_MSG = "Shutdown port: shutdown requested"
# Bochs' reset_on_triple_fault=0 logs this (to bochs.log) and then stops the CPU.
BOCHS_TRIPLE_RE = re.compile(r"exception\(\): 3rd \(\d+\) exception with no resolution")

QEMU_ERROR_RE = re.compile(r"^qemu-system-\S+: (?!warning)", re.MULTILINE)
ANSI_RE = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]|\x1b[()][A-Za-z0-9]")


def first_existing(paths):
    """The first path in @paths that exists, or None."""
    return next((p for p in paths if os.path.exists(p)), None)


@dataclasses.dataclass
class BochsMachine:
    """What the emulated PC looks like under Bochs."""
    cpus: int = 1
    megs: int = 128
    ips: int = 50_000_000       # with clock sync=none: TSC and LAPIC tick once per instruction
    com2: bool = False          # also capture COM2 into com2.log
    # Bochs models real CPU generations; skylake-X has every VMX feature Tally uses.
    model: str = "corei7_skylake_x"


@dataclasses.dataclass
class QemuMachine:
    """What the emulated PC looks like under QEMU."""
    cpus: int = 1
    mem_mib: int = 256
    uefi: bool = False
    acpi: bool = True
    kvm: bool = False           # -enable-kvm -cpu host (nested VMX); else TCG
    extra: tuple = ()


@dataclasses.dataclass
class RunResult:
    """How an emulator run ended and what the guest wrote."""
    status: int                 # process exit status (negative: killed by that signal)
    serial: str                 # COM1 text, CR and ANSI escapes removed
    timed_out: bool
    seconds: float
    how: str                    # "debug-exit", "reset-or-poweroff" (QEMU), "shutdown-port",
                                # "triple-fault" (Bochs), "exited" (otherwise), "timeout",
                                # "stopped" (killed after stop_re matched) or "done"
                                # (killed after done_re matched)
    output: str = ""            # the emulator's own stdout+stderr, for diagnostics
    com2: str = ""
    # Keys typed into COM1 (SerialSocket): [(text, offset into serial when sent)],
    # and the [(regex, text)] steps whose line never came.
    typed: list = dataclasses.field(default_factory=list)
    untyped: list = dataclasses.field(default_factory=list)
    # Sockets the emulator listened on beyond loopback, e.g. ["0.0.0.0:5900"].
    exposed: list = dataclasses.field(default_factory=list)

    def __iter__(self):
        """Unpack as (status, serial, timed_out)."""
        return iter((self.status, self.serial, self.timed_out))


def clean_serial(raw):
    """Decode serial bytes and drop CRs and terminal escapes (OVMF and GRUB send them)."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return ANSI_RE.sub("", text).replace("\r", "")


# ---------------------------------------------------------------- Bochs

def bochs_config(machine, iso, com1, com2=None, log="bochs.log"):
    """The text of a bochsrc booting @iso from CD with COM1 (and COM2) going to files."""
    bios = first_existing(BOCHS_BIOS_CANDIDATES)
    vgabios = first_existing(BOCHS_VGABIOS_CANDIDATES)
    if not bios or not vgabios:
        raise FileNotFoundError("Bochs BIOS images missing (install bochsbios and vgabios)")
    lines = [
        f"megs: {machine.megs}",
        f"romimage: file={bios}",
        f"vgaromimage: file={vgabios}",
        # reset_on_triple_fault=0: a triple fault stops the CPU instead of looping.
        f"cpu: model={machine.model}, count={machine.cpus}, ips={machine.ips}, "
        "reset_on_triple_fault=0",
        # sync=none and a fixed time0: every run executes the same instructions.
        "clock: sync=none, time0=946684800",
        f"ata0-master: type=cdrom, path={iso}, status=inserted",
        "boot: cdrom",
        # No null display in this build; RFB without waiting for a client.
        'display_library: rfb, options="timeout=0"',
        "vga: extension=vbe, realtime=0",
        "port_e9_hack: enabled=1",
        "speaker: enabled=0",
        "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy",
        "mouse: enabled=0",
        f"log: {log}",
        "panic: action=fatal",
        "error: action=report",
        "info: action=ignore",
        "debug: action=ignore",
        com1,
    ]
    if com2:
        lines.append(com2)
    return "\n".join(lines) + "\n"


def bochs_command(run_dir, iso, machine, com1=None, debugger=("c",)):
    """Write bochsrc and the debugger's command file into @run_dir; return the argv.

    COM1 goes to run_dir/serial.log unless @com1 gives another bochsrc line.
    @debugger lists the commands the debugger reads before the emulation
    starts and at every breakpoint (default: continue); what it prints goes
    to the emulator's output.
    """
    os.makedirs(run_dir, exist_ok=True)
    for name in ("serial.log", "com2.log", "bochs.log"):
        path = os.path.join(run_dir, name)
        if os.path.exists(path):
            os.unlink(path)
    com1 = com1 or f"com1: enabled=1, mode=file, dev={os.path.join(run_dir, 'serial.log')}"
    com2 = (f"com2: enabled=1, mode=file, dev={os.path.join(run_dir, 'com2.log')}"
            if machine.com2 else None)
    rc = os.path.join(run_dir, "bochsrc")
    with open(rc, "w") as f:
        f.write(bochs_config(machine, os.path.abspath(iso), com1, com2,
                             log=os.path.join(run_dir, "bochs.log")))
    # The debugger is compiled in: it reads its commands (`c`: continue) from this file.
    cmds = os.path.join(run_dir, "bochs.cmds")
    with open(cmds, "w") as f:
        f.write("".join(cmd + "\n" for cmd in debugger))
    return ["bochs", "-q", "-f", rc, "-rc", cmds]


# ---------------------------------------------------------------- QEMU

def ovmf_files():
    """(OVMF code, OVMF vars template) paths, or raise if OVMF is not installed."""
    for code, vars_ in OVMF_CANDIDATES:
        if os.path.exists(code) and os.path.exists(vars_):
            return code, vars_
    raise FileNotFoundError("OVMF firmware missing (install ovmf)")


def qemu_command(machine, serial, run_dir, iso=None, kernel=None, initrd=(), append=None,
                 disk=None):
    """The QEMU argv for booting @iso from CD, @disk (a raw disk image such as
    tools/mkesp's) as the first hard disk, or @kernel via multiboot v1.

    @serial is "stdio", a QEMU chardev starting with "tcp:" (QEMU connects
    to it as a client), or a file path for COM1.  @initrd is a list of
    "FILE ARGS" strings (QEMU's multiboot modules).  UEFI runs use a fresh
    copy of the OVMF variable store in @run_dir.
    """
    argv = ["qemu-system-x86_64"]
    argv += ["-enable-kvm", "-cpu", "host"] if machine.kvm else ["-accel", "tcg"]
    argv += ["-m", str(machine.mem_mib), "-smp", str(machine.cpus)]
    if not machine.acpi:
        argv += ["-machine", "acpi=off"]
    argv += ["-display", "none", "-no-reboot", "-monitor", "none"]
    argv += ["-serial", serial if serial == "stdio" or serial.startswith("tcp:")
             else f"file:{serial}"]
    argv += QEMU_DEBUG_EXIT
    if machine.uefi:
        code, vars_template = ovmf_files()
        os.makedirs(run_dir, exist_ok=True)
        vars_copy = os.path.join(run_dir, "ovmf_vars.fd")
        shutil.copyfile(vars_template, vars_copy)
        argv += ["-drive", f"if=pflash,format=raw,readonly=on,file={code}",
                 "-drive", f"if=pflash,format=raw,file={vars_copy}"]
    if iso:
        argv += ["-cdrom", iso, "-boot", "d"]
    if disk:
        argv += ["-drive", f"format=raw,file={disk}"]
    if kernel:
        argv += ["-kernel", kernel]
        if initrd:
            # QEMU splits -initrd at commas; a literal comma is written ",,".
            argv += ["-initrd", ",".join(m.replace(",", ",,") for m in initrd)]
        if append is not None:
            argv += ["-append", append]
    argv += list(machine.extra)
    return argv


# ---------------------------------------------------------------- COM1 on a socket

class SerialSocket:
    """COM1 on a TCP socket we listen on: record what arrives, type keys on cue.

    The emulator connects as a client (Bochs `mode=socket-client`, QEMU
    `-serial tcp:`).  Everything it sends is appended to @log_path as it
    arrives, so that file reads as if COM1 went straight to it.  @keys is a
    list of (regex, text) steps taken in order: once a complete line that
    arrived after the previous step's text was sent matches regex, text is
    sent (after an empty text, the lines after the previous match).  Nothing is paced: the UART models take one byte at a time.
    """

    def __init__(self, log_path, keys):
        self.log_path = log_path
        self.steps = [(re.compile(pattern), text) for pattern, text in keys]
        self.typed = []             # [(text, offset in the cleaned serial text when sent)]
        self._lines = []            # complete lines so far, cleaned
        self._length = 0            # their cleaned length, newlines included
        self._partial = b""         # the line still coming in
        self._next = 0              # the first line the current step has not looked at
        self._stop = threading.Event()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(1)
        self._server.settimeout(0.1)
        self.address = f"127.0.0.1:{self._server.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        """Serve the emulator's connection in a thread, from now until close()."""
        self._thread.start()

    def close(self):
        """Once the emulator is gone: take in what it sent last, then stop serving."""
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=10)
        self._server.close()

    @property
    def untyped(self):
        """The steps whose line never came, as [(regex, text)]."""
        return [(pattern.pattern, text) for pattern, text in self.steps]

    def _accept(self):
        while not self._stop.is_set():
            try:
                return self._server.accept()[0]
            except socket.timeout:
                continue
            except OSError:
                return None
        return None

    def _serve(self):
        conn = self._accept()
        if conn is None:
            return
        with conn, open(self.log_path, "ab") as log:
            while True:
                ready, _, _ = select.select([conn], [], [], 0.1)
                if not ready:
                    if self._stop.is_set():
                        return          # drained: nothing more came after the emulator ended
                    continue
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                log.write(data)
                log.flush()
                self._take(conn, data)

    def _take(self, conn, data):
        """Split @data into lines and type every step whose line has come."""
        *done, self._partial = (self._partial + data).split(b"\n")
        for raw in done:
            line = clean_serial(raw)
            self._lines.append(line)
            self._length += len(line) + 1
        while self.steps and self._due():
            text = self.steps.pop(0)[1]
            try:
                conn.sendall(text.encode())
            except OSError:
                return
            self.typed.append((text, self._length + len(clean_serial(self._partial))))
            # Lines already here cannot answer what was just typed; an empty
            # step typed nothing, so the lines after its match still count
            # (two awaited lines may come in one chunk).
            if text:
                self._next = len(self._lines)

    def _due(self):
        """True once a line not yet looked at matches the current step's regex."""
        pattern = self.steps[0][0]
        while self._next < len(self._lines):
            self._next += 1
            if pattern.search(self._lines[self._next - 1]):
                return True
        return False


# ---------------------------------------------------------------- running

_live = set()
_live_lock = threading.Lock()
_stopping = False       # set by terminate_all(): start nothing new


class Interrupted(RuntimeError):
    """run() was called after terminate_all()."""


def _kill_group(proc):
    """SIGTERM the process group of @proc, then SIGKILL it if it lingers."""
    for sig, grace in ((signal.SIGTERM, 3), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def terminate_all():
    """Kill every emulator started by run() that is still going, and refuse new ones (Ctrl-C)."""
    global _stopping
    with _live_lock:
        _stopping = True
        procs = list(_live)
    for proc in procs:
        _kill_group(proc)


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def _how(argv, status, output):
    """Name how an emulator that exited by itself ended."""
    if os.path.basename(argv[0]).startswith("bochs"):
        if BOCHS_SHUTDOWN_MSG in output:
            return "shutdown-port"
        if BOCHS_TRIPLE_RE.search(output):
            return "triple-fault"
        return "exited"
    # QEMU's own errors also give status 1; they come with a message.
    if status > 0 and status & 1 and not QEMU_ERROR_RE.search(output):
        return "debug-exit"
    if status == 0:
        return "reset-or-poweroff"      # with -no-reboot: also a triple fault
    return "exited"


def _wait(proc, serial_path, timeout, watches, exposed):
    """Wait for @proc up to @timeout s, watching the serial log and its sockets.

    @watches is [(regex, grace, name)]: once the first regex shows, the run
    gets only its grace seconds more.  Every listening socket of @proc
    that is not on loopback is added to the set @exposed.  Returns
    "exited", "timeout" or the name of the watch that ended it.
    """
    deadline = time.monotonic() + timeout
    fired = None
    while True:
        exposed.update(loopback.exposed(proc.pid))
        try:
            proc.wait(timeout=0.25)
            return "exited"
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        if now >= deadline:
            return fired or "timeout"
        if watches and not fired:
            text = clean_serial(_read(serial_path))
            for regex, grace, name in watches:
                if regex.search(text):
                    fired, deadline = name, min(deadline, now + grace)
                    break


def run(argv, serial_path, timeout, output_path=None, com2_path=None, cwd=None,
        stop_re=None, grace=3.0, done_re=None, console=None, env=None):
    """Run @argv (environment @env) in its own process group, killed after @timeout seconds.

    The guest's COM1 must go to @serial_path, or to @console (a
    SerialSocket writing @serial_path).  If @stop_re (a compiled regex)
    matches the serial text, the run is ended @grace seconds later ("stopped"):
    a panicked guest need not wait for the full timeout.  If @done_re
    matches, the run is ended a second later ("done"): for a Tally that
    is not asked to leave the emulator.  The emulator's own output goes to
    @output_path (default: next to the serial log).
    """
    output_path = output_path or os.path.splitext(serial_path)[0] + ".emu.log"
    for path in (serial_path, com2_path):
        if path and os.path.exists(path):
            os.unlink(path)
    watches = [(regex, wait, name) for regex, wait, name in
               ((stop_re, grace, "stopped"), (done_re, 1.0, "done")) if regex]
    if console:
        open(serial_path, "wb").close()         # exists even if nothing ever connects
    start = time.monotonic()
    with open(output_path, "wb") as out:
        with _live_lock:
            try:
                if _stopping:
                    raise Interrupted("interrupted")
                proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True,
                                        env=env)
            except BaseException:
                if console:
                    console.close()
                raise
            _live.add(proc)
        if console:
            console.start()     # the emulator may connect before this: the socket listens
        exposed = set()
        try:
            ended = _wait(proc, serial_path, timeout, watches, exposed)
        finally:
            _kill_group(proc)   # also reaps helpers the emulator left behind
            with _live_lock:
                _live.discard(proc)
            if console:
                console.close()
    seconds = time.monotonic() - start
    output = _read(output_path).decode("utf-8", errors="replace")
    status = proc.returncode
    how = ended if ended != "exited" else _how(argv, status, output)
    return RunResult(status=status, serial=clean_serial(_read(serial_path)),
                     timed_out=ended == "timeout", seconds=seconds, how=how,
                     output=output,
                     com2=clean_serial(_read(com2_path)) if com2_path else "",
                     typed=console.typed if console else [],
                     untyped=console.untyped if console else [],
                     exposed=sorted(exposed))


def run_bochs(run_dir, iso, machine, timeout, shim, debugger=("c",), keys=(), **kw):
    """Boot @iso under Bochs with its files in @run_dir; bounded by @timeout seconds.

    @shim: the loopback shim to preload (loopback.shim_path(build)); a
    missing one raises FileNotFoundError.  @debugger: the debugger's
    commands, as for bochs_command().  @keys: [(regex, text)] to type into
    COM1 (see SerialSocket); COM1 is then a socket, and serial.log is
    written from it.
    """
    env = loopback.preload_env(shim)
    serial = os.path.join(run_dir, "serial.log")
    console = SerialSocket(serial, keys) if keys else None
    com1 = (f"com1: enabled=1, mode=socket-client, dev={console.address}"
            if console else None)
    argv = bochs_command(run_dir, iso, machine, com1=com1, debugger=debugger)
    result = run(argv, serial, timeout, cwd=run_dir,
                 output_path=os.path.join(run_dir, "bochs.out"),
                 com2_path=os.path.join(run_dir, "com2.log") if machine.com2 else None,
                 console=console, env=env, **kw)
    log = _read(os.path.join(run_dir, "bochs.log")).decode("utf-8", errors="replace")
    result.output += log
    if result.how == "exited" and BOCHS_TRIPLE_RE.search(log):
        result.how = "triple-fault"
    return result


def run_qemu(run_dir, machine, timeout, stop_re=None, done_re=None, keys=(), **boot):
    """Boot under QEMU (see qemu_command() for @boot) with files in @run_dir.

    @keys as for run_bochs(): COM1 is then a socket QEMU connects to.
    """
    os.makedirs(run_dir, exist_ok=True)
    serial = os.path.join(run_dir, "serial.log")
    console = SerialSocket(serial, keys) if keys else None
    argv = qemu_command(machine, f"tcp:{console.address}" if console else serial, run_dir,
                        **boot)
    with open(os.path.join(run_dir, "qemu.cmd"), "w") as f:
        f.write(" ".join(_shell_quote(a) for a in argv) + "\n")
    return run(argv, serial, timeout, output_path=os.path.join(run_dir, "qemu.out"),
               stop_re=stop_re, done_re=done_re, console=console)


def _shell_quote(arg):
    if re.fullmatch(r"[A-Za-z0-9_./=:,+-]+", arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"
