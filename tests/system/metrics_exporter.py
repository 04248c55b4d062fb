# SPDX-License-Identifier: MIT
"""Runs tools/tally-metrics for the tests: start it on a free port, scrape /metrics, stop it.

Used by test_tally_metrics.py (host tests, synthetic streams) and by the
metrics-stream scenario (the COM2 capture of a real run).
"""

import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOOL = os.path.join(ROOT, "tools", "tally-metrics")
SERVING_RE = re.compile(r"serving http://127\.0\.0\.1:(\d+)/metrics")
SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def tool_python():
    """The interpreter of the tool's #! line: Debian's, where its libraries are installed."""
    with open(TOOL) as f:
        return f.readline()[2:].split()[0]


class Exporter:
    """tools/tally-metrics SOURCE --listen 127.0.0.1:0 ARGS…, as a context manager.

    On entry waits for its `serving http://127.0.0.1:PORT/metrics` line
    (everything it wrote to stderr stays in self.stderr).  On exit it is
    sent SIGTERM and reaped.
    """

    def __init__(self, source, *args, start_timeout=10):
        self.argv = [tool_python(), TOOL, source, "--listen", "127.0.0.1:0", *args]
        self.start_timeout = start_timeout
        self.proc, self.port = None, None
        self._err, self._lock = [], threading.Lock()
        self._serving = threading.Event()

    def __enter__(self):
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()
        if not self._serving.wait(self.start_timeout):
            self.stop()
            raise RuntimeError(f"tally-metrics did not start serving: {self.stderr!r}")
        return self

    def __exit__(self, *exc):
        self.stop()

    def _drain(self):
        for line in self.proc.stderr:
            with self._lock:
                self._err.append(line)
            m = SERVING_RE.search(line)
            if m and self.port is None:
                self.port = int(m.group(1))
                self._serving.set()
        self._serving.set()             # ended without serving: __enter__ stops waiting

    @property
    def stderr(self):
        with self._lock:
            return "".join(self._err)

    def stop(self):
        """SIGTERM the tool and wait for it; return its exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            status = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            status = self.proc.wait()
        self._serving.set()
        self._thread.join(timeout=5)
        self.proc.stderr.close()
        return status

    def get(self, path="/metrics"):
        """(status, content type, body) of GET @path."""
        if self.port is None:
            raise RuntimeError(f"tally-metrics is not serving: {self.stderr!r}")
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return resp.status, resp.headers.get("Content-Type"), resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read().decode()

    def metrics(self):
        """The /metrics body; raises unless the status is 200."""
        status, _, body = self.get()
        if status != 200:
            raise RuntimeError(f"GET /metrics: status {status}")
        return body

    def wait_for(self, key, value, timeout=10):
        """Scrape until sample @key (as samples() names it) equals @value; return the body
        (raise on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.metrics()
            if samples(body).get(key) == float(value):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"no {key} {value} in /metrics within {timeout}s:\n{body}")
            time.sleep(0.05)


def unescape(value):
    """A label value as the text format writes it, unquoted: \\\\, \\" and \\n."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def key(family, /, **labels):
    """samples()' key of @family with @labels: labels sorted by name, values escaped."""
    if not labels:
        return family
    esc = {k: str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
           for k, v in labels.items()}
    return family + "{" + ",".join(f'{k}="{esc[k]}"' for k in sorted(esc)) + "}"


def samples(body):
    """{key(name, **labels): float value} for every sample line of an exposition @body."""
    out = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            m = SAMPLE_RE.match(line)
            if m:
                labels = {k: unescape(v) for k, v in LABEL_RE.findall(m.group(2) or "")}
                out[key(m.group(1), **labels)] = float(m.group(3))
    return out


def promtool_check(body):
    """None if `promtool check metrics` (Debian's prometheus) accepts exposition @body,
    else what it said."""
    try:
        out = subprocess.run(["promtool", "check", "metrics"], input=body, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
                             check=False)
    except FileNotFoundError:
        return "no promtool: install Debian's prometheus (tools/deps)"
    if out.returncode != 0 or out.stdout.strip():
        return f"promtool check metrics: exit {out.returncode}: {out.stdout.strip()}"
    return None
