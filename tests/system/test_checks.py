# SPDX-License-Identifier: MIT
"""The domain-line checks pass only on their evidence: a missing line or field fails."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import DomainOverhead  # noqa: E402
from checks import (CpuAccounting, DomainStat, DonationsReceived, GuestCyclesSplit,  # noqa: E402
                    HypervisorCyclesSplit, domain_stats)
from checks import DeviceStats, disk_stats, net_identity, net_stats, virtio_errors  # noqa: E402
from top_checks import ManyDomainsTables, TableDevices, TopTables  # noqa: E402


class Result:
    def __init__(self, serial):
        self.serial = serial


def domain_line(n, name, **fields):
    values = dict(cpu_us=1000, cpu_cycles=50000, slices=3, halts=2, exits=40, **fields)
    return f"[c0] domain: d{n} {name} " + " ".join(f"{k}={v}" for k, v in values.items())


class DomainStatTest(unittest.TestCase):
    def test_in_range_passes_out_of_range_fails(self):
        r = Result(domain_line(1, "spin", donated_us=0, received_us=0))
        self.assertIsNone(DomainStat("spin", "exits", 40, 40)(r))
        self.assertIn("spin exits=40, expected 41..50", DomainStat("spin", "exits", 41, 50)(r)[0])

    def test_missing_field_or_line_fails(self):
        r = Result(domain_line(1, "spin"))
        self.assertEqual(DomainStat("spin", "wakeups", 0)(r)[0],
                         "spin's domain line has no wakeups=")
        self.assertIn("no `domain: dN halter cpu_us=` line", DomainStat("halter", "halts", 0)(r)[0])

    def test_no_option_to_pass_without_evidence(self):
        with self.assertRaises(TypeError):
            DomainStat("spin", "wakeups", 0, optional=True)


class DonationsReceivedTest(unittest.TestCase):
    def serial(self, spin2_fields):
        return Result("\n".join([
            domain_line(1, "halter", donated_us=500, received_us=0),
            domain_line(2, "spin1", donated_us=0, received_us=300),
            domain_line(3, "spin2", **spin2_fields)]))

    def test_received_within_donated_passes(self):
        check = DonationsReceived("halter", ("spin1", "spin2"))
        self.assertIsNone(check(self.serial(dict(donated_us=0, received_us=200))))
        self.assertIn("received 600 us of the 500 us",
                      check(self.serial(dict(donated_us=0, received_us=300)))[0])

    def test_a_recipient_without_received_us_fails(self):
        failure = DonationsReceived("halter", ("spin1", "spin2"))(self.serial(dict(donated_us=0)))
        self.assertEqual(failure[0], "spin2's domain line has no received_us=")


class RestartedDomainTest(unittest.TestCase):
    """A domain restarted by on_reboot=restart prints a line per life: they add up."""

    def test_lives_add_up(self):
        serial = "\n".join(["[c0] domain: d1 bz cpu_us=2 cpu_cycles=100 slices=3",
                            "[c0] domain: d1 bz cpu_us=1 cpu_cycles=30 slices=3",
                            "[c0] domain: d2 hello cpu_us=1 cpu_cycles=7 slices=1"])
        stats = domain_stats(serial)
        self.assertEqual(stats["bz"]["cpu_cycles"], 130)
        self.assertEqual(stats["bz"]["slices"], 6)
        self.assertEqual(stats["hello"]["cpu_cycles"], 7)
        cpu = ("[c0] sched: cpu0 accounted_cycles=200 guest_cycles=137 hypervisor_cycles=63 "
               "idle_cycles=0")
        self.assertIsNone(GuestCyclesSplit()(Result(serial + "\n" + cpu)))
        self.assertIn("off by -1",
                      GuestCyclesSplit()(Result(serial + "\n" + cpu.replace("137", "138")))[0])



class HypervisorSplitTest(unittest.TestCase):
    """The per-CPU split adds up, and the domains' hv_cycles (lives too) to the attributed."""

    SERIAL = "\n".join(["[c0] domain: d1 bz cpu_us=2 cpu_cycles=100 hv_cycles=40 slices=3",
                         "[c0] domain: d1 bz cpu_us=1 cpu_cycles=30 hv_cycles=5 slices=3",
                         "[c1] domain: d2 hello cpu_us=1 cpu_cycles=7 hv_cycles=9 slices=1"])
    CPU = ("[c0] sched: cpu0 accounted_cycles=200 guest_cycles=137 hypervisor_cycles=63 "
           "idle_cycles=0 switches=1 donated_cycles=0\n"
           "[c0] sched: cpu0 hypervisor_attributed_cycles=54 hypervisor_unattributed_cycles=9")

    def test_sums(self):
        r = Result(self.SERIAL + "\n" + self.CPU)
        self.assertIsNone(HypervisorCyclesSplit()(r))
        self.assertIsNone(CpuAccounting()(r))

    def test_mismatches(self):
        bad = self.SERIAL.replace("hv_cycles=9", "hv_cycles=10") + "\n" + self.CPU
        self.assertIn("off by 1", HypervisorCyclesSplit()(Result(bad))[0])
        cpu = self.CPU.replace("unattributed_cycles=9", "unattributed_cycles=8")
        self.assertIn("not accounted 200", CpuAccounting()(Result(self.SERIAL + "\n" + cpu))[0])
        cpu = self.CPU.replace(" hypervisor_unattributed_cycles=9", "")
        self.assertIn("lacks", CpuAccounting()(Result(self.SERIAL + "\n" + cpu))[0])


