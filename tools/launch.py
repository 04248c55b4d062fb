# SPDX-License-Identifier: MIT
"""`make run`'s decisions: which emulator boots Tally, and what status tools/run ends with.

Tally runs guests only on a CPU with VMX.  QEMU with KVM gives its guest
VMX only when the host's KVM offers it (nested VMX on an Intel host), and
an openable /dev/kvm says nothing about that; Bochs emulates VMX itself,
slowly.  choose_emulator() is a pure function of what probe_host() finds,
and the exit-status helpers are pure too, so that
tests/system/test_launch.py covers them with tables on any host.
"""

import dataclasses
import errno
import fcntl
import os
import re
import struct
from typing import Optional

EMU_CHOICES = ("auto", "bochs", "qemu")

# <linux/kvm.h>: KVMIO 0xAE; KVM_GET_SUPPORTED_CPUID is _IOWR(KVMIO, 0x05,
# struct kvm_cpuid2), whose fixed part is 8 bytes (nent, padding), followed
# by 40-byte struct kvm_cpuid_entry2 (function, index, flags, eax, ebx, ecx,
# edx, padding[3]).
KVM_GET_API_VERSION = 0xAE00
KVM_API_VERSION = 12
KVM_GET_SUPPORTED_CPUID = 0xC008AE05
KVM_CPUID_ENTRY = struct.Struct("<7I12x")
KVM_CPUID_MAX_ENTRIES = 4096
CPUID_1_ECX_VMX = 1 << 5            # SDM Vol. 2A, CPUID leaf 1, Table 3-10

NESTED_PARAM = "/sys/module/kvm_intel/parameters/nested"

# Tally's last line, [c0] tally: exit code=N (N a bitmask, or 0x7f for a panic).
EXIT_CODE_RE = re.compile(r"^\[c\d+\] (?:\w+: )?tally: exit code=(0x[0-9a-fA-F]+|\d+)\b")
SIGINT_STATUS = 130                 # what a shell reports for a command ended by Ctrl-C


@dataclasses.dataclass(frozen=True)
class HostFacts:
    """What this machine offers for running Tally's guests under QEMU+KVM."""
    kvm: str                        # "missing", "denied" or "opens" (/dev/kvm, read-write)
    kvm_error: str = ""             # why it could not be opened
    kvm_vmx: Optional[bool] = None  # KVM offers CPUID.1:ECX.VMX to guests; None: not asked
    cpu_vmx: bool = False           # /proc/cpuinfo lists the vmx flag
    nested: Optional[str] = None    # kvm_intel's nested parameter ("Y", "N", "1", "0"), or None


# ---------------------------------------------------------------- the choice

def _nested_on(nested):
    return nested in ("Y", "y", "1")


def _no_vmx_detail(facts):
    """Why KVM's guests get no VMX, as far as /proc/cpuinfo and kvm_intel tell."""
    if not facts.cpu_vmx:
        return "this CPU has no VMX: no vmx flag in /proc/cpuinfo"
    if facts.nested is None:
        return "nested VMX off: kvm_intel is not loaded"
    if not _nested_on(facts.nested):
        return f"nested VMX off: kvm_intel nested={facts.nested}"
    return "nested VMX off"


def kvm_vmx(facts):
    """(True if QEMU+KVM's guests will have VMX, why) from @facts."""
    if facts.kvm == "missing":
        return False, "no /dev/kvm"
    if facts.kvm == "denied":
        return False, f"/dev/kvm cannot be opened ({facts.kvm_error})"
    if facts.kvm_vmx:
        return True, "KVM offers VMX to its guests (nested VMX on)"
    if facts.kvm_vmx is None:
        # KVM could not be asked: trust only both pieces of evidence together.
        if facts.cpu_vmx and _nested_on(facts.nested):
            return True, (f"KVM's CPUID could not be read, but /proc/cpuinfo has vmx and "
                          f"kvm_intel nested={facts.nested}")
        return False, f"/dev/kvm opens but KVM's CPUID could not be read ({_no_vmx_detail(facts)})"
    return False, f"/dev/kvm opens but KVM offers no VMX to its guests ({_no_vmx_detail(facts)})"


def choose_emulator(emu, facts):
    """(choice, reason) for `make run EMU=@emu` on a host described by @facts.

    choice is "qemu-kvm", "qemu-tcg" or "bochs".  auto takes QEMU+KVM only
    when its guests will have VMX, else Bochs.  EMU=qemu takes QEMU even
    so (with KVM if /dev/kvm opens, else TCG) and says guests will not run.
    """
    if emu not in EMU_CHOICES:
        raise ValueError(f"EMU={emu}: expected one of {', '.join(EMU_CHOICES)}")
    vmx, why = kvm_vmx(facts)
    if emu == "bochs":
        return "bochs", "EMU=bochs" + ("; EMU=auto would take QEMU+KVM, whose guests have VMX"
                                       if vmx else "")
    if emu == "qemu":
        choice = "qemu-kvm" if facts.kvm == "opens" else "qemu-tcg"
        return choice, "EMU=qemu" + ("" if vmx else f"; {why}: no guest will run")
    if vmx:
        return "qemu-kvm", f"{why}; EMU=bochs forces Bochs"
    return "bochs", f"{why}; EMU=qemu forces QEMU"


