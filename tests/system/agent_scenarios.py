# SPDX-License-Identifier: MIT
"""The in-guest agent (tools/agent, docs/AGENT.md) and Tally's cross-check of what it reports.

linux-agent: two Linux domains with the `agent` option, different RAM and
ext2 disks of different fill, booted with `tally_agent=once`: the net
initramfs's /init mounts /dev/vda, prints busybox's `free -b` and
`df -B1`, runs `tally-agent -1` from user space and powers off.  The
figures the agent published (its lines, and Tally's exit lines) must equal
what the guest printed: MemTotal and the filesystem's size and use
exactly, MemAvailable within AVAILABLE_DRIFT; each marked consistent, in
Tally's final console table and its JSON stream's last object as well.

metric-liar: a small guest with `agent` publishes from user mode (CPL 3)
what it cannot have: MemTotal four times its RAM, more disk used than its
disk holds.  Tally marks those contradicted, the possible ones consistent
and a name it has no rule for unchecked, on its exit lines and in the JSON
stream.
"""

import dataclasses
import re

from checks import Line, tail
from scenario_base import (BOCHS_IPS, Built, Guest, LinuxFile, NO_ERRORS, Scenario,
                           domains_done, guest_line, passed)
import emu  # noqa: E402  (tools/, on the path scenario_base set)
import linux_bench
from metrics_checks import final_domains, streamed_metrics
from top_checks import parse_tables

TOOL = linux_bench.TOOL
CMDLINE = TOOL.NET_CMDLINE + " tally_agent=once"
AGENT_DONE = TOOL.AGENT_DONE
# Two domains of different RAM (the kernel needs 67 MiB: linux_net_scenarios.MEM_MIB).
DOMS = {"lean": 96, "fat": 112}
DISK_MIB = 8
IMAGE_KIB = 4096
# lean's image holds linux_disk/tree (one small file); fat's FILL_KIB more.
FILL_KIB = 1536
IMAGE_DIR = "tests/system/linux_disk"
IMAGES = {
    "lean": Built(IMAGE_DIR, [f"mke2fs -q -F -t ext2 -d tree -L lean lean.ext2 {IMAGE_KIB}"],
                  "lean.ext2"),
    # Random bytes, not zeros: mke2fs -d leaves all-zero blocks as holes.
    "fat": Built(IMAGE_DIR, ["mkdir -p fill",
                             f"dd if=/dev/urandom of=fill/data bs=1024 count={FILL_KIB}",
                             f"mke2fs -q -F -t ext2 -d fill -L fat fat.ext2 {IMAGE_KIB}"],
                 "fat.ext2"),
}
MACHINE = emu.BochsMachine(cpus=1, megs=320, ips=BOCHS_IPS, com2=True)
# The final table (top_interval_s= longer than the run: only the last one) and the stream.
AGENT_CMDLINE = "exit_when_done top_interval_s=3600 metrics=com2 metrics_interval_ms=1000"
# MemAvailable moves between busybox's `free` and the agent's read: df and the
# agent are exec'd in between (a static binary of ~900 KB in the initramfs,
# its stack, heap and page tables; their exit frees most of it again), and
# the kernel's own caches breathe.  2 MiB is twice the agent's whole image.
AVAILABLE_DRIFT = 2 << 20

FREE_RE = r"Mem: +(\d+) +\d+ +\d+ +\d+ +\d+ +(\d+)$"
DF_RE = r"/dev/vda +(\d+) +(\d+) +\d+ +\d+% /mnt$"
PUBLISHED_RE = r"tally-agent: published (\S+)=(\d+)$"


def on(dom, text):
    """A pattern for a line @text of @dom's console, also as the continuation of one."""
    return guest_line(dom, text).replace(f"<{re.escape(dom)}> ", f"<{re.escape(dom)}>\\+? ", 1)


