# SPDX-License-Identifier: MIT
"""Host tests of scale_bench.py's parsing and figures and scale_scenarios.py's checks (no emulator).

run.py runs these as `host-tools`; alone: python3 -m unittest discover -s tests/system
"""

import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import emu  # noqa: E402  (bench put tools/ on the path)
import scale_bench  # noqa: E402
import scale_scenarios  # noqa: E402

PATHS = "[c0] sched: cpu0 paths preempt_switch=929/1229/1160 hlt_block=5/640/600 wakeup=4/700/650\n"
OVERHEAD = ("[c0] domain: d1 halter created mem_mib=2 vcpus=1 pcpu=0 entry=0x1 ram=0x2\n"
            "[c0] domain: d1 halter overhead_bytes=45056 (vmcs=8192 ept=20480 msr_bitmap=4096 "
            "io_bitmaps=8192 struct=4096)\n")


def result(serial):
    return emu.RunResult(status=1, serial=serial, timed_out=False, seconds=1.0,
                         how="shutdown-port")


class Parsing(unittest.TestCase):
    def test_paths(self):
        self.assertEqual(scale_bench.parse_paths(PATHS),
                         {"preempt": (929, 1229, 1160), "hlt": (5, 640, 600), "wake": (4, 700, 650)})
        self.assertIsNone(scale_bench.parse_paths("[c0] sched: cpu0 accounted_cycles=1\n"))

    def test_overhead(self):
        name, total, parts = scale_bench.parse_overhead(OVERHEAD)
        self.assertEqual((name, total), ("halter", 45056))
        self.assertEqual(parts, {"vmcs": 8192, "ept": 20480, "msr_bitmap": 4096,
                                 "io_bitmaps": 8192, "struct": 4096})
        self.assertIsNone(scale_bench.parse_overhead("[c0] domain: d1 x overhead_bytes=\n"))

    def test_figures_and_ratio(self):
        paths = {c: scale_bench.parse_paths(PATHS) for c in scale_bench.SCALE_COUNTS}
        paths[128] = scale_bench.parse_paths(PATHS.replace("/1229/", "/1352/"))
        figs = {f.name: f for f in scale_bench.scale_figures(
            paths, scale_bench.parse_overhead(OVERHEAD), bench.Figure)}
        self.assertEqual(figs["sched_preempt_switch_2_domains"].value, 1229)
        self.assertEqual(figs["sched_hlt_block_64_domains"].value, 640)
        self.assertEqual(figs["sched_wakeup_16_domains"].value, 700)
        self.assertEqual(figs["sched_switch_growth_ratio"].value, 1.1)
        self.assertTrue(figs["sched_switch_growth_ratio"].within())
        self.assertEqual(figs["domain_overhead_bytes"].value, 45056)

    def test_missing_runs_are_not_measured(self):
        figs = {f.name: f for f in scale_bench.scale_figures({}, None, bench.Figure)}
        self.assertIsNone(figs["sched_switch_growth_ratio"].value)
        self.assertIsNone(figs["domain_overhead_bytes"].value)
        self.assertIn("not measured", figs["sched_switch_growth_ratio"].verdict())

    def test_failure_names_a_domain_that_did_not_pass(self):
        ok = "".join(f"[c0] domain: d{i + 1} {n} exited status=1 value=0\n"
                     for i, n in enumerate(scale_bench.scale_names(3)))
        self.assertIsNone(scale_bench.scale_failure(3, result(ok + PATHS), lambda r: None))
        self.assertIn("s2", scale_bench.scale_failure(
            3, result(ok.replace(" s2 exited", " s2 crashed") + PATHS), lambda r: None))
        self.assertIn("paths", scale_bench.scale_failure(3, result(ok), lambda r: None))

    def test_every_count_gets_the_same_slices_per_domain(self):
        for count in scale_bench.SCALE_COUNTS:
            modules = scale_bench.scale_modules(count)
            self.assertEqual(len(modules), count)
            self.assertEqual(modules[0][0], "halter")
            spin_ms = {opts.split("duration_ms=")[1] for _, opts in modules[1:]}
            self.assertEqual(spin_ms, {str(scale_bench.SCALE_ROUNDS * count)})

    def test_megs_hold_the_domains(self):
        self.assertEqual(scale_bench.scale_megs(2), 128)
        self.assertEqual(scale_bench.scale_megs(128), 512)
        self.assertEqual(scale_scenarios.scale_megs(256), 1024)


class ScaleScenario(unittest.TestCase):
    def test_pieces_of_a_line_are_joined(self):
        serial = ("[c0] <s9> TEST RESULT: PA\n[c0] <s10> TEST RESULT: PA\n"
                  "[c0] <s9>+ SS\n[c0] <s10>+ SS\n[c0] <s9> more\n")
        self.assertEqual(scale_scenarios.guest_lines(serial),
                         {"s9": ["TEST RESULT: PASS", "more"], "s10": ["TEST RESULT: PASS"]})

    def test_guest_said_counts_per_domain(self):
        check = scale_scenarios.GuestSaid(("s1", "s2"), r"TEST RESULT: PASS", 1, "PASS")
        self.assertIsNone(check(result("[c0] <s1> TEST RESULT: PASS\n"
                                       "[c1] <s2> TEST RESULT: P\n[c1] <s2>+ ASS\n")))
        self.assertIn("s2: 0 PASS", check(result("[c0] <s1> TEST RESULT: PASS\n"))[0])
        self.assertIn("s1: 2 PASS", check(result("[c0] <s1> TEST RESULT: PASS\n" * 2))[0])

    def test_shares_are_per_cpu_and_duration_covers_the_rounds(self):
        sc = scale_scenarios.scale_scenario(256, 2)
        self.assertEqual(sc.machine.megs, 1024)
        self.assertEqual(len(sc.modules), 256)
        self.assertIn("duration_ms=7680", sc.modules[0][1])
        self.assertEqual(scale_scenarios.scale_duration_ms(128, 1), 7680)


if __name__ == "__main__":
    unittest.main()
