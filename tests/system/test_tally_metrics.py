# SPDX-License-Identifier: MIT
"""Host tests of tools/tally-metrics: synthetic streams, real HTTP scrapes, the PNG.

No emulator: each test writes a stream file (or serves one on a socket),
runs the tool as a process and reads /metrics with urllib.  run.py runs
these first, as `host-tools`; alone: python3 -m unittest discover -s tests/system
"""

import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metrics_exporter import TOOL, Exporter, samples  # noqa: E402


def domain(id_, name, cycles, **kw):
    d = {"id": id_, "name": name, "state": "running", "vcpus": 1, "mem_bytes": 8388608,
         "cpu_cycles": cycles, "cpu_ns": cycles * 20, "slices": 7, "halts": 3, "wakeups": 2,
         "exits": 41, "io_port_accesses": 5, "metrics": []}
    d.update(kw)
    return d


# A NIC and a disk as kernel/metrics_stream.c writes them.
NET = {"mac": "02:54:41:00:00:02", "group": "lan", "tx_packets": 5, "tx_bytes": 5000,
       "tx_broadcast_packets": 5, "tx_multicast_packets": 0, "rx_packets": 3, "rx_bytes": 1842,
       "rx_broadcast_packets": 1, "rx_multicast_packets": 0,
       "drop_packets": {"spoofed": 1, "isolation": 0, "tx_limit": 4, "rx_limit": 0,
                        "no_buffer": 2, "oversize": 0, "malformed": 0},
       "errors": 0, "ring_errors": {"ring": 0, "index": 0}, "needs_reset": 0,
       "bad_register": 0, "resets": 1}
DISK = {"size_bytes": 1048576, "read_only": False, "read_requests": 6, "read_bytes": 24576,
        "write_requests": 4, "write_bytes": 16384, "flush_requests": 1, "other_requests": 1,
        "ioerr_requests": 1, "unsupported_requests": 0, "ring_errors": {"ring": 0},
        "needs_reset": 0, "bad_register": 0, "resets": 1}


def sample(t_ms, domains, guest=25_000_000, hyp=5_000_000, idle=20_000_000, tsc_khz=50_000):
    return {"t_ms": t_ms, "tsc_khz": tsc_khz,
            "cpus": [{"cpu": 0, "guest_cycles": guest, "hypervisor_cycles": hyp,
                      "idle_cycles": idle}],
            "domains": domains}


def line(obj):
    return json.dumps(obj, separators=(",", ":")) + "\n"


FIRST = sample(500, [domain(1, "web", 10_000_000), domain(2, "spin", 5_000_000)])
# Tally's own figures: 75_000_000 cycles at 50 MHz = 1.5 s; cpu_ns 1.5e9 = 1.5 s.
LAST = sample(1000, [domain(1, "web", 50_000_000, cpu_ns=1_500_000_000, exits=1234,
                            slices=99, halts=12, wakeups=11, io_port_accesses=77,
                            metrics=[{"name": "mem_used", "value": 123456, "unit": "bytes",
                                      "source": "guest"}]),
                     domain(2, "spin", 25_000_000, state="dead", cpu_ns=500_000_000,
                            net=NET, disk=DISK),
                     domain(3, "held", 1_000, state="paused")],
              guest=75_000_000, hyp=2_500_000, idle=22_500_000)
LAST["dropped"] = 3

