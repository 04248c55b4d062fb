# SPDX-License-Identifier: MIT
"""The domain-line checks pass only on their evidence: a missing line or field fails."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import DomainStat, DonationsReceived, GuestCyclesSplit, domain_stats  # noqa: E402


class Result:
    def __init__(self, serial):
        self.serial = serial


def domain_line(n, name, **fields):
    values = dict(cpu_us=1000, cpu_cycles=50000, slices=3, halts=2, exits=40, **fields)
    return f"[c0] domain: d{n} {name} " + " ".join(f"{k}={v}" for k, v in values.items())


class DomainStatTest(unittest.TestCase):
    def test_in_range_passes_out_of_range_fails(self):
        r = Result(domain_line(1, "spin", donated_us=0, received_us=0))
        self.assertIsNone(DomainStat("spin", "exits", 40, 40)(r))
        self.assertIn("spin exits=40, expected 41..50", DomainStat("spin", "exits", 41, 50)(r)[0])

    def test_missing_field_or_line_fails(self):
        r = Result(domain_line(1, "spin"))
        self.assertEqual(DomainStat("spin", "wakeups", 0)(r)[0],
                         "spin's domain line has no wakeups=")
        self.assertIn("no `domain: dN halter cpu_us=` line", DomainStat("halter", "halts", 0)(r)[0])

    def test_no_option_to_pass_without_evidence(self):
        with self.assertRaises(TypeError):
            DomainStat("spin", "wakeups", 0, optional=True)


class DonationsReceivedTest(unittest.TestCase):
    def serial(self, spin2_fields):
        return Result("\n".join([
            domain_line(1, "halter", donated_us=500, received_us=0),
            domain_line(2, "spin1", donated_us=0, received_us=300),
            domain_line(3, "spin2", **spin2_fields)]))

    def test_received_within_donated_passes(self):
        check = DonationsReceived("halter", ("spin1", "spin2"))
        self.assertIsNone(check(self.serial(dict(donated_us=0, received_us=200))))
        self.assertIn("received 600 us of the 500 us",
                      check(self.serial(dict(donated_us=0, received_us=300)))[0])

    def test_a_recipient_without_received_us_fails(self):
        failure = DonationsReceived("halter", ("spin1", "spin2"))(self.serial(dict(donated_us=0)))
        self.assertEqual(failure[0], "spin2's domain line has no received_us=")


class RestartedDomainTest(unittest.TestCase):
    """A domain restarted by on_reboot=restart prints a line per life: they add up."""

    def test_lives_add_up(self):
        serial = "\n".join(["[c0] domain: d1 bz cpu_us=2 cpu_cycles=100 slices=3",
                            "[c0] domain: d1 bz cpu_us=1 cpu_cycles=30 slices=3",
                            "[c0] domain: d2 hello cpu_us=1 cpu_cycles=7 slices=1"])
        stats = domain_stats(serial)
        self.assertEqual(stats["bz"]["cpu_cycles"], 130)
        self.assertEqual(stats["bz"]["slices"], 6)
        self.assertEqual(stats["hello"]["cpu_cycles"], 7)
        cpu = ("[c0] sched: cpu0 accounted_cycles=200 guest_cycles=137 hypervisor_cycles=63 "
               "idle_cycles=0")
        self.assertIsNone(GuestCyclesSplit()(Result(serial + "\n" + cpu)))
        self.assertIn("off by -1",
                      GuestCyclesSplit()(Result(serial + "\n" + cpu.replace("137", "138")))[0])


if __name__ == "__main__":
    unittest.main()
