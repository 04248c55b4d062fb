# SPDX-License-Identifier: MIT
"""The bill (issue 15 items 3 and 7): every figure of a domain's `bill:` lines equals
what its own usage lines on the same log give (cpu_cycles / tsc_khz, the disk's and
NIC's counters, RAM and disk size times its life), the priced cost is the sum of its
priced parts, the total the sum of the domains; and `type=` presets a domain's size.

Split from scenarios.py, which adds BILL_SCENARIOS to its list.
"""

import csv
import dataclasses
import io
import json
import os
import re
import subprocess
import tempfile

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)
from disk_scenarios import disk_guest
from net_scenarios import net_guest, pair_checks

NANO = 10 ** 9
GIB = 1 << 30
MIB = 1 << 20
HOUR_S = 3600
# Prices in micro-units (price_*= on Tally's command line), large enough that
# every priced part of a short Bochs run is well above 0.
PRICES = {"price_vcpu_hour": 900_000_000_000, "price_gib_hour": 700_000_000_000,
          "price_disk_gib_hour": 300_000_000_000, "price_net_gib": 500_000_000}
BILL_RE = re.compile(r"^\[c\d+\] bill: d\d+ (\S+) (.*)$", re.MULTILINE)
TOTAL_RE = re.compile(r"^\[c\d+\] bill: total (.*)$", re.MULTILINE)
FIXED_RE = re.compile(r"(\w+)=(\d+)\.(\d{9})\b")
CREATED_RE = re.compile(r"\] domain: d\d+ (\S+) created mem_mib=(\d+) ")
BILL_DOMS = ("store", "a", "b", "again")
LIVES = {"again": 2}        # its guest resets once: on_reboot=restart rebuilds it


def bill_fields(text):
    """{key: int} of one line: `k=N` as N, fixed-point `k=I.FFFFFFFFF` as nano units."""
    fields = {k: int(i) * NANO + int(f) for k, i, f in FIXED_RE.findall(text)}
    for k, v in key_values(FIXED_RE.sub("", text)).items():
        fields[k] = v
    return fields


def _per_life(matches, starts):
    """{name: [merged fields of each life]}: a line with the key @starts opens a life."""
    out = {}
    for name, text in matches:
        fields = bill_fields(text)
        lives = out.setdefault(name, [])
        if starts in fields or not lives:
            lives.append({})
        lives[-1].update(fields)
    return out


def bill_lives(serial):
    """{domain name: [its bill of each life]} from its `bill: dN NAME` lines."""
    return _per_life(BILL_RE.findall(serial), "vcpu_s")


def bills(serial):
    """{domain name: its last life's bill}."""
    return {name: lives[-1] for name, lives in bill_lives(serial).items()}


def usage_lives(serial):
    """{name: [{"usage", "disk", "net", "mem_mib"} of each life]}: the usage lines in order."""
    usage = _per_life([(m.group(1), m.group(2)) for m in DOMAIN_STATS_RE.finditer(serial)],
                      "cpu_us")
    disk = _per_life([(m.group(1), m.group(2)) for m in DISK_STATS_RE.finditer(serial)],
                     "bytes")
    net = _per_life([(m.group(1), m.group(2)) for m in NET_STATS_RE.finditer(serial)],
                    "tx_packets")
    created = {}
    for name, mem in CREATED_RE.findall(serial):
        created.setdefault(name, []).append(int(mem))
    return {name: [{"usage": u, "disk": (disk.get(name) or [{}] * len(lives))[i],
                    "net": (net.get(name) or [{}] * len(lives))[i],
                    "mem_mib": created.get(name, [0] * len(lives))[i]}
                   for i, u in enumerate(lives)]
            for name, lives in usage.items()}


