# SPDX-License-Identifier: MIT
"""Checks on the console's table of domains (kernel/top.c) and on console timestamps.

The table, as the boot CPU prints it (key `t`, `top_interval_s=N`); every
line starts with `top:` (docs/ARCHITECTURE.md, "Log lines tests rely on"); here
with some domain rows left out:

    [c0] top: uptime 0:00:02.31, 1 CPU online, memory 255.6MiB total, 204.3MiB free
    [c0] top: 6 domains: 4 running, 1 paused, 1 ended
    [c0] top: DOM NAME    STATE   VCPUS CPU% TIME     MEM EXITS   IO NETTX(k) NETRX(k) VBD_RD VBD_WR
    [c0] top: d2  agent   running     1  9.8 0.17 16.0MiB  1604 1535        4        0      6      4
    [c0] top:     guest-reported mem_used_bytes=2.0MiB
    [c0] top: d4  held    paused      1 12.9 0.28  8.0MiB   109   79        -        -      -      -
    [c0] top: d6  hello   ended       1  0.0 0.00  8.0MiB   576  576        -        -      -      -
    [c0] top: -   Tally   -           - 20.7 0.54       -     -    -        -        -      -      -
    [c0] top: -   idle    -           -  0.0 0.00       -     -    -        -        -      -      -

NETTX(k)/NETRX(k) are whole KiB (rounded down) the NIC sent and received,
VBD_RD/VBD_WR the disk's read and write requests; `-` without the device.

Each check is called with the emu.RunResult and returns None or
(reason, excerpt), as in checks.py.  parse_tables() and format_size() are
for any check that reads the table.
"""

import dataclasses
import re

# `console_timestamps` puts `[   12.345678] ` before the CPU prefix.
STAMP_RE = re.compile(r"^\[\s*(\d+)\.(\d{6})\] ")
TALLY_LINE_RE = re.compile(r"^(?:\[\s*\d+\.\d{6}\] )?\[c\d+\] ")
SUMMARY_RE = re.compile(r"^\[c0\] top: uptime (\S+), (\d+) CPUs? online, "
                        r"memory (\S+) total, (\S+) free$")
COUNTS_RE = re.compile(r"^\[c0\] top: (\d+) domains?: (\d+) running, (\d+) paused, "
                       r"(\d+) ended$")
HEADER_RE = re.compile(r"^\[c0\] top: +DOM ")
# The value, then Tally's verdict on it (kernel/metric_check.c) in parentheses.
METRIC_RE = re.compile(r"^\[c0\] top: +guest-reported (\S+?)=(\S+) \((?:unchecked|consistent|"
                       r"contradicted)\)$")
ROW_RE = re.compile(r"^\[c0\] top: ")
CREATED_RE = re.compile(r"\] domain: d(\d+) (\S+) created mem_mib=(\d+) ")
SIZE_RE = re.compile(r"^(?:\d+B|\d+\.\d(?:KiB|MiB|GiB|TiB|PiB|EiB))$")
# Text columns line up on their left edge, numbers on their right.
LEFT_COLUMNS = ("DOM", "NAME", "STATE")
DEVICE_COLUMNS = ("NETTX(k)", "NETRX(k)", "VBD_RD", "VBD_WR")
PREFIX_CELLS = 2                # "[c0]" and "top:"


def unstamped(line):
    """@line without a `console_timestamps` stamp."""
    return STAMP_RE.sub("", line, count=1)


def format_size(n):
    """Bytes as the table prints them (kernel/top_format.c): 512B, 1.0KiB, 247.5MiB."""
    if n < 1024:
        return f"{n}B"
    unit = 1024
    for name in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        tenths = n // unit * 10 + (n % unit * 10 + unit // 2) // unit
        if tenths < 10240 or name == "EiB":
            return f"{tenths // 10}.{tenths % 10}{name}"
        unit *= 1024
    raise AssertionError("unreachable")


def parse_time(text):
    """Seconds from the table's `S.ss`, `M:SS.ss` or `H:MM:SS.ss`; None if malformed."""
    if not re.fullmatch(r"(?:\d+:)?(?:\d+:)?\d+\.\d\d", text):
        return None
    secs = 0.0
    for part in text.split(":"):
        secs = secs * 60 + float(part)
    return secs


def cells(line):
    """[(start, end, text)] of the whitespace-separated cells of @line."""
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", line)]


