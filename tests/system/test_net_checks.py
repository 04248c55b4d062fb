# SPDX-License-Identifier: MIT
"""The NIC checks (net_checks.py) hold on agreeing counters and fail on each kind of mismatch."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from net_checks import NetDelivered, NetMatchesGuest, NetRate, guest_net  # noqa: E402


class Result:
    def __init__(self, serial):
        self.serial = serial


def usage(n, name, mac, group, **c):
    values = dict(tx_packets=0, tx_bytes=0, tx_broadcast=0, tx_multicast=0, rx_packets=0,
                  rx_bytes=0, rx_broadcast=0, rx_multicast=0)
    drops = dict(drop_spoofed=0, drop_isolation=0, drop_tx_limit=0, drop_rx_limit=0,
                 drop_no_buffer=0, drop_oversize=0, drop_malformed=0, errors=0)
    for k, v in c.items():
        (values if k in values else drops)[k] = v
    return (f"[c0] domain: d{n} {name} net mac={mac} group={group} "
            + " ".join(f"{k}={v}" for k, v in values.items()) + "\n"
            + f"[c0] domain: d{n} {name} net " + " ".join(f"{k}={v}" for k, v in drops.items()))


def report(name, mac, tx, rx, spoofed=0, isolated=0):
    return (f"[c0] <{name}> net: mac={mac} tx packets={tx[0]} bytes={tx[1]} broadcast={tx[2]} "
            f"multicast={tx[3]} spoofed={spoofed} isolated={isolated}\n"
            f"[c0] <{name}> net: rx packets={rx[0]} bytes={rx[1]} broadcast={rx[2]} "
            f"multicast={rx[3]} data=100 foreign=0 bad=0")


A, B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"


def pair(**a_usage):
    """The net-pair run's lines (b lost a's first HELLO), with @a_usage replacing a's counters."""
    a = dict(tx_packets=115, tx_bytes=78480, tx_broadcast=6, tx_multicast=4, rx_packets=115,
             rx_bytes=78480, rx_broadcast=4, rx_multicast=4)
    a.update(a_usage)
    return Result("\n".join([
        report("a", A, (115, 78480, 6, 4), (115, 78480, 4, 4)),
        usage(1, "a", A, "lan", **a),
        report("b", B, (115, 78480, 4, 4), (114, 78420, 6, 4)),
        usage(2, "b", B, "lan", tx_packets=115, tx_bytes=78480, tx_broadcast=4, tx_multicast=4,
              rx_packets=114, rx_bytes=78420, rx_broadcast=6, rx_multicast=4,
              drop_no_buffer=1)]))


class NetMatchesGuestTest(unittest.TestCase):
    def test_agreeing_counters_pass(self):
        self.assertIsNone(NetMatchesGuest("a", "lan")(pair()))
        self.assertIsNone(NetMatchesGuest("b", "lan")(pair()))

    def test_each_mismatch_fails(self):
        for field, value in (("tx_packets", 114), ("tx_bytes", 78481), ("rx_broadcast", 3),
                             ("rx_multicast", 5), ("drop_spoofed", 1), ("drop_malformed", 1),
                             ("errors", 2), ("drop_tx_limit", 1)):
            failure = NetMatchesGuest("a", "lan")(pair(**{field: value}))
            self.assertIsNotNone(failure, field)
            self.assertIn(f"{field}={value}", failure[0])

    def test_wrong_group_or_missing_lines_fail(self):
        self.assertIn("group=lan (expected wan)", NetMatchesGuest("a", "wan")(pair())[0])
        self.assertIn("no `domain: dN c net` usage line",
                      NetMatchesGuest("c")(Result(report("c", A, (1, 60, 0, 0), (0, 0, 0, 0))))[0])
        self.assertIn("no `net: tx` report from d", NetMatchesGuest("d")(pair())[0])

    def test_limited_splits_between_taken_and_dropped(self):
        serial = Result(report("lim", A, (43, 40180, 0, 0), (3, 180, 0, 0)) + "\n"
                        + usage(1, "lim", A, "rl", tx_packets=18, tx_bytes=15180, rx_packets=3,
                                rx_bytes=180, drop_tx_limit=25))
        self.assertIsNone(NetMatchesGuest("lim", "rl", limited=True)(serial))
        serial.serial = serial.serial.replace("drop_tx_limit=25", "drop_tx_limit=24")
        self.assertIn("tx_packets+drop_tx_limit=42 (expected 43)",
                      NetMatchesGuest("lim", "rl", limited=True)(serial)[0])


class NetDeliveredTest(unittest.TestCase):
    def test_taken_equals_delivered_plus_lost(self):
        self.assertIsNone(NetDelivered("a", "b")(pair()))
        self.assertIsNone(NetDelivered("b", "a")(pair()))
        self.assertIn("tx_packets=116 (expected 115)", NetDelivered("a", "b")(pair(tx_packets=116))[0])

    def test_other_drops_at_the_receiver_fail(self):
        failure = NetDelivered("b", "a")(pair(drop_rx_limit=1, rx_packets=114))
        self.assertIn("a drop_rx_limit=1 (expected 0)", failure[0])


class NetRateTest(unittest.TestCase):
    def serial(self, taken_bytes, ticks=4411794):
        return Result("\n".join([
            f"[c0] <lim> net: blast frames=40 bytes=40000 ticks={ticks} tsc_khz=50001",
            f"[c0] <sink> net: sink data=15 data_bytes={taken_bytes - 180}",
            report("lim", A, (43, 40180, 0, 0), (3, 180, 0, 0)),
            usage(1, "lim", A, "rl", tx_packets=18, tx_bytes=taken_bytes, drop_tx_limit=25)]))

    def test_within_bounds_passes(self):
        self.assertIsNone(NetRate("lim", "sink", 100000, 10000)(self.serial(15180)))

    def test_over_burst_plus_rate_fails(self):
        self.assertIn("over 10000 + 100000 B/s", NetRate("lim", "sink", 100000, 10000)(
            self.serial(19180))[0])

    def test_under_the_rate_fails(self):
        self.assertIn("under 100000 B/s", NetRate("lim", "sink", 100000, 10000)(
            self.serial(5180, ticks=50001 * 100))[0])


class GuestNetTest(unittest.TestCase):
    def test_parses_both_lines(self):
        g, fail = guest_net(pair().serial, "b")
        self.assertIsNone(fail)
        self.assertEqual(g["rx"]["packets"], 114)
        self.assertEqual(g["tx"]["mac"], B)


if __name__ == "__main__":
    unittest.main()
