# SPDX-License-Identifier: MIT
"""Host tests of scale_scenarios.py's guest-line accounting (no emulator).

run.py runs these as `host-tools`; alone: python3 -m unittest discover -s tests/system
"""

import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale_scenarios  # noqa: E402  (its imports put tools/ on the path)
import emu  # noqa: E402
from scale_scenarios import SPIN_TEMPLATES, lines_short, template_walk  # noqa: E402

SPIN = "spin: iterations=328740 duration_ms=7762"


def result(serial):
    return emu.RunResult(status=1, serial=serial, timed_out=False, seconds=1.0,
                         how="shutdown-port")


def dom_lines(dom, dropped, guest):
    """@dom's guest lines @guest and Tally's count of its dropped lines (none if 0)."""
    return "".join(f"[c0] <{dom}> {g}\n" for g in guest) + (
        f"[c0] domain: d1 {dom} unclaimed_port_accesses=0 console_lines_dropped={dropped} "
        "log_lines_suppressed=0\n" if dropped else "")


def report(tally, guests, waits, wait_us):
    return (f"[c0] console: tally_lines_dropped={tally} guest_lines_dropped={guests} "
            f"tally_waits={waits} tally_wait_us={wait_us}\n")


class Templates(unittest.TestCase):
    def test_walk(self):
        tpl = SPIN_TEMPLATES[0]
        self.assertEqual(template_walk(SPIN, tpl), (True, True))
        self.assertEqual(template_walk("spin: iterations=32", tpl), (True, False))
        self.assertEqual(template_walk("spin: iterations=", tpl), (True, False))
        self.assertEqual(template_walk("spin: iterations=x", tpl), (False, False))
        self.assertEqual(template_walk(SPIN + "1 more", tpl), (False, False))
        self.assertEqual(template_walk("TEST RESULT: P", SPIN_TEMPLATES[1]), (True, False))
        self.assertEqual(template_walk("TEST RESULT: FAIL", SPIN_TEMPLATES[1]), (False, False))

    def test_short(self):
        self.assertEqual(lines_short([SPIN, "TEST RESULT: PASS"], SPIN_TEMPLATES), 0)
        self.assertEqual(lines_short([SPIN, "TEST RESULT: P"], SPIN_TEMPLATES), 1)
        self.assertEqual(lines_short(["TEST RESULT: PASS"], SPIN_TEMPLATES), 1)
        self.assertEqual(lines_short(["s"], SPIN_TEMPLATES), 2)
        self.assertEqual(lines_short([], SPIN_TEMPLATES), 2)
        # Out of order, twice, or foreign: not the spin's lines.
        self.assertIsNone(lines_short(["TEST RESULT: PASS", SPIN], SPIN_TEMPLATES))
        self.assertIsNone(lines_short([SPIN, SPIN], SPIN_TEMPLATES))
        self.assertIsNone(lines_short([SPIN, "TEST RESULT: FAIL"], SPIN_TEMPLATES))


class GuestLinesCounted(unittest.TestCase):
    def test_whole_lines_or_counted_drops(self):
        check = scale_scenarios.GuestLinesCounted(("s1", "s2"), waits=True)
        serial = (dom_lines("s1", 0, [SPIN, "TEST RESULT: PASS"])
                  + dom_lines("s2", 1, [SPIN, "TEST RESULT: P"]))
        self.assertIsNone(check(result(serial + report(0, 1, 3, 900))))
        # A line missing with none counted dropped.
        bad = dom_lines("s1", 0, [SPIN]) + dom_lines("s2", 1, [SPIN, "TEST RESULT: P"])
        self.assertIn("s1: lines", check(result(bad + report(0, 1, 3, 900)))[0])

    def test_report_values(self):
        check = scale_scenarios.GuestLinesCounted(("s1",), waits=True)
        serial = dom_lines("s1", 1, [SPIN])
        self.assertIsNone(check(result(serial + report(0, 1, 2, 50))))
        for bad in (report(1, 1, 2, 50), report(0, 2, 2, 50), report(0, 1, 0, 0)):
            self.assertIn("tally_lines_dropped=", check(result(serial + bad))[0])
        self.assertIn("no `console:", check(result(serial))[0])
        self.assertIsNone(scale_scenarios.GuestLinesCounted(("s1",), waits=False)(
            result(serial + report(0, 1, 0, 0))))


if __name__ == "__main__":
    unittest.main()
