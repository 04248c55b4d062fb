# SPDX-License-Identifier: MIT
"""Checks on a run's serial log, for tests/system/scenarios.py.

Each check is a callable taking the emu.RunResult; it returns None when it
holds, else (reason, excerpt).  Split from scenarios.py, which holds the
scenarios themselves.
"""

import dataclasses
import re


def guest_line(dom, text):
    """A pattern for the line @text (a regex) printed by domain @dom's guest."""
    return rf"^\[c\d+\] <{re.escape(dom)}> {text}"


# ---------------------------------------------------------------- checks
# A check is called with the emu.RunResult and returns None when it holds,
# else (reason, excerpt): excerpt is the serial text worth showing.

def tail(serial, n=15):
    """The last @n lines of @serial."""
    return "\n".join(serial.rstrip("\n").splitlines()[-n:])


@dataclasses.dataclass
class Line:
    """Some serial line matches @pattern."""
    pattern: str
    what: str

    def __call__(self, r):
        if re.search(self.pattern, r.serial, re.MULTILINE):
            return None
        return f"no {self.what} line (/{self.pattern}/)", tail(r.serial)


@dataclasses.dataclass
class NoLine:
    """No serial line matches @pattern."""
    pattern: str
    what: str

    def __call__(self, r):
        hits = [ln for ln in r.serial.splitlines() if re.search(self.pattern, ln)]
        if not hits:
            return None
        return f"{self.what}: {hits[0].strip()}", _around(r.serial, hits[0])


@dataclasses.dataclass
class InOrder:
    """Serial lines match @patterns one after another (each below the one before)."""
    patterns: list
    what: str

    def __call__(self, r):
        pos = 0
        for pattern in self.patterns:
            m = re.compile(pattern, re.MULTILINE).search(r.serial, pos)
            if not m:
                return (f"{self.what}: no /{pattern}/ after the lines before it",
                        tail(r.serial))
            pos = m.end()
        return None


@dataclasses.dataclass
class Count:
    """Exactly @n serial lines match @pattern."""
    pattern: str
    n: int
    what: str

    def __call__(self, r):
        hits = [ln for ln in r.serial.splitlines() if re.search(self.pattern, ln)]
        if len(hits) == self.n:
            return None
        return f"{len(hits)} {self.what} lines, expected {self.n}", "\n".join(hits) or tail(r.serial)


@dataclasses.dataclass
class Between:
    """After the first line matching @first and before the next matching @last, a line matches @middle."""
    first: str
    middle: str
    last: str
    what: str

    def __call__(self, r):
        lines = r.serial.splitlines()
        start = next((i for i, ln in enumerate(lines) if re.search(self.first, ln)), None)
        if start is None:
            return f"no line /{self.first}/ to look after for {self.what}", tail(r.serial)
        end = next((i for i in range(start + 1, len(lines)) if re.search(self.last, lines[i])),
                   None)
        if end is None:
            return f"no line /{self.last}/ after /{self.first}/ ({self.what})", tail(r.serial)
        if any(re.search(self.middle, ln) for ln in lines[start + 1:end]):
            return None
        return (f"no {self.what} between /{self.first}/ and /{self.last}/",
                "\n".join(lines[max(0, start - 4):end + 5]))


@dataclasses.dataclass
class OnPlacedCpu:
    """Each domain's guest output comes from the CPU its `domain: dN NAME created` line names."""

    def __call__(self, r):
        placed = dict(re.findall(r"\] domain: d\d+ (\S+) created .* pcpu=(\d+) ", r.serial))
        if not placed:
            return "no domain created lines", tail(r.serial)
        for ln in r.serial.splitlines():
            m = re.match(r"\[c(\d+)\] <([^>]+)> ", ln)
            if m and placed.get(m.group(2)) != m.group(1):
                return (f"{m.group(2)} placed on pcpu={placed.get(m.group(2))} "
                        f"but printed from c{m.group(1)}", _around(r.serial, ln))
        return None


@dataclasses.dataclass
class Number:
    """The first number captured by @pattern lies in [@lo, @hi]."""
    pattern: str
    lo: float
    hi: float
    what: str

    def __call__(self, r):
        m = re.search(self.pattern, r.serial, re.MULTILINE)
        if not m:
            return f"no {self.what} (/{self.pattern}/)", tail(r.serial)
        value = int(m.group(1))
        if self.lo <= value <= self.hi:
            return None
        return (f"{self.what}={value}, expected {self.lo:g}..{self.hi:g}",
                _line_at(r.serial, m.start()))


