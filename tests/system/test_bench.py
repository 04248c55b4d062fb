# SPDX-License-Identifier: MIT
"""Host tests of how tests/system/bench.py presents its figures (no emulator).

Each figure is printed beside its goal and what it measures; a figure
above its goal is not a failure, and bench exits 0 whatever the figures.
The runs are replaced by made-up results carrying the lines Tally and the
timing guests print.
run.py runs these as `host-tools`; alone: python3 -m unittest discover -s tests/system
"""

import contextlib
import io
import os
import sys
import unittest
from unittest import mock

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import emu  # noqa: E402  (bench put tools/ on the path)

SERIAL = {
    "cpuidloop": "[c0] <cpuidloop> cpuidloop: count=100000 tsc_per_cpuid=224\n",
    "hcloop": "[c0] <hcloop> hcloop: count=10000 null_hypercall_ticks=267 "
              "counters_hypercall_ticks=2350\n",
    "sched": "[c0] timer: tsc_khz=50001 lapic_khz=50001 source=pit\n"
             "[c0] sched: cpu0 paths preempt_switch=14/745/745 hlt_block=50/572/500 "
             "wakeup=35/689/600\n",
    "sched-lapic": "[c0] timer: tsc_khz=50001 lapic_khz=50001 source=pit\n"
                   "[c0] sched: cpu0 paths preempt_switch=14/820/800 hlt_block=50/572/500 "
                   "wakeup=35/689/600\n",
}
FIGURES = ["cpuid_exit_round_trip_instructions", "null_hypercall_round_trip_instructions",
           "counters_snapshot_hypercall_instructions", "sched_preempt_switch_instructions",
           "sched_hlt_block_plus_wake_instructions", "sched_overhead_share",
           "sched_lapic_preempt_switch_instructions"]


def fake_run(build, name, modules, timeout, judge, debugger=("c",), cmdline="exit_when_done"):
    return emu.RunResult(status=1, serial=SERIAL[name], timed_out=False, seconds=1.0,
                         how="shutdown-port")


def bench_output(argv):
    out = io.StringIO()
    with mock.patch.object(bench, "bench_run", fake_run), contextlib.redirect_stdout(out):
        status = bench.main(argv)
    return status, out.getvalue()


class Presentation(unittest.TestCase):
    def test_figures_above_their_goal_still_exit_0(self):
        status, out = bench_output(["--build", "/nonexistent"])
        self.assertEqual(status, 0, out)
        self.assertNotRegex(out.lower(), r"miss|fail")
        self.assertIn("all 4 runs completed", out)
        self.assertIn("6 figures have a goal: 0 within it, 6 still above it", " ".join(out.split()))

    def test_each_figure_beside_its_goal_and_meaning(self):
        _, out = bench_output(["--build", "/nonexistent"])
        lines = out.splitlines()
        for name in FIGURES:
            with self.subTest(figure=name):
                i = next(i for i, line in enumerate(lines) if line.split()[:1] == [name])
                self.assertRegex(lines[i], r"goal (<=?) \S+: (within|\S+ above)|no goal: context")
                self.assertTrue(lines[i + 1].startswith("      ") and len(lines[i + 1]) > 20,
                                "its meaning, in words, on the next line")
        # The figures themselves are as before.
        self.assertRegex(out, r"cpuid_exit_round_trip_instructions +224 +goal <= 60: 164 above")
        self.assertRegex(out, r"sched_overhead_share +0\.149% +goal < 0\.050%: 0\.099% above")
        self.assertRegex(out, r"sched_lapic_preempt_switch_instructions +820 +goal <= 500: "
                              r"320 above")

    def test_verdicts(self):
        cases = [(bench.Figure("f", 60, "m", goal=60), "goal <= 60: within"),
                 (bench.Figure("f", 61, "m", goal=60), "goal <= 60: 1 above"),
                 (bench.Figure("f", 0.05, "m", goal=0.05, unit="%", strict=True),
                  "goal < 0.050%: 0.000% above"),
                 (bench.Figure("f", None, "m", goal=500), "goal <= 500: not measured"),
                 (bench.Figure("f", 7, "m"), "no goal: context")]
        for figure, verdict in cases:
            with self.subTest(verdict=verdict):
                self.assertEqual(figure.verdict(), verdict)

    def test_the_lapic_run_asks_for_the_lapic_timer(self):
        calls = {}

        def recording(build, name, modules, timeout, judge, debugger=("c",),
                      cmdline="exit_when_done"):
            calls[name] = (cmdline, modules)
            return fake_run(build, name, modules, timeout, judge, debugger, cmdline)
        with mock.patch.object(bench, "bench_run", recording), \
                contextlib.redirect_stdout(io.StringIO()):
            bench.main(["--build", "/nonexistent"])
        self.assertEqual(calls["sched"][0], "exit_when_done")
        self.assertEqual(calls["sched-lapic"][0], "exit_when_done sched_timer=lapic")
        self.assertEqual([g for g, _ in calls["sched-lapic"][1]], [g for g, _ in calls["sched"][1]])
        for _, cmdline in calls["sched-lapic"][1]:
            self.assertTrue(cmdline.endswith(" irqs_on"), cmdline)

    def test_a_failed_run_is_said_and_exits_1(self):
        def failing(build, name, *args, **kw):
            return None if name == "hcloop" else fake_run(build, name, *args, **kw)
        out = io.StringIO()
        with mock.patch.object(bench, "bench_run", failing), contextlib.redirect_stdout(out):
            self.assertEqual(bench.main(["--build", "/nonexistent"]), 1)
        self.assertIn("1 of 4 runs FAILED", out.getvalue())


if __name__ == "__main__":
    unittest.main()