@dataclasses.dataclass
class Table:
    """One printed table: its summary lines (None when missing), header and rows."""
    first: str                  # the table's first line, to show in failures
    summary: re.Match = None
    counts: re.Match = None
    header: str = None
    rows: list = dataclasses.field(default_factory=list)        # [str]
    metrics: dict = dataclasses.field(default_factory=dict)     # row index -> [str]
    stray: list = dataclasses.field(default_factory=list)       # metric lines under no row

    def columns(self):
        return [text for _, _, text in cells(self.header)[PREFIX_CELLS:]]

    def cell(self, row, name):
        """The text of @row's cell under column @name (rows already aligned)."""
        return cells(row)[PREFIX_CELLS + self.columns().index(name)][2]

    def domain_rows(self):
        return [row for row in self.rows if re.match(r"^\[c0\] top: d\d+ ", row)]

    def named(self, name):
        return [row for row in self.rows if len(cells(row)) > 3 and cells(row)[3][2] == name]

    def text(self):
        lines = [self.first] + ([self.header] if self.header else []) + self.rows
        return "\n".join(dict.fromkeys(lines))


def parse_tables(serial):
    """[Table] of every console table in @serial, in order (stamps removed)."""
    tables = []
    for raw in serial.splitlines():
        line = unstamped(raw)
        if not ROW_RE.match(line):
            continue
        cur = tables[-1] if tables else None
        if SUMMARY_RE.match(line):
            tables.append(Table(line, summary=SUMMARY_RE.match(line)))
        elif COUNTS_RE.match(line):
            if not cur or cur.counts or cur.header:
                cur = Table(line)
                tables.append(cur)
            cur.counts = COUNTS_RE.match(line)
        elif HEADER_RE.match(line):
            if not cur or cur.header:
                cur = Table(line)
                tables.append(cur)
            cur.header = line
        elif METRIC_RE.match(line) and cur:
            if cur.rows:
                cur.metrics.setdefault(len(cur.rows) - 1, []).append(line)
            else:
                cur.stray.append(line)
        elif cur and cur.header:
            cur.rows.append(line)
    return tables


def misaligned(table):
    """None, or why @table's rows do not line up under its header."""
    if not table.header:
        return "no header line (`top: DOM NAME ...`)"
    head = cells(table.header)[PREFIX_CELLS:]
    for row in table.rows:
        got = cells(row)[PREFIX_CELLS:]
        if len(got) != len(head):
            return f"a row has {len(got)} cells under {len(head)} headers: {row!r}"
        for (hs, he, name), (cs, ce, text) in zip(head, got):
            left = name in LEFT_COLUMNS
            if (cs != hs) if left else (ce != he):
                edge = "left" if left else "right"
                return (f"{text!r} is not under {name!r} ({edge} edge at column "
                        f"{cs if left else ce}, the header's at {hs if left else he})")
    name_col = head[1][0] if len(head) > 1 else None
    for idx, lines in table.metrics.items():
        if not re.match(r"^\[c0\] top: d\d+ ", table.rows[idx]):
            return f"guest-reported metrics under a row that is no domain: {table.rows[idx]!r}"
        for line in lines:
            if line.index("guest-reported") != name_col:
                return f"guest-reported is not under NAME: {line!r}"
    if table.stray:
        return f"guest-reported metrics before any row: {table.stray[0]!r}"
    return None