def near(pattern, expected, tolerance, what):
    """A Number check: within @tolerance (a fraction) of @expected."""
    return Number(pattern, expected * (1 - tolerance), expected * (1 + tolerance), what)


@dataclasses.dataclass
class SameNumber:
    """The first numbers captured by @first and by @second are equal."""
    first: str
    second: str
    what: str

    def __call__(self, r):
        a, b = (re.search(p, r.serial, re.MULTILINE) for p in (self.first, self.second))
        if not a or not b:
            missing = self.first if not a else self.second
            return f"no line /{missing}/ for {self.what}", tail(r.serial)
        if int(a.group(1)) == int(b.group(1)):
            return None
        return (f"{self.what}: {a.group(1)} then {b.group(1)}",
                f"{_line_at(r.serial, a.start())}\n{_line_at(r.serial, b.start())}")


@dataclasses.dataclass
class AfterKeys:
    """A serial line that began after step @step's keys were typed matches @pattern.

    Shows that the keys caused the line: it was not there before them.
    """
    pattern: str
    what: str
    step: int = 0

    def __call__(self, r):
        if len(r.typed) <= self.step:
            return (f"no {self.what} line: step {self.step}'s keys were never typed",
                    tail(r.serial))
        keys, offset = r.typed[self.step]
        start = _next_line_start(r.serial, offset)
        if re.search(self.pattern, r.serial[start:], re.MULTILINE):
            return None
        before = re.search(self.pattern, r.serial[:start], re.MULTILINE)
        when = "only before" if before else "not after"
        return (f"{self.what} line came {when} typing {keys!r} (/{self.pattern}/)",
                tail(r.serial[start:] if not before else r.serial))


@dataclasses.dataclass
class EndedBy:
    """The emulator ended the way @how names (see emu.RunResult.how), with @status if given."""
    how: str
    status: int = None

    def __call__(self, r):
        if r.how == self.how and (self.status is None or r.status == self.status):
            return None
        want = self.how + ("" if self.status is None else f" status {self.status}")
        detail = "\n".join(r.output.strip().splitlines()[-6:])
        return f"emulator ended by {r.how} (status {r.status}), expected {want}", detail


@dataclasses.dataclass
class Com2Line:
    """Some line of the COM2 capture matches @pattern."""
    pattern: str
    what: str

    def __call__(self, r):
        if re.search(self.pattern, r.com2, re.MULTILINE):
            return None
        return f"no {self.what} line on COM2 (/{self.pattern}/)", tail(r.com2)


def _next_line_start(serial, pos):
    """The start of the first line of @serial that begins at or after @pos.

    A line in progress at @pos began before it, so it does not count.
    """
    if pos == 0 or serial[pos - 1:pos] == "\n":
        return pos
    end = serial.find("\n", pos)
    return len(serial) if end < 0 else end + 1


def _line_at(serial, pos):
    """The whole line of @serial holding character @pos."""
    return serial[serial.rfind("\n", 0, pos) + 1:].split("\n", 1)[0]


def _around(serial, line, before=8, after=12):
    lines = serial.splitlines()
    i = lines.index(line)
    return "\n".join(lines[max(0, i - before):i + after])


@dataclasses.dataclass
class TickCheck:
    """The periodic-tick self-check measured within @tolerance (a fraction) of its expectation."""
    tolerance: float

    def __call__(self, r):
        pattern = r"\[c0\] timer: periodic check ticks=\d+ elapsed_us=(\d+) expected_us=(\d+)"
        m = re.search(pattern, r.serial)
        if not m:
            return "no periodic check line", tail(r.serial)
        elapsed, expected = int(m.group(1)), int(m.group(2))
        if abs(elapsed - expected) <= expected * self.tolerance:
            return None
        return f"tick check off by more than {self.tolerance:.0%}", m.group(0)


# ---------------------------------------------------------------- scheduling figures
# Tally prints one `domain: dN NAME cpu_us=N cpu_cycles=N ...` line when a
# domain ends, and one `sched: cpuN accounted_cycles=A ...` line per CPU
# once all have ended.  The checks below read their key=value numbers.