NET_LINE = ("[c0] domain: d{n} {name} net mac=02:54:41:00:00:0{n} group=lan tx_packets={tx} "
            "tx_bytes={txb} tx_broadcast=1 tx_multicast=0 rx_packets=3 rx_bytes=180 rx_broadcast=0 "
            "rx_multicast=2 drop_spoofed=4 drop_isolation=0 drop_tx_limit=0 drop_rx_limit=0 "
            "drop_no_buffer=5 drop_oversize=0 drop_malformed=0 errors=0")
DISK_LINE = ("[c1] domain: d{n} {name} disk bytes={size} ro={ro} read_requests=2 read_bytes=1024 "
             "write_requests=1 write_bytes=512 flush_requests=1 other_requests=0 ioerr={ioerr} "
             "unsupported=0")
ERR_LINE = ("[c0] domain: d{n} {name} {dev} ring=0 index=1 loop=0 addr=2 len=0 indirect=0 order=0 "
            "segs=0 avail=0 needs_reset=3 bad_register=0 resets={resets}")


class DeviceLinesTest(unittest.TestCase):
    """The net, disk and virtio usage lines parse to exact numbers, lives summed."""

    def test_net_lines_sum_over_lives_and_ignore_the_mac(self):
        serial = "\n".join([NET_LINE.format(n=1, name="a", tx=10, txb=600),
                            NET_LINE.format(n=1, name="a", tx=5, txb=64),
                            NET_LINE.format(n=2, name="b", tx=7, txb=420),
                            "[c0] domain: d2 b cpu_us=1 cpu_cycles=7 slices=1"])
        stats = net_stats(serial)
        self.assertEqual(sorted(stats), ["a", "b"])
        self.assertEqual(stats["a"]["tx_packets"], 15)
        self.assertEqual(stats["a"]["tx_bytes"], 664)
        self.assertEqual(stats["a"]["drop_spoofed"], 8)
        self.assertEqual(stats["b"]["drop_no_buffer"], 5)
        self.assertNotIn("mac", stats["a"])
        self.assertEqual(len(stats["b"]), 16)
        self.assertEqual(net_identity(serial)["b"], ("02:54:41:00:00:02", "lan"))
        self.assertNotIn("cpu_us", stats["b"])

    def test_the_three_net_lines_merge(self):
        line = NET_LINE.format(n=3, name="c", tx=2, txb=128)
        head, rest = line.split(" drop_spoofed=")
        sent, received = head.split(" rx_packets=")
        serial = (sent + "\n[c0] domain: d3 c net rx_packets=" + received
                  + "\n[c0] domain: d3 c net drop_spoofed=" + rest)
        self.assertEqual(net_stats(serial), net_stats(line))
        self.assertEqual(net_stats(line)["c"]["errors"], 0)

    def test_disk_counters_sum_but_size_and_ro_do_not(self):
        serial = "\n".join([DISK_LINE.format(n=1, name="d", size=1048576, ro=1, ioerr=1),
                            DISK_LINE.format(n=1, name="d", size=1048576, ro=1, ioerr=2)])
        stats = disk_stats(serial)["d"]
        self.assertEqual(stats["bytes"], 1048576)
        self.assertEqual(stats["ro"], 1)
        self.assertEqual(stats["read_requests"], 4)
        self.assertEqual(stats["write_bytes"], 1024)
        self.assertEqual(stats["ioerr"], 3)
        self.assertEqual(disk_stats(NET_LINE.format(n=1, name="a", tx=1, txb=1)), {})

    def test_virtio_errors_by_domain_and_device(self):
        serial = "\n".join([ERR_LINE.format(n=1, name="h", dev="virtio-net", resets=1),
                            ERR_LINE.format(n=1, name="h", dev="virtio-blk", resets=0),
                            ERR_LINE.format(n=1, name="h", dev="virtio-net", resets=2)])
        errs = virtio_errors(serial)
        self.assertEqual(sorted(errs), [("h", "virtio-blk"), ("h", "virtio-net")])
        self.assertEqual(errs[("h", "virtio-net")]["resets"], 3)
        self.assertEqual(errs[("h", "virtio-net")]["needs_reset"], 6)
        self.assertEqual(errs[("h", "virtio-blk")]["index"], 1)
        self.assertEqual(len(errs[("h", "virtio-blk")]), 12)
        self.assertEqual(virtio_errors(DISK_LINE.format(n=1, name="d", size=1, ro=0, ioerr=0)), {})


