# SPDX-License-Identifier: MIT
"""Checks on Tally's COM2 metrics stream (`metrics=com2`) for the metrics-stream scenario.

Each check is called with the emu.RunResult and returns None or
(reason, excerpt), as in scenarios.py.  They read r.com2 (the JSON lines)
and Tally's `domain: dN NAME cpu_us=… cpu_cycles=…` lines on COM1, and the
last one runs tools/tally-metrics --once on the capture and scrapes it.
"""

import dataclasses
import json
import os
import re
import tempfile

from checks import disk_stats, net_stats
from metrics_exporter import Exporter, key, promtool_check, samples

DOMAIN_LINE_RE = re.compile(r"^\[c\d+\] domain: d(\d+) (\S+) cpu_us=\d+ .*\bcpu_cycles=(\d+)\b",
                            re.MULTILINE)


def _tail(text, n=10):
    return "\n".join(text.rstrip("\n").splitlines()[-n:])



def exported(r, objs):
    """({sample key: value} tools/tally-metrics serves for run @r's stream of @objs objects,
    None), or (None, failure); `promtool check metrics` must accept what it serves."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "com2.log")
        with open(path, "w") as f:
            f.write(r.com2)
        try:
            with Exporter(path, "--once") as ex:
                body = ex.wait_for("tally_exporter_samples_total", len(objs))
        except (RuntimeError, AssertionError, OSError) as e:
            return None, (f"tally-metrics: {e}", _tail(r.com2, 3))
    problem = promtool_check(body)
    if problem:
        return None, (problem, body[:2000])
    return samples(body), None


def stream_objects(com2):
    """([parsed objects], None), or (None, failure) at the first line that is not JSON."""
    objs = []
    for n, line in enumerate(com2.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            return None, (f"COM2 line {n} is not JSON ({e})", line[:300])
        if not isinstance(obj, dict):
            return None, (f"COM2 line {n} is not a JSON object", line[:300])
        objs.append(obj)
    return objs, None


def final_domains(r):
    """({name: domain object} of the last COM2 object, None), or (None, failure) when a
    line is not JSON or there is no object."""
    objs, failure = stream_objects(r.com2)
    if failure:
        return None, failure
    if not objs:
        return None, ("no object on COM2", _tail(r.serial))
    return {d.get("name"): d for d in objs[-1]["domains"]}, None


def streamed_metrics(domain):
    """{name: (value, trust, source)} of a stream domain object's guest metrics ({} for None)."""
    return {m["name"]: (m["value"], m["trust"], m["source"])
            for m in ((domain or {}).get("metrics") or [])}


@dataclasses.dataclass
class StreamIsJson:
    """Every COM2 line is a JSON object with t_ms, tsc_khz, cpus and domains; at least @least."""
    least: int

    def __call__(self, r):
        objs, failure = stream_objects(r.com2)
        if failure:
            return failure
        if len(objs) < self.least:
            return f"{len(objs)} objects on COM2, expected at least {self.least}", _tail(r.com2)
        for i, obj in enumerate(objs):
            missing = [k for k in ("t_ms", "tsc_khz", "cpus", "domains") if k not in obj]
            if missing:
                return f"COM2 object {i + 1} has no {missing[0]}", json.dumps(obj)[:300]
        times = [obj["t_ms"] for obj in objs]
        if times != sorted(times):
            return "t_ms goes backwards on COM2", str(times)
        return None


@dataclasses.dataclass
class FinalCycles:
    """The last object lists @doms with the cpu_cycles of Tally's `domain:` lines at exit.

    Equal once every domain in it is dead (Tally writes a final object after
    the last domain ends); otherwise no more than the exit figures.
    """
    doms: tuple

    def __call__(self, r):
        objs, failure = stream_objects(r.com2)
        if failure:
            return failure
        if not objs:
            return "no object on COM2", _tail(r.serial)
        at_exit = {m.group(2): (int(m.group(1)), int(m.group(3)))
                   for m in DOMAIN_LINE_RE.finditer(r.serial)}
        last = {d.get("name"): d for d in objs[-1]["domains"]}
        all_dead = all(d.get("state") == "dead" for d in last.values())
        shown = json.dumps(objs[-1])[:600] + "\n" + "\n".join(
            m.group(0) for m in DOMAIN_LINE_RE.finditer(r.serial))
        for dom in self.doms:
            if dom not in at_exit:
                return f"no `domain: dN {dom} cpu_us=` line", _tail(r.serial)
            if dom not in last:
                return f"{dom} missing from the last COM2 object", shown
            dom_id, cycles = at_exit[dom]
            got = last[dom]
            if got.get("id") != dom_id:
                return f"{dom} has id {got.get('id')} on COM2, d{dom_id} on COM1", shown
            streamed = got.get("cpu_cycles")
            if not isinstance(streamed, int) or streamed > cycles or \
                    (all_dead and streamed != cycles):
                rel = "==" if all_dead else "<="
                return (f"{dom}: cpu_cycles {streamed} in the last COM2 object, expected "
                        f"{rel} {cycles} (its domain line)", shown)
        if not all_dead:
            return "the last COM2 object still has a running domain", shown
        return None