def exit_metrics(serial, dom):
    """{name: (value, trust)} from Tally's `guest-reported metric` lines for @dom."""
    found = re.findall(rf"\] domain: d\d+ {re.escape(dom)} guest-reported metric (\S+?)=(-?\d+) "
                       r"unit=\d+ trust=(\w+)$", serial, re.MULTILINE)
    return {name: (int(value), trust) for name, value, trust in found}


def guest_view(serial, dom):
    """(free total, free available, df size, df used, {published name: value}) or None."""
    free = re.search(on(dom, FREE_RE), serial, re.MULTILINE)
    df = re.search(on(dom, DF_RE), serial, re.MULTILINE)
    pub = dict(re.findall(on(dom, PUBLISHED_RE), serial, re.MULTILINE))
    if not free or not df or not pub:
        return None
    return (int(free.group(1)), int(free.group(2)), int(df.group(1)), int(df.group(2)),
            {k: int(v) for k, v in pub.items()})


@dataclasses.dataclass
class AgentMatchesGuest:
    """@dom's agent published what its own `free -b` and `df -B1` printed, Tally holds the
    same figures, and every one is consistent with what Tally measured."""
    dom: str

    def __call__(self, r):
        view = guest_view(r.serial, self.dom)
        tally = exit_metrics(r.serial, self.dom)
        if view is None or not tally:
            return f"{self.dom}: no free/df/agent lines or no exit metric lines", tail(r.serial)
        total, avail, size, used, pub = view
        want = {"mem_total_bytes": total, "disk_size_bytes:vda": size,
                "disk_used_bytes:vda": used}
        bad = [f"{k}: agent {pub.get(k)}, guest printed {v}" for k, v in want.items()
               if pub.get(k) != v]
        got_avail = pub.get("mem_available_bytes", -1 << 40)
        if abs(got_avail - avail) > AVAILABLE_DRIFT:
            bad.append(f"mem_available_bytes {got_avail}, free said {avail}")
        if pub.get("mem_used_bytes") != total - got_avail:
            bad.append(f"mem_used_bytes {pub.get('mem_used_bytes')} != total - available")
        if set(pub) != set(tally):
            bad.append(f"published {sorted(pub)}, Tally holds {sorted(tally)}")
        bad += [f"Tally {k}={tally[k]}, agent {v}" for k, v in pub.items()
                if k in tally and tally[k] != (v, "consistent")]
        return (f"{self.dom}: " + "; ".join(bad), str(tally)) if bad else None


@dataclasses.dataclass
class AgentShown:
    """@dom's published figures appear in Tally's final console table (`top_interval_s=`)
    and its last JSON object, each labelled guest-reported and consistent, with the
    values Tally holds (its exit lines)."""
    dom: str

    def __call__(self, r):
        held = exit_metrics(r.serial, self.dom)
        tables = parse_tables(r.serial)
        if not held or not tables:
            return f"{self.dom}: no exit metric lines or no console table", tail(r.serial)
        table = tables[-1]
        rows = [i for i, row in enumerate(table.rows) if f" {self.dom} " in row]
        shown = {m.group(1): m.group(2) for i in rows for line in table.metrics.get(i, [])
                 if (m := re.search(r"guest-reported (\S+)=\S+ \((\w+)\)$", line))}
        want = {name: "consistent" for name in held}
        if shown != want:
            return f"{self.dom}: the final table shows {shown}, want {want}", table.text()
        last, failure = final_domains(r)
        if failure:
            return failure
        streamed = streamed_metrics(last.get(self.dom))
        want = {name: (value, "consistent", "guest") for name, (value, _) in held.items()}
        return None if streamed == want else (f"{self.dom}: stream {streamed}, want {want}", "")


@dataclasses.dataclass
class FiguresDiffer:
    """The two domains' figures differ as their RAM and disks do: fat's MemTotal is larger,
    and its filesystem holds at least FILL_KIB more."""

    def __call__(self, r):
        lean, fat = exit_metrics(r.serial, "lean"), exit_metrics(r.serial, "fat")
        try:
            mem = fat["mem_total_bytes"][0] - lean["mem_total_bytes"][0]
            disk = fat["disk_used_bytes:vda"][0] - lean["disk_used_bytes:vda"][0]
        except KeyError as e:
            return f"no {e} metric", tail(r.serial)
        if mem > 0 and disk >= FILL_KIB * 1024:
            return None
        return f"fat - lean: MemTotal {mem} bytes, disk used {disk} bytes", ""