@dataclasses.dataclass
class TopTables:
    """At least @least tables; each one aligned, complete and adding up.

    Per table: a summary (uptime, CPUs online = the boot's `smp: online=`,
    memory total = the boot's `usable_kib=` and free, in units) and a
    domain count line whose counts
    are those of the rows' STATE column and of the domains created; every
    cell under its header (text by the left edge, numbers by the right);
    rows for Tally and idle; the CPU% column adding up to 100 x CPUs
    exactly; each domain's MEM its `mem_mib` in units; the
    guest-reported byte metrics in units.  Between two tables in a row,
    each row's CPU% is its TIME's growth over the uptime's, within
    @slack points (both are printed to the hundredth of a second).
    """
    least: int
    slack: float = 2.5

    def __call__(self, r):
        tables = parse_tables(r.serial)
        if len(tables) < self.least:
            return f"{len(tables)} console tables, expected at least {self.least}", \
                "\n".join(ln for ln in r.serial.splitlines() if "top:" in ln)[-2000:]
        online = re.search(r"\] smp: online=(\d+) ", r.serial)
        usable = re.search(r"\] mem: ram_kib=\d+ usable_kib=(\d+) ", r.serial)
        boot = (int(online.group(1)) if online else None,
                format_size(int(usable.group(1)) * 1024) if usable else None)
        created = {m.group(1): int(m.group(3)) for m in CREATED_RE.finditer(r.serial)}
        for n, table in enumerate(tables, 1):
            why = self.table_failure(table, boot, created)
            if why:
                return f"table {n}: {why}", table.text()
        for n, (a, b) in enumerate(zip(tables, tables[1:]), 2):
            why = self.growth_failure(a, b)
            if why:
                return f"table {n}: {why}", a.text() + "\n" + b.text()
        return None

    def table_failure(self, table, boot, created):
        online, usable = boot
        why = misaligned(table)
        if why:
            return why
        if not table.summary:
            return "no summary line (`top: uptime …, N CPUs online, memory … total, … free`)"
        uptime, cpus, total, free = table.summary.groups()
        if parse_time(uptime) is None:
            return f"uptime {uptime!r} is not a time"
        if online is not None and int(cpus) != online:
            return f"{cpus} CPUs online in the summary, {online} at boot"
        if not SIZE_RE.match(total) or not SIZE_RE.match(free):
            return f"memory {total} total, {free} free: sizes without units"
        if usable is not None and total != usable:
            return f"memory {total} total, but the boot's usable_kib is {usable}"
        return self.counts_failure(table, created) or self.rows_failure(table, int(cpus),
                                                                          created)

    @staticmethod
    def counts_failure(table, created):
        if not table.counts:
            return "no `top: N domains: R running, P paused, E ended` line"
        total, running, paused, ended = (int(x) for x in table.counts.groups())
        states = [table.cell(row, "STATE") for row in table.domain_rows()]
        shown = (len(states), states.count("running"), states.count("paused"),
                 states.count("ended"))
        if (total, running, paused, ended) != shown:
            return (f"the header counts {total} domains ({running} running, {paused} paused, "
                    f"{ended} ended), the rows {shown[0]} ({shown[1]}, {shown[2]}, {shown[3]})")
        if total != len(created):
            return f"the header counts {total} domains, {len(created)} were created"
        return None

    @staticmethod
    def rows_failure(table, cpus, created):
        for name in ("Tally", "idle"):
            if len(table.named(name)) != 1:
                return f"{len(table.named(name))} rows named {name}, expected 1"
        shares = [table.cell(row, "CPU%") for row in table.rows]
        if any(not re.fullmatch(r"\d+\.\d", s) for s in shares):
            return f"CPU% cells {shares} are not all N.N"
        # Rounded by largest remainder (top_shares()), so exact, not just within 0.1 a row.
        total = sum(float(s) for s in shares)
        if abs(total - 100 * cpus) > 0.05:
            return f"the CPU% column adds up to {total:.1f}, not {100 * cpus} ({cpus} CPUs)"
        for row in table.domain_rows():
            dom, mem = table.cell(row, "DOM")[1:], table.cell(row, "MEM")
            if mem != format_size(created.get(dom, -1) * 2**20):
                return f"d{dom}'s MEM is {mem!r}, created with mem_mib={created.get(dom)}"
            if parse_time(table.cell(row, "TIME")) is None:
                return f"d{dom}'s TIME {table.cell(row, 'TIME')!r} is not a time"
            for col in DEVICE_COLUMNS:
                if not re.fullmatch(r"-|\d+", table.cell(row, col)):
                    return f"d{dom}'s {col} {table.cell(row, col)!r} is neither - nor a count"
        for lines in table.metrics.values():
            for line in lines:
                name, value = METRIC_RE.match(line).groups()
                if name.endswith("_bytes") and not SIZE_RE.match(value):
                    return f"guest-reported {name}={value}: a size without its unit"
        return None

    def growth_failure(self, a, b):
        if not (a.summary and b.summary):
            return "no summary"
        span = parse_time(b.summary.group(1)) - parse_time(a.summary.group(1))
        if span <= 0:
            return f"the uptime went from {a.summary.group(1)} to {b.summary.group(1)}"
        before = {tuple(c[2] for c in cells(row)[2:4]): row for row in a.rows}
        for row in b.rows:
            key = tuple(c[2] for c in cells(row)[2:4])
            if key not in before:
                continue
            grew = parse_time(b.cell(row, "TIME")) - parse_time(a.cell(before[key], "TIME"))
            share = float(b.cell(row, "CPU%"))
            if grew < 0 or abs(share - 100 * grew / span) > self.slack:
                return (f"{key[1]}: CPU% {share}, but its TIME grew {grew:.2f} s "
                        f"in {span:.2f} s")
        return None


@dataclasses.dataclass
class TableShows:
    """Some table has a domain row of @dom in state @state (a paused one, an ended one)."""
    dom: str
    state: str

    def __call__(self, r):
        for table in parse_tables(r.serial):
            if not table.header or misaligned(table):
                continue
            for row in table.named(self.dom):
                if table.cell(row, "STATE") == self.state:
                    return None
        return f"no table shows {self.dom} {self.state}", \
            "\n".join(ln for ln in r.serial.splitlines() if "top:" in ln)[-1500:]