EXPECTED = """\
tally_domain_cpu_seconds_total{domain="web",id="1"} 1.5
tally_domain_cpu_seconds_total{domain="spin",id="2"} 0.5
tally_domain_exits_total{domain="web",id="1"} 1234
tally_domain_slices_total{domain="web",id="1"} 99
tally_domain_halts_total{domain="web",id="1"} 12
tally_domain_wakeups_total{domain="web",id="1"} 11
tally_domain_io_port_accesses_total{domain="web",id="1"} 77
tally_domain_memory_bytes{domain="web",id="1"} 8388608
tally_domain_up{domain="web",id="1"} 1
tally_domain_up{domain="spin",id="2"} 0
tally_domain_up{domain="held",id="3"} 1
tally_domain_paused{domain="held",id="3"} 1
tally_domain_paused{domain="web",id="1"} 0
tally_stream_dropped_objects_total 3
tally_domain_vcpus{domain="spin",id="2"} 1
tally_cpu_seconds_total{cpu="0",mode="guest"} 1.5
tally_cpu_seconds_total{cpu="0",mode="hypervisor"} 0.05
tally_cpu_seconds_total{cpu="0",mode="idle"} 0.45
tally_guest_metric{domain="web",id="1",name="mem_used",unit="bytes",source="guest"} 123456
tally_net_tx_bytes_total{domain="spin",id="2"} 5000
tally_net_tx_packets_total{domain="spin",id="2"} 5
tally_net_rx_bytes_total{domain="spin",id="2"} 1842
tally_net_rx_packets_total{domain="spin",id="2"} 3
tally_net_drops_total{domain="spin",id="2",cause="spoofed"} 1
tally_net_drops_total{domain="spin",id="2",cause="tx_limit"} 4
tally_net_drops_total{domain="spin",id="2",cause="no_buffer"} 2
tally_net_drops_total{domain="spin",id="2",cause="malformed"} 0
tally_disk_read_requests_total{domain="spin",id="2"} 6
tally_disk_read_bytes_total{domain="spin",id="2"} 24576
tally_disk_write_requests_total{domain="spin",id="2"} 4
tally_disk_write_bytes_total{domain="spin",id="2"} 16384
tally_disk_flush_requests_total{domain="spin",id="2"} 1
tally_exporter_samples_total 2
tally_exporter_malformed_lines_total 0
""".splitlines()

FAMILIES = {"tally_domain_cpu_seconds_total": "counter", "tally_domain_exits_total": "counter",
            "tally_domain_slices_total": "counter", "tally_domain_halts_total": "counter",
            "tally_domain_wakeups_total": "counter",
            "tally_domain_io_port_accesses_total": "counter",
            "tally_domain_memory_bytes": "gauge", "tally_domain_up": "gauge",
            "tally_domain_paused": "gauge", "tally_stream_dropped_objects_total": "counter",
            "tally_cpu_seconds_total": "counter", "tally_guest_metric": "gauge",
            "tally_net_tx_bytes_total": "counter", "tally_net_tx_packets_total": "counter",
            "tally_net_rx_bytes_total": "counter", "tally_net_rx_packets_total": "counter",
            "tally_net_drops_total": "counter", "tally_disk_read_requests_total": "counter",
            "tally_disk_read_bytes_total": "counter", "tally_disk_write_requests_total": "counter",
            "tally_disk_write_bytes_total": "counter",
            "tally_disk_flush_requests_total": "counter"}


class Stream:
    """A stream file in a temporary folder, written line by line."""

    def __init__(self, test, text=""):
        self.dir = tempfile.TemporaryDirectory()
        test.addCleanup(self.dir.cleanup)
        self.path = os.path.join(self.dir.name, "com2.log")
        self.write(text)

    def write(self, text):
        with open(self.path, "a") as f:
            f.write(text)


