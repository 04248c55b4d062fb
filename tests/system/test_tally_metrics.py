# SPDX-License-Identifier: MIT
"""Host tests of tools/tally-metrics: synthetic streams, real HTTP scrapes, the chart.

No emulator: each test writes a stream file (or serves one on a socket),
runs the tool as a process, reads /metrics with urllib and has promtool
(Debian's prometheus) check what it served.  run.py runs these first, as
`host-tools`; alone: python3 -m unittest discover -s tests/system
"""

import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metrics_exporter import (TOOL, Exporter, key, promtool_check, samples,  # noqa: E402
                              tool_python)

ROOT = os.path.dirname(os.path.dirname(TOOL))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import tally_plot  # noqa: E402  (its series helpers import nothing beyond the stdlib)


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
                            hypervisor_cycles=2_000_000,
                            slices=99, halts=12, wakeups=11, io_port_accesses=77,
                            metrics=[{"name": "mem_used", "value": 123456, "unit": "bytes",
                                      "source": "guest", "trust": "consistent"},
                                     {"name": "disk_used", "value": 9, "unit": "bytes",
                                      "source": "guest", "trust": "contradicted"}]),
                     domain(2, "spin", 25_000_000, state="dead", cpu_ns=500_000_000,
                            net=NET, disk=DISK),
                     domain(3, "held", 1_000, state="paused")],
              guest=75_000_000, hyp=2_500_000, idle=22_500_000)
LAST["dropped"] = 3


def who(dom, id_):
    return {"domain": dom, "id": id_}


# Every value LAST must be served with (hypervisor_cycles 2_000_000 at 50 MHz = 0.04 s).
EXPECTED = {
    key("tally_domain_cpu_seconds_total", **who("web", 1)): 1.5,
    key("tally_domain_cpu_seconds_total", **who("spin", 2)): 0.5,
    key("tally_domain_hypervisor_seconds_total", **who("web", 1)): 0.04,
    key("tally_domain_exits_total", **who("web", 1)): 1234,
    key("tally_domain_slices_total", **who("web", 1)): 99,
    key("tally_domain_halts_total", **who("web", 1)): 12,
    key("tally_domain_wakeups_total", **who("web", 1)): 11,
    key("tally_domain_io_port_accesses_total", **who("web", 1)): 77,
    key("tally_domain_memory_bytes", **who("web", 1)): 8388608,
    key("tally_domain_up", **who("web", 1)): 1,
    key("tally_domain_up", **who("spin", 2)): 0,
    key("tally_domain_up", **who("held", 3)): 1,
    key("tally_domain_paused", **who("held", 3)): 1,
    key("tally_domain_paused", **who("web", 1)): 0,
    key("tally_domain_vcpus", **who("spin", 2)): 1,
    "tally_stream_dropped_objects_total": 3,
    key("tally_cpu_seconds_total", cpu=0, mode="guest"): 1.5,
    key("tally_cpu_seconds_total", cpu=0, mode="hypervisor"): 0.05,
    key("tally_cpu_seconds_total", cpu=0, mode="idle"): 0.45,
    "tally_tsc_hertz": 50_000_000,
    "tally_sample_time_seconds": 1.0,
    key("tally_build_info", version="0.1.0", version_from="exporter",
        exporter_version="0.1.0"): 1,
    key("tally_guest_metric", **who("web", 1), name="mem_used", unit="bytes",
        source="guest", trust="consistent"): 123456,
    key("tally_guest_metric", **who("web", 1), name="disk_used", unit="bytes",
        source="guest", trust="contradicted"): 9,
    key("tally_net_tx_bytes_total", **who("spin", 2)): 5000,
    key("tally_net_tx_packets_total", **who("spin", 2)): 5,
    key("tally_net_rx_bytes_total", **who("spin", 2)): 1842,
    key("tally_net_rx_packets_total", **who("spin", 2)): 3,
    key("tally_net_drops_total", **who("spin", 2), cause="spoofed"): 1,
    key("tally_net_drops_total", **who("spin", 2), cause="tx_limit"): 4,
    key("tally_net_drops_total", **who("spin", 2), cause="no_buffer"): 2,
    key("tally_net_drops_total", **who("spin", 2), cause="malformed"): 0,
    key("tally_disk_read_requests_total", **who("spin", 2)): 6,
    key("tally_disk_read_bytes_total", **who("spin", 2)): 24576,
    key("tally_disk_write_requests_total", **who("spin", 2)): 4,
    key("tally_disk_write_bytes_total", **who("spin", 2)): 16384,
    key("tally_disk_flush_requests_total", **who("spin", 2)): 1,
    "tally_exporter_samples_total": 2,
    "tally_exporter_malformed_lines_total": 0,
}