def _cpu0_cycles(obj):
    """(hypervisor cycles, all accounted cycles) of CPU 0 in one object."""
    c = obj["cpus"][0]
    return c["hypervisor_cycles"], c["guest_cycles"] + c["hypervisor_cycles"] + c["idle_cycles"]


@dataclasses.dataclass
class StreamCpuShare:
    """While @dom runs alone, Tally takes at most @most of CPU 0 between objects.

    Read from the stream itself: over consecutive objects in which @dom is
    the only domain still running, CPU 0's hypervisor-cycle delta over its
    accounted delta, summed.  With nothing else to do, that is what writing
    the stream costs: written synchronously, every ~600-byte object spun
    ~52 ms (51 % of a 100 ms interval under Bochs); interrupt-driven, the
    share is under 1 %.  Needs at least @least such intervals.
    """
    dom: str
    most: float
    least: int = 2

    def __call__(self, r):
        objs, failure = stream_objects(r.com2)
        if failure:
            return failure
        alone = [o for o in objs if all((d.get("state") == "running") == (d.get("name") == self.dom)
                                        for d in o["domains"])]
        if len(alone) < self.least + 1:
            return (f"{len(alone)} objects while {self.dom} ran alone, expected at least "
                    f"{self.least + 1}", _tail(r.com2, 3))
        (h0, t0), (h1, t1) = _cpu0_cycles(alone[0]), _cpu0_cycles(alone[-1])
        share = (h1 - h0) / (t1 - t0) if t1 > t0 else 1.0
        if share > self.most:
            return (f"Tally took {share:.1%} of cpu0 while {self.dom} ran alone, expected at most "
                    f"{self.most:.0%} (is the stream written synchronously?)",
                    "\n".join(json.dumps(o["cpus"]) for o in alone))
        return None


@dataclasses.dataclass
class StreamedMetric:
    """Some object lists @dom's guest metric @name = @value in @unit, source guest."""
    dom: str
    name: str
    value: int
    unit: str

    def __call__(self, r):
        objs, failure = stream_objects(r.com2)
        if failure:
            return failure
        want = {"name": self.name, "value": self.value, "unit": self.unit, "source": "guest"}
        for obj in objs:
            for d in obj["domains"]:
                # Tally's "trust" verdict on the figure is the agent checks' concern.
                if d.get("name") == self.dom and any(want.items() <= m.items()
                                                     for m in d.get("metrics") or []):
                    return None
        return f"no object lists {self.dom}'s metric {want}", _tail(r.com2, 3)


@dataclasses.dataclass
class ExporterServes:
    """tools/tally-metrics --once on the COM2 capture serves the last object's figures.

    Scraped over HTTP: every object read, none malformed; for each of @doms,
    tally_domain_cpu_seconds_total is cpu_ns / 1e9, exits and slices equal
    the stream's, up is 0 (all ended); @metric (dom, name, value, unit) is
    a tally_guest_metric sample labelled source="guest" and with the
    stream's trust (or a function of the run that returns it), its
    hypervisor_cycles tally_domain_hypervisor_seconds_total; the TSC rate
    is tally_tsc_hertz.
    """
    doms: tuple
    metric: tuple

    def __call__(self, r):
        objs, failure = stream_objects(r.com2)
        if failure:
            return failure
        last = {d["name"]: d for d in objs[-1]["domains"]}
        got, failure = exported(r, objs)
        if failure:
            return failure
        want = {"tally_exporter_malformed_lines_total": 0,
                "tally_tsc_hertz": objs[-1]["tsc_khz"] * 1000}
        for dom in self.doms:
            d = last[dom]
            who = {"domain": dom, "id": d["id"]}
            want[key("tally_domain_cpu_seconds_total", **who)] = d["cpu_ns"] / 1e9
            want[key("tally_domain_exits_total", **who)] = d["exits"]
            want[key("tally_domain_slices_total", **who)] = d["slices"]
            want[key("tally_domain_memory_bytes", **who)] = d["mem_bytes"]
            want[key("tally_domain_up", **who)] = 0
        dom, name, value, unit = self.metric(r) if callable(self.metric) else self.metric
        trust = next((m.get("trust", "unchecked") for m in last[dom].get("metrics") or []
                      if m.get("name") == name), "unchecked")
        want[key("tally_guest_metric", domain=dom, id=last[dom]["id"], name=name, unit=unit,
                 source="guest", trust=trust)] = value
        want[key("tally_domain_hypervisor_seconds_total", domain=dom, id=last[dom]["id"])] = \
            last[dom]["hypervisor_cycles"] / (objs[-1]["tsc_khz"] * 1000)
        shown = "\n".join(sorted(got))[:3000]
        for k, value in want.items():
            if k not in got:
                return f"no {k} in /metrics", shown
            if got[k] != float(value):
                return f"/metrics has {k} {got[k]}, expected {value}", shown
        return None


