# SPDX-License-Identifier: MIT
"""The NIC switch (issue 13): `net` test guests exchange known frames over
virtio-net, and Tally's per-port counters must equal, to the frame and the
byte, what the guests report they sent and received, with every drop
counted by cause at the port it belongs to.

Split from scenarios.py, which adds NET_SCENARIOS to its list.
"""

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from net_checks import NetDelivered, NetMatchesGuest, NetRate, net_guest_ok


def mac(n):
    return f"02:00:00:00:00:{n:02x}"


def net_guest(name, group, n, peer, extra="", tally=""):
    """A `net` guest named @name in group @group with MAC mac(@n) (and Tally options
    @tally), its peer mac(@peer), its own options @extra."""
    return (Guest("net"), f"name={name} mem=8 net={group} mac={mac(n)} {tally} peer={mac(peer)} "
            f"{extra}".replace("  ", " "))


def pair_checks(a, b, group):
    """@a and @b passed, and each one's counters match its report and the other's."""
    return (passed(a) + passed(b)
            + [NetMatchesGuest(a, group), NetMatchesGuest(b, group),
               NetDelivered(a, b), NetDelivered(b, a), net_guest_ok(a), net_guest_ok(b)])


def received(dom, n):
    return Line(guest_line(dom, rf"net: ok: data frames received {n} \(expected {n}\), "
                           rf"acknowledged by the peer \d+ of \d+$"), f"{dom} got {n} data frames")


NET_PAIR = (pair_checks("a", "b", "lan")
            + [received("a", 100), received("b", 100),
               Line(guest_line("a", r"net: ok: receive by interrupt: \d+ interrupts, status bits "
                               r"0x1, 0x0 left$"), "a received by interrupt"),
               Line(guest_line("a", r"net: mac=02:00:00:00:00:0a tx packets=\d+ bytes=\d+ "
                               r"broadcast=6 multicast=4 spoofed=0 isolated=0$"), "a's floods"),
               Line(guest_line("b", r"net: rx packets=\d+ bytes=\d+ broadcast=6 multicast=4 "
                               r"data=100 foreign=0 bad=0$"), "b got a's floods"),
               Line(guest_line("b", r"net: ok: VIRTIO_F_INDIRECT_DESC accepted"), "b indirect"),
               NO_ERRORS, MEM_BACK] + DOMAINS_DONE)

# red: r1 (forges its source, sends to blue's u1), r2; blue: u1 (sends to red's r2), u2.
NET_ISOLATION = (pair_checks("r1", "r2", "red") + pair_checks("u1", "u2", "blue")
                 + [Line(guest_line("r1", r"net: mac=02:00:00:00:00:11 tx packets=\d+ bytes=\d+ "
                                    r"broadcast=3 multicast=2 spoofed=5 isolated=4$"),
                         "r1 forged 5 frames and sent 4 to blue"),
                    Line(guest_line("u1", r"net: mac=02:00:00:00:00:21 tx .* spoofed=0 "
                                    r"isolated=2$"), "u1 sent 2 frames to red"),
                    NO_ERRORS, MEM_BACK] + DOMAINS_DONE)

RATE = 100_000                    # net_tx_bytes_s of the limited port
BURST = max(RATE // 10, 1514)     # a tenth of a second, at least one maximum frame
NET_RATELIMIT = (passed("lim") + passed("sink") + pair_checks("by1", "by2", "by")
                 + [NetMatchesGuest("lim", "rl", limited=True), NetMatchesGuest("sink", "rl"),
                    NetDelivered("lim", "sink"), NetRate("lim", "sink", RATE, BURST),
                    NO_ERRORS, MEM_BACK] + DOMAINS_DONE)

NET_SCENARIOS = [
    Scenario(
        "net-pair", "two NICs on one switch group exchange 100 frames each way (60 to 1514 "
        "bytes, broadcasts and multicasts among them), every byte checked, one side "
        "receiving by interrupt, the other sending through indirect tables: both ports' counters equal what the guests did",
        "bochs", bochs_vmx(1), NET_PAIR, timeout=120,
        modules=[net_guest("a", "lan", 0x0a, 0x0b, "frames=90 bcast=6 mcast=4 expect=100 irq"),
                 net_guest("b", "lan", 0x0b, 0x0a, "frames=92 bcast=4 mcast=4 expect=100 indirect")]),
    Scenario(
        "net-isolation", "two groups of two: forged source MACs and frames to the other "
        "group's MACs are dropped at the sender's port and counted, floods stay in their "
        "group, nothing crosses",
        "bochs", bochs_vmx(1), NET_ISOLATION, timeout=120,
        modules=[net_guest("r1", "red", 0x11, 0x12, f"frames=10 bcast=3 mcast=2 expect=12 "
                           f"spoof=5 xsend={mac(0x21)} xframes=4"),
                 net_guest("r2", "red", 0x12, 0x11, "frames=10 bcast=2 expect=15"),
                 net_guest("u1", "blue", 0x21, 0x22, f"frames=10 bcast=3 expect=13 "
                           f"xsend={mac(0x12)} xframes=2"),
                 net_guest("u2", "blue", 0x22, 0x21, "frames=10 mcast=3 expect=13")]),
    Scenario(
        "net-ratelimit", f"a port limited to {RATE} bytes/s blasts 40 frames of 1000 bytes: "
        "what the switch takes stays within burst + rate * elapsed, the rest is counted as "
        "tx-limit drops; a bystander pair at full speed beside it loses nothing",
        "bochs", bochs_vmx(1), NET_RATELIMIT, timeout=120,
        modules=[net_guest("lim", "rl", 0x31, 0x32, "blast frames=40 min=1000 max=1000 "
                           "settle_us=5000", tally=f"net_tx_bytes_s={RATE}"),
                 net_guest("sink", "rl", 0x32, 0x31, "sink min=1000 max=1000"),
                 net_guest("by1", "by", 0x41, 0x42, "frames=60"),
                 net_guest("by2", "by", 0x42, 0x41, "frames=60")]),
]