COUNTERS = ["tally_domain_cpu_seconds_total", "tally_domain_hypervisor_seconds_total",
            "tally_domain_exits_total", "tally_domain_slices_total", "tally_domain_halts_total",
            "tally_domain_wakeups_total", "tally_domain_io_port_accesses_total",
            "tally_stream_dropped_objects_total", "tally_cpu_seconds_total",
            "tally_net_tx_bytes_total", "tally_net_tx_packets_total", "tally_net_rx_bytes_total",
            "tally_net_rx_packets_total", "tally_net_drops_total",
            "tally_disk_read_requests_total", "tally_disk_read_bytes_total",
            "tally_disk_write_requests_total", "tally_disk_write_bytes_total",
            "tally_disk_flush_requests_total", "tally_exporter_samples_total",
            "tally_exporter_malformed_lines_total"]
GAUGES = ["tally_build_info", "tally_domain_memory_bytes", "tally_domain_vcpus",
          "tally_domain_up", "tally_domain_paused", "tally_guest_metric", "tally_tsc_hertz",
          "tally_sample_time_seconds"]


def types(body):
    """{family: type} of an exposition's # TYPE lines."""
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", body, re.MULTILINE))


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


def run_tool(*args, timeout=30):
    return subprocess.run([tool_python(), TOOL, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, check=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Exposition(unittest.TestCase):
    def test_exact_values_over_http(self):
        stream = Stream(self, line(FIRST) + line(LAST))
        with Exporter(stream.path, "--once") as ex:
            body = ex.wait_for("tally_exporter_samples_total", 2)
            status, ctype, _ = ex.get()
        self.assertEqual(status, 200)
        self.assertEqual(ctype, "text/plain; version=0.0.4; charset=utf-8")
        got = samples(body)
        for k, want in EXPECTED.items():
            self.assertIn(k, got)
            self.assertEqual(got[k], float(want), k)
        self.assertIsNone(promtool_check(body))

    def test_types_and_conventions(self):
        stream = Stream(self, line(LAST))
        out = run_tool(stream.path, "--once", "--print")
        self.assertEqual(out.returncode, 0, out.stderr)
        have = types(out.stdout)
        self.assertEqual(have, {**{n: "counter" for n in COUNTERS},
                                **{n: "gauge" for n in GAUGES}})
        for name in have:               # counters end in _total, and only counters do
            self.assertEqual(name.endswith("_total"), have[name] == "counter", name)

    def test_promtool_rejects_a_broken_exposition(self):
        """The validation itself can fail: promtool refuses a counter without _total."""
        bad = "# HELP x_bytes b\n# TYPE x_bytes counter\nx_bytes 1\n"
        self.assertIn("counter", promtool_check(bad) or "")

    def test_no_device_no_sample(self):
        """Domains without a NIC or disk ("net": null, or no key) have no device samples."""
        stream = Stream(self, line(LAST))
        out = run_tool(stream.path, "--once", "--print")
        device = [k for k in samples(out.stdout) if k.startswith(("tally_net_", "tally_disk_"))]
        self.assertEqual(len(device), 9 + 7)
        self.assertTrue(all('domain="spin"' in k for k in device), device)

    def test_print_matches_http(self):
        stream = Stream(self, line(FIRST) + line(LAST))
        printed = run_tool(stream.path, "--once", "--print")
        self.assertEqual(printed.returncode, 0, printed.stderr)
        with Exporter(stream.path, "--once") as ex:
            body = ex.wait_for("tally_exporter_samples_total", 2)
        self.assertEqual(printed.stdout, body)

    def test_no_sample_yet(self):
        stream = Stream(self)
        with Exporter(stream.path) as ex:
            body = ex.metrics()
        self.assertEqual(samples(body), {
            "tally_exporter_samples_total": 0, "tally_exporter_malformed_lines_total": 0,
            key("tally_build_info", version="0.1.0", version_from="exporter",
                exporter_version="0.1.0"): 1})
        self.assertIsNone(promtool_check(body))

    def test_version_from_the_stream(self):
        stream = Stream(self, line({**LAST, "version": "2.3.4"}))
        out = run_tool(stream.path, "--once", "--print")
        self.assertIn(key("tally_build_info", version="2.3.4", version_from="stream",
                          exporter_version="0.1.0"), samples(out.stdout))

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
        out = run_tool(stream.path, "--once", "--print")
        got = samples(out.stdout)
        self.assertEqual(got[key("tally_domain_exits_total", **who(odd, 3))], 41)
        # A stream without "trust" (a Tally that does not check) reads as unchecked.
        self.assertEqual(got[key("tally_guest_metric", **who(odd, 3), name='q"\\', unit="count",
                                 source="guest", trust="unchecked")], -5)
        self.assertEqual(got[key("tally_guest_metric", **who(odd, 3), name="ratio",
                                 unit="percent", source="guest", trust="unchecked")], 0.25)
        self.assertIn('domain="we\\"b\\\\x\\ny"', out.stdout)   # escaped on the wire
        self.assertIsNone(promtool_check(out.stdout))


class Listen(unittest.TestCase):
    def scrape(self, *args):
        stream = Stream(self, line(LAST))
        proc = subprocess.Popen([tool_python(), TOOL, stream.path, "--once", *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.stderr.close)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.terminate)
        err = proc.stderr.readline()
        return err, proc

    def test_listen_where_asked(self):
        import urllib.request
        port = free_port()
        err, _ = self.scrape("--listen", f"127.0.0.1:{port}")
        self.assertEqual(err.strip(), f"tally-metrics: serving http://127.0.0.1:{port}/metrics")
        deadline = time.monotonic() + 10
        while True:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
                got = samples(resp.read().decode())
            if got.get("tally_exporter_samples_total") == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(got[key("tally_domain_exits_total", **who("web", 1))], 1234)

    def test_port_is_listen_on_loopback(self):
        port = free_port()
        err, _ = self.scrape("--port", str(port))
        self.assertEqual(err.strip(), f"tally-metrics: serving http://127.0.0.1:{port}/metrics")

    def test_bad_listen(self):
        for args in (["--listen", "nowhere"], ["--listen", "127.0.0.1:70000"],
                     ["--listen", "127.0.0.1:0", "--port", "9"]):
            out = run_tool("x.log", *args)
            self.assertEqual(out.returncode, 2, args)
            self.assertIn("--", out.stderr)

    def test_address_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            port = s.getsockname()[1]
            stream = Stream(self, line(LAST))
            out = run_tool(stream.path, "--once", "--listen", f"127.0.0.1:{port}")
        self.assertEqual(out.returncode, 1)
        self.assertIn(f"cannot listen on 127.0.0.1:{port}", out.stderr)


class SeriesDoc(unittest.TestCase):
    def test_doc_table_is_the_tools(self):
        """docs/METRICS.md's table of series is --list-series' output, unedited."""
        out = run_tool("--list-series")
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(os.path.join(ROOT, "docs", "METRICS.md")) as f:
            doc = f.read()
        m = re.search(r"<!-- series: tools/tally-metrics --list-series -->\n(.*?)<!-- /series -->",
                      doc, re.DOTALL)
        self.assertIsNotNone(m, "no generated series table in docs/METRICS.md")
        self.assertEqual(m.group(1), out.stdout)

    def test_table_lists_every_family(self):
        out = run_tool("--list-series")
        listed = re.findall(r"^\| `([a-z_]+)` \| (\S+)", out.stdout, re.MULTILINE)
        self.assertEqual({n: t for n, t in listed},
                         {**{n: "counter" for n in COUNTERS}, **{n: "gauge" for n in GAUGES}})


class Stream_(unittest.TestCase):
    def test_malformed_lines_skipped_and_counted(self):
        bad = ["garbage\n", "[1, 2]\n", '{"t_ms": 5, "cpus": []}\n',
               '{"t_ms": 6, "cpus": [], "domains": [1]}\n', '{"t_ms":\n']
        stream = Stream(self, line(FIRST) + "".join(bad) + "\n\r\n" + line(LAST))
        with Exporter(stream.path, "--once") as ex:
            body = ex.wait_for("tally_exporter_malformed_lines_total", 5)
            err = ex.stderr
        got = samples(body)
        self.assertEqual(got["tally_exporter_samples_total"], 2)
        self.assertEqual(got[key("tally_domain_exits_total", **who("web", 1))], 1234)
        for n in (2, 3, 4, 5, 6):
            self.assertIn(f"tally-metrics: line {n}: skipped", err)
        self.assertNotIn("line 7:", err)       # empty lines are not malformed

    def test_follow_partial_lines(self):
        stream = Stream(self, line(FIRST))
        with Exporter(stream.path) as ex:
            ex.wait_for("tally_exporter_samples_total", 1)
            half = len(line(LAST)) // 2
            stream.write(line(LAST)[:half])
            time.sleep(0.6)                     # several polls with half a line waiting
            got = samples(ex.metrics())
            self.assertEqual(got["tally_exporter_samples_total"], 1)
            self.assertEqual(got["tally_exporter_malformed_lines_total"], 0)
            stream.write(line(LAST)[half:])
            got = samples(ex.wait_for("tally_exporter_samples_total", 2))
        self.assertEqual(got[key("tally_domain_up", **who("spin", 2))], 0)
        self.assertEqual(got["tally_exporter_malformed_lines_total"], 0)

    def test_once_cut_short_at_the_end(self):
        stream = Stream(self, line(FIRST) + line(LAST)[:40])
        out = run_tool(stream.path, "--once", "--print")
        self.assertEqual(out.returncode, 0, out.stderr)
        got = samples(out.stdout)
        self.assertEqual(got["tally_exporter_samples_total"], 1)
        self.assertEqual(got["tally_exporter_malformed_lines_total"], 1)
        self.assertIn("cut short", out.stderr)

    def test_once_unterminated_whole_object(self):
        stream = Stream(self, line(FIRST) + line(LAST).rstrip("\n"))
        out = run_tool(stream.path, "--once", "--print")
        self.assertEqual(samples(out.stdout)["tally_exporter_samples_total"], 2)

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
        got = samples(out.stdout)
        self.assertEqual(got["tally_exporter_samples_total"], 2)
        self.assertEqual(got["tally_exporter_malformed_lines_total"], 1)
        for k, want in EXPECTED.items():
            if not k.startswith("tally_exporter_"):
                self.assertEqual(got.get(k), float(want), k)

    def test_help(self):
        out = run_tool("--help")
        self.assertEqual(out.returncode, 0)
        for word in ("--once", "--listen", "--port", "--plot", "--plot-top", "HOST:PORT",
                     "/metrics", "--list-series"):
            self.assertIn(word, out.stdout)




def png_size(path):
    """(width, height) from a PNG's IHDR chunk; fails unless the file is a PNG."""
    with open(path, "rb") as f:
        data = f.read(32)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
    assert data[12:16] == b"IHDR", "no IHDR chunk first"
    return struct.unpack(">II", data[16:24])


CHART_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import tally_plot
history = [json.loads(ln) for ln in open(sys.argv[2]) if ln.strip()]
fig, points = tally_plot.cpu_chart(history, (900, 450), int(sys.argv[3]))
ax = fig.axes[0]
print(json.dumps({"title": ax.get_title(), "x": ax.get_xlabel(), "y": ax.get_ylabel(),
                  "legend": [t.get_text() for t in ax.get_legend().get_texts()],
                  "lines": {ln.get_label(): [list(map(float, ln.get_xdata())),
                                             list(map(float, ln.get_ydata()))]
                            for ln in ax.get_lines()},
                  "size": [fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi]}))
"""


def chart(test, objs, top=tally_plot.TOP_DEFAULT):
    """What tally_plot.cpu_chart drew for @objs: title, axis labels, legend, lines' data."""
    stream = Stream(test, "".join(line(o) for o in objs))
    out = subprocess.run([tool_python(), "-c", CHART_PROBE, os.path.join(ROOT, "tools"),
                          stream.path, str(top)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    test.assertEqual(out.returncode, 0, out.stderr)
    return json.loads(out.stdout)


# web 2/5 of the CPU, batch 1/5, Tally 1/5, idle 1/5 between any two samples.
STEADY = [sample(100 * i, [domain(1, "web", 2_000_000 * i), domain(2, "batch", 1_000_000 * i)],
                 guest=3_000_000 * i, hyp=1_000_000 * i, idle=1_000_000 * i)
          for i in range(1, 12)]


class Plot(unittest.TestCase):
    def test_png_of_the_requested_size(self):
        stream = Stream(self, "".join(line(o) for o in STEADY))
        png = os.path.join(stream.dir.name, "cpu.png")
        out = run_tool(stream.path, "--once", "--print", "--plot", png, "--plot-size", "640x320")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(png_size(png), (640, 320))
        self.assertIn(f"wrote {png} (10 points)", out.stderr)
        self.assertGreater(os.path.getsize(png), 5000)     # drawn, not an empty frame

    def test_chart_values_labels_and_legend(self):
        got = chart(self, STEADY)
        self.assertEqual(got["title"], "Tally: CPU share by domain")
        self.assertEqual(got["x"], tally_plot.TIME_AXIS)
        self.assertIn("uptime (s)", got["x"])
        self.assertEqual(got["y"], "share of all CPUs (%)")
        self.assertEqual(got["legend"], ["web (d1)", "batch (d2)", "Tally (hypervisor)", "idle"])
        self.assertEqual(got["size"], [900, 450])
        times = [0.1 * i for i in range(2, 12)]
        for label, share in (("web (d1)", 40), ("batch (d2)", 20), ("Tally (hypervisor)", 20),
                             ("idle", 20)):
            xs, ys = got["lines"][label]
            self.assertEqual(len(xs), 10, label)
            for x, want in zip(xs, times):
                self.assertAlmostEqual(x, want, places=9)
            for y in ys:
                self.assertAlmostEqual(y, share, places=9, msg=label)

    def test_png_from_a_single_sample(self):
        stream = Stream(self, line(LAST))
        png = os.path.join(stream.dir.name, "one.png")
        out = run_tool(stream.path, "--once", "--print", "--plot", png)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(png_size(png), (1000, 500))
        self.assertIn("fewer than two samples", out.stderr)

    def test_bad_plot_options(self):
        for args in (["--plot-size", "10x10"], ["--plot-top", "0"]):
            out = run_tool("x.log", "--once", "--plot", "x.png", *args)
            self.assertEqual(out.returncode, 2, args)


class Series(unittest.TestCase):
    """tally_plot's series, computed without matplotlib."""

    def test_shares_and_a_domain_that_comes_late(self):
        objs = [sample(0, [domain(1, "a", 0)], guest=0, hyp=0, idle=0),
                sample(1000, [domain(1, "a", 25), domain(2, "b", 10)],
                       guest=50, hyp=25, idle=25),
                sample(2000, [domain(1, "a", 75), domain(2, "b", 20)],
                       guest=100, hyp=50, idle=50)]
        times, doms, hyp, idle = tally_plot.cpu_series(objs)
        self.assertEqual(times, [1.0, 2.0])
        self.assertEqual(doms, {(1, "a"): [25.0, 50.0], (2, "b"): [None, 10.0]})
        self.assertEqual(hyp, [25.0, 25.0])
        self.assertEqual(idle, [25.0, 25.0])

    def test_top_n_sums_the_rest(self):
        series = {"a": [1, 1], "b": [5, 5], "c": [2, None], "d": [None, None], "e": [0, 3]}
        self.assertEqual(tally_plot.top_n(series, 2),
                         [("b", [5, 5]), ("e", [0, 3]), ("others (3)", [3, 1])])
        self.assertEqual(tally_plot.top_n(series, 9)[-1], ("d", [None, None]))


class ManyDomains(unittest.TestCase):
    """Hundreds of domains: a ~56 KB object a line, every domain exported, and a chart of
    the 10 busiest with the rest as one `others (290)` line instead of 300 legends."""
    COUNT = 300

    def objs(self):
        return [sample(1000 * i, [domain(j, f"s{j}", (j % 7 + 1) * 100_000 * i
                                         + (5_000_000 * i if j == 300 else 0))
                                  for j in range(1, self.COUNT + 1)],
                       guest=100_000_000 * i, hyp=0, idle=0) for i in range(1, 4)]

    def test_every_domain_exported(self):
        text = "".join(line(o) for o in self.objs())
        self.assertGreater(len(text) // 3, 50_000)
        out = run_tool(Stream(self, text).path, "--once", "--print")
        self.assertEqual(out.returncode, 0, out.stderr)
        got = {k: v for k, v in samples(out.stdout).items()
               if k.startswith("tally_domain_cpu_seconds_total{")}
        self.assertEqual(len(got), self.COUNT)
        # s300: (300 % 7 + 1) * 100_000 * 3 + 15_000_000 cycles x 20 ns.
        self.assertAlmostEqual(got[key("tally_domain_cpu_seconds_total", **who("s300", 300))],
                               0.342)

    def test_chart_of_the_busiest(self):
        got = chart(self, self.objs())
        legend = got["legend"]
        self.assertEqual(len(legend), 10 + 3)
        self.assertEqual(legend[0], "s300 (d300)")         # 5.6 % of all CPUs
        self.assertEqual(legend[10:], ["others (290)", "Tally (hypervisor)", "idle"])
        # Per interval the 300 domains take 100_000 x (sum of j % 7 + 1) + 5_000_000 of
        # 100_000_000 cycles; the others' line is that less the ten drawn.
        drawn = sum(got["lines"][n][1][0] for n in legend[:10])
        total = (100_000 * sum(j % 7 + 1 for j in range(1, 301)) + 5_000_000) / 1e6
        self.assertAlmostEqual(drawn + got["lines"]["others (290)"][1][0], total, places=6)


if __name__ == "__main__":
    unittest.main()
