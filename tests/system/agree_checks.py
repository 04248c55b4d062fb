# SPDX-License-Identifier: MIT
"""Checks that the control domain's view, the console table and the JSON stream agree.

For the hypercall-agree scenario: the control guest pauses the other
domains and prints each one's counters as DOMAIN_COUNTERS_OF returned them
(`control: paused dN NAME generation=… cpu_cycles=… …`); while paused they
cannot change, so every COM2 object and every console `top:` row that shows
the domain paused must carry exactly those figures.  The agent's last
published memory use must reach the stream, the console and the exporter.
Each check returns None or (reason, excerpt), as in scenarios.py.
"""

import dataclasses
import re

from metrics_checks import stream_objects

PAUSED_RE = re.compile(r"<control> control: paused d(\d+) (\S+) generation=(\d+) "
                       r"cpu_cycles=(\d+) exits=(\d+) slices=(\d+) halts=(\d+) io=(\d+)$",
                       re.MULTILINE)
# top: d%-2u %-16s %-7s %5u %3lu.%lu %9lu.%02lu %9lu %9lu %8lu (kernel/top.c)
TOP_ROW_RE = re.compile(r"\] top: d(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+\d+\.\d\s+(\d+\.\d\d)\s+"
                        r"(\d+)\s+(\d+)\s+(\d+)$")
TOP_METRIC_RE = re.compile(r"\]\s+guest-reported (\S+)=(-?\d+)(\S*)$")
TSC_KHZ_RE = re.compile(r"\] timer: tsc_khz=(\d+)")
ROUND_RE = re.compile(r"<agent> agent: round=\d+ mem_used_bytes=(\d+) mem_total_bytes=(\d+) "
                      r"mem_used_percent=(\d+)$", re.MULTILINE)
AGENT_METRICS = ("mem_used_bytes", "mem_total_bytes", "mem_used_percent")
AGENT_UNITS = ("bytes", "bytes", "percent")


def paused_views(serial):
    """{name: {field: value}} from the control domain's `paused` lines."""
    fields = ("id", "generation", "cpu_cycles", "exits", "slices", "halts", "io")
    views = {}
    for m in PAUSED_RE.finditer(serial):
        nums = [int(x) for x in (m.group(1),) + m.groups()[2:]]
        views[m.group(2)] = dict(zip(fields, nums))
    return views


def top_rows(serial):
    """[(name, state, cpu_s, exits, io, {metric: value})] of every console table row."""
    rows = []
    for line in serial.splitlines():
        m = TOP_ROW_RE.search(line)
        if m:
            rows.append((m.group(2), m.group(3), m.group(5), int(m.group(7)),
                         int(m.group(8)), {}))
            continue
        m = TOP_METRIC_RE.search(line)
        if m and rows:
            rows[-1][5][m.group(1)] = int(m.group(2))
    return rows


def cpu_seconds(cycles, khz):
    """CPU(s) as the table prints it: whole seconds and hundredths, truncated."""
    return f"{cycles // khz // 1000}.{cycles // khz // 10 % 100:02d}"


@dataclasses.dataclass
class PausedAgree:
    """@doms were paused; the stream and the table show them paused with control's figures."""
    doms: tuple

    def __call__(self, r):
        views = paused_views(r.serial)
        objs, failure = stream_objects(r.com2)
        if failure:
            return failure
        khz = TSC_KHZ_RE.search(r.serial)
        rows = top_rows(r.serial)
        for dom in self.doms:
            if dom not in views:
                return f"no `control: paused dN {dom}` line", r.serial[-2000:]
            v = views[dom]
            want = {"id": v["id"], "generation": v["generation"], "cpu_cycles": v["cpu_cycles"],
                    "exits": v["exits"], "slices": v["slices"], "halts": v["halts"],
                    "io_port_accesses": v["io"]}
            streamed = [d for o in objs for d in o["domains"]
                        if d.get("name") == dom and d.get("state") == "paused"]
            if not streamed:
                return f"no COM2 object shows {dom} paused", str(v)
            for d in streamed:
                got = {k: d.get(k) for k in want}
                if got != want:
                    return f"COM2 shows {dom} paused with other figures", f"{got}\n{want}"
            shown = [row for row in rows if row[0] == dom and row[1] == "paused"]
            if not shown:
                return f"no console table row shows {dom} paused", str(v)
            cpu_s = cpu_seconds(v["cpu_cycles"], int(khz.group(1)))
            for name, _, secs, exits, io, _ in shown:
                if (secs, exits, io) != (cpu_s, v["exits"], v["io"]):
                    return (f"the table shows {dom} paused with CPU(s)={secs} exits={exits} "
                            f"io={io}", f"control: CPU(s)={cpu_s} {v}")
        return None


@dataclasses.dataclass
class AgentAgrees:
    """The agent's last published memory use is in the last COM2 object and the console.

    Console: its `domain: … guest-reported metric` lines at exit carry the
    last round's values, and some table row of it lists a value it printed.
    """
    dom: str

    def __call__(self, r):
        rounds = [tuple(int(x) for x in m.groups()) for m in ROUND_RE.finditer(r.serial)]
        if not rounds:
            return "no `agent: round=` line", r.serial[-2000:]
        objs, failure = stream_objects(r.com2)
        if failure:
            return failure
        last = {d["name"]: d for d in objs[-1]["domains"]}.get(self.dom, {})
        for name, unit, value in zip(AGENT_METRICS, AGENT_UNITS, rounds[-1]):
            want = {"name": name, "value": value, "unit": unit, "source": "guest"}
            if want not in (last.get("metrics") or []):
                return f"the last COM2 object lacks {want}", str(last)[:600]
            at_exit = re.search(rf"\] domain: d\d+ {self.dom} guest-reported metric "
                                rf"{name}=(\d+) unit=\d+$", r.serial, re.MULTILINE)
            if not at_exit or int(at_exit.group(1)) != value:
                return f"{self.dom}'s exit lines do not report {name}={value}", r.serial[-1500:]
        printed = {v for rnd in rounds for v in rnd}
        tabled = [row[5] for row in top_rows(r.serial) if row[0] == self.dom and row[5]]
        if not tabled:
            return f"no console table row of {self.dom} with guest-reported metrics", ""
        for metrics in tabled:
            if any(v not in printed for v in metrics.values()):
                return f"the table shows {self.dom} metrics it never published", str(metrics)
        return None


def last_agent_metric(r):
    """(dom, name, value, unit) of the agent's last mem_used_bytes, for ExporterServes."""
    rounds = ROUND_RE.findall(r.serial)
    return ("agent", "mem_used_bytes", int(rounds[-1][0]) if rounds else -1, "bytes")


@dataclasses.dataclass
class CpuIsDomain:
    """CPU @cpu ran only @dom, now paused: its guest_cycles are exactly the domain's cpu_cycles.

    Both as the control domain read them (CPU_COUNTERS after DOMAIN_COUNTERS_OF),
    from another CPU, under the sequence counts: nothing moved in between.
    """
    cpu: int
    dom: str

    def __call__(self, r):
        view = paused_views(r.serial).get(self.dom)
        m = re.search(rf"<control> control: cpu{self.cpu} vcpus=1 guest_cycles=(\d+) ", r.serial)
        if not view or not m:
            return f"no paused line of {self.dom} or no cpu{self.cpu} line", r.serial[-1500:]
        if int(m.group(1)) != view["cpu_cycles"]:
            return (f"cpu{self.cpu} guest_cycles={m.group(1)}, but {self.dom} ran "
                    f"cpu_cycles={view['cpu_cycles']} on it", m.group(0))
        return None