# ---------------------------------------------------------------- probing this host

def cpuinfo_has_flag(text, flag):
    """True if a `flags` line of /proc/cpuinfo @text lists @flag."""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags" and flag in value.split():
            return True
    return False


def cpuid_entries(buf):
    """{(function, index): (eax, ebx, ecx, edx)} from a filled struct kvm_cpuid2 @buf."""
    nent = struct.unpack_from("<I", buf)[0]
    entries = {}
    for i in range(nent):
        function, index, _flags, eax, ebx, ecx, edx = KVM_CPUID_ENTRY.unpack_from(
            buf, 8 + i * KVM_CPUID_ENTRY.size)
        entries[(function, index)] = (eax, ebx, ecx, edx)
    return entries


def kvm_supported_cpuid(fd):
    """KVM_GET_SUPPORTED_CPUID on the open /dev/kvm @fd, as cpuid_entries() gives it."""
    if fcntl.ioctl(fd, KVM_GET_API_VERSION) != KVM_API_VERSION:
        raise OSError("KVM API version is not 12")
    nent = 128
    while True:
        buf = bytearray(struct.pack("<II", nent, 0) + bytes(nent * KVM_CPUID_ENTRY.size))
        try:
            fcntl.ioctl(fd, KVM_GET_SUPPORTED_CPUID, buf, True)
            return cpuid_entries(buf)
        except OSError as e:
            if e.errno != errno.E2BIG or nent >= KVM_CPUID_MAX_ENTRIES:
                raise
            nent *= 2


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def probe_kvm():
    """(kvm, kvm_error, kvm_vmx) as HostFacts holds them, from /dev/kvm itself."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return "missing", "", None
    except OSError as e:
        return "denied", e.strerror, None
    try:
        leaf1 = kvm_supported_cpuid(fd).get((1, 0))
        return "opens", "", bool(leaf1 and leaf1[2] & CPUID_1_ECX_VMX)
    except OSError:
        return "opens", "", None
    finally:
        os.close(fd)


def probe_host():
    """HostFacts for this machine: asks KVM, reads /proc/cpuinfo and kvm_intel's nested."""
    kvm, kvm_error, vmx = probe_kvm()
    nested = _read(NESTED_PARAM)
    return HostFacts(kvm=kvm, kvm_error=kvm_error, kvm_vmx=vmx,
                     cpu_vmx=cpuinfo_has_flag(_read("/proc/cpuinfo") or "", "vmx"),
                     nested=nested.strip() if nested is not None else None)


# ---------------------------------------------------------------- tools/run's exit status

class ExitCodeScanner:
    """Finds Tally's `tally: exit code=N` line in serial output that arrives in pieces."""

    def __init__(self):
        self.code = None            # the last exit code seen
        self._partial = b""

    def feed(self, data):
        """Take the next bytes of the stream."""
        *lines, self._partial = (self._partial + data).split(b"\n")
        for line in lines:
            self._scan(line)

    def finish(self):
        """The stream has ended: look at its last, unterminated line too."""
        self._scan(self._partial)
        self._partial = b""

    def _scan(self, raw):
        line = raw.decode("utf-8", errors="replace").replace("\r", "")
        m = EXIT_CODE_RE.match(line)
        if m:
            self.code = int(m.group(1), 0)


def bochs_run_status(exit_code, interrupted, shut_down, returncode):
    """tools/run's status after Bochs: Tally's exit code if it printed one.

    Otherwise 130 after Ctrl-C, 0 when Tally shut Bochs down or Bochs
    exited cleanly, else Bochs' own status.
    """
    if exit_code is not None:
        return exit_code
    if interrupted:
        return SIGINT_STATUS
    if shut_down or returncode == 0:
        return 0
    return 128 - returncode if returncode < 0 else returncode


def qemu_run_status(status, interrupted):
    """tools/run's status after QEMU: Tally's exit code from isa-debug-exit's (N << 1) | 1.

    An even status means Tally never wrote its code there: 130 after
    Ctrl-C, else QEMU's own status (0 for a reset or power-off).
    """
    if status > 0 and status & 1:
        return status >> 1
    if interrupted:
        return SIGINT_STATUS
    return 128 - status if status < 0 else status