# With or without a `console_timestamps` stamp (TALLY_LINE, below).
DOMAIN_STATS_RE = re.compile(r"^(?:\[\s*\d+\.\d{6}\] )?\[c\d+\] domain: d\d+ (\S+) "
                             r"(cpu_us=\d+ .*)$", re.MULTILINE)
CPU_STATS_RE = re.compile(r"^(?:\[\s*\d+\.\d{6}\] )?\[c\d+\] sched: cpu(\d+) "
                          r"(accounted_cycles=\d+ .*)$", re.MULTILINE)
KEY_VALUE_RE = re.compile(r"(\w+)=(\d+)\b")
# Its hypervisor time split, on a line of its own after it.
CPU_HV_RE = re.compile(r"^(?:\[\s*\d+\.\d{6}\] )?\[c\d+\] sched: cpu(\d+) "
                       r"(hypervisor_attributed_cycles=\d+ .*)$", re.MULTILINE)


def key_values(text):
    """{key: int} for every `key=N` in @text."""
    return {k: int(v) for k, v in KEY_VALUE_RE.findall(text)}


def cpu_stats(serial):
    """[(cpu, {field: int})] from each CPU's two `sched: cpuN` lines, in the order printed."""
    split = {int(c): key_values(rest) for c, rest in CPU_HV_RE.findall(serial)}
    return [(int(c), {**key_values(rest), **split.get(int(c), {})})
            for c, rest in CPU_STATS_RE.findall(serial)]


def cpu_lines_text(serial):
    """Both kinds of `sched: cpuN` line, for a failure's text."""
    return "\n".join(m.group(0) for rx in (CPU_STATS_RE, CPU_HV_RE) for m in rx.finditer(serial))


def domain_stats(serial):
    """{domain name: {field: int}} from the `domain: dN NAME cpu_us=...` lines.

    A domain restarted by on_reboot=restart prints one line per life: its fields add up.
    """
    stats = {}
    for m in DOMAIN_STATS_RE.finditer(serial):
        total = stats.setdefault(m.group(1), {})
        for key, value in key_values(m.group(2)).items():
            total[key] = total.get(key, 0) + value
    return stats


def domain_lines(serial, doms):
    """The `domain: … cpu_us=` lines of @doms, for a failure's excerpt."""
    return "\n".join(m.group(0) for m in DOMAIN_STATS_RE.finditer(serial)
                     if m.group(1) in doms) or tail(serial)


# The device usage lines (kernel/domain_report.c), one set per life of a domain:
#   domain: dN NAME net mac=M group=G tx_packets=N ... tx_multicast=N
#   domain: dN NAME net rx_packets=N ... rx_multicast=N
#   domain: dN NAME net drop_spoofed=N ... errors=N
#   domain: dN NAME disk bytes=N ro=0|1 read_requests=N ... unsupported=N
#   domain: dN NAME virtio-net|virtio-blk ring=N ... resets=N
# The net counters come as several `net` lines (sent, received, dropped: one
# would not fit a log line); their keys are merged.
NET_STATS_RE = re.compile(r"^\[c\d+\] domain: d\d+ (\S+) net (.*)$", re.MULTILINE)
DISK_STATS_RE = re.compile(r"^\[c\d+\] domain: d\d+ (\S+) disk (bytes=\d+ .*)$", re.MULTILINE)
VIRTIO_ERRORS_RE = re.compile(r"^\[c\d+\] domain: d\d+ (\S+) (virtio-net|virtio-blk) (\w+=\d+ .*)$",
                              re.MULTILINE)
NET_ID_RE = re.compile(r"\bmac=([0-9a-f:]{17}) group=(\S+)")
# Properties of a device, not counts: a later life's value replaces an earlier one's.
DEVICE_PROPERTIES = ("bytes", "ro")


def _sum_lives(matches, key_of, text_of):
    """{key_of(m): {field: int}} summing every `field=N` of @matches (a domain's lives)."""
    stats = {}
    for m in matches:
        total = stats.setdefault(key_of(m), {})
        for key, value in key_values(NET_ID_RE.sub("", text_of(m))).items():
            if key in DEVICE_PROPERTIES:
                total[key] = value
            else:
                total[key] = total.get(key, 0) + value
    return stats


def net_stats(serial):
    """{domain name: {counter: int}} from the `domain: dN NAME net` lines, lives summed."""
    return _sum_lives(NET_STATS_RE.finditer(serial), lambda m: m.group(1), lambda m: m.group(2))