def expected_bill(life, hv_cycles, life_cycles, khz):
    """What kernel/bill.c must print for one life, from its usage lines (floor division)."""
    cpu, disk, net = life["usage"]["cpu_cycles"], life["disk"], life["net"]
    ram, dbytes = life["mem_mib"] * MIB, disk.get("bytes", 0)
    net_bytes = net.get("rx_bytes", 0) + net.get("tx_bytes", 0)
    p = PRICES
    want = {
        "vcpu_s": cpu * 10**6 // khz, "hv_s": hv_cycles * 10**6 // khz,
        "life_s": life_cycles * 10**6 // khz,
        "mem_gib_h": ram * life_cycles * 10**6 // (GIB * HOUR_S * khz),
        "disk_gib_h": dbytes * life_cycles * 10**6 // (GIB * HOUR_S * khz),
        "disk_reads": disk.get("read_requests", 0), "disk_read_bytes": disk.get("read_bytes", 0),
        "disk_writes": disk.get("write_requests", 0),
        "disk_write_bytes": disk.get("write_bytes", 0),
        "net_rx_bytes": net.get("rx_bytes", 0), "net_tx_bytes": net.get("tx_bytes", 0),
        "cost_vcpu": cpu * p["price_vcpu_hour"] // (khz * HOUR_S),
        "cost_mem": ram * life_cycles * p["price_gib_hour"] // (GIB * HOUR_S * khz),
        "cost_disk": dbytes * life_cycles * p["price_disk_gib_hour"] // (GIB * HOUR_S * khz),
        "cost_net": net_bytes * p["price_net_gib"] * 1000 // GIB,
    }
    want["cost"] = sum(want[k] for k in ("cost_vcpu", "cost_mem", "cost_disk", "cost_net"))
    return want


@dataclasses.dataclass
class BillMatchesCounters:
    """Each life of each of @doms has a bill equal to expected_bill() of that life's own
    usage lines, exactly (hv_s: the life's hv_cycles, as cpu_cycles); each priced
    part is above 0 where its counter is; the total is the sum of every life's bill."""
    doms: tuple

    def check_dom(self, dom, bills_of, usage_of, khz):
        if len(bills_of) != LIVES.get(dom, 1) or len(usage_of) != len(bills_of):
            return f"{dom}: {len(bills_of)} bills, {len(usage_of)} usage lines"
        for n, (got, life) in enumerate(zip(bills_of, usage_of)):
            want = expected_bill(life, life["usage"]["hv_cycles"], got.get("life_cycles", -1),
                                 khz)
            wrong = [f"{k}={got.get(k)} (expected {v})" for k, v in want.items()
                     if got.get(k) != v]
            if wrong:
                return f"{dom} life {n + 1}: " + ", ".join(wrong)
            if not (got["cost_vcpu"] and got["cost_mem"] and got["life_s"] and got["hv_s"]):
                return f"{dom} life {n + 1}: a figure is 0: {got}"
        return None

    def __call__(self, r):
        m = re.search(r"\] timer: tsc_khz=(\d+) ", r.serial)
        all_bills, usage = bill_lives(r.serial), usage_lives(r.serial)
        excerpt = "\n".join(ln for ln in r.serial.splitlines() if "bill:" in ln)
        if not m or sorted(all_bills) != sorted(self.doms):
            return f"no tsc_khz line, or bills for {sorted(all_bills)}", excerpt or tail(r.serial)
        for dom in self.doms:
            failure = self.check_dom(dom, all_bills[dom], usage.get(dom, []), int(m.group(1)))
            if failure:
                return failure, excerpt
        total = {}
        for line in TOTAL_RE.findall(r.serial):
            total.update(bill_fields(line))
        every = [b for lives in all_bills.values() for b in lives]
        want = {k: sum(b[k] for b in every) for k in every[0]}
        want["lives"] = len(every)
        wrong = [f"{k}={total.get(k)} (expected {v})" for k, v in want.items()
                 if total.get(k) != v]
        return (f"bill: total: {', '.join(wrong)}", excerpt) if wrong else None


@dataclasses.dataclass
class DevicesBilled:
    """The devices' figures are not all 0: the scenario exercises what it compares."""

    def __call__(self, r):
        b = bills(r.serial)
        need = {("store", "disk_writes"), ("store", "disk_reads"), ("store", "disk_gib_h"),
                ("a", "disk_gib_h"), ("a", "net_tx_bytes"), ("a", "net_rx_bytes"),
                ("b", "net_rx_bytes"), ("a", "cost_net"), ("store", "cost_disk")}
        zero = [f"{d} {k}" for d, k in sorted(need) if not b.get(d, {}).get(k)]
        return f"zero figures: {zero}" if zero else None


STREAM_FIELDS = ("vcpu_s", "hv_s", "life_s", "mem_gib_h", "disk_gib_h", "cost", "cost_vcpu",
                 "cost_mem", "cost_disk", "cost_net", "guest_consistent", "guest_contradicted",
                 "guest_unchecked")
TALLY_BILL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                          "tally-bill")