class DeviceStatsTest(unittest.TestCase):
    def test_exact_values_pass_others_fail(self):
        r = Result("\n".join([NET_LINE.format(n=1, name="a", tx=10, txb=600),
                              DISK_LINE.format(n=1, name="a", size=512, ro=0, ioerr=0),
                              ERR_LINE.format(n=1, name="a", dev="virtio-blk", resets=1)]))
        self.assertIsNone(DeviceStats("a", "net", dict(tx_packets=10, tx_bytes=600))(r))
        self.assertEqual(DeviceStats("a", "net", dict(tx_bytes=601))(r)[0],
                         "a net: tx_bytes=600 (expected 601)")
        self.assertIsNone(DeviceStats("a", "disk", dict(bytes=512, read_bytes=1024))(r))
        self.assertIn("ioerr=0 (expected 1)", DeviceStats("a", "disk", dict(ioerr=1))(r)[0])
        self.assertIsNone(DeviceStats("a", "virtio-blk", dict(index=1, resets=1))(r))
        self.assertIn("no `domain: dN a virtio-net` line",
                      DeviceStats("a", "virtio-net", dict(ring=0))(r)[0])
        self.assertIn("nic=None (expected 0)", DeviceStats("a", "net", dict(nic=0))(r)[0])


TOP_ROWS = [("DOM", "NAME", "STATE", "VCPUS", "CPU%", "TIME", "MEM", "EXITS", "IO", "NETTX(k)",
             "NETRX(k)", "VBD_RD", "VBD_WR"),
            ("d1", "dca", "running", "1", "60.0", "0.60", "8.0MiB", "10", "5", "4", "0", "6", "4"),
            ("d2", "dcb", "ended", "1", "10.0", "0.10", "8.0MiB", "10", "5", "6", "0", "-", "-"),
            ("-", "Tally", "-", "-", "30.0", "0.30") + ("-",) * 7,
            ("-", "idle", "-", "-", "0.0", "0.00") + ("-",) * 7]


def top_table(rows):
    """@rows laid out as kernel/top_format.c does: text left-aligned, numbers right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["[c0] top: uptime 0:00:01.00, 1 CPU online, memory 1.0MiB total, 0.5MiB free",
             "[c0] top: 2 domains: 1 running, 0 paused, 1 ended"]
    for r in rows:
        lines.append("[c0] top: " + " ".join(c.ljust(w) if i < 3 else c.rjust(w)
                                              for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    return "\n".join(lines)


TOP = top_table(TOP_ROWS)
CREATED = ("[c0] domain: d1 dca created mem_mib=8 vcpus=1 \n"
           "[c0] domain: d2 dcb created mem_mib=8 vcpus=1 \n")


class TopDeviceColumnsTest(unittest.TestCase):
    """The table's NETTX(k)/NETRX(k)/VBD_RD/VBD_WR cells: read by column, checked exactly."""

    def test_cells_by_column(self):
        r = Result(TOP)
        self.assertIsNone(TableDevices("dca", {"NETTX(k)": "4", "VBD_RD": "6",
                                               "VBD_WR": "4"})(r))
        self.assertIsNone(TableDevices("dcb", {"NETTX(k)": "6", "VBD_RD": "-"})(r))
        self.assertEqual(TableDevices("dca", {"VBD_WR": "5"})(r)[0],
                         "dca: VBD_WR '4' (expected '5')")
        self.assertIn("no aligned table shows web", TableDevices("web", {"VBD_RD": "0"})(r)[0])

    def test_a_device_cell_that_is_no_count_fails(self):
        self.assertIsNone(TopTables(1)(Result(CREATED + TOP)))
        bad = top_table([TOP_ROWS[0], TOP_ROWS[1][:11] + ("x", "4")] + TOP_ROWS[2:])
        self.assertIn("d1's VBD_RD 'x' is neither - nor a count",
                      TopTables(1)(Result(CREATED + bad))[0])