def net_identity(serial):
    """{domain name: (mac, group)} from the last `domain: dN NAME net mac=M group=G` line."""
    ident = {}
    for m in NET_STATS_RE.finditer(serial):
        found = NET_ID_RE.search(m.group(2))
        if found:
            ident[m.group(1)] = (found.group(1), found.group(2))
    return ident


def disk_stats(serial):
    """{domain name: {counter: int}} from the `domain: dN NAME disk` lines: counters summed
    over lives, `bytes` and `ro` as last logged."""
    return _sum_lives(DISK_STATS_RE.finditer(serial), lambda m: m.group(1), lambda m: m.group(2))


def virtio_errors(serial):
    """{(domain name, "virtio-net"|"virtio-blk"): {counter: int}}, lives summed."""
    return _sum_lives(VIRTIO_ERRORS_RE.finditer(serial), lambda m: (m.group(1), m.group(2)),
                      lambda m: m.group(3))


DEVICE_PARSERS = {"net": net_stats, "disk": disk_stats}


@dataclasses.dataclass
class DeviceStats:
    """@dom's @kind usage lines ("net", "disk", "virtio-net", "virtio-blk"; lives summed)
    hold exactly the values of @expected {key: int}; keys not named are not checked."""
    dom: str
    kind: str
    expected: dict

    def __call__(self, r):
        if self.kind in DEVICE_PARSERS:
            got = DEVICE_PARSERS[self.kind](r.serial).get(self.dom)
        else:
            got = virtio_errors(r.serial).get((self.dom, self.kind))
        lines = "\n".join(ln for ln in r.serial.splitlines()
                          if f" {self.dom} {self.kind} " in ln) or tail(r.serial)
        if got is None:
            return f"no `domain: dN {self.dom} {self.kind}` line", lines
        wrong = [f"{k}={got.get(k)} (expected {v})" for k, v in self.expected.items()
                 if got.get(k) != v]
        return (f"{self.dom} {self.kind}: " + ", ".join(wrong), lines) if wrong else None


def guest_number(serial, dom, pattern):
    """The first number captured by @pattern in a line of @dom's guest, or None."""
    m = re.search(guest_line(dom, pattern), serial, re.MULTILINE)
    return int(m.group(1)) if m else None


def _stats_of(r, doms, field):
    """({dom: value of @field}, None), or (None, failure) if a line or field is missing."""
    stats = domain_stats(r.serial)
    values = {}
    for dom in doms:
        if dom not in stats:
            return None, (f"no `domain: dN {dom} cpu_us=` line", tail(r.serial))
        if field not in stats[dom]:
            return None, (f"{dom}'s domain line has no {field}=", domain_lines(r.serial, doms))
        values[dom] = stats[dom][field]
    return values, None


@dataclasses.dataclass
class DomainShare:
    """@dom's share of the summed @field of the domains @among lies in [@lo, @hi]."""
    dom: str
    among: tuple
    lo: float
    hi: float
    field: str = "cpu_cycles"

    def __call__(self, r):
        values, failure = _stats_of(r, self.among, self.field)
        if failure:
            return failure
        total = sum(values.values())
        share = values[self.dom] / total if total else 0.0
        if self.lo <= share <= self.hi:
            return None
        names = "+".join(self.among)
        return (f"{self.dom}'s share of {names} {self.field} is {share:.4f}, "
                f"expected {self.lo:.4f}..{self.hi:.4f}", domain_lines(r.serial, self.among))


def share_near(dom, among, expected, tolerance):
    """A DomainShare check: within @tolerance (relative) of @expected."""
    return DomainShare(dom, tuple(among), expected * (1 - tolerance), expected * (1 + tolerance))


def fair_shares(doms, tolerance):
    """Each of @doms gets 1/len(@doms) of their summed cpu_cycles, within @tolerance (relative)."""
    return [share_near(dom, doms, 1 / len(doms), tolerance) for dom in doms]


