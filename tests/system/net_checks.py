# SPDX-License-Identifier: MIT
"""Checks of the NIC switch's counters against what the `net` test guests report.

Each `net` guest (tests/guests/check/net) ends with two lines of what it did:

    <NAME> net: mac=M tx packets=N bytes=N broadcast=N multicast=N spoofed=N isolated=N
    <NAME> net: rx packets=N bytes=N broadcast=N multicast=N data=N foreign=N bad=N

tx counts the frames it queued with its own source MAC to a destination of
its group (the switch must take them all, unless a rate limit drops some),
spoofed and isolated the ones the switch must drop at its port; rx every
frame it took from its receive ring.  Tally's usage lines (H's
checks.net_stats()) must agree to the frame and to the byte.
"""

import dataclasses
import re

from checks import Line, guest_line, net_identity, net_stats, tail

NET_TX_RE = (r"net: mac=(?P<mac>[0-9a-f:]{17}) tx packets=(?P<packets>\d+) bytes=(?P<bytes>\d+) "
             r"broadcast=(?P<broadcast>\d+) multicast=(?P<multicast>\d+) "
             r"spoofed=(?P<spoofed>\d+) isolated=(?P<isolated>\d+)$")
NET_RX_RE = (r"net: rx packets=(?P<packets>\d+) bytes=(?P<bytes>\d+) broadcast=(?P<broadcast>\d+) "
             r"multicast=(?P<multicast>\d+) data=(?P<data>\d+) foreign=(?P<foreign>\d+) "
             r"bad=(?P<bad>\d+)$")
NET_BLAST_RE = r"net: blast frames=(\d+) bytes=(\d+) ticks=(\d+) tsc_khz=(\d+)$"
NET_SINK_RE = r"net: sink data=(\d+) data_bytes=(\d+)$"
# The counters that only a fault or a hostile guest raises.
NET_FAULTS = ("drop_oversize", "drop_malformed", "errors")
NET_DROPS = ("drop_spoofed", "drop_isolation", "drop_tx_limit", "drop_rx_limit",
             "drop_no_buffer", "drop_oversize", "drop_malformed")


def _ints(m):
    return {k: (v if k == "mac" else int(v)) for k, v in m.groupdict().items()}


def guest_net(serial, dom):
    """({"tx": {...}, "rx": {...}}, None) from @dom's report lines, or (None, failure)."""
    out = {}
    for key, pattern in (("tx", NET_TX_RE), ("rx", NET_RX_RE)):
        m = re.search(guest_line(dom, pattern), serial, re.MULTILINE)
        if not m:
            return None, (f"no `net: {key}` report from {dom}", tail(serial))
        out[key] = _ints(m)
    return out, None


def _usage(r, dom):
    stats = net_stats(r.serial).get(dom)
    if stats is None:
        return None, (f"no `domain: dN {dom} net` usage line", tail(r.serial))
    return stats, None


def _excerpt(r, dom):
    lines = [ln for ln in r.serial.splitlines()
             if re.search(rf"\] domain: d\d+ {re.escape(dom)} net |<{re.escape(dom)}> net: ", ln)]
    return "\n".join(lines) or tail(r.serial)


def _differences(pairs):
    """[text] for each (name, got, expected) that differs."""
    return [f"{name}={got} (expected {want})" for name, got, want in pairs if got != want]


@dataclasses.dataclass
class NetMatchesGuest:
    """@dom's usage line equals its guest's report: tx and rx packets, bytes, broadcasts,
    multicasts, spoofed and isolation drops; no oversize, malformed or error counts.
    With @limited, the frames its guest queued are split between tx_packets and
    drop_tx_limit, and at least one was dropped."""
    dom: str
    group: str = None
    limited: bool = False

    def __call__(self, r):
        g, fail = guest_net(r.serial, self.dom)
        if fail:
            return fail
        u, fail = _usage(r, self.dom)
        if fail:
            return fail
        tx, rx = g["tx"], g["rx"]
        pairs = [(f"rx_{k}", u.get(f"rx_{k}"), rx[k])
                 for k in ("packets", "bytes", "broadcast", "multicast")]
        pairs += [("drop_spoofed", u.get("drop_spoofed"), tx["spoofed"]),
                  ("drop_isolation", u.get("drop_isolation"), tx["isolated"])]
        pairs += [(k, u.get(k), 0) for k in NET_FAULTS]
        if self.limited:
            pairs.append(("tx_packets+drop_tx_limit",
                          u.get("tx_packets", 0) + u.get("drop_tx_limit", 0), tx["packets"]))
            if not u.get("drop_tx_limit"):
                pairs.append(("drop_tx_limit", 0, "> 0"))
        else:
            pairs += [(f"tx_{k}", u.get(f"tx_{k}"), tx[k])
                      for k in ("packets", "bytes", "broadcast", "multicast")]
            pairs.append(("drop_tx_limit", u.get("drop_tx_limit"), 0))
        ident = net_identity(r.serial).get(self.dom, (None, None))
        pairs.append(("mac", ident[0], tx["mac"]))
        if self.group is not None:
            pairs.append(("group", ident[1], self.group))
        bad = _differences(pairs)
        if not bad:
            return None
        return f"{self.dom}: " + ", ".join(bad), _excerpt(r, self.dom)


