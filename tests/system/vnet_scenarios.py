# SPDX-License-Identifier: MIT
"""The NIC's lifecycle as the console shows it (drivers/vdev/vnet.c): ports
made from `net=` and `mac=` (or the MAC derived from the domain id), a
duplicate MAC refused, the `n` debug key listing the switch while domains
run, and every port gone once they ended.

Split from scenarios.py, which adds VNET_SCENARIOS to its list.
"""

import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

KEY_N = "the NIC switch: ports, MACs, groups, learned table, counters"
ZERO_TRAFFIC = ("tx_packets=0 tx_bytes=0 tx_broadcast=0 tx_multicast=0 rx_packets=0 "
                "rx_bytes=0 rx_broadcast=0 rx_multicast=0")
ZERO_DROPS = ("drop_spoofed=0 drop_isolation=0 drop_tx_limit=0 drop_rx_limit=0 "
              "drop_no_buffer=0 drop_oversize=0 drop_malformed=0")
# Every counter of the usage lines: neither guest touches its NIC.
ZERO_COUNTS = {k: 0 for k in re.findall(r"(\w+)=0", f"{ZERO_TRAFFIC} {ZERO_DROPS} errors=0")}


def busy_nic(dom, options):
    """A busy guest (it never touches its NIC) with Tally's NIC @options."""
    return (Guest("busy"), f"name={dom} mem=8 {options} loops=4000000 report=4000000")


def after_n(pattern, what, step=0):
    return AfterKeys(rf"^\[c0\] {pattern}", what, step)


def port(n, dom_id, dom, mac, group):
    """Port @n's first line in the `n` answer: who it is."""
    return [after_n(rf"  port {n} d{dom_id} {dom} mac={mac} group={group}$",
                    f"port {n}: {dom}, {mac}, {group}")]


NIC_SWITCH_KEY = (
    [after_n(rf"key 'n': {re.escape(KEY_N)}$", "key n echo"),
     after_n(r"switch: 2 ports, 0 learned addresses, fdb_full=0$", "two ports, nothing learned"),
     Count(r"\]   port \d+ ", 2, "port lines (two NICs, the refused one not among them)"),
     Count(r"\]   fdb ", 0, "learned addresses (no frame was sent)"),
     Count(rf"^\[c0\]     {ZERO_TRAFFIC}$", 2, "the ports' traffic lines, all 0"),
     Count(rf"^\[c0\]     {ZERO_DROPS}$", 2, "the ports' drop lines, all 0")]
    + port(0, 1, "web", "02:54:41:00:00:01", "red")
    + port(1, 2, "db", "02:00:00:00:00:42", "blue")
    + [Line(r"\] ERROR: .*dup.*: NIC mac=02:54:41:00:00:01 net=red: its MAC is another "
            r"domain's; not created$", "the duplicate MAC refused"),
       Count(r"\] ERROR: ", 1, "errors (the refusal alone)"),
       Line(r"\] domain: d1 web net mac=02:54:41:00:00:01 group=red tx_packets=0 ",
            "web's usage line: its MAC and group"),
       Line(r"\] domain: d2 db net mac=02:00:00:00:00:42 group=blue tx_packets=0 ",
            "db's usage line: its MAC and group"),
       DeviceStats("web", "net", ZERO_COUNTS), DeviceStats("db", "net", ZERO_COUNTS),
       after_n(r"switch: no ports \(no domain has a NIC; net=GROUP gives one\)$",
               "no port left once the domains ended", step=1),
       Line(r"\] tally: all domains ended$", "all domains ended"), MEM_BACK]
    + passed("web") + passed("db"))

VNET_SCENARIOS = [
    Scenario(
        "nic-switch-key", "two NICs (a MAC derived from the domain id, one given by mac=), a "
        "third domain with a MAC already taken refused; the n key lists both ports with "
        "their MACs, groups and zero counters while they run, and no port once they ended",
        "bochs", bochs_vmx(1), NIC_SWITCH_KEY, timeout=120, cmdline="",
        modules=[busy_nic("web", "net=red"), busy_nic("db", "net=blue mac=02:00:00:00:00:42"),
                 busy_nic("dup", "net=red mac=02:54:41:00:00:01")],
        keys=[(guest_line("db", "busy: loops="), "n"),
              (r"^\[c0\] tally: all domains ended$", "n")],
        stop_when=r"switch: no ports"),
]