OVERHEAD_CREATED = ("[c0] domain: d1 spin created mem_mib=2 vcpus=1 pcpu=0 entry=0x1000 ram=0x1\n"
                    "[c0] domain: d2 duo created mem_mib=2 vcpus=2 pcpu=0 entry=0x1000 ram=0x2\n")


def overhead_line(n, name, vmcs=4096, ept=12288, struct=16384, total=None):
    total = vmcs + ept + struct if total is None else total
    return (f"[c0] domain: d{n} {name} overhead_bytes={total} (struct={struct} vmcs={vmcs} "
            f"ept={ept} bitmaps=0 nic=0 disk=0)\n")


class DomainOverheadTest(unittest.TestCase):
    def test_good_lines(self):
        r = Result(OVERHEAD_CREATED + overhead_line(1, "spin") + overhead_line(2, "duo", 8192))
        self.assertIsNone(DomainOverhead()(r))

    def test_missing_line(self):
        r = Result(OVERHEAD_CREATED + overhead_line(1, "spin"))
        self.assertEqual(DomainOverhead()(r)[0], "no `domain: d2 duo overhead_bytes=` line")

    def test_parts_must_add_up(self):
        r = Result(OVERHEAD_CREATED + overhead_line(1, "spin", total=4096)
                   + overhead_line(2, "duo", 8192))
        self.assertEqual(DomainOverhead()(r)[0], "d1 spin: parts add up to 32768, not 4096")

    def test_one_vmcs_page_per_vcpu(self):
        r = Result(OVERHEAD_CREATED + overhead_line(1, "spin") + overhead_line(2, "duo"))
        self.assertEqual(DomainOverhead()(r)[0], "d2 duo: vmcs=4096 for 2 vCPUs")

    def test_bounds_and_pages(self):
        r = Result(OVERHEAD_CREATED + overhead_line(1, "spin", ept=100)
                   + overhead_line(2, "duo", 8192))
        self.assertEqual(DomainOverhead()(r)[0], "d1 spin: a part is not whole pages")
        r = Result(OVERHEAD_CREATED + overhead_line(1, "spin") + overhead_line(2, "duo", 8192))
        self.assertIn("outside", DomainOverhead(hi=20000)(r)[0])


def many_table(shown_ids, more, created, tally_last=True):
    lines = [f"[c0] domain: d{i} m{i} created mem_mib=2 vcpus=1 pcpu=0 entry=0x1 ram=0x2"
             for i in range(1, created + 1)]
    lines += ["[c0] top: uptime 0:00:01.00, 1 CPU online, memory 256.0MiB total, 1.0MiB free",
              f"[c0] top: {created} domains: {created} running, 0 paused, 0 ended",
              "[c0] top: DOM NAME STATE VCPUS CPU% TIME MEM EXITS IO"]
    lines += [f"[c0] top: d{i} m{i} running 1 2.0 0.01 2.0MiB 1 1" for i in shown_ids]
    tally = ["[c0] top: -   Tally - - 1.0 0.01 - - -", "[c0] top: -   idle - - 0.0 0.00 - - -"]
    if more is not None:
        lines.append(f"[c0] top: ... and {more} more domains")
    lines += tally if tally_last else tally[::-1]
    return Result("\n".join(lines) + "\n")


class ManyDomainsTablesTest(unittest.TestCase):
    def test_good(self):
        self.assertIsNone(ManyDomainsTables(1, 3)(many_table([1, 4, 5], 2, 5)))

    def test_bad(self):
        check = ManyDomainsTables(1, 3)
        self.assertEqual(check(many_table([1, 4], 3, 5))[0],
                         "table 1: domain rows [1, 4], expected 3 in id order")
        self.assertEqual(check(many_table([4, 1, 5], 2, 5))[0],
                         "table 1: domain rows [4, 1, 5], expected 3 in id order")
        self.assertEqual(check(many_table([1, 4, 5], 1, 5))[0],
                         "table 1: no `... and 2 more domains` line")
        self.assertEqual(check(many_table([1, 4, 5], None, 5))[0],
                         "table 1: no `... and 2 more domains` line")
        self.assertEqual(check(many_table([1, 4, 5], 2, 5, tally_last=False))[0],
                         "table 1: the Tally and idle rows do not end the table")
        self.assertEqual(ManyDomainsTables(2, 3)(many_table([1, 4, 5], 2, 5))[0],
                         "1 tables, expected 2 or more")


if __name__ == "__main__":
    unittest.main()