# The usage lines' keys (checks.net_stats, disk_stats) and where the stream has them.
NET_STREAM_KEYS = {k: k for k in ("tx_packets", "tx_bytes", "rx_packets", "rx_bytes", "errors")}
NET_STREAM_KEYS.update({f"{d}_{c}": f"{d}_{c}_packets" for d in ("tx", "rx")
                        for c in ("broadcast", "multicast")})
DISK_STREAM_KEYS = {"bytes": "size_bytes", "read_requests": "read_requests",
                    "read_bytes": "read_bytes", "write_requests": "write_requests",
                    "write_bytes": "write_bytes", "flush_requests": "flush_requests",
                    "other_requests": "other_requests", "ioerr": "ioerr_requests",
                    "unsupported": "unsupported_requests"}
# Prometheus families and the stream fields they carry.
DEVICE_FAMILIES = [("net", "tx_bytes", "tally_net_tx_bytes_total"),
                   ("net", "tx_packets", "tally_net_tx_packets_total"),
                   ("net", "rx_bytes", "tally_net_rx_bytes_total"),
                   ("net", "rx_packets", "tally_net_rx_packets_total"),
                   ("disk", "read_requests", "tally_disk_read_requests_total"),
                   ("disk", "read_bytes", "tally_disk_read_bytes_total"),
                   ("disk", "write_requests", "tally_disk_write_requests_total"),
                   ("disk", "write_bytes", "tally_disk_write_bytes_total"),
                   ("disk", "flush_requests", "tally_disk_flush_requests_total")]


def _stream_device(d, kind):
    """{usage-line key: value} of @d's "net" or "disk" object in a stream object."""
    obj = d.get(kind)
    if not isinstance(obj, dict):
        return None
    if kind == "disk":
        got = {k: obj.get(v) for k, v in DISK_STREAM_KEYS.items()}
        got["ro"] = int(obj.get("read_only") is True)
        return got
    got = {k: obj.get(v) for k, v in NET_STREAM_KEYS.items()}
    for cause, value in (obj.get("drop_packets") or {}).items():
        got[f"drop_{cause}"] = value
    return got


@dataclasses.dataclass
class StreamDevicesAgree:
    """Once every domain has ended, the last COM2 object's "net" and "disk" of each
    of @doms hold exactly its `domain: dN NAME net|disk` lines' figures ("net":
    null for a domain with no such line), and tools/tally-metrics serves them."""
    doms: tuple

    def __call__(self, r):
        objs, failure = stream_objects(r.com2)
        if failure:
            return failure
        if not objs:
            return "no object on COM2", _tail(r.serial)
        last = {d.get("name"): d for d in objs[-1]["domains"]}
        usage = {"net": net_stats(r.serial), "disk": disk_stats(r.serial)}
        for dom in self.doms:
            if dom not in last:
                return f"{dom} missing from the last COM2 object", _tail(r.com2, 2)
            for kind in ("net", "disk"):
                want, got = usage[kind].get(dom), _stream_device(last[dom], kind)
                if want != got:
                    return (f"{dom} {kind}: stream {got}, usage lines {want}",
                            json.dumps(last[dom])[:800])
        return self.served(r, objs, last)

    def served(self, r, objs, last):
        got, failure = exported(r, objs)
        if failure:
            return failure
        for dom in self.doms:
            d = last[dom]
            for kind, field, family in DEVICE_FAMILIES:
                want = d[kind][field] if isinstance(d.get(kind), dict) else None
                k = key(family, domain=dom, id=d["id"])
                have = got.get(k)
                if (want is None) != (have is None) or (want is not None and have != want):
                    return f"/metrics has {k} {have}, expected {want}", "\n".join(sorted(got))
        return None
