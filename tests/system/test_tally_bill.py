# SPDX-License-Identifier: MIT
"""tools/tally-bill: CSV and chart from a synthetic serial log and JSON stream.

Runs the tool as a user would (its own /usr/bin/python3, which has Debian's
python3-matplotlib: tools/deps) and checks every CSV figure, lives summed,
the units in the header, and the PNG it draws.
"""

import csv
import importlib.machinery
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOOL = os.path.join(ROOT, "tools", "tally-bill")

# Two domains; d2 `web` restarted once: its two lives' figures add up.
LOG = """\
[c0] domain: d1 db created mem_mib=128 vcpus=1 pcpu=0 entry=0x100000 ram=0x600000 type=t1.small
[c0] bill: d1 db vcpu_s=1.500000000 hv_s=0.250000000 life_s=10.000000001 mem_gib_h=0.000347222 disk_gib_h=0.000000000
[c0] bill: d1 db disk_reads=0 disk_read_bytes=0 disk_writes=0 disk_write_bytes=0
[c0] bill: d1 db net_rx_bytes=100 net_tx_bytes=200 life_cycles=20000000002
[c0] bill: d1 db cost=0.000001000 cost_vcpu=0.000000400 cost_mem=0.000000300 cost_disk=0.000000200 cost_net=0.000000100
[c0] bill: d1 db guest_consistent=3 guest_contradicted=1 guest_unchecked=2
[c1] <web> a guest line: bill: d9 fake vcpu_s=5.000000000
[ 12.000001] [c1] bill: d2 web vcpu_s=2.000000000 hv_s=0.000000001 life_s=3.000000000 mem_gib_h=0.000000002 disk_gib_h=0.000000003
[ 12.000002] [c1] bill: d2 web disk_reads=4 disk_read_bytes=2048 disk_writes=5 disk_write_bytes=2560
[ 12.000003] [c1] bill: d2 web net_rx_bytes=6 net_tx_bytes=7 life_cycles=8
[ 12.000004] [c1] bill: d2 web cost=3.000000000 cost_vcpu=1.000000000 cost_mem=1.000000000 cost_disk=0.500000000 cost_net=0.500000000
[ 12.000005] [c1] bill: d2 web guest_consistent=0 guest_contradicted=0 guest_unchecked=0
[c0] bill: d2 web vcpu_s=0.999999999 hv_s=0.000000009 life_s=1.000000000 mem_gib_h=0.000000008 disk_gib_h=0.000000007
[c0] bill: d2 web disk_reads=1 disk_read_bytes=512 disk_writes=1 disk_write_bytes=512
[c0] bill: d2 web net_rx_bytes=1 net_tx_bytes=1 life_cycles=2
[c0] bill: d2 web cost=1.000000001 cost_vcpu=1.000000001 cost_mem=0.000000000 cost_disk=0.000000000 cost_net=0.000000000
[c0] bill: d2 web guest_consistent=1 guest_contradicted=0 guest_unchecked=1
[c0] bill: total lives=3 vcpu_s=4.499999999 hv_s=0.250000010 life_s=14.000000001 mem_gib_h=0.000347232 disk_gib_h=0.000000010
"""

HEADER = ["domain_id", "name", "vcpu_s (vCPU-seconds)", "hv_s (hypervisor seconds)",
          "life_s (seconds)", "mem_gib_h (GiB-hours)", "disk_gib_h (GiB-hours)",
          "disk_reads (requests)", "disk_read_bytes (bytes)", "disk_writes (requests)",
          "disk_write_bytes (bytes)", "net_rx_bytes (bytes)", "net_tx_bytes (bytes)",
          "cost (currency units)", "cost_vcpu (currency units)", "cost_mem (currency units)",
          "cost_disk (currency units)", "cost_net (currency units)",
          "guest_consistent (guest figures)", "guest_contradicted (guest figures)",
          "guest_unchecked (guest figures)"]


def stream_object(t_ms, domains):
    return json.dumps({"t_ms": t_ms, "tsc_khz": 1000, "dropped": 0, "cpus": [],
                       "domains": domains})


def json_domain(dom_id, name, vcpu_ns, disk=None, net=None, cost=None):
    bill = {"vcpu_s": vcpu_ns, "hv_s": 5, "life_s": 10 * 10**9, "mem_gib_h": 123,
            "disk_gib_h": 0, "guest_consistent": 2, "guest_contradicted": 0,
            "guest_unchecked": 1}
    if cost is not None:
        bill.update(cost=sum(cost), cost_vcpu=cost[0], cost_mem=cost[1], cost_disk=cost[2],
                    cost_net=cost[3])
    return {"id": dom_id, "name": name, "state": "running", "cpu_cycles": 1, "disk": disk,
            "net": net, "bill": bill}


