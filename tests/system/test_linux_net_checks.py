# SPDX-License-Identifier: MIT
"""linux_net_scenarios.py's checks on lines a real run printed, and on the same lines altered.

No emulator.  NET_RUN and DISK_RUN are the lines the checks read from real
linux-net and linux-disk runs (build-g, 2026-12); each altered copy must be
caught by the check it concerns.
"""

import dataclasses
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linux_net_scenarios as lns  # noqa: E402

NET_RUN = """\
[c0] <alice> eth0 tx_packets=4 tx_bytes=336 rx_packets=4 rx_bytes=336
[c0] domain: d1 alice net mac=02:54:41:00:00:01 group=lan tx_packets=4 tx_bytes=336 \
tx_broadcast=1 tx_multicast=0 rx_packets=4 rx_bytes=336 rx_broadcast=0 rx_multicast=0
[c0] domain: d1 alice net drop_spoofed=0 drop_isolation=0 drop_tx_limit=0 drop_rx_limit=0 \
drop_no_buffer=0 drop_oversize=0 drop_malformed=0 errors=0
[c0] domain: d1 alice virtio-net ring=0 index=0 loop=0 addr=0 len=0 indirect=0 order=0 segs=0 \
avail=0 needs_reset=0 bad_register=0 resets=2
[c0] <mallory> eth0 tx_packets=2 tx_bytes=196 rx_packets=0 rx_bytes=0
[c0] domain: d3 mallory net mac=02:54:41:00:00:03 group=dmz tx_packets=0 tx_bytes=0 \
tx_broadcast=0 tx_multicast=0 rx_packets=0 rx_bytes=0 rx_broadcast=0 rx_multicast=0
[c0] domain: d3 mallory net drop_spoofed=0 drop_isolation=2 drop_tx_limit=0 drop_rx_limit=0 \
drop_no_buffer=0 drop_oversize=0 drop_malformed=0 errors=0
[c0] <bob> eth0 tx_packets=4 tx_bytes=336 rx_packets=4 rx_bytes=336
[c0] domain: d2 bob net mac=02:54:41:00:00:02 group=lan tx_packets=4 tx_bytes=336 \
tx_broadcast=0 tx_multicast=0 rx_packets=4 rx_bytes=336 rx_broadcast=1 rx_multicast=0
[c0] domain: d2 bob net drop_spoofed=0 drop_isolation=0 drop_tx_limit=0 drop_rx_limit=0 \
drop_no_buffer=0 drop_oversize=0 drop_malformed=0 errors=0
[c0] domain: d2 bob virtio-net ring=0 index=0 loop=0 addr=0 len=0 indirect=0 order=0 segs=0 \
avail=0 needs_reset=2 bad_register=0 resets=2
"""

DISK_RUN = """\
[c0] <disk> vda before 19 31 688 20 22 7 638 64 0 28 86 0 0 0 0 4 1
[c0] <disk> vda after 51 31 4784 60 38 7 2686 85 0 80 147 0 0 0 0 4 1
[c0] domain: d1 disk disk bytes=8388608 ro=0 read_requests=51 read_bytes=2449408 \
write_requests=36 write_bytes=1375232 flush_requests=4 other_requests=0 ioerr=0 unsupported=0
"""


@dataclasses.dataclass
class Run:
    serial: str


def check_of(checks, cls, **match):
    """The check of class @cls in @checks whose fields are @match."""
    return next(c for c in checks if isinstance(c, cls)
                and all(getattr(c, k) == v for k, v in match.items()))


