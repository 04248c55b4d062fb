# SPDX-License-Identifier: MIT
"""Runs tools/tally-metrics for the tests: start it on a free port, scrape /metrics, stop it.

Used by test_tally_metrics.py (host tests, synthetic streams) and by the
metrics-stream scenario (the COM2 capture of a real run).
"""

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOOL = os.path.join(ROOT, "tools", "tally-metrics")
SERVING_RE = re.compile(r"serving http://127\.0\.0\.1:(\d+)/metrics")
SAMPLE_RE = re.compile(r"^([a-z_:][a-z0-9_:]*)(\{.*\})? (\S+)$")


class Exporter:
    """tools/tally-metrics SOURCE ARGS… --port 0, as a context manager.

    On entry waits for its `serving http://127.0.0.1:PORT/metrics` line
    (everything it wrote to stderr stays in self.stderr).  On exit it is
    sent SIGTERM and reaped.
    """

    def __init__(self, source, *args, start_timeout=10):
        self.argv = [sys.executable, TOOL, source, "--port", "0", *args]
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

    def wait_for(self, line, timeout=10):
        """Scrape until @line is one of /metrics' lines; return the body (raise on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.metrics()
            if line in body.splitlines():
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"no line {line!r} in /metrics within {timeout}s:\n{body}")
            time.sleep(0.05)


def samples(body):
    """{'name{labels}': value text} for every sample line of an exposition @body."""
    out = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            m = SAMPLE_RE.match(line)
            if m:
                out[m.group(1) + (m.group(2) or "")] = m.group(3)
    return out