def linux_dom(name, mem):
    return [(LinuxFile("kernel"), f"name={name} mem={mem} vcpus=1 disk={DISK_MIB} agent -- "
             f"{CMDLINE}"),
            (LinuxFile("initrd_net"), f"initrd_of={name}"),
            (IMAGES[name], f"disk_of={name}")]


AGENT_CHECKS = [
    Line(on(dom, re.escape(AGENT_DONE) + " 0$"), f"{dom}: the agent ran and exited 0")
    for dom in DOMS
] + [AgentMatchesGuest(dom) for dom in DOMS] + [AgentShown(dom) for dom in DOMS] + [
    FiguresDiffer(), NO_ERRORS,
] + [Line(rf"\] bill: d{i} {dom} guest_consistent=5 guest_contradicted=0 guest_unchecked=0$",
          f"{dom}'s bill: its five figures consistent") for i, dom in enumerate(DOMS, 1)] + [
    Line(rf"\] domain: d{i} {dom} powered off$", f"{dom} powered off")
    for i, dom in enumerate(DOMS, 1)] + domains_done(0)

# ---------------------------------------------------------------- metric-liar

LIAR_MIB, LIAR_DISK_MIB = 8, 1
LIAR_WANT = {
    "mem_total_bytes": (4 * LIAR_MIB << 20, "contradicted"),
    "mem_used_bytes": (LIAR_MIB << 19, "consistent"),
    "disk_size_bytes:vda": (LIAR_DISK_MIB << 20, "consistent"),
    "disk_used_bytes:vda": ((LIAR_DISK_MIB << 20) + 4096, "contradicted"),
    "temperature": (42, "unchecked"),
}


@dataclasses.dataclass
class LiarJudged:
    """Tally's exit lines and the final JSON object hold the liar's figures and verdicts."""

    def __call__(self, r):
        got = exit_metrics(r.serial, "liar")
        if got != LIAR_WANT:
            return f"exit lines {got}, want {LIAR_WANT}", tail(r.serial)
        last, failure = final_domains(r)
        if failure:
            return failure
        shown = streamed_metrics(last.get("liar"))
        want = {k: (v, t, "guest") for k, (v, t) in LIAR_WANT.items()}
        return None if shown == want else (f"stream {shown}, want {want}", "")


LIAR_CHECKS = [LiarJudged(), NO_ERRORS,
               # The bill carries the verdicts: 2 consistent, 2 contradicted, 1 unchecked.
               Line(r"\] bill: d1 liar guest_consistent=2 guest_contradicted=2 "
                    r"guest_unchecked=1$", "the bill counts the verdicts")] \
    + passed("liar") + domains_done(0)

AGENT_SCENARIOS = [
    Scenario(
        "linux-agent", "two Linux domains (96 and 112 MiB, ext2 disks of different fill) run "
        "tools/agent's tally-agent once from user space: its figures equal the guest's own "
        "free -b and df -B1, Tally holds them and marks them consistent",
        "bochs", MACHINE, AGENT_CHECKS, cmdline=AGENT_CMDLINE, timeout=300,
        modules=[m for dom, mem in DOMS.items() for m in linux_dom(dom, mem)]),
    Scenario(
        "metric-liar", "a guest with `agent` publishes impossible figures from user mode: "
        "MemTotal 4x its RAM and disk used > disk are contradicted, possible ones consistent, "
        "an unknown name unchecked (exit lines and JSON stream)",
        "bochs", emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS, com2=True), LIAR_CHECKS,
        cmdline="exit_when_done metrics=com2 metrics_interval_ms=100", timeout=120,
        modules=[(Guest("liar"), f"name=liar mem={LIAR_MIB} disk={LIAR_DISK_MIB} agent")]),
]
