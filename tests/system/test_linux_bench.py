# SPDX-License-Identifier: MIT
"""linux_bench.py's exact points: the kernel's entry from its header, the S5 tick, the ratio.

No emulator: the bzImage headers are made here, the Bochs output is the
text a real baseline run printed (build-g/bench/linux-bare, 2026-12).
"""

import dataclasses
import os
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import linux_bench  # noqa: E402

# From a real bare run: the debugger's stop at the kernel's entry and Bochs' end.
BOCHS_OUTPUT = """\
(0) Breakpoint 1, 0x0000000001000000 in ?? ()
Next at t=449494218
(0) [0x000001000000] 0010:0000000001000000 (unk. ctxt): cld                       ; fc
ptime: 449494218
========================================================================
Bochs is exiting with the following message:
[ACPI  ] ACPI control: soft power off
========================================================================
00962137009p[ACPI  ] >>PANIC<< ACPI control: soft power off
"""


def bzimage_header(version, relocatable, pref):
    head = bytearray(0x270)
    head[0x1FE:0x200] = b"\x55\xaa"
    head[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", head, 0x206, version)
    head[0x234] = relocatable
    struct.pack_into("<Q", head, 0x258, pref)
    return bytes(head)


@dataclasses.dataclass
class FakeRun:
    serial: str = ""
    output: str = ""
    entry_tick: int = None
    s5_tick: int = None
    linux_ticks: int = None


class KernelEntry(unittest.TestCase):
    def entry(self, data):
        with tempfile.NamedTemporaryFile() as f:
            f.write(data)
            f.flush()
            return linux_bench.kernel_entry(f.name)

    def test_relocatable_loads_at_pref_address(self):
        self.assertEqual(self.entry(bzimage_header(0x020F, 1, 0x1000000)), 0x1000000)

    def test_not_relocatable_loads_at_1mib(self):
        self.assertEqual(self.entry(bzimage_header(0x020F, 0, 0x1000000)), 0x100000)

    def test_old_protocol_has_no_pref_address(self):
        self.assertEqual(self.entry(bzimage_header(0x0209, 1, 0x1000000)), 0x100000)

    def test_no_setup_header_is_refused(self):
        with self.assertRaises(RuntimeError):
            self.entry(bytes(0x270))


class Points(unittest.TestCase):
    def test_s5_tick_from_bochs_log(self):
        m = linux_bench.S5_RE.search(BOCHS_OUTPUT)
        self.assertEqual(int(m.group(1)), 962137009)
        self.assertEqual(linux_bench.PTIME_RE.findall(BOCHS_OUTPUT), ["449494218"])

    def test_no_s5_in_a_panic_of_another_kind(self):
        self.assertIsNone(linux_bench.S5_RE.search(
            "00962137009p[CPU0  ] >>PANIC<< exception(): 3rd (13) exception\n"))

    def test_debugger_commands(self):
        self.assertEqual(linux_bench.entry_debugger(0x1000000),
                         ["pb 0x1000000", "c", "ptime", "d 1", "c"])
        self.assertEqual(linux_bench.tally_debugger(0x100a00, 0x104000),
                         ["pb 0x100a00", "pb 0x104000", "c", "ptime", "d 1", "c", "ptime",
                          "d 2", "c"])


class Figures(unittest.TestCase):
    def figures(self, bare, tally):
        return {f.name: f for f in linux_bench.linux_figures(bare, tally, bench.Figure)}

    def test_ratio_of_the_two_runs(self):
        bare = FakeRun(entry_tick=449_494_218, s5_tick=962_137_009)
        tally = FakeRun(linux_ticks=615_171_349, serial=(
            "[c0] domain: d1 linux cpu_us=9000000 cpu_cycles=450000000 slices=9 "
            "preemptions=0 halts=300 wakeups=300 exits=123456 donated_us=0 received_us=0\n"))
        f = self.figures(bare, tally)
        self.assertEqual(f["linux_boot_bare_ticks"].value, 512_642_791)
        self.assertEqual(f["linux_boot_tally_ticks"].value, 615_171_349)
        self.assertEqual(f["linux_boot_ratio"].value, 1.2)
        self.assertTrue(f["linux_boot_ratio"].within())
        self.assertEqual(f["linux_boot_exits"].value, 123456)

    def test_ratio_above_goal(self):
        f = self.figures(FakeRun(entry_tick=0, s5_tick=100), FakeRun(linux_ticks=130))
        self.assertEqual(f["linux_boot_ratio"].value, 1.3)
        self.assertFalse(f["linux_boot_ratio"].within())

    def test_missing_tally_run_is_not_measured(self):
        f = self.figures(FakeRun(entry_tick=0, s5_tick=100), None)
        self.assertEqual(f["linux_boot_bare_ticks"].value, 100)
        self.assertIsNone(f["linux_boot_ratio"].value)
        self.assertIn("not measured", f["linux_boot_ratio"].verdict())

    def test_bare_run_without_s5(self):
        f = self.figures(FakeRun(entry_tick=5), FakeRun(linux_ticks=130))
        self.assertIsNone(f["linux_boot_bare_ticks"].value)
        self.assertIsNone(f["linux_boot_ratio"].value)


# Tally's end-of-domain lines for a Linux boot, the by-reason sum split over two lines.
TALLY_END = """\
[c0] domain: d1 linux cpu_us=9000000 cpu_cycles=450000000 slices=9 preemptions=0 halts=300 \
wakeups=300 exits=1000 donated_us=0 received_us=0
[c0] domain: d1 linux exits_by_reason 1:50 10:120 12:300
[c0] domain: d1 linux exits_by_reason 30:400 48:130
[c0] domain: d2 spin exits_by_reason 30:999999
"""


class ExitsByReason(unittest.TestCase):
    def test_lines_of_the_linux_domain_are_summed(self):
        self.assertEqual(linux_bench.exits_by_reason(TALLY_END),
                         {1: 50, 10: 120, 12: 300, 30: 400, 48: 130})

    def test_no_lines_no_reasons(self):
        self.assertEqual(linux_bench.exits_by_reason("[c0] domain: d1 linux powered off\n"), {})

    def test_a_reason_twice_is_refused(self):
        with self.assertRaises(ValueError):
            linux_bench.exits_by_reason("[c0] domain: d1 linux exits_by_reason 30:1 30:2\n")

    def test_names_come_from_tallys_tables(self):
        names = linux_bench.exit_reason_names()
        self.assertEqual(names[10], "CPUID")
        self.assertEqual(names[30], "I/O instruction")
        self.assertEqual(names[48], "EPT violation")
        self.assertEqual(names[52], "VMX-preemption timer expired")

    def test_figures_most_frequent_first_with_shares(self):
        tally = FakeRun(linux_ticks=2000, serial=TALLY_END)
        f = linux_bench.linux_figures(FakeRun(entry_tick=0, s5_tick=1000), tally, bench.Figure)
        by_reason = [x for x in f if x.name.startswith("linux_boot_exits_")]
        self.assertEqual([x.name for x in by_reason],
                         ["linux_boot_exits_30", "linux_boot_exits_12", "linux_boot_exits_48",
                          "linux_boot_exits_10", "linux_boot_exits_1",
                          "linux_boot_exits_unsplit"])
        self.assertEqual([x.value for x in by_reason], [400, 300, 130, 120, 50, 0])
        self.assertIn("I/O instruction", by_reason[0].meaning)
        self.assertIn("40.0% of all", by_reason[0].meaning)
        self.assertTrue(by_reason[-1].within())

    def test_lost_lines_show_as_unsplit_exits(self):
        serial = TALLY_END.replace("[c0] domain: d1 linux exits_by_reason 30:400 48:130\n", "")
        f = {x.name: x for x in linux_bench.linux_figures(None, FakeRun(serial=serial),
                                                          bench.Figure)}
        self.assertEqual(f["linux_boot_exits_unsplit"].value, 530)
        self.assertFalse(f["linux_boot_exits_unsplit"].within())

    def test_no_tally_run_no_reasons(self):
        f = {x.name: x for x in linux_bench.linux_figures(None, None, bench.Figure)}
        self.assertIsNone(f["linux_boot_exits_unsplit"].value)
        self.assertNotIn("linux_boot_exits_30", f)


# A net pair run's lines (the shape of Tally's and busybox's output).
NET_SERIAL = """\
[c0] <alice>+ now() { sed -n 's/^now at ...; (nc -l -p 5000 | ...) &
[c0] <bob>+ dd if=/dev/zero bs=65536 count=32 2>/dev/null | nc 10.0.0.1 5000; echo xfer sent
[c0] <bob> xfer sent
[c0] <alice>+ xfer received=2097152 ns=1600000000
[c0] domain: d2 bob net mac=02:54:41:00:00:02 group=lan tx_packets=1500 tx_bytes=2180000 \
tx_broadcast=1 tx_multicast=0
[c0] domain: d2 bob net rx_packets=700 rx_bytes=46000 rx_broadcast=0 rx_multicast=0
[c0] domain: d2 bob net drop_spoofed=0 drop_isolation=0 drop_tx_limit=0 drop_rx_limit=0 \
drop_no_buffer=0 drop_oversize=0 drop_malformed=0 errors=0
[c0] domain: d1 alice net mac=02:54:41:00:00:01 group=lan tx_packets=700 tx_bytes=46000 \
tx_broadcast=0 tx_multicast=0
[c0] domain: d1 alice net rx_packets=1500 rx_bytes=2180000 rx_broadcast=1 rx_multicast=0
"""


class NetTransfer(unittest.TestCase):
    def test_parse(self):
        x = linux_bench.net_transfer(NET_SERIAL)
        self.assertEqual(x["received"], 2097152)
        self.assertEqual(x["ns"], 1600000000)
        self.assertEqual(x["bob"], {"tx_packets": 1500, "tx_bytes": 2180000,
                                    "rx_packets": 700, "rx_bytes": 46000})
        self.assertEqual(x["alice"]["rx_bytes"], 2180000)

    def test_figures(self):
        f = {x.name: x for x in linux_bench.net_figures(NET_SERIAL, bench.Figure)}
        # 2 MiB in 1.6 s of emulated time; 1.6 s at 50 M ticks per second.
        self.assertEqual(f["linux_net_bytes_per_s"].value, 1310720)
        self.assertEqual(f["linux_net_ticks"].value, 80_000_000)
        self.assertEqual(f["linux_net_ticks_per_kib"].value, 39062)      # 39,062.5, rounded to even
        self.assertEqual(f["linux_net_sender_frames"].value, 1500)
        self.assertEqual(f["linux_net_sender_bytes"].value, 2180000)

    def test_short_transfer_is_not_a_figure(self):
        serial = NET_SERIAL.replace("received=2097152", "received=1000")
        f = {x.name: x for x in linux_bench.net_figures(serial, bench.Figure)}
        self.assertIsNone(f["linux_net_bytes_per_s"].value)
        self.assertIsNone(f["linux_net_ticks"].value)

    def test_nothing_seen(self):
        x = linux_bench.net_transfer("[c0] tally: boot complete\n")
        self.assertEqual(x, {"received": None, "ns": None, "alice": None, "bob": None})
        f = {x.name: x for x in linux_bench.net_figures("", bench.Figure)}
        self.assertIsNone(f["linux_net_sender_frames"].value)

    def test_keys_wait_for_both_shells_then_listen_first(self):
        keys = linux_bench.net_keys("MARK")
        self.assertEqual([k[1] for k in keys[:2]], ["", "\x01\x01\x01"])
        self.assertTrue(keys[2][1].endswith(") &\n"))
        self.assertIn("nc -l -p 5000", keys[2][1])
        self.assertIn("| nc 10.0.0.1 5000", keys[4][1])
        self.assertEqual(linux_bench.NET_XFER_BYTES, 2097152)
        # The echo of the listen command (continuing the prompt) moves the focus.
        self.assertRegex("[c0] <alice>+ now() { x; }; (nc -l -p 5000 | y) &", keys[3][0])


if __name__ == "__main__":
    unittest.main()
