# SPDX-License-Identifier: MIT
"""Device counter scenarios: a guest's known disk and network I/O against the
NET_COUNTERS and DISK_COUNTERS hypercalls (its own and, as the control
domain, a peer's) and the `domain: dN NAME net|disk|virtio-*` usage lines.

Split from scenarios.py, which adds DEVCOUNT_SCENARIOS to its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from checks import key_values
from metrics_checks import StreamDevicesAgree, StreamIsJson
from top_checks import TableDevices, TopTables

DISK_BYTES = 1 << 20            # disk=1
REQ = 4096                      # the guest's requests are 4 KiB
FRAME = 1000                    # bytes per frame, no virtio header


def net_expected(frames):
    """A port that sent @frames broadcasts alone in its group, and one spoofed frame."""
    return dict(tx_packets=frames, tx_bytes=frames * FRAME, tx_broadcast=frames,
                tx_multicast=0, rx_packets=0, rx_bytes=0, rx_broadcast=0, rx_multicast=0,
                drop_spoofed=1, drop_isolation=0, drop_tx_limit=0, drop_rx_limit=0,
                drop_no_buffer=0, drop_oversize=0, drop_malformed=0, errors=0)


NO_RING_ERRORS = dict(ring=0, index=0, loop=0, addr=0, len=0, indirect=0, order=0, segs=0,
                      avail=0, needs_reset=0, bad_register=0)


@dataclasses.dataclass
class GuestSawUsage:
    """What @dom's guest printed as `devcount: @who @kind k=v ...` (read by hypercall)
    equals its @kind usage line, key by key: the two views of one set of counters."""
    dom: str
    who: str
    kind: str
    usage_dom: str

    def __call__(self, r):
        m = re.search(guest_line(self.dom, rf"devcount: {self.who} {self.kind} (.*)$"),
                      r.serial, re.MULTILINE)
        if not m:
            return f"{self.dom} printed no `{self.who} {self.kind}` line", tail(r.serial)
        seen = key_values(m.group(1))
        usage = (net_stats if self.kind == "net" else disk_stats)(r.serial).get(self.usage_dom)
        if usage is None:
            return f"no {self.usage_dom} {self.kind} usage line", tail(r.serial)
        wrong = [f"{k}: hypercall {v}, usage line {usage.get(k)}" for k, v in seen.items()
                 if usage.get(k) != v]
        return (", ".join(wrong), m.group(0)) if wrong else None


DEVCOUNT_OK = ("NET_COUNTERS of itself: 296 bytes", "DISK_COUNTERS of itself: 216 bytes, exact",
               "DOMAIN_INFO disk_bytes=1048576", "DOMAIN_COUNTERS net tx 5/5000 rx 0, disk reads "
               "6/24576 writes 4/16384", "NET_COUNTERS of d2 as control: 296 bytes, 7 frames",
               "DISK_COUNTERS of d2 (no disk): -2", "NET_COUNTERS of d999 (none): -2",
               "NET_COUNTERS with a short length: -22", "NET_COUNTERS misaligned: -22",
               "NET_COUNTERS beyond RAM: -14", "a read past the end (sector 2048): status 1")
PEER_OK = ("NET_COUNTERS of itself: 296 bytes", "NET_COUNTERS of d1: -1",
           "DISK_COUNTERS of d1: -1", "DISK_COUNTERS of itself (no disk): -2")

DEVCOUNT = ([Line(guest_line("dca", "devcount: ok: .*" + re.escape(t)), t) for t in DEVCOUNT_OK]
            + [Line(guest_line("dcb", "devcount: ok: .*" + re.escape(t)), t) for t in PEER_OK]
            + [NoLine(guest_line("dc[ab]", "devcount: FAIL"), "failed devcount check"),
               DeviceStats("dca", "net", net_expected(5)),
               DeviceStats("dcb", "net", net_expected(7)),
               DeviceStats("dca", "disk", dict(bytes=DISK_BYTES, ro=0, read_requests=6,
                                               read_bytes=6 * REQ, write_requests=4,
                                               write_bytes=4 * REQ, flush_requests=1,
                                               other_requests=1, ioerr=1, unsupported=0)),
               DeviceStats("dca", "virtio-net", NO_RING_ERRORS),
               DeviceStats("dca", "virtio-blk", NO_RING_ERRORS),
               DeviceStats("dcb", "virtio-net", NO_RING_ERRORS),
               NoLine(r"\] domain: d2 dcb disk ", "a disk line for the domain without a disk"),
               GuestSawUsage("dca", "own", "net", "dca"),
               GuestSawUsage("dca", "own", "disk", "dca"),
               GuestSawUsage("dca", "peer", "net", "dcb"),
               GuestSawUsage("dcb", "own", "net", "dcb"),
               # Typed once both ended: the table shows their final counters.
               TopTables(1), StreamIsJson(1), StreamDevicesAgree(("dca", "dcb")),
               TableDevices("dca", {"NETTX(k)": "4", "NETRX(k)": "0", "VBD_RD": "6",
                                    "VBD_WR": "4"}),
               TableDevices("dcb", {"NETTX(k)": "6", "NETRX(k)": "0", "VBD_RD": "-",
                                    "VBD_WR": "-"}),
               Line(r"\] tally: all domains ended$", "all domains ended"),
               NoLine(r"tally: exit code", "exit line"), EndedBy("done"),
               NO_ERRORS, MEM_BACK] + passed("dca") + passed("dcb"))

DEVCOUNT_SCENARIOS = [
    Scenario(
        "devcount-hypercalls", "a guest's known disk and network I/O read back exactly through "
        "NET_COUNTERS and DISK_COUNTERS, its own and a peer's, and in the usage lines",
        "bochs", emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS, com2=True), DEVCOUNT,
        timeout=120, cmdline="metrics=com2 metrics_interval_ms=1000",
        keys=[(r"^\[c0\] tally: all domains ended$", "t")], stop_when=r"^\[c0\] top: -\s+idle ",
        modules=[(Guest("devcount"), "name=dca mem=8 role=control net=a disk=1 frames=5 "
                                     f"size={FRAME} writes=4 reads=6 peer=2 peer_frames=7"),
                 (Guest("devcount"), f"name=dcb mem=8 net=b frames=7 size={FRAME} nodisk")]),
]