def run_tool(*args):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=120)


def load_tool():
    loader = importlib.machinery.SourceFileLoader("tally_bill", TOOL)
    spec = importlib.util.spec_from_loader("tally_bill", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class TallyBill(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name, text=None):
        p = os.path.join(self.tmp.name, name)
        if text is not None:
            with open(p, "w") as f:
                f.write(text)
        return p

    def test_serial_log_csv_and_chart(self):
        log, png = self.path("serial.log", LOG), self.path("bill.png")
        p = run_tool(log, "--chart", png)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = list(csv.reader(io.StringIO(p.stdout)))
        self.assertEqual(rows[0], HEADER)
        self.assertEqual(rows[1], ["1", "db", "1.500000000", "0.250000000", "10.000000001",
                                   "0.000347222", "0.000000000", "0", "0", "0", "0", "100",
                                   "200", "0.000001000", "0.000000400", "0.000000300",
                                   "0.000000200", "0.000000100", "3", "1", "2"])
        # Both lives summed; the guest's look-alike line and the total are not domains.
        self.assertEqual(rows[2], ["2", "web", "2.999999999", "0.000000010", "4.000000000",
                                   "0.000000010", "0.000000010", "5", "2560", "6", "3072",
                                   "7", "8", "4.000000001", "2.000000001", "1.000000000",
                                   "0.500000000", "0.500000000", "1", "0", "1"])
        self.assertEqual(len(rows), 3)
        with open(png, "rb") as f:
            data = f.read()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assertGreater(len(data), 5000)

    def test_json_stream_last_object_wins(self):
        stream = "\n".join([
            stream_object(1000, [json_domain(1, "a", 7)]),
            "not json",
            stream_object(2000, [json_domain(1, "a", 3 * 10**9 + 1,
                                             disk={"read_requests": 2, "read_bytes": 1024,
                                                   "write_requests": 3, "write_bytes": 1536},
                                             net={"rx_bytes": 11, "tx_bytes": 12},
                                             cost=(1, 2, 3, 4)),
                                 json_domain(2, "b", 0)]),
        ]) + "\n"
        out = self.path("bill.csv")
        p = run_tool(self.path("stream.json", stream), "--csv", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("line 2: not JSON; skipped", p.stderr)
        with open(out) as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], HEADER)
        self.assertEqual(rows[1], ["1", "a", "3.000000001", "0.000000005", "10.000000000",
                                   "0.000000123", "0.000000000", "2", "1024", "3", "1536", "11",
                                   "12", "0.000000010", "0.000000001", "0.000000002",
                                   "0.000000003", "0.000000004", "2", "0", "1"])
        self.assertEqual(rows[2][:4], ["2", "b", "0.000000000", "0.000000005"])
        self.assertEqual(rows[2][13:18], ["0.000000000"] * 5)   # no prices: no cost

    def test_many_domains_chart_rows(self):
        tool = load_tool()
        domains = {(i, f"vm{i}"): {"cost_vcpu": i * 10**9, "cost_mem": 10**9}
                   for i in range(1, 31)}
        rows = tool.chart_rows(domains, ["cost_vcpu", "cost_mem"], 20)
        self.assertEqual(len(rows), 21)
        self.assertEqual(rows[0], ("vm30 (d30)", [30.0, 1.0]))
        self.assertEqual(rows[19], ("vm11 (d11)", [11.0, 1.0]))
        self.assertEqual(rows[20], ("others (10)", [55.0, 10.0]))
        # Drawn by the tool itself (its Python has matplotlib): 30 domains, 20 by name.
        log = "".join(f"[c0] bill: d{i} vm{i} cost={i + 1}.000000000 cost_vcpu={i}.000000000 "
                      f"cost_mem=1.000000000\n" for i in range(1, 31))
        png = self.path("many.png")
        p = run_tool(self.path("many.log", log), "--chart", png, "--csv", self.path("m.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(png), 5000)

    def test_no_bills(self):
        p = run_tool(self.path("empty.log", "[c0] tally: all domains ended\n"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("no bill lines", p.stderr)
        self.assertEqual(p.stdout, "")


if __name__ == "__main__":
    unittest.main()
