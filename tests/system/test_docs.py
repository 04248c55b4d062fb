# SPDX-License-Identifier: MIT
"""The docs that restate code agree with it.

docs/SCENARIOS.md is generated from the Scenario records (run.py --list
--markdown) and must be byte-for-byte what the generator prints.
docs/HYPERCALLS.md's tables are written by hand and checked against
include/public/tally.h: every TALLY_HC_* call with its number, arguments,
errors and who may call it, every TALLY_E* code with its value, and no
row the header does not have.
"""

import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import run  # noqa: E402

SCENARIOS_MD = os.path.join(ROOT, "docs", "SCENARIOS.md")
HYPERCALLS_MD = os.path.join(ROOT, "docs", "HYPERCALLS.md")
TALLY_H = os.path.join(ROOT, "include", "public", "tally.h")
REGENERATE = "tests/system/run.py --list --markdown > docs/SCENARIOS.md"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def scenario_doc_problem(committed, generated):
    """None if @committed is @generated, else a message naming the first differing line."""
    if committed == generated:
        return None
    old, new = committed.splitlines(), generated.splitlines()
    n = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    return (f"docs/SCENARIOS.md is stale (first difference at line {n + 1}: "
            f"{old[n] if n < len(old) else '<end>'!r} vs {new[n] if n < len(new) else '<end>'!r}); "
            f"regenerate it with `{REGENERATE}`")


def header_calls(header):
    """{number: (NAME, (args), {errors}, control_only)} from tally.h's TALLY_HC_* defines and
    the comment above each group of them."""
    calls = {}
    groups = re.findall(r"/\*((?:(?!\*/).)*)\*/\s*((?:#define TALLY_HC_\w+\s+\d+[^\n]*\n)+)",
                        header, re.S)
    for comment, defines in groups:
        sigs = dict(re.findall(r"TALLY_HC_(\w+)\(([^)]*)\)", comment))
        errors_text = comment.split("Errors:", 1)[1] if "Errors:" in comment else ""
        errors = set(re.findall(r"-(E[A-Z0-9]+)\b", errors_text))
        control = "Control only" in comment
        for name, nr in re.findall(r"#define TALLY_HC_(\w+)\s+(\d+)", defines):
            if name == "COUNT":
                continue
            args = tuple(a.strip() for a in sigs.get(name, "").split(",") if a.strip())
            calls[int(nr)] = (name, args, errors, control)
    return calls


def header_errors(header):
    """{NAME: value} of the TALLY_E* error codes."""
    return {n: int(v) for n, v in re.findall(r"#define TALLY_(E[A-Z0-9]+)\s+(\d+)", header)}


def table_rows(doc, heading):
    """The body rows (lists of cells) of the first table under the `## @heading` section."""
    section = doc.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [re.split(r"(?<!\\)\|", ln.strip())[1:-1] for ln in section.splitlines()
            if ln.startswith("|")]
    return [[c.strip() for c in row] for row in rows[2:]]


def hypercall_doc_problems(header, doc):
    """What docs/HYPERCALLS.md (@doc) says differently from tally.h (@header); [] if nothing."""
    problems = []
    calls = header_calls(header)
    seen = set()
    for nr, name, args, _result, errors, who in table_rows(doc, "Calls"):
        nr, name = int(nr), name.strip("`")
        seen.add(nr)
        if nr not in calls:
            problems.append(f"row {nr} {name}: no TALLY_HC_ with that number in tally.h")
            continue
        h_name, h_args, h_errors, h_control = calls[nr]
        d_args = tuple(a for a in re.findall(r"`(\w+)`", args) if not a.startswith("tally_"))
        d_errors = set(re.findall(r"\bE[A-Z0-9]+\b", errors))
        if name != h_name:
            problems.append(f"row {nr} is {name}, tally.h's TALLY_HC_{h_name} is {nr}")
        if d_args != h_args:
            problems.append(f"{name}: arguments {d_args}, tally.h {h_args}")
        if d_errors != h_errors:
            problems.append(f"{name}: errors {sorted(d_errors)}, tally.h {sorted(h_errors)}")
        if ("control only" in who) != h_control:
            problems.append(f"{name}: who {who!r}, tally.h "
                            f"{'Control only' if h_control else 'Anyone'}")
    for nr in sorted(set(calls) - seen):
        problems.append(f"TALLY_HC_{calls[nr][0]} ({nr}) has no row in the Calls table")
    codes = header_errors(header)
    doc_codes = {c[0].strip("`").replace("TALLY_", ""): int(c[1])
                 for c in table_rows(doc, "Calling convention") if c[0].startswith("`TALLY_E")}
    if doc_codes != codes:
        problems.append(f"error codes {doc_codes}, tally.h {codes}")
    return problems