class NetChecks(unittest.TestCase):
    def eth(self, dom):
        return check_of(lns.NET_CHECKS, lns.EthCounts, dom=dom)

    def test_frame_arithmetic(self):
        # ARP request and reply 42 bytes, echo request and reply 98 (56 data bytes).
        self.assertEqual(lns.PAIR_WANT, {"tx_packets": 4, "tx_bytes": 336, "rx_packets": 4,
                                         "rx_bytes": 336})

    def test_real_run_passes(self):
        for dom in ("alice", "bob", "mallory"):
            self.assertIsNone(self.eth(dom)(Run(NET_RUN)), dom)
            self.assertIsNone(check_of(lns.NET_CHECKS, lns.Identity, dom=dom)(Run(NET_RUN)))
        for dom in ("alice", "bob"):
            self.assertIsNone(lns.TallyEqualsLinux(dom)(Run(NET_RUN)))

    def test_one_frame_more_on_both_sides_is_caught(self):
        # Tally and Linux agree, but a frame more than ARP + ICMP went through.
        serial = NET_RUN.replace("tx_packets=4 tx_bytes=336", "tx_packets=5 tx_bytes=378")
        self.assertIsNone(lns.TallyEqualsLinux("alice")(Run(serial)))
        why = self.eth("alice")(Run(serial))
        self.assertIn("Linux tx_packets=5 (want 4)", why[0])
        self.assertIn("Linux tx_bytes=378 (want 336)", why[0])

    def test_tally_disagreeing_with_linux_is_caught(self):
        got = NET_RUN.replace("d2 bob net mac=02:54:41:00:00:02 group=lan tx_packets=4 "
                              "tx_bytes=336", "d2 bob net mac=02:54:41:00:00:02 group=lan "
                              "tx_packets=4 tx_bytes=335")
        why = lns.TallyEqualsLinux("bob")(Run(got))
        self.assertEqual(why[0], "bob: tx_bytes: Linux 336, Tally 335")

    def test_a_frame_crossing_groups_is_caught(self):
        serial = NET_RUN.replace("drop_isolation=2", "drop_isolation=1")
        self.assertIn("Tally drop_isolation=1 (want 2)", self.eth("mallory")(Run(serial))[0])

    def test_wrong_group_and_virtio_errors_are_caught(self):
        serial = NET_RUN.replace("group=dmz", "group=lan")
        self.assertIsNotNone(check_of(lns.NET_CHECKS, lns.Identity, dom="mallory")(Run(serial)))
        why = lns.NoVirtioErrors("bob", "virtio-net", lns.VIRTIO_RESETS)(Run(NET_RUN))
        self.assertIn("needs_reset", why[0])
        self.assertIsNone(lns.NoVirtioErrors("alice", "virtio-net", 2)(Run(NET_RUN)))
        self.assertIn("resets", lns.NoVirtioErrors("alice", "virtio-net", 1)(Run(NET_RUN))[0])
        self.assertIsNotNone(lns.NoVirtioErrors("mallory", "virtio-net", 2)(Run(NET_RUN)))

    def test_continued_lines_count(self):
        # A line that continues one another console line interrupted is tagged `<dom>+`.
        serial = NET_RUN.replace("[c0] <alice> eth0", "[c0] <alice>+ eth0")
        self.assertIsNone(lns.TallyEqualsLinux("alice")(Run(serial)))
        self.assertIsNone(lns.guest_eth(serial.replace("<bob>", "<bobby>"), "bob"))

    def test_missing_lines_are_caught(self):
        self.assertIsNotNone(self.eth("alice")(Run("")))
        self.assertIsNotNone(lns.TallyEqualsLinux("alice")(Run("")))


class DiskChecks(unittest.TestCase):
    def test_real_run_passes(self):
        self.assertIsNone(lns.RawDdMoved()(Run(DISK_RUN)))
        self.assertIsNone(lns.DiskEqualsLinux()(Run(DISK_RUN)))

    def test_raw_dd_short_by_a_sector_is_caught(self):
        serial = DISK_RUN.replace("vda after 51 31 4784", "vda after 51 31 4783")
        self.assertIn("raw dd", lns.RawDdMoved()(Run(serial))[0])

    def test_tally_counts_against_linux(self):
        serial = DISK_RUN.replace("read_bytes=2449408", "read_bytes=2448896")
        self.assertIn("read_bytes: Tally 2448896, Linux 2449408",
                      lns.DiskEqualsLinux()(Run(serial))[0])
        serial = DISK_RUN.replace("flush_requests=4", "flush_requests=3")
        self.assertIn("flush_requests", lns.DiskEqualsLinux()(Run(serial))[0])
        serial = DISK_RUN.replace("ioerr=0", "ioerr=1")
        self.assertIn("ioerr=1 (want 0)", lns.DiskEqualsLinux()(Run(serial))[0])

    def test_write_requests_differ_by_empty_flushes_only(self):
        # Linux's 38 write I/Os: 36 writes the device saw and 2 empty PREFLUSH writes;
        # with 4 flushes, 34 to 38 device writes can be right.
        for tally_writes, ok in ((38, True), (34, True), (33, False), (39, False)):
            serial = DISK_RUN.replace("write_requests=36", f"write_requests={tally_writes}")
            self.assertEqual(lns.DiskEqualsLinux()(Run(serial)) is None, ok, tally_writes)

    def test_file_md5_is_the_host_s(self):
        import hashlib
        data = b"".join(b"tally\n" for _ in range(60000))[:lns.FILE_BYTES]
        self.assertEqual(lns.FILE_MD5, hashlib.md5(data).hexdigest())
        self.assertEqual(lns.FILE_MD5, "c71af54ae4db4744bca26f26a25189d4")


if __name__ == "__main__":
    unittest.main()
