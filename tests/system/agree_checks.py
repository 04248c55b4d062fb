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

from metrics_checks import final_domains, stream_objects
from top_checks import METRIC_RE, format_size, parse_tables, parse_time

PAUSED_RE = re.compile(r"<control> control: paused d(\d+) (\S+) generation=(\d+) "
                       r"cpu_cycles=(\d+) exits=(\d+) slices=(\d+) halts=(\d+) io=(\d+)$",
                       re.MULTILINE)
TSC_KHZ_RE = re.compile(r"\] timer: tsc_khz=(\d+)")
ROUND_RE = re.compile(r"<agent> agent: round=\d+ mem_used_bytes=(\d+) mem_total_bytes=(\d+) "
                      r"mem_used_percent=(\d+)$", re.MULTILINE)
AGENT_METRICS = ("mem_used_bytes", "mem_total_bytes", "mem_used_percent")
AGENT_UNITS = ("bytes", "bytes", "percent")
# Tally's verdicts (kernel/metric_check.c): its memory is within the RAM it was
# given; no rule covers a percentage.
AGENT_TRUST = {"mem_used_bytes": "consistent", "mem_total_bytes": "consistent",
               "mem_used_percent": "unchecked"}


def paused_views(serial):
    """{name: {field: value}} from the control domain's `paused` lines."""
    fields = ("id", "generation", "cpu_cycles", "exits", "slices", "halts", "io")
    views = {}
    for m in PAUSED_RE.finditer(serial):
        nums = [int(x) for x in (m.group(1),) + m.groups()[2:]]
        views[m.group(2)] = dict(zip(fields, nums))
    return views


def top_rows(serial):
    """[(name, state, centis, exits, io, {metric: text})] of the tables' domain rows."""
    rows = []
    for table in parse_tables(serial):
        for i, row in enumerate(table.rows if table.header else []):
            if not re.match(r"^\[c0\] top: d\d+ ", row):
                continue
            metrics = dict(METRIC_RE.match(ln).groups() for ln in table.metrics.get(i, []))
            rows.append((table.cell(row, "NAME"), table.cell(row, "STATE"),
                         round(parse_time(table.cell(row, "TIME")) * 100),
                         int(table.cell(row, "EXITS")), int(table.cell(row, "IO")), metrics))
    return rows


def table_value(value, unit):
    """A guest metric as the table shows it: bytes in units, percents with %."""
    if unit == "bytes":
        return format_size(value)
    return f"{value}%" if unit == "percent" else str(value)


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
            # TIME is in hundredths of a second, truncated.
            centis = v["cpu_cycles"] // int(khz.group(1)) // 10
            for name, _, time, exits, io, _ in shown:
                if (time, exits, io) != (centis, v["exits"], v["io"]):
                    return (f"the table shows {dom} paused with TIME={time / 100:.2f} "
                            f"exits={exits} io={io}", f"control: TIME={centis / 100:.2f} {v}")
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
        domains, failure = final_domains(r)
        if failure:
            return failure
        last = domains.get(self.dom, {})
        for name, unit, value in zip(AGENT_METRICS, AGENT_UNITS, rounds[-1]):
            want = {"name": name, "value": value, "unit": unit, "source": "guest",
                    "trust": AGENT_TRUST[name]}
            if want not in (last.get("metrics") or []):
                return f"the last COM2 object lacks {want}", str(last)[:600]
            at_exit = re.search(rf"\] domain: d\d+ {self.dom} guest-reported metric "
                                rf"{name}=(\d+) unit=\d+ trust={AGENT_TRUST[name]}$", r.serial,
                                re.MULTILINE)
            if not at_exit or int(at_exit.group(1)) != value:
                return f"{self.dom}'s exit lines do not report {name}={value}", r.serial[-1500:]
        printed = {(name, table_value(v, unit)) for rnd in rounds
                   for name, unit, v in zip(AGENT_METRICS, AGENT_UNITS, rnd)}
        tabled = [row[5] for row in top_rows(r.serial) if row[0] == self.dom and row[5]]
        if not tabled:
            return f"no console table row of {self.dom} with guest-reported metrics", ""
        for metrics in tabled:
            if any(item not in printed for item in metrics.items()):
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