@dataclasses.dataclass
class NetDelivered:
    """Every frame the switch took from @src reached @dst or was dropped at @dst's port:
    src.tx_packets == dst.rx_packets + drop_no_buffer + drop_rx_limit, and the bytes
    likewise when nothing was dropped at @dst; @dst's drops other than @dst_drops are 0.
    (@src and @dst are the only two ports of their group, each sending only to the other.)"""
    src: str
    dst: str
    dst_drops: tuple = ("drop_no_buffer",)

    def __call__(self, r):
        s, fail = _usage(r, self.src)
        if fail:
            return fail
        d, fail = _usage(r, self.dst)
        if fail:
            return fail
        lost = d.get("drop_no_buffer", 0) + d.get("drop_rx_limit", 0)
        pairs = [("tx_packets", s.get("tx_packets"), d.get("rx_packets", 0) + lost)]
        if lost == 0:
            pairs.append(("tx_bytes", s.get("tx_bytes"), d.get("rx_bytes")))
        pairs += [(f"{self.dst} {k}", d.get(k), 0) for k in NET_DROPS
                  if k not in self.dst_drops and k not in ("drop_spoofed", "drop_isolation")]
        bad = _differences(pairs)
        if not bad:
            return None
        return (f"{self.src} -> {self.dst}: " + ", ".join(bad),
                _excerpt(r, self.src) + "\n" + _excerpt(r, self.dst))


@dataclasses.dataclass
class NetRate:
    """The rate-limited @sender's blast: the bytes the switch took during it stay within
    [rate * elapsed - 2 frames, burst + rate * elapsed] (elapsed from the sender's TSC; everything it sent outside the
    blast, the handshake and its END, is subtracted as if all of it had been taken), the
    @sink got every frame taken (its `sink data_bytes`), and the limit dropped some."""
    sender: str
    sink: str
    rate: int           # net_tx_bytes_s
    burst: int          # what the switch's bucket holds: max(rate / 10, a maximum frame)

    def __call__(self, r):
        m = re.search(guest_line(self.sender, NET_BLAST_RE), r.serial, re.MULTILINE)
        k = re.search(guest_line(self.sink, NET_SINK_RE), r.serial, re.MULTILINE)
        if not m or not k:
            return f"no blast line from {self.sender} or sink line from {self.sink}", tail(r.serial)
        frames, blast_bytes, ticks, khz = (int(x) for x in m.groups())
        g, fail = guest_net(r.serial, self.sender)
        if fail:
            return fail
        u, fail = _usage(r, self.sender)
        if fail:
            return fail
        other = g["tx"]["bytes"] - blast_bytes          # handshake and END, all of them
        taken = u.get("tx_bytes", 0) - other            # at least this much during the blast
        elapsed_s = ticks / (khz * 1000.0)
        allowed = self.burst + self.rate * elapsed_s
        delivered = int(k.group(2))
        problems = []
        if taken > allowed:
            problems.append(f"{taken} bytes taken in {elapsed_s * 1e3:.2f} ms, over "
                            f"{self.burst} + {self.rate} B/s * elapsed = {allowed:.0f}")
        # Offered faster than the rate, the bucket passes at least rate * elapsed less
        # one frame's wait for tokens (two frames of slack for the refill's rounding).
        floor = self.rate * elapsed_s - 2 * blast_bytes / max(frames, 1)
        if taken < floor:
            problems.append(f"only {taken} bytes taken in {elapsed_s * 1e3:.2f} ms: under "
                            f"{self.rate} B/s * elapsed - 2 frames = {floor:.0f}")
        if delivered > blast_bytes or delivered < taken:
            problems.append(f"sink got {delivered} data bytes, expected {max(taken, 0)}.."
                            f"{blast_bytes} of the {frames} frames")
        if u.get("drop_tx_limit", 0) == 0:
            problems.append("the limit dropped nothing")
        if not problems:
            return None
        return f"{self.sender}: " + "; ".join(problems), _excerpt(r, self.sender)


def net_guest_ok(dom):
    """@dom's guest passed its own checks: no frame from outside its pair, no bad byte."""
    return Line(guest_line(dom, r"net: rx .* foreign=0 bad=0$"), f"{dom} clean receive report")