@dataclasses.dataclass
class WorkFollowsCpu:
    """Each of @doms' share of the guests' work numbers matches its cpu_cycles share.

    The work number is what @pattern captures in the domain's guest output
    (e.g. spin's iterations): a guest doing uniform work does it in
    proportion to the CPU time Tally says it got.  Within @tolerance, relative.
    """
    doms: tuple
    pattern: str
    tolerance: float

    def __call__(self, r):
        cycles, failure = _stats_of(r, self.doms, "cpu_cycles")
        if failure:
            return failure
        work = {dom: guest_number(r.serial, dom, self.pattern) for dom in self.doms}
        missing = [dom for dom, n in work.items() if n is None]
        if missing:
            return f"no {missing[0]} line /{self.pattern}/", tail(r.serial)
        total_work, total_cycles = sum(work.values()), sum(cycles.values())
        for dom in self.doms:
            work_share = work[dom] / total_work
            cpu_share = cycles[dom] / total_cycles
            if abs(work_share - cpu_share) > cpu_share * self.tolerance:
                lines = [ln for ln in r.serial.splitlines()
                         if re.search(guest_line(dom, self.pattern), ln)]
                return (f"{dom} did {work_share:.4f} of the work but got {cpu_share:.4f} "
                        f"of the CPU (more than {self.tolerance:.0%} apart)",
                        domain_lines(r.serial, self.doms) + "\n" + "\n".join(lines))
        return None


@dataclasses.dataclass
class DomainStat:
    """@dom's domain line has @field in [@lo, @hi]; a missing line or field fails."""
    dom: str
    field: str
    lo: float
    hi: float = float("inf")

    def __call__(self, r):
        stats = domain_stats(r.serial)
        if self.dom not in stats:
            return f"no `domain: dN {self.dom} cpu_us=` line", tail(r.serial)
        value = stats[self.dom].get(self.field)
        if value is None:
            return (f"{self.dom}'s domain line has no {self.field}=",
                    domain_lines(r.serial, [self.dom]))
        if self.lo <= value <= self.hi:
            return None
        return (f"{self.dom} {self.field}={value}, expected {self.lo:g}..{self.hi:g}",
                domain_lines(r.serial, [self.dom]))


OVERHEAD_RE = re.compile(r"\] domain: d(\d+) (\S+) overhead_bytes=(\d+) \(([^)]*)\)$", re.M)
CREATED_RE = re.compile(r"\] domain: d(\d+) (\S+) created .*\bvcpus=(\d+) ", re.M)


@dataclasses.dataclass
class DomainOverhead:
    """Every created domain has one `overhead_bytes=` line (kernel/domain_slot.c)
    whose parts add up: whole pages, one VMCS page per vCPU, an EPT, and a
    total of at least @lo and at most @hi bytes."""
    lo: int = 3 * 4096
    hi: int = 1 << 20

    def __call__(self, r):
        created = {m[1]: (m[2], int(m[3])) for m in CREATED_RE.finditer(r.serial)}
        lines = {m[1]: m for m in OVERHEAD_RE.finditer(r.serial)}
        if not created:
            return "no `domain: dN NAME created` line", tail(r.serial)
        for dom, (name, vcpus) in sorted(created.items()):
            m = lines.get(dom)
            if m is None or m[2] != name:
                return f"no `domain: d{dom} {name} overhead_bytes=` line", tail(r.serial)
            parts = dict(kv.split("=") for kv in m[4].split())
            parts = {k: int(v) for k, v in parts.items()}
            total = int(m[3])
            why = None
            if sum(parts.values()) != total:
                why = f"parts add up to {sum(parts.values())}, not {total}"
            elif any(v % 4096 for v in parts.values()):
                why = "a part is not whole pages"
            elif parts.get("vmcs") != 4096 * vcpus:
                why = f"vmcs={parts.get('vmcs')} for {vcpus} vCPUs"
            elif not parts.get("ept") or not parts.get("struct"):
                why = "no ept= or struct= part"
            elif not self.lo <= total <= self.hi:
                why = f"overhead_bytes={total} outside {self.lo}..{self.hi}"
            if why:
                return f"d{dom} {name}: {why}", m[0]
        return None


@dataclasses.dataclass
class DonationsReceived:
    """What @recipients received adds up to more than 0 and at most what @donor donated.

    Round robin decides who runs on a halted vCPU's leftover slice (here,
    whoever is next in the queue), so only the total is checked: given away
    by the donor, taken by the others, never more than was given.
    """
    donor: str
    recipients: tuple

    def __call__(self, r):
        doms = (self.donor,) + self.recipients
        donated, failure = _stats_of(r, (self.donor,), "donated_us")
        if failure:
            return failure
        received, failure = _stats_of(r, self.recipients, "received_us")
        if failure:
            return failure
        donated, received = donated[self.donor], sum(received.values())
        if 0 < received <= donated:
            return None
        return (f"{'+'.join(self.recipients)} received {received} us of the {donated} us "
                f"{self.donor} donated", domain_lines(r.serial, doms))