def run_tool(*args, timeout=20):
    return subprocess.run([sys.executable, TOOL, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, check=False)


class Exposition(unittest.TestCase):
    def test_exact_lines_over_http(self):
        stream = Stream(self, line(FIRST) + line(LAST))
        with Exporter(stream.path, "--once") as ex:
            body = ex.wait_for("tally_exporter_samples_total 2")
            status, ctype, _ = ex.get()
        self.assertEqual(status, 200)
        self.assertEqual(ctype, "text/plain; version=0.0.4; charset=utf-8")
        lines = body.splitlines()
        for want in EXPECTED:
            self.assertIn(want, lines)
        self.assertTrue(body.endswith("\n"))

    def test_no_device_no_sample(self):
        """Domains without a NIC or disk ("net": null, or no key) have no device samples."""
        stream = Stream(self, line(LAST))
        with Exporter(stream.path, "--once") as ex:
            body = ex.wait_for("tally_exporter_samples_total 1")
        device = [ln for ln in body.splitlines() if ln.startswith(("tally_net_", "tally_disk_"))]
        self.assertEqual(len(device), 9 + 7)
        self.assertTrue(all('domain="spin"' in ln for ln in device), device)

    def test_help_and_type_once_before_samples(self):
        stream = Stream(self, line(LAST))
        with Exporter(stream.path, "--once") as ex:
            body = ex.wait_for("tally_exporter_samples_total 1")
        lines = body.splitlines()
        for name, kind in FAMILIES.items():
            self.assertEqual(lines.count(f"# TYPE {name} {kind}"), 1, name)
            help_at = next(i for i, ln in enumerate(lines) if ln.startswith(f"# HELP {name} "))
            type_at = lines.index(f"# TYPE {name} {kind}")
            first = next(i for i, ln in enumerate(lines)
                         if ln.startswith(name + "{") or ln.startswith(name + " "))
            self.assertLess(help_at, type_at)
            self.assertLess(type_at, first)
            # A family's samples are together, right after its TYPE line.
            mine = [i for i, ln in enumerate(lines)
                    if ln.startswith(name + "{") or ln.startswith(name + " ")]
            self.assertEqual(mine, list(range(type_at + 1, type_at + 1 + len(mine))), name)

    def test_print_matches_http(self):
        stream = Stream(self, line(FIRST) + line(LAST))
        printed = run_tool(stream.path, "--once", "--print")
        self.assertEqual(printed.returncode, 0, printed.stderr)
        with Exporter(stream.path, "--once") as ex:
            body = ex.wait_for("tally_exporter_samples_total 2")
        self.assertEqual(printed.stdout, body)

    def test_no_sample_yet(self):
        stream = Stream(self)
        with Exporter(stream.path) as ex:
            body = ex.metrics()
        s = samples(body)
        self.assertEqual(s, {"tally_exporter_samples_total": "0",
                             "tally_exporter_malformed_lines_total": "0"})

    def test_other_paths(self):
        stream = Stream(self, line(LAST))
        with Exporter(stream.path, "--once") as ex:
            self.assertEqual(ex.get("/nope")[0], 404)
            self.assertEqual(ex.get("/")[0], 200)

    def test_label_escaping(self):
        odd = 'we"b\\x\ny'
        obj = sample(10, [domain(3, odd, 1000, metrics=[
            {"name": 'q"\\', "value": -5, "unit": "count", "source": "guest"},
            {"name": "ratio", "value": 0.25, "unit": "percent", "source": "guest"}])])
        stream = Stream(self, line(obj))
        with Exporter(stream.path, "--once") as ex:
            body = ex.wait_for("tally_exporter_samples_total 1")
        lines = body.splitlines()
        self.assertIn('tally_domain_exits_total{domain="we\\"b\\\\x\\ny",id="3"} 41', lines)
        self.assertIn('tally_guest_metric{domain="we\\"b\\\\x\\ny",id="3",name="q\\"\\\\",'
                      'unit="count",source="guest"} -5', lines)
        self.assertIn('tally_guest_metric{domain="we\\"b\\\\x\\ny",id="3",name="ratio",'
                      'unit="percent",source="guest"} 0.25', lines)
        # No raw newline splits a sample: every line is a comment or name{...} value.
        for ln in lines:
            self.assertRegex(ln, r'^(# (HELP|TYPE) .*|[a-z_]+(\{.*\})? -?[0-9.e+-]+)$')


class Stream_(unittest.TestCase):
    def test_malformed_lines_skipped_and_counted(self):
        bad = ["garbage\n", "[1, 2]\n", '{"t_ms": 5, "cpus": []}\n',
               '{"t_ms": 6, "cpus": [], "domains": [1]}\n', '{"t_ms":\n']
        stream = Stream(self, line(FIRST) + "".join(bad) + "\n\r\n" + line(LAST))
        with Exporter(stream.path, "--once") as ex:
            body = ex.wait_for("tally_exporter_malformed_lines_total 5")
            err = ex.stderr
        self.assertIn("tally_exporter_samples_total 2", body.splitlines())
        self.assertIn('tally_domain_exits_total{domain="web",id="1"} 1234', body.splitlines())
        for n in (2, 3, 4, 5, 6):
            self.assertIn(f"tally-metrics: line {n}: skipped", err)
        self.assertNotIn("line 7:", err)       # empty lines are not malformed

    def test_follow_partial_lines(self):
        stream = Stream(self, line(FIRST))
        with Exporter(stream.path) as ex:
            ex.wait_for("tally_exporter_samples_total 1")
            half = len(line(LAST)) // 2
            stream.write(line(LAST)[:half])
            time.sleep(0.6)                     # several polls with half a line waiting
            body = ex.metrics()
            self.assertIn("tally_exporter_samples_total 1", body.splitlines())
            self.assertIn("tally_exporter_malformed_lines_total 0", body.splitlines())
            stream.write(line(LAST)[half:])
            body = ex.wait_for("tally_exporter_samples_total 2")
        self.assertIn('tally_domain_up{domain="spin",id="2"} 0', body.splitlines())
        self.assertIn("tally_exporter_malformed_lines_total 0", body.splitlines())

    def test_once_cut_short_at_the_end(self):
        stream = Stream(self, line(FIRST) + line(LAST)[:40])
        out = run_tool(stream.path, "--once", "--print")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("tally_exporter_samples_total 1", out.stdout.splitlines())
        self.assertIn("tally_exporter_malformed_lines_total 1", out.stdout.splitlines())
        self.assertIn("cut short", out.stderr)

    def test_once_unterminated_whole_object(self):
        stream = Stream(self, line(FIRST) + line(LAST).rstrip("\n"))
        out = run_tool(stream.path, "--once", "--print")
        self.assertIn("tally_exporter_samples_total 2", out.stdout.splitlines())

    def test_missing_stream(self):
        out = run_tool("/nonexistent/com2.log", "--once")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("/nonexistent/com2.log: no such file", out.stderr)

    def test_refused_socket(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]           # bound, never listening: refused
            out = run_tool(f"127.0.0.1:{port}", "--print")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn(f"cannot connect to 127.0.0.1:{port}", out.stderr)

    def test_tcp_source_in_pieces(self):
        data = (line(FIRST) + "junk\n" + line(LAST)).encode()
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        self.addCleanup(server.close)

        def feed():
            conn, _ = server.accept()
            with conn:
                for i in range(0, len(data), 37):   # lines split across sends
                    conn.sendall(data[i:i + 37])
                    time.sleep(0.002)

        threading.Thread(target=feed, daemon=True).start()
        out = run_tool(f"127.0.0.1:{server.getsockname()[1]}", "--print")
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertIn("tally_exporter_samples_total 2", lines)
        self.assertIn("tally_exporter_malformed_lines_total 1", lines)
        for want in EXPECTED[:-2]:
            self.assertIn(want, lines)

    def test_help(self):
        out = run_tool("--help")
        self.assertEqual(out.returncode, 0)
        for word in ("--once", "--port", "--plot", "HOST:PORT", "/metrics"):
            self.assertIn(word, out.stdout)


def read_png(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB PNG; checks every chunk's CRC."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind}"
        chunks.append((kind, body))
        pos += 12 + length
    assert [k for k, _ in chunks][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, color, interlace) == (8, 2, 0), "not 8-bit RGB, non-interlaced"
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    assert len(raw) == h * (1 + 3 * w), "pixel data of the wrong size"
    rows = [raw[y * (1 + 3 * w):(y + 1) * (1 + 3 * w)] for y in range(h)]
    assert all(r[0] == 0 for r in rows), "unexpected filter type"
    return w, h, [r[1:] for r in rows]


class Plot(unittest.TestCase):
    def test_png_of_the_requested_size(self):
        objs = [sample(100 * i, [domain(1, "web", 2_000_000 * i),
                                 domain(2, "batch", 1_000_000 * i)],
                       guest=3_000_000 * i, hyp=0, idle=2_000_000 * i) for i in range(1, 12)]
        stream = Stream(self, "".join(line(o) for o in objs))
        png = os.path.join(stream.dir.name, "cpu.png")
        out = run_tool(stream.path, "--once", "--print", "--plot", png, "--plot-size", "320x200")
        self.assertEqual(out.returncode, 0, out.stderr)
        w, h, rows = read_png(png)
        self.assertEqual((w, h), (320, 200))
        blue, orange = bytes((31, 119, 180)), bytes((255, 127, 14))   # the first two colours

        def rows_with(color, x):
            return [y for y, r in enumerate(rows) if bytes(r[3 * x:3 * x + 3]) == color]
        # In the middle column web's line (2/5 of the CPU) lies above batch's (1/5),
        # and twice as far above the 0 % line (the chart's black horizontal axis).
        mid = w // 2
        axis = max(y for y, r in enumerate(rows)
                   if bytes(r[3 * (w // 4):3 * (3 * w // 4)]) == bytes(3 * (w // 2)))
        web, batch = min(rows_with(blue, mid)), min(rows_with(orange, mid))
        self.assertLess(web, batch)
        self.assertAlmostEqual((axis - web) / (axis - batch), 2.0, delta=0.1)

    def test_png_from_a_single_sample(self):
        stream = Stream(self, line(LAST))
        png = os.path.join(stream.dir.name, "one.png")
        out = run_tool(stream.path, "--once", "--print", "--plot", png)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(read_png(png)[:2], (800, 400))
        self.assertIn("fewer than two samples", out.stderr)


class ManyDomains(unittest.TestCase):
    """Hundreds of domains (issue 16): a ~56 KB object a line, every domain exported, and a
    chart of the 11 busiest with the rest as one `289 more` line instead of 300 legends."""
    COUNT = 300

    def stream(self):
        objs = [sample(1000 * i, [domain(j, f"s{j}", (j % 7 + 1) * 100_000 * i
                                         + (5_000_000 * i if j == 300 else 0))
                                  for j in range(1, self.COUNT + 1)],
                       guest=100_000_000 * i, hyp=0, idle=0) for i in range(1, 4)]
        text = "".join(line(o) for o in objs)
        self.assertGreater(len(text) // 3, 50_000)
        return Stream(self, text)

    def test_every_domain_exported(self):
        out = run_tool(self.stream().path, "--once", "--print")
        self.assertEqual(out.returncode, 0, out.stderr)
        got = [ln for ln in out.stdout.splitlines()
               if ln.startswith("tally_domain_cpu_seconds_total{")]
        self.assertEqual(len(got), self.COUNT)
        # s300: (300 % 7 + 1) * 100_000 * 3 + 15_000_000 cycles at 50 MHz.
        self.assertIn('tally_domain_cpu_seconds_total{domain="s300",id="300"} 0.342', got)

    def test_chart_of_the_busiest(self):
        stream = self.stream()
        png = os.path.join(stream.dir.name, "many.png")
        out = run_tool(stream.path, "--once", "--print", "--plot", png)
        self.assertEqual(out.returncode, 0, out.stderr)
        w, h, rows = read_png(png)
        self.assertEqual((w, h), (800, 400))
        # 12 legend entries (11 domains and "289 more") in 3 rows of 4 below the chart:
        # the 9th and 10th palette colours are there (before, 300 entries left no room).
        legend = rows[h - 34 - 14 * 3 + 22:]
        colours = {bytes(r[i:i + 3]) for r in legend for i in range(0, len(r), 3)}
        self.assertIn(bytes((188, 189, 34)), colours)        # the 9th line's colour
        self.assertIn(bytes((23, 190, 207)), colours)        # the 10th's


if __name__ == "__main__":
    unittest.main()