class ScenarioListTest(unittest.TestCase):
    def test_committed_list_is_generated(self):
        problem = scenario_doc_problem(read(SCENARIOS_MD), run.scenarios_markdown())
        self.assertIsNone(problem, problem)

    def test_a_stale_list_is_caught(self):
        generated = run.scenarios_markdown()
        stale = generated.replace("| `bochs-2cpu` |", "| `bochs-two` |")
        self.assertIn("line", scenario_doc_problem(stale, generated))
        self.assertIn(REGENERATE, scenario_doc_problem(generated[:-200], generated))

    def test_every_scenario_has_a_row(self):
        rows = [ln for ln in run.scenarios_markdown().splitlines() if ln.startswith("| `")]
        self.assertEqual(len(rows), len(run.scenarios.SCENARIOS) + 1)     # + host-tools


class HypercallTableTest(unittest.TestCase):
    def setUp(self):
        self.header, self.doc = read(TALLY_H), read(HYPERCALLS_MD)

    def test_header_parsed(self):
        calls = header_calls(self.header)
        count = int(re.search(r"#define TALLY_HC_COUNT\s+(\d+)", self.header).group(1))
        self.assertEqual(sorted(calls), list(range(count)))
        self.assertEqual(calls[11], ("VCPU_COUNTERS", ("domain_id", "array_gpa", "capacity"),
                                     {"ENOENT", "EPERM", "E2BIG", "EFAULT", "EINVAL"}, False))
        self.assertEqual(calls[9][0::3], ("DOMAIN_UNPAUSE", True))
        self.assertEqual(calls[7], ("YIELD", (), set(), False))
        self.assertEqual(header_errors(self.header)["ENOSYS"], 38)

    def test_doc_agrees_with_header(self):
        problems = hypercall_doc_problems(self.header, self.doc)
        self.assertEqual(problems, [], "\n".join(problems))

    def test_disagreements_are_caught(self):
        cases = {
            "| 7 | `YIELD` |": ("| 7 | `YIELDS` |", "row 7 is YIELDS"),
            "| `CPU_COUNTERS` | `array_gpa`, `capacity` |":
                ("| `CPU_COUNTERS` | `array_gpa` |", "CPU_COUNTERS: arguments"),
            "| ENOENT, EFAULT, EINVAL | control only |":
                ("| ENOENT, EFAULT | control only |", "DOMAIN_COUNTERS_OF: errors"),
            "| bytes written | EFAULT, EINVAL | anyone |":
                ("| bytes written | EFAULT, EINVAL | control only |", "DOMAIN_INFO: who"),
            "| `TALLY_ENOSYS` | 38 |": ("| `TALLY_ENOSYS` | 39 |", "error codes"),
        }
        for old, (new, expected) in cases.items():
            self.assertIn(old, self.doc)
            problems = hypercall_doc_problems(self.header, self.doc.replace(old, new, 1))
            self.assertTrue(any(expected in p for p in problems), (old, problems))
        row = next(ln for ln in self.doc.splitlines() if ln.startswith("| 12 |"))
        missing = hypercall_doc_problems(self.header, self.doc.replace(row + "\n", ""))
        self.assertIn("TALLY_HC_CPU_COUNTERS (12) has no row in the Calls table", missing)
        extra = self.doc.replace(row, row + "\n" + row.replace("| 12 |", "| 13 |"))
        self.assertIn("row 13 CPU_COUNTERS: no TALLY_HC_ with that number in tally.h",
                      hypercall_doc_problems(self.header, extra))


if __name__ == "__main__":
    unittest.main()
