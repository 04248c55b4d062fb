# SPDX-License-Identifier: MIT
"""The console table of domains (`top_interval_s=`) and console timestamps.

Split from scenarios.py, which adds TOP_SCENARIOS to its list; the checks
are in top_checks.py.
"""

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from top_checks import ManyDomainsTables, TableShows, Timestamps, TopTables


# One CPU, six domains over about five seconds, a table a second: the
# control domain holds `held` paused for two of them, `hello` ends at once,
# the agent publishes its memory use, busy counts, and halter mostly
# sleeps, outlasting busy, so that the CPU idles at the end.
TOP_MODULES = [
    (Guest("control"), "name=control mem=8 role=control hold=held watch_s=1 watch_rounds=2"),
    (Guest("agent"), "name=agent mem=16 rounds=8 interval_ms=250"),
    (Guest("busy"), "name=busy mem=8 loops=10000000 report=100000000"),
    (Guest("busy"), "name=held mem=8 loops=2000000 report=100000000"),
    (Guest("halter"), "name=halter mem=8 rounds=450 work_us=500 sleep_us=9500"),
    (Guest("hello"), "name=hello mem=8"),
]
TOP_TABLE = ([TopTables(3), TableShows("held", "paused"), TableShows("hello", "ended"),
              TableShows("busy", "running"), NO_ERRORS, MEM_BACK]
             + [c for dom in ("control", "agent", "busy", "held", "halter", "hello")
                for c in passed(dom)]
             + DOMAINS_DONE)

# Two CPUs: busy on CPU 0, halter on CPU 1, which mostly idles; the CPU%
# column must add up to 200 with CPU 1's idle time in it.
TOP_2CPU_MODULES = [
    (Guest("busy"), "name=busy mem=8 pcpu=0 loops=12000000 report=100000000"),
    (Guest("halter"), "name=halter mem=8 pcpu=1 rounds=200 work_us=500 sleep_us=9500"),
    (Guest("hello"), "name=hello mem=8 pcpu=1"),
]
TOP_2CPU = ([TopTables(2), TableShows("hello", "ended"), NO_ERRORS]
            + [c for dom in ("busy", "halter", "hello") for c in passed(dom)] + DOMAINS_DONE)


# More domains than the table shows (24): the busiest rows, then one line for the rest.
TOP_MANY = 30
TOP_MANY_MODULES = [(Guest("spin"), f"name=m{i} mem=2 duration_ms=1500")
                    for i in range(1, TOP_MANY + 1)]

TOP_SCENARIOS = [
    Scenario(
        "top-table-many", f"top_interval_s=1 beside {TOP_MANY} domains: 24 rows in id order, "
        f"`... and {TOP_MANY - 24} more domains`, the header counting all",
        "bochs", emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS),
        [ManyDomainsTables(1, 24), NO_ERRORS, MEM_BACK],
        cmdline="exit_when_done top_interval_s=1", timeout=300, modules=TOP_MANY_MODULES),
    Scenario(
        "top-table", "top_interval_s=1 beside six domains: aligned tables whose CPU% adds "
        "up to 100 with Tally and idle rows, the header counting running, paused and ended",
        "bochs", bochs_vmx(1), TOP_TABLE, cmdline="exit_when_done top_interval_s=1",
        timeout=180, modules=TOP_MODULES),
    Scenario(
        "top-table-2cpu", "the table on two CPUs, one mostly idle: CPU% adds up to 200",
        "bochs", bochs_vmx(2), TOP_2CPU, cmdline="exit_when_done top_interval_s=1",
        timeout=300, modules=TOP_2CPU_MODULES),
    Scenario(
        "console-timestamps", "console_timestamps: seconds since boot before every line, "
        "never going back, across two CPUs",
        "bochs", emu.BochsMachine(cpus=2, megs=128, ips=BOCHS_IPS),
        [Timestamps(), Line(r"\] smp: online=2 expected=2$", "smp online=2"),
         Line(r"\] tally: boot complete$", "boot complete"), BOCHS_EXIT],
        cmdline="exit_when_done console_timestamps", timeout=180),
]
