# SPDX-License-Identifier: MIT
"""Hostile virtio drivers (issue 13): `virtiohostile` guests break every rule of
the split virtqueue and the virtio-mmio registers on their own NIC and disk,
and Tally's per-device error counters must equal, cause by cause, what the
guest says it caused; bystanders beside them (a NIC pair, a disk) finish with
exact counters; accesses the transport refuses end only their own domain.

Split from scenarios.py, which adds VIRTIO_HOSTILE_SCENARIOS to its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from disk_scenarios import MIB, VIRTIO_ERROR_KEYS, disk_guest
from net_scenarios import net_guest, pair_checks, received

CAUSED_RE = r"virtiohostile: caused (.*)$"
GOOD_RE = r"virtiohostile: good requests=(\d+)$"
NET_FRAME = 60                  # the good request: one minimum broadcast frame


@dataclasses.dataclass
class HostileMatches:
    """@dom's `virtio-net`/`virtio-blk` (@kind) usage line holds exactly the counts its
    guest's `virtiohostile: caused` line reports, every key; and its good requests are
    counted: frames sent (net) or sectors read (disk)."""
    dom: str
    kind: str

    def __call__(self, r):
        caused = re.search(guest_line(self.dom, CAUSED_RE), r.serial, re.MULTILINE)
        good = re.search(guest_line(self.dom, GOOD_RE), r.serial, re.MULTILINE)
        errors = virtio_errors(r.serial).get((self.dom, self.kind))
        if not caused or not good or errors is None:
            return f"no `caused`/`good` report or {self.kind} line for {self.dom}", tail(r.serial)
        want = key_values(caused.group(1))
        if set(want) != set(VIRTIO_ERROR_KEYS) or errors != want:
            return f"{self.dom}: Tally counted {errors}, the guest caused {want}", caused.group(0)
        n = int(good.group(1))
        if self.kind == "virtio-net":
            got = net_stats(r.serial).get(self.dom, {})
            # The port's errors are its device's ring errors, every cause.
            errors_sum = sum(v for k, v in errors.items()
                             if k not in ("needs_reset", "bad_register", "resets"))
            want = {"tx_packets": n, "tx_bytes": n * NET_FRAME, "tx_broadcast": n,
                    "rx_packets": 0, "drop_malformed": 0, "drop_oversize": 0,
                    "errors": errors_sum}
        else:
            got = disk_stats(r.serial).get(self.dom, {})
            want = {"read_requests": n, "read_bytes": n * 512, "write_requests": 0,
                    "ioerr": 0, "unsupported": 0}
        got = {k: got.get(k) for k in want}
        if got != want:
            return f"{self.dom}: {n} good requests, Tally counted {got}", good.group(0)
        return None


def hostile(dom, kind):
    return (passed(dom) + [HostileMatches(dom, kind),
                           NoLine(guest_line(dom, "virtiohostile: (FAIL|ERROR)"), f"{dom} failed"),
                           Line(rf"\] WARN: vdev: d\d+ {dom} {kind}: ring error \w+ on queue \d; "
                                r"device needs reset$", f"{dom}'s ring error line")])


VIRTIO_HOSTILE = (hostile("hnet", "virtio-net") + hostile("hblk", "virtio-blk")
                  + pair_checks("a", "b", "lan") + [received("a", 20), received("b", 20)]
                  + disk_guest("disk", MIB)
                  + [NO_ERRORS, MEM_BACK] + DOMAINS_DONE)

# kind: (the access, Tally's line for it)
REFUSALS = {
    "ro": r"MMIO at gpa=0xfed00000: mov of 4 bytes refused \(-22\)",
    "size": r"MMIO at gpa=0xfed00070: mov of 2 bytes refused \(-22\)",
    "offset": r"MMIO at gpa=0xfed000d0: mov of 4 bytes refused \(-22\)",
    "wo": r"MMIO at gpa=0xfed00050: mov of 4 bytes refused \(-22\)",
    "config": r"MMIO at gpa=0xfed01200: mov of 4 bytes refused \(-22\)",
}


def refused(kind):
    dom = f"r{kind}"
    return (destroyed(dom, REFUSALS[kind] + "; instruction bytes: .*")
            + [DeviceStats(dom, "virtio-blk" if kind == "config" else "virtio-net",
                           {"bad_register": 1, "needs_reset": 0, "resets": 0})])


VIRTIO_HOSTILE_REFUSALS = ([c for k in REFUSALS for c in refused(k)]
                           + [Count(r"\] WARN: domain: d\d+ \S+ destroyed: ", len(REFUSALS),
                                    "destroyed domain"),
                              NO_ERRORS, MEM_BACK] + passed("bystander")
                           + domains_done(EXIT_CRASHED))


def refusal_module(kind):
    dev = "disk=1 dev=blk" if kind == "config" else "net=refused dev=net"
    return (Guest("virtiohostile"), f"name=r{kind} mem=8 {dev} refuse={kind}")


RACE_OFFERS = 60
VIRTIO_HOSTILE_RACE = (hostile("hrace", "virtio-net")
                       + [Line(guest_line("hrace", rf"virtiohostile: race offers={RACE_OFFERS} "
                                          r"sent=\d+ refused=\d+ flips=[1-9]\d*$"),
                               "the race ran"),
                          NO_ERRORS, MEM_BACK] + DOMAINS_DONE)

VIRTIO_HOSTILE_SCENARIOS = [
    Scenario(
        "virtio-hostile", "a driver breaks every split-virtqueue and virtio-mmio rule on its "
        "NIC and, in another domain, on its disk (buffers and rings outside its RAM, in the "
        "device window, over 4 GiB, wrapping; loops, zero and 4 GiB lengths, bad indices, "
        "bad indirect tables, readable after writable, 65 segments, avail.idx jumped, bad "
        "queue sizes, dropped register writes): each time DEVICE_NEEDS_RESET, then a reset "
        "and a good request; Tally's error counters equal what it caused, cause by cause; a "
        "NIC pair and a disk beside it finish with exact counters",
        "bochs", bochs_vmx(1), VIRTIO_HOSTILE, cmdline=VMX_CMDLINE, timeout=180,
        modules=[(Guest("virtiohostile"), "name=hnet mem=16 net=hostile dev=net"),
                 (Guest("virtiohostile"), "name=hblk mem=16 disk=1 dev=blk"),
                 net_guest("a", "lan", 0x0a, 0x0b, "frames=20 expect=20"),
                 net_guest("b", "lan", 0x0b, 0x0a, "frames=20 expect=20"),
                 (Guest("virtioblk"), "name=disk mem=8 disk=1 seed=5 chunk=32 sectors=2048")]),
    Scenario(
        "virtio-hostile-refusals", "register accesses the virtio-mmio transport refuses (a "
        "write to MagicValue, a 16-bit Status write, an unknown offset, a read of "
        "QueueNotify, a read past the configuration space) each end their own domain with "
        "one line, counted in bad_register; a bystander passes",
        "bochs", bochs_vmx(1), VIRTIO_HOSTILE_REFUSALS, cmdline=VMX_CMDLINE, timeout=120,
        modules=[refusal_module(k) for k in REFUSALS] + [(Guest("hello"), "name=bystander mem=8")]),
    Scenario(
        "virtio-hostile-race", "one vCPU rewrites a descriptor's address between a good frame "
        f"and the end of RAM without pause while the other offers it {RACE_OFFERS} times: each "
        "offer is either refused (addr, DEVICE_NEEDS_RESET) or sends the good frame, and "
        "Tally's counters equal what the guest saw",
        "bochs", bochs_vmx(2), VIRTIO_HOSTILE_RACE, cmdline=VMX_CMDLINE, timeout=180,
        modules=[(Guest("virtiohostile"), f"name=hrace mem=8 vcpus=2 net=race dev=net "
                  f"race={RACE_OFFERS}")]),
]