@dataclasses.dataclass
class CpuAccounting:
    """Every CPU's `sched: cpuN` line adds up: guest + hypervisor + idle == accounted, exactly.

    So does its split of the hypervisor time: guest + hypervisor_attributed
    + hypervisor_unattributed + idle == accounted.  One line per online CPU
    (from `smp: online=N`), each once.
    """

    def __call__(self, r):
        online = re.search(r"\[c0\] smp: online=(\d+)", r.serial)
        lines = cpu_stats(r.serial)
        cpus = sorted(cpu for cpu, _ in lines)
        want = list(range(int(online.group(1)))) if online else [0]
        text = cpu_lines_text(r.serial)
        if cpus != want:
            return (f"sched: lines for cpus {cpus}, expected one each for {want}",
                    text or tail(r.serial))
        for cpu, n in lines:
            parts = [n.get(k) for k in ("accounted_cycles", "guest_cycles",
                                        "hypervisor_cycles", "idle_cycles")]
            if None in parts:
                return f"cpu{cpu}'s sched: line lacks a field", text
            a, g, h, i = parts
            if g + h + i != a:
                return (f"cpu{cpu}: guest {g} + hypervisor {h} + idle {i} = {g + h + i}, "
                        f"not accounted {a} (off by {g + h + i - a})", text)
            split = [n.get(k) for k in ("hypervisor_attributed_cycles",
                                        "hypervisor_unattributed_cycles")]
            if None in split:
                return f"cpu{cpu} lacks its `sched: cpuN hypervisor_attributed_cycles=` line", text
            ha, hu = split
            if g + ha + hu + i != a:
                return (f"cpu{cpu}: guest {g} + attributed {ha} + unattributed {hu} + idle {i}"
                        f" = {g + ha + hu + i}, not accounted {a}", text)
        return None


@dataclasses.dataclass
class HypervisorCyclesSplit:
    """The domains' hv_cycles add up to the CPUs' hypervisor_attributed_cycles, exactly.

    Hypervisor time is charged to the vCPU that caused it (include/tally/
    sched_policy.h) until its domain is torn down, before its usage line; a
    domain's vCPUs may span CPUs, so the sums are over all of them.
    """

    def __call__(self, r):
        cpus = [n for _, n in cpu_stats(r.serial)]
        domains = domain_stats(r.serial)
        if not cpus:
            return "no `sched: cpuN accounted_cycles=` line", tail(r.serial)
        if any("hv_cycles" not in d for d in domains.values()):
            return "a domain's usage line lacks hv_cycles=", tail(r.serial)
        attributed = sum(c.get("hypervisor_attributed_cycles", 0) for c in cpus)
        charged = sum(d["hv_cycles"] for d in domains.values())
        if attributed == charged:
            return None
        text = "\n".join(m.group(0) for m in DOMAIN_STATS_RE.finditer(r.serial)) + "\n" \
            + cpu_lines_text(r.serial)
        return (f"the domains' hv_cycles add up to {charged}, the CPUs' attributed hypervisor "
                f"time to {attributed} (off by {charged - attributed})", text)


@dataclasses.dataclass
class GuestCyclesSplit:
    """The domains' cpu_cycles add up to the CPUs' guest_cycles, exactly.

    Every guest-mode cycle is charged to the vCPU that ran it, and every
    domain prints its line before Tally's `sched: cpuN` lines.
    """

    def __call__(self, r):
        cpus = [key_values(rest) for _, rest in CPU_STATS_RE.findall(r.serial)]
        domains = domain_stats(r.serial)
        if not cpus:
            return "no `sched: cpuN accounted_cycles=` line", tail(r.serial)
        guest = sum(c.get("guest_cycles", 0) for c in cpus)
        charged = sum(d.get("cpu_cycles", 0) for d in domains.values())
        if guest == charged:
            return None
        text = "\n".join(m.group(0) for m in DOMAIN_STATS_RE.finditer(r.serial)) + "\n" \
            + "\n".join(m.group(0) for m in CPU_STATS_RE.finditer(r.serial))
        return (f"the domains' cpu_cycles add up to {charged}, the CPUs' guest_cycles "
                f"to {guest} (off by {charged - guest})", text)


