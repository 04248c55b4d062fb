#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs the libFuzzer harnesses one after the other and prints a table.

`make fuzz` runs each harness for a time budget (and at most --runs
executions), growing a working corpus in BUILD/fuzz/corpus/<target>/ from
the committed seeds in tests/fuzz/corpus/<target>/, which it never writes.
`make fuzz-smoke` (--smoke) runs each over its committed corpus plus a few
thousand fixed-seed mutations.  A crash or broken invariant leaves its
input in BUILD/fuzz/crashes/<target>/ and makes the run exit 1.  One
harness at a time, one process each (-jobs is never used): the table's
exec/s are those of a single core.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SMOKE_RUNS = 2000
SMOKE_SECONDS = 20          # a bound in case a harness got slow, not a budget
SMOKE_SEED = 1
STATUS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", re.MULTILINE)
STAT = re.compile(r"^stat::(\w+):\s+(\d+)", re.MULTILINE)


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def run_one(target, args):
    """Run @target once; returns its row for the table."""
    seeds = os.path.join(HERE, "corpus", target.removeprefix("fuzz_"))
    crashes = fresh_dir(os.path.join(args.work, "crashes", target))
    if args.smoke:
        corpus = fresh_dir(os.path.join(args.work, "smoke", target))
        opts = [f"-runs={SMOKE_RUNS}", f"-seed={SMOKE_SEED}", f"-max_total_time={SMOKE_SECONDS}"]
    else:
        corpus = os.path.join(args.work, "corpus", target)
        os.makedirs(corpus, exist_ok=True)
        opts = [f"-max_total_time={args.seconds}"] + ([f"-runs={args.runs}"] if args.runs else [])
    cmd = [os.path.join(args.bin, target), *opts, "-print_final_stats=1",
           f"-artifact_prefix={crashes}/", corpus, seeds]
    log = os.path.join(args.work, f"{target}.log")
    start = time.monotonic()
    with open(log, "w") as out:         # written as it runs: `tail -f` follows a long run
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - start
    with open(log, errors="replace") as f:
        text = f.read()
    status = STATUS.findall(text)
    stats = dict(STAT.findall(text))
    cov, ft, corp, corp_size = status[-1][1:] if status else ("?", "?", "?", "?")
    found = len(os.listdir(crashes))
    if proc.returncode and not found:
        found = 1           # died without leaving its input (e.g. killed)
    return {"target": target, "execs": int(stats.get("number_of_executed_units", 0)),
            "exec/s": int(stats.get("average_exec_per_sec", 0)), "cov": cov, "ft": ft,
            "corpus": f"{corp}/{corp_size}", "crashes": found, "seconds": f"{seconds:.0f}",
            "log": log}


def print_table(rows):
    cols = ["target", "execs", "exec/s", "cov", "ft", "corpus", "crashes", "seconds"]
    width = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(width[c]) for c in cols))
    for r in rows:
        print("  ".join(str(r[c]).ljust(width[c]) for c in cols))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="folder of the harness binaries")
    ap.add_argument("--work", required=True, help="folder for corpora, crashes and logs")
    ap.add_argument("--seconds", type=int, default=60, help="time budget per harness")
    ap.add_argument("--runs", type=int, default=0, help="stop a harness after this many executions")
    ap.add_argument("--smoke", action="store_true", help="committed corpus plus a few mutations")
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rows = []
    for target in args.targets:
        rows.append(run_one(target, args))
        r = rows[-1]
        if r["crashes"]:
            print(f"{target}: CRASH, see {r['log']} and {args.work}/crashes/{target}/",
                  file=sys.stderr)
    print_table(rows)
    if any(r["crashes"] for r in rows):
        print("fuzz: FAILED", file=sys.stderr)
        return 1
    print(f"fuzz: {len(rows)} harnesses, no crash")
    return 0


if __name__ == "__main__":
    sys.exit(main())