@dataclasses.dataclass
class StreamBillMatches:
    """The JSON stream's final object has a "bill" per domain equal, figure by figure, to
    its `bill:` lines; and tools/tally-bill writes the same CSV from either."""

    def __call__(self, r):
        lines = [ln for ln in r.com2.splitlines() if ln.strip()]
        if not lines:
            return "no JSON stream on COM2", tail(r.serial)
        final = {d["name"]: d.get("bill") for d in json.loads(lines[-1])["domains"]}
        serial = bills(r.serial)
        for dom, got in serial.items():
            want = {k: got[k] for k in STREAM_FIELDS}
            if final.get(dom) != want:
                return f"{dom}: stream bill {final.get(dom)}, serial {want}", lines[-1][:2000]
        with tempfile.TemporaryDirectory() as tmp:
            csvs = []
            for name, text in (("serial.log", r.serial), ("stream.json", r.com2)):
                path = os.path.join(tmp, name)
                with open(path, "w") as f:
                    f.write(text)
                p = subprocess.run([TALLY_BILL, path], capture_output=True, text=True,
                                   timeout=60)
                if p.returncode:
                    return f"tally-bill {name}: exit {p.returncode}", p.stderr
                csvs.append(p.stdout)
        return self.compare_csv(r, *(list(csv.DictReader(io.StringIO(c))) for c in csvs))

    @staticmethod
    def compare_csv(r, from_log, from_stream):
        """Rows equal, but for a restarted domain: the stream bills its last life, the
        log's CSV all its lives summed."""
        stream = {row["name"]: row for row in from_stream}
        excerpt = f"{from_log}\n{from_stream}"
        if len(from_log) != len(BILL_DOMS) or len(stream) != len(BILL_DOMS):
            return "tally-bill: not one row per domain", excerpt
        for row in from_log:
            if row["name"] not in LIVES and row != stream.get(row["name"]):
                return f"tally-bill: {row['name']}: the log's row and the stream's differ", excerpt
        for name in LIVES:
            row = next(row for row in from_log if row["name"] == name)
            total = sum(b["vcpu_s"] for b in bill_lives(r.serial)[name])
            if row["vcpu_s (vCPU-seconds)"] != f"{total // NANO}.{total % NANO:09d}":
                return f"tally-bill: {name}: its lives not summed", excerpt
        return None


BILL = (disk_guest("store", 1 * MIB) + disk_guest("again", 1 * MIB) + pair_checks("a", "b", "lan")
        + [BillMatchesCounters(BILL_DOMS), DevicesBilled(), StreamBillMatches(),
           Line(r"\] domain: d1 store created mem_mib=8 vcpus=1 .* type=m1\.small$",
                "store's type on its creation line"),
           Line(r"\] domain: d2 a created mem_mib=8 vcpus=1 .* type=t1\.nano$",
                "a's type on its creation line"),
           NoLine(r"\] domain: d3 b created .* type=", "a type for the untyped b"),
           Line(r"\] domain: d2 a disk bytes=2097152 ro=0 ", "a's disk= over its type's"),
           NO_ERRORS, MEM_BACK] + DOMAINS_DONE)

BILL_SCENARIOS = [
    Scenario(
        "bill", "four domains (one with a disk, one with a disk and a NIC, its peer, one "
        "with a disk that restarts once): each life's bill equals its own counters on the "
        "same log (cpu_cycles / "
        "tsc_khz, disk and NIC counters, RAM and disk size times its life), each priced "
        "part and the cost their sum at the command line's prices, the total the sum of "
        "every life; the JSON stream's bills equal the lines and tools/tally-bill makes the same "
        "CSV of both; type= presets and explicit options override it",
        "bochs", emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS, com2=True), BILL,
        timeout=150, cmdline=VMX_CMDLINE + " metrics=com2 metrics_interval_ms=1000 "
        + " ".join(f"{k}={v}" for k, v in PRICES.items()),
        modules=[(Guest("virtioblk"), "name=store type=m1.small mem=8 disk=1 seed=7 "
                  "chunk=16 sectors=2048"),
                 net_guest("a", "lan", 0x0a, 0x0b, "frames=20 expect=20",
                           tally="type=t1.nano mem=8 disk=2"),
                 net_guest("b", "lan", 0x0b, 0x0a, "frames=20 expect=20"),
                 (Guest("virtioblk"), "name=again mem=8 disk=1 on_reboot=restart restart "
                  "seed=5 chunk=32")]),
]