@dataclasses.dataclass
class DonationsWithinElapsed:
    """No CPU's vCPUs donated more than its elapsed time, nor all domains more than all CPUs'.

    A halt gives up the rest of its slice, counted as it passes and once
    (kernel/sched_policy.c): each `sched: cpuN` line's donated_cycles is at
    most its accounted_cycles, and the domains' donated_us add up to no
    more than the CPUs' accounted time.
    """

    def __call__(self, r):
        cpus = {cpu: key_values(rest) for cpu, rest in CPU_STATS_RE.findall(r.serial)}
        text = "\n".join(m.group(0) for m in CPU_STATS_RE.finditer(r.serial))
        khz = re.search(r"\[c0\] timer: tsc_khz=(\d+)", r.serial)
        if not cpus or not khz:
            return "no `sched: cpuN` or `timer: tsc_khz=` line", tail(r.serial)
        for cpu, n in cpus.items():
            if "donated_cycles" not in n:
                return f"cpu{cpu}'s sched: line has no donated_cycles=", text
            if n["donated_cycles"] > n.get("accounted_cycles", 0):
                return (f"cpu{cpu}'s vCPUs donated {n['donated_cycles']} cycles in "
                        f"{n.get('accounted_cycles', 0)}", text)
        elapsed_us = sum(n.get("accounted_cycles", 0) for n in cpus.values()) * 1000 \
            // int(khz.group(1))
        donated_us = sum(d.get("donated_us", 0) for d in domain_stats(r.serial).values())
        if donated_us <= elapsed_us:
            return None
        return (f"the domains donated {donated_us} us in {elapsed_us} us of CPU time",
                "\n".join(m.group(0) for m in DOMAIN_STATS_RE.finditer(r.serial)) + "\n" + text)


def mem_kib(mib):
    """ram_kib is what the firmware reported: within 1 MiB below the configured RAM."""
    return Number(r"\[c0\] mem: ram_kib=(\d+) ", mib * 1024 - 1024, mib * 1024, "ram_kib")


def smp(online, expected=None):
    expected = online if expected is None else expected
    return Line(rf"\[c0\] smp: online={online} expected={expected}\b", f"smp online={online}")


# ---------------------------------------------------------------- Tally's exit code
# `tally: exit code=N` is a bitmask (include/tally/emu_exit.h), N's causes in
# words after it when N is not 0; QEMU's isa-debug-exit turns N into the
# status (N << 1) | 1.
EXIT_REFUSED = 0x01             # a boot module was refused (not created)
EXIT_CRASHED = 0x02             # Tally destroyed a domain for its own fault
EXIT_GUEST_FAILED = 0x04        # a guest left with a non-zero debug-exit value
EXIT_NO_GUESTS = 0x08           # guests cannot run on this CPU (no VMX, ...)
EXIT_TIMED_OUT = 0x10           # a domain ran past its max_run_s= and was ended
# A Tally line's start: with `console_timestamps`, a `[ S.UUUUUU] ` stamp first.
TALLY_LINE = r"^(?:\[\s*\d+\.\d{6}\] )?"
EXIT_CODE_RE = TALLY_LINE + r"\[c\d+\] tally: exit code=(\d+)(?: \((.*)\))?$"
# The log line that shows each bit's cause.
EXIT_CAUSES = {
    EXIT_REFUSED: TALLY_LINE + r"\[c0\] ERROR: module \d+(?: \([^)]*\))?: ",
    EXIT_CRASHED: TALLY_LINE + r"\[c\d+\] WARN: domain: d\d+ \S+ destroyed: ",
    EXIT_GUEST_FAILED: TALLY_LINE + r"\[c\d+\] domain: d\d+ \S+ exited status=\d+ "
                       r"value=[1-9]\d*$",
    EXIT_NO_GUESTS: TALLY_LINE + r"\[c0\] (?:WARN|ERROR): vmx: ",
    EXIT_TIMED_OUT: TALLY_LINE + r"\[c\d+\] WARN: domain: d\d+ \S+ ended: max_run_s time is up$",
}


