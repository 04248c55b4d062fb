# SPDX-License-Identifier: MIT
"""tally_plot: charts of Tally's figures with matplotlib (Agg, no display).

Shared by tools/tally-metrics (CPU share over time) and the other host
tools.  The series helpers (cpu_series, top_n) are plain Python and import
nothing heavy; matplotlib is imported only when a figure is drawn.
"""

import io
import math
import os

TOP_DEFAULT = 10
TIME_AXIS = "uptime (s): Tally's clock, the boot CPU's TSC since power-on"
HYPERVISOR_LABEL = "Tally (hypervisor)"
IDLE_LABEL = "idle"
CPU_FIELDS = ("guest_cycles", "hypervisor_cycles", "idle_cycles")


def _num(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _cpu_sum(sample, name):
    return sum(_num(c.get(name)) or 0 for c in sample.get("cpus", []))


def cpu_series(history):
    """(times in s, {(id, name): [% or None]}, hypervisor %, idle %) between samples.

    A domain's share is its cpu_cycles delta over all CPUs' accounted delta
    (guest + hypervisor + idle), so 100 % is every CPU busy; when the CPU
    counters do not move, over elapsed time x tsc_khz x CPUs instead.
    Hypervisor and idle are the CPUs' own deltas over the same span.
    """
    times, doms, hyp, idle = [], {}, [], []
    for prev, cur in zip(history, history[1:]):
        total = sum(_cpu_sum(cur, f) - _cpu_sum(prev, f) for f in CPU_FIELDS)
        span = total if total > 0 else ((cur["t_ms"] - prev["t_ms"]) * (_num(cur.get("tsc_khz"))
                                        or 0) * max(1, len(cur.get("cpus", []))))
        if span <= 0:
            continue
        before = {d.get("id"): d for d in prev.get("domains", [])}
        for d in cur.get("domains", []):
            was = before.get(d.get("id")) or {}
            now, then = _num(d.get("cpu_cycles")), _num(was.get("cpu_cycles"))
            key = (d.get("id"), str(d.get("name", "")))
            values = doms.setdefault(key, [None] * len(times))
            if now is not None and then is not None:
                values.append(max(0.0, 100.0 * (now - then) / span))
            else:
                values.append(None)
        for values in doms.values():
            values.extend([None] * (len(times) + 1 - len(values)))
        times.append(cur["t_ms"] / 1000.0)
        for out, name in ((hyp, "hypervisor_cycles"), (idle, "idle_cycles")):
            delta = _cpu_sum(cur, name) - _cpu_sum(prev, name)
            out.append(100.0 * delta / span if total > 0 else None)
    return times, doms, hyp, idle


def top_n(series, n, other="others"):
    """[(key, values)] of the @n keys of @series with the largest sum, biggest first, then
    (f"{other} (K)", their point-wise sum) for the K others: a legend stays readable."""
    def total(values):
        return sum(v for v in values if v is not None)
    ranked = sorted(series, key=lambda k: (-total(series[k]), str(k)))
    kept = [(k, series[k]) for k in ranked[:n]]
    rest = [series[k] for k in ranked[n:]]
    if rest:
        summed = [None if all(v is None for v in col) else sum(v or 0 for v in col)
                  for col in zip(*rest)]
        kept.append((f"{other} ({len(rest)})", summed))
    return kept


def figure(size_px, title, xlabel, ylabel):
    """(fig, ax) of @size_px (width, height) pixels with a title and labelled axes."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    fig = Figure(figsize=(size_px[0] / 100, size_px[1] / 100), dpi=100)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return fig, ax


def legend_outside(fig, ax, entries):
    """The legend to the right of the axes, in one or two columns by @entries."""
    fig.subplots_adjust(left=0.08, right=0.74 if entries <= 14 else 0.62, bottom=0.13)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
              ncol=1 if entries <= 14 else 2, frameon=False)


def save(fig, path):
    """Write @fig as a PNG to @path (whole or not at all: a reader never sees half)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf.getvalue())
    os.replace(tmp, path)


OTHERS_COLOUR = "#c8c8c8"


def _colours(count):
    """@count distinct colours: matplotlib's tab10, or tab20 for more than ten lines."""
    from matplotlib import colormaps
    cmap = colormaps["tab10" if count <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(count)]


def domain_label(key):
    return key if isinstance(key, str) else f"{key[1]} (d{key[0]})"


def cpu_chart(history, size_px, top=TOP_DEFAULT):
    """(fig, points): each domain's share of all CPUs over time, the @top busiest one by
    one and the rest summed, and Tally's own and idle time, against uptime."""
    times, doms, hyp, idle = cpu_series(history)
    fig, ax = figure(size_px, "Tally: CPU share by domain",
                     TIME_AXIS, "share of all CPUs (%)")
    lines = top_n(doms, top)
    colours = _colours(len(lines))
    for i, (key, values) in enumerate(lines):
        rest = isinstance(key, str)     # the summed others: wide and pale, behind the rest
        ax.plot(times, [math.nan if v is None else v for v in values],
                label=domain_label(key), linewidth=4 if rest else 1.5,
                color=OTHERS_COLOUR if rest else colours[i], zorder=1 if rest else 2,
                marker="." if len(times) < 3 else None)
    for label, values, style in ((HYPERVISOR_LABEL, hyp, dict(color="black", linestyle="--")),
                                 (IDLE_LABEL, idle, dict(color="grey", linestyle=":"))):
        ax.plot(times, [math.nan if v is None else v for v in values], label=label,
                linewidth=1.5, **style)
    ax.set_ylim(0, 100)
    if times:
        ax.set_xlim(times[0], times[-1] if times[-1] > times[0] else times[0] + 1)
    legend_outside(fig, ax, len(lines) + 2)
    return fig, len(times)
