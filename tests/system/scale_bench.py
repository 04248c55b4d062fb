# SPDX-License-Identifier: MIT
"""The scheduler's paths as the domains grow in number (issue 16), and a domain's overhead.

One CPU, SCALE_COUNTS domains in turn: a halter (it blocks on HLT and is
woken by its APIC timer) and count-1 spins of 2 MiB, 1 ms slices.  Each
run's `sched: cpu0 paths` line gives the preempt switch, the HLT block and
the idle wake-up, in instructions (bench.py's clock); their cost must not
grow with the count: the goal puts the largest count's switch within
SCALE_GROWTH_GOAL of the 2-domain one.  Tally's creation line
`domain: dN NAME overhead_bytes=N (vmcs=.. ept=.. ...)` gives what Tally
allocates for a domain beyond its RAM, printed from the 2-domain run.
"""

import re

SCALE_COUNTS = (2, 16, 64, 128)
SCALE_GROWTH_GOAL = 1.10        # the largest count's switch over the 2-domain one's
SCALE_CMDLINE = "exit_when_done sched_slice_ms=1"
SCALE_ROUNDS = 100              # rounds of every domain's 1 ms slice while the spins spin
OVERHEAD_RE = re.compile(r"\] domain: d\d+ (\S+) overhead_bytes=(\d+) \(([^)]*)\)$",
                         re.MULTILINE)
PATHS_RE = re.compile(r"\] sched: cpu0 paths preempt_switch=(\d+)/(\d+)/(\d+) "
                      r"hlt_block=(\d+)/(\d+)/(\d+) wakeup=(\d+)/(\d+)/(\d+)")
EXITED_RE = re.compile(r"\] domain: d\d+ (\S+) exited status=1 value=0$", re.MULTILINE)


def scale_spin_ms(count):
    """How long each spin spins (TSC time): SCALE_ROUNDS rounds of all @count domains' 1 ms
    slices.  The same number of slices per domain for every count, so that what a domain
    costs once (its creation and end lines, drained by the console in the exit path) weighs
    the same on each count's average switch."""
    return SCALE_ROUNDS * count


def scale_modules(count):
    """A halter and @count-1 spins, 2 MiB each: the halter outlasts the spins, so the CPU
    idles and wakes up too."""
    spin_ms = scale_spin_ms(count)
    return ([("halter", "name=halter mem=2 rounds=80 work_us=1500 sleep_us=2000")]
            + [("spin", f"name=s{i} mem=2 duration_ms={spin_ms}") for i in range(1, count)])


def scale_megs(count):
    """Bochs RAM for @count 2 MiB domains and Tally, a power of two from 128 MiB."""
    megs = 128
    while megs < 2 * count + 64:
        megs *= 2
    return megs


def scale_names(count):
    return ["halter"] + [f"s{i}" for i in range(1, count)]


def scale_failure(count, result, run_failure):
    """Why the @count-domain run failed (a domain without PASS, no paths line), or None."""
    passed = set(EXITED_RE.findall(result.serial))
    missing = [name for name in scale_names(count) if name not in passed]
    if missing:
        return run_failure(result) or f"{len(missing)} domains did not pass ({missing[0]}...)"
    if not PATHS_RE.search(result.serial):
        return run_failure(result) or "no `sched: cpu0 paths` line"
    return run_failure(result)


def parse_paths(serial):
    """{"preempt": (count, avg, min), "hlt": .., "wake": ..} from the paths line, or None."""
    m = PATHS_RE.search(serial)
    if not m:
        return None
    n = [int(x) for x in m.groups()]
    return {"preempt": tuple(n[0:3]), "hlt": tuple(n[3:6]), "wake": tuple(n[6:9])}


def parse_overhead(serial):
    """(domain name, overhead bytes, {part: bytes}) of the first creation's overhead line,
    or None; a part that is no `key=N` is left out."""
    m = OVERHEAD_RE.search(serial)
    if not m:
        return None
    parts = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(3))}
    return m.group(1), int(m.group(2)), parts


def scale_figures(paths, overhead, Figure):
    """Figures from {count: parse_paths()} and parse_overhead() (either may lack a value)."""
    figures = []
    for count in SCALE_COUNTS:
        p = paths.get(count)
        figures += [
            Figure(f"sched_preempt_switch_{count}_domains", p and p["preempt"][1],
                   f"a slice-end switch with {count} domains on the CPU (average"
                   + (f" of {p['preempt'][0]})" if p else ")")),
            Figure(f"sched_hlt_block_{count}_domains", p and p["hlt"][1],
                   f"a HLT that blocks, {count} domains on the CPU"),
            Figure(f"sched_wakeup_{count}_domains", p and p["wake"][1],
                   f"an idle CPU's wake-up to the woken vCPU's entry, {count} domains")]
    low, high = paths.get(SCALE_COUNTS[0]), paths.get(SCALE_COUNTS[-1])
    ratio = (round(high["preempt"][1] / low["preempt"][1], 3)
             if low and high and low["preempt"][1] else None)
    figures.append(Figure(
        "sched_switch_growth_ratio", ratio,
        f"the {SCALE_COUNTS[-1]}-domain switch over the {SCALE_COUNTS[0]}-domain one: "
        "1.0 when the scheduler does not scan its vCPUs", goal=SCALE_GROWTH_GOAL))
    text = overhead and " ".join(f"{k}={v}" for k, v in overhead[2].items())
    figures.append(Figure(
        "domain_overhead_bytes", overhead and overhead[1],
        "what Tally allocates for a 2 MiB domain beyond its RAM"
        + (f": {text}" if overhead else " (no `overhead_bytes=` creation line)")))
    return figures


def run(build, timeout, bench_run, run_failure, Figure, show):
    """The SCALE_COUNTS runs through bench.bench_run; (figures, failed runs)."""
    paths, overhead, failed = {}, None, 0
    for count in SCALE_COUNTS:
        result = bench_run(build, f"sched-scale{count}", scale_modules(count), timeout,
                           lambda r, c=count: scale_failure(c, r, run_failure),
                           cmdline=SCALE_CMDLINE, megs=scale_megs(count))
        if result is None:
            failed += 1
            continue
        print(f"sched-scale{count}: a halter and {count - 1} spins, {result.seconds:.1f}s wall")
        paths[count] = parse_paths(result.serial)
        overhead = overhead or parse_overhead(result.serial)
    return show(scale_figures(paths, overhead, Figure)), failed