def exit_line(code):
    """Tally left with exit code @code (its causes in words after a non-zero one)."""
    words = "" if code == 0 else r" \(.+\)"
    return Line(TALLY_LINE + rf"\[c\d+\] tally: exit code={code}{words}$", f"exit code={code}")


def qemu_exit(code):
    """QEMU ended by Tally's isa-debug-exit write of @code: status (@code << 1) | 1."""
    return EndedBy("debug-exit", status=(code << 1) | 1)


@dataclasses.dataclass
class ExitBits:
    """Tally's exit code has each bit exactly when the log shows that bit's cause.

    A refused module (`ERROR: module N (name): ...`), a domain Tally
    destroyed (`WARN: domain: dN NAME destroyed: ...`; not one the control
    domain destroyed), a guest's non-zero exit value, a `vmx:` warning or
    error of the boot CPU (guests cannot run), a domain ended at its
    `max_run_s=` (`WARN: domain: dN NAME ended: max_run_s time is up`).  Under QEMU the debug-exit
    status must carry the same code.  A run without an exit line passes.
    """

    def __call__(self, r):
        codes = re.findall(EXIT_CODE_RE, r.serial, re.MULTILINE)
        if not codes:
            return None
        if len(codes) > 1:
            return f"{len(codes)} exit code lines, expected one", tail(r.serial)
        code = int(codes[0][0])
        causes = {bit: re.search(p, r.serial, re.MULTILINE) for bit, p in EXIT_CAUSES.items()}
        want = sum(bit for bit, m in causes.items() if m)
        if code != want:
            shown = "\n".join(m.group(0) for m in causes.values() if m)
            return (f"exit code={code}, but the log shows the causes of {want} "
                    f"(bits {code ^ want:#x} differ)", shown or tail(r.serial))
        if r.how == "debug-exit" and r.status != (code << 1) | 1:
            return (f"QEMU status {r.status}, expected (exit code {code} << 1) | 1 = "
                    f"{(code << 1) | 1}", tail(r.serial))
        return None


PANIC_RE = r"PANIC|FATAL"
BANNER = Line(r"\[c0\] Tally 0\.1\.0 x86-64 microhypervisor", "banner")
MB2 = Line(r'\[c0\] boot: protocol=multiboot2 loader="GRUB [^"]*"', "multiboot2 boot")
EXIT_LINE = exit_line(0)
BOOT_DONE = Line(r"\[c0\] tally: boot complete", "boot complete")
# QEMU's TCG has no VMX: Tally says so and how to get it, and leaves with that bit.
NOVMX_WARNING = (r"\] WARN: vmx: this CPU has no VMX \(CPUID\.1:ECX\.VMX=0\): Tally cannot run "
                 r"guests; enable nested VMX on the host \(kvm_intel nested=1, QEMU -cpu host\) "
                 r"or run under Bochs \(make run EMU=bochs\)$")
NOVMX_EXIT_LINE = exit_line(EXIT_NO_GUESTS)
QEMU_NOVMX_EXIT = qemu_exit(EXIT_NO_GUESTS)
BOCHS_EXIT = EndedBy("shutdown-port")
# Tally's panic exit code 0x7F through isa-debug-exit: (0x7F << 1) | 1.
QEMU_PANIC_EXIT = EndedBy("debug-exit", status=0xFF)


def fatal_report(first_line, frame_re):
    """Checks for a whole fatal report: what happened, registers, a named backtrace, the stop."""
    return [Line(first_line, "fatal report"),
            Line(r"\[c0\] ERROR:   rax=0x[0-9a-f]{16} rbx=0x[0-9a-f]{16}", "register dump"),
            Line(r"\[c0\] ERROR: backtrace:", "backtrace"),
            Line(frame_re, "named stack frame"),
            Line(r"\[c0\] ERROR: PANIC: Tally stopped; all CPUs halted", "stop line"),
            NoLine(r"tally: exit code=", "normal exit after a fatal error"),
            QEMU_PANIC_EXIT]

COMMON_CHECKS = [NoLine(PANIC_RE, "panic"), BANNER, ExitBits()]
# Also for every Bochs scenario that runs domains (see common_checks()).
DOMAIN_COMMON_CHECKS = [CpuAccounting(), GuestCyclesSplit(), HypervisorCyclesSplit(),
                        DonationsWithinElapsed()]
