# SPDX-License-Identifier: MIT
"""The switch's host benchmark for bench.py: forwarding 1500-byte frames beside memcpy.

Runs BUILD/hostbench/vswitch_bench (tests/bench/vswitch_bench.c, built by
`make bench` from Tally's own drivers/vdev/vswitch.c and virtq.c at -O2):
Tally's transmit path between two fake guest memories (the sender's chain
popped, its Ethernet header copied out, the switch's decision, a receive
buffer popped, the headers written and the frame copied across, both
chains returned) beside a plain memcpy() of the same frame bytes between
the same buffers, in the same run.  Host time, not Bochs instructions: the
figures depend on the host and its load (each side's best of 5 rounds).
"""

import os
import re
import subprocess
import sys
import time

FRAME_BYTES = 1500
SHARE_GOAL = 60.0       # percent of the memcpy rate (issue 13)
LINE_RE = re.compile(r"^vswitch_bench: (.*)$", re.MULTILINE)
KEYS = ("frame_bytes", "frames", "forward_frames_per_s", "forward_gb_per_s", "memcpy_gb_per_s",
        "share_percent", "forward_ns_per_frame", "memcpy_ns_per_frame", "switch_ns_per_frame")


def binary(build):
    return os.path.join(build, "hostbench", "vswitch_bench")


def parse(output):
    """The figures of a `vswitch_bench:` line as {key: float}, or None without one."""
    m = LINE_RE.search(output)
    if not m:
        return None
    values = dict(field.split("=", 1) for field in m.group(1).split())
    if any(key not in values for key in KEYS):
        return None
    return {key: float(values[key]) for key in KEYS}


def run_host(build, timeout=300):
    """Run the benchmark; (figures, wall seconds).  RuntimeError when it fails or says nothing."""
    path = binary(build)
    if not os.path.isfile(path):
        raise RuntimeError(f"{path} missing (make bench builds it)")
    start = time.monotonic()
    try:
        proc = subprocess.run([path, str(FRAME_BYTES)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise RuntimeError(f"timed out after {timeout}s") from e
    values = parse(proc.stdout)
    if proc.returncode or values is None:
        raise RuntimeError(f"exit status {proc.returncode}: {proc.stdout.strip()[-300:]}")
    return values, time.monotonic() - start


def share_figure_class(figure):
    """bench.Figure with a lower bound for a goal (`goal >= 60.0%`)."""
    class AtLeast(figure):
        def within(self):
            if self.goal is None or self.value is None:
                return None
            return self.value >= self.goal

        def verdict(self):
            goal = f"goal >= {self._text(self.goal)}"
            if self.value is None:
                return f"{goal}: not measured"
            if self.within():
                return f"{goal}: within"
            return f"{goal}: {self._text(self.goal - self.value)} below"
    return AtLeast


def switch_figures(v, figure):
    """The figures from the values @v (parse()), as instances of bench's @figure class."""
    at_least = share_figure_class(figure)
    frame = int(v["frame_bytes"])
    return [
        at_least("switch_forward_share_of_memcpy", round(v["share_percent"], 1),
                 f"the forwarding rate of {frame}-byte frames as a share of memcpy()'s rate for "
                 "the same bytes, in the same run: Tally's transmit path (rings, checks, the "
                 "switch, one copy) built for the host",
                 goal=SHARE_GOAL, unit="%"),
        figure("switch_forward_frames_per_s", int(v["forward_frames_per_s"]),
               f"{frame}-byte frames forwarded a second, sender's chain to receiver's buffer "
               f"({v['forward_gb_per_s']:.3f} GB/s of frames, "
               f"{v['forward_ns_per_frame']:.1f} ns a frame)"),
        figure("switch_memcpy_gb_per_s", round(v["memcpy_gb_per_s"], 3),
               f"memcpy() of the same {frame} bytes between the same buffers "
               f"({v['memcpy_ns_per_frame']:.1f} ns a frame)"),
        figure("switch_decision_ns_per_frame", round(v["switch_ns_per_frame"], 1),
               "the switch's own part of a frame: vswitch_tx (checks, buckets, learning, "
               "lookup), vswitch_rx_admit and vswitch_rx_done, without rings or copies"),
    ]


def report(build, figure, show):
    """Run, print and return (figures, failed runs: 0 or 1)."""
    try:
        values, seconds = run_host(build)
    except (OSError, RuntimeError) as e:
        print(f"bench: switch-host: FAILED: {e}", file=sys.stderr)
        return [], 1
    print(f"switch-host: {int(values['frames'])} frames of {int(values['frame_bytes'])} bytes "
          f"a round on this host (best of 5), {seconds:.1f}s wall")
    return show(switch_figures(values, figure)), 0