@dataclasses.dataclass
class TableDevices:
    """The last aligned table's row of @dom shows @cells {column: text} in its NIC and disk
    columns (NETTX(k), NETRX(k): whole KiB; VBD_RD, VBD_WR: requests; `-`: no device)."""
    dom: str
    cells: dict

    def __call__(self, r):
        rows = [(t, row) for t in parse_tables(r.serial) if t.header and not misaligned(t)
                for row in t.named(self.dom)]
        if not rows:
            return f"no aligned table shows {self.dom}", \
                "\n".join(ln for ln in r.serial.splitlines() if "top:" in ln)[-1500:]
        table, row = rows[-1]
        wrong = [f"{col} {table.cell(row, col)!r} (expected {want!r})"
                 for col, want in self.cells.items() if table.cell(row, col) != want]
        return (f"{self.dom}: " + ", ".join(wrong), table.text()) if wrong else None


@dataclasses.dataclass
class Timestamps:
    """With `console_timestamps`: `[ S.UUUUUU] ` on every Tally line once the command line is read.

    Not on the banner (printed before it); on every line from `boot:
    protocol=` on; never going back, across CPUs too; zero until the TSC is
    calibrated (`timer: tsc_khz=`), then seconds since boot: the periodic
    tick's self-check, which follows the `timer: tsc_khz=` line, is
    stamped at least its own `elapsed_us` after it (and at most @slack_us
    more, the UART time of one line).
    """
    slack_us: int = 20_000

    def __call__(self, r):
        lines = [ln for ln in r.serial.splitlines() if TALLY_LINE_RE.match(ln)]
        start = next((i for i, ln in enumerate(lines) if "] boot: protocol=" in ln), None)
        if start is None or not lines:
            return "no `boot: protocol=` line", "\n".join(lines[:10])
        if STAMP_RE.match(lines[0]):
            return "the banner, printed before the command line is read, has a stamp", lines[0]
        stamps, last = {}, -1
        for ln in lines[start:]:
            m = STAMP_RE.match(ln)
            if not m:
                return "a line without a timestamp", ln
            us = int(m.group(1)) * 1_000_000 + int(m.group(2))
            if us < last:
                return "a timestamp goes back", ln
            last = us
            for key in ("timer: tsc_khz=", "timer: periodic check"):
                if f"] {key}" in ln:
                    stamps.setdefault(key, (us, ln))
        return self.timer_failure(stamps, last)

    def timer_failure(self, stamps, last):
        if len(stamps) != 2:
            return "no stamped `timer:` lines", str(stamps)
        (calibrated, line), (checked, check_line) = stamps["timer: tsc_khz="], \
            stamps["timer: periodic check"]
        elapsed = int(re.search(r"elapsed_us=(\d+)", check_line).group(1))
        if calibrated <= 0 or last <= calibrated:
            return "stamps do not grow after calibration", line
        if not elapsed <= checked - calibrated <= elapsed + self.slack_us:
            return (f"the tick check is stamped {checked - calibrated} us after the "
                    f"calibration line, but took elapsed_us={elapsed}", f"{line}\n{check_line}")
        return None


MORE_RE = re.compile(r"^\[c0\] top: \.\.\. and (\d+) more domains$")


@dataclasses.dataclass
class ManyDomainsTables:
    """With more domains than the table shows (kernel/top.c): at least @tables
    tables, each with @shown domain rows in id order, then one
    `top: ... and K more domains` line with K = domains created - @shown,
    then the Tally and idle rows; the header still counts every domain."""
    tables: int
    shown: int

    def __call__(self, r):
        tables = parse_tables(r.serial)
        created = len(CREATED_RE.findall(r.serial))
        if len(tables) < self.tables:
            return (f"{len(tables)} tables, expected {self.tables} or more",
                    "\n".join(r.serial.splitlines()[-15:]))
        for i, table in enumerate(tables):
            why = self.failure(table, created)
            if why:
                return f"table {i + 1}: {why}", table.text()
        return None

    def failure(self, table, created):
        ids = [int(re.match(r"^\[c0\] top: d(\d+) ", row).group(1))
               for row in table.domain_rows()]
        if len(ids) != self.shown or ids != sorted(ids):
            return f"domain rows {ids}, expected {self.shown} in id order"
        more = [MORE_RE.match(row) for row in table.rows if MORE_RE.match(row)]
        if len(more) != 1 or int(more[0].group(1)) != created - self.shown:
            return f"no `... and {created - self.shown} more domains` line"
        if [cells(row)[3][2] for row in table.rows[-2:]] != ["Tally", "idle"]:
            return "the Tally and idle rows do not end the table"
        if not table.counts or int(table.counts.group(1)) != created:
            return f"the header does not count {created} domains"
        return None
