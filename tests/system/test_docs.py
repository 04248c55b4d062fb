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
        row = next(ln for ln in self.doc.splitlines() if ln.startswith("| 15 |"))
        missing = hypercall_doc_problems(self.header, self.doc.replace(row + "\n", ""))
        self.assertIn("TALLY_HC_DOMAIN_LIST_FROM (15) has no row in the Calls table", missing)
        extra = self.doc.replace(row, row + "\n" + row.replace("| 15 |", "| 99 |"))
        self.assertIn("row 99 DOMAIN_LIST_FROM: no TALLY_HC_ with that number in tally.h",
                      hypercall_doc_problems(self.header, extra))


# ---------------------------------------------------------------- docs/PLATFORM.md

PLATFORM_MD = os.path.join(ROOT, "docs", "PLATFORM.md")
VPLATFORM_H = os.path.join(ROOT, "include", "tally", "vplatform.h")
EXIT_CPUID_C = os.path.join(ROOT, "arch", "x86_64", "vmx", "exit_cpuid.c")
EXIT_MSR_C = os.path.join(ROOT, "arch", "x86_64", "vmx", "exit_msr.c")
MSR_HEADERS = [os.path.join(ROOT, "arch", "x86_64", "include", "arch", name)
               for name in sorted(os.listdir(os.path.join(ROOT, "arch", "x86_64", "include",
                                                          "arch")))] + [EXIT_MSR_C]


def section(doc, title):
    """The text of @doc's `## @title...` section, up to the next `## `."""
    m = re.search(rf"^## {re.escape(title)}(?: \([^\n]*)?\n(.*?)(?=^## |\Z)", doc, re.M | re.S)
    if not m:
        raise AssertionError(f"docs/PLATFORM.md has no section {title!r}")
    return m.group(1)


def md_rows(text):
    """The cells of each body row of the markdown tables in @text."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|\s*-", line):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return [r for r in rows if r]


def vplatform_addresses(header):
    """{NAME: value} of vplatform.h's port and MMIO base constants."""
    return {name: int(value, 16) for name, value in
            re.findall(r"#define (VPLATFORM_\w+_(?:PORT|BASE))\s+(0x[0-9A-Fa-f]+)", header)}


def function_body(source, name):
    m = re.search(rf"\b{name}\([^)]*\)\n\{{\n(.*?)\n\}}\n", source, re.S)
    if not m:
        raise AssertionError(f"no function {name} in exit_msr.c")
    return m.group(1)


def msr_access(source):
    """{MSR name without MSR_: (readable, writable)} from exit_msr.c's allow list."""
    syscall = re.search(r"syscall_msrs\[\d+\] = \{(.*?)\}", source, re.S).group(1)
    names = {n: (True, True) for n in re.findall(r"MSR_(\w+)", syscall)}
    reads = set(re.findall(r"case MSR_(\w+):", function_body(source, "read_allowed")))
    writes = set(re.findall(r"case MSR_(\w+):", function_body(source, "write_allowed")))
    for name in reads | writes:
        names[name] = (name in reads, name in writes)
    return names


def msr_numbers(sources):
    numbers = {}
    for text in sources:
        for name, value in re.findall(r"#define MSR_(\w+)\s+(0x[0-9A-Fa-f]+)", text):
            numbers.setdefault(name, int(value, 16))
    return numbers


def cpuid_facts(source):
    """(leaves the filter changes, the hidden-bit names) from exit_cpuid.c."""
    body = function_body(source, "filter")
    leaves = {int(x, 0) for x in re.findall(r"case (0x[0-9A-Fa-f]+|\d+):", body)}
    macros = dict(re.findall(r"#define (LEAF_\w+)\s+(0x[0-9A-Fa-f]+u?|\d+)", source))
    leaves |= {int(macros[m].rstrip("u"), 0) for m in re.findall(r"case (LEAF_\w+):", body)}
    leaves |= {int(macros[m].rstrip("u"), 0) for m in ("LEAF_TSC_CRYSTAL", "LEAF_FREQUENCY")}
    hidden = set()
    for mask in re.findall(r"static const uint32_t leaf\w+_hidden = (.*?);", source, re.S):
        hidden |= set(re.findall(r"CPUID_\w+", mask))
    return leaves, hidden


def leaf_cells(rows):
    """{leaf number: its row's text} of the CPUID table (a cell may name several leaves)."""
    out = {}
    for row in rows:
        for leaf in re.findall(r"0x[0-9A-Fa-f]+|\b\d+\b", row[0]):
            out[int(leaf, 0)] = row[1]
    return out


class PlatformDoc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = read(PLATFORM_MD)

    def test_every_port_and_mmio_base_is_documented(self):
        addresses = vplatform_addresses(read(VPLATFORM_H))
        self.assertGreaterEqual(len(addresses), 10)
        text = self.doc.lower()
        for name, value in addresses.items():
            with self.subTest(name):
                self.assertIn(f"{value:#x}", text, f"{name} = {value:#x} not in PLATFORM.md")
                self.assertIn(name, self.doc)

    def test_cpuid_table_lists_every_changed_leaf_and_hidden_bit(self):
        leaves, hidden = cpuid_facts(read(EXIT_CPUID_C))
        self.assertTrue({0, 1, 7, 0x15, 0x16, 0x80000001} <= leaves)
        cells = leaf_cells(md_rows(section(self.doc, "CPUID")))
        for leaf in sorted(leaves):
            self.assertIn(leaf, cells, f"CPUID leaf {leaf:#x} is not in the table")
        table = section(self.doc, "CPUID")
        for name in sorted(hidden):
            self.assertIn(name, table, f"{name} is hidden by exit_cpuid.c, not in the table")
        documented = set(re.findall(r"CPUID_\w+", table))
        self.assertFalse(documented - hidden - {"CPUID_7_EBX_TSC_ADJUST"},
                         "bits the table says are hidden that exit_cpuid.c does not hide")

    def test_msr_table_is_the_allow_list(self):
        source = read(EXIT_MSR_C)
        access = msr_access(source)
        numbers = msr_numbers([read(p) for p in MSR_HEADERS])
        rows = {r[0]: r for r in md_rows(section(self.doc, "MSRs")) if r[0] != "MSR"}
        self.assertEqual(set(rows), {n.replace("IA32_", "IA32_") for n in access},
                         "MSR rows differ from exit_msr.c's allow list")
        for name, (readable, writable) in access.items():
            with self.subTest(name):
                row = rows[name]
                self.assertEqual(int(row[1], 16), numbers[name])
                self.assertEqual(row[2:4], ["yes" if readable else "no",
                                            "yes" if writable else "no"])

    def test_checks_fail_on_a_wrong_table(self):
        """The helpers see a changed row: a read-only MSR marked writable, a missing leaf."""
        self.assertEqual(md_rows("| a | b |\n| --- | --- |\n| X | 0x1 |\n"),
                         [["a", "b"], ["X", "0x1"]])
        source = read(EXIT_MSR_C)
        self.assertEqual(msr_access(source)["IA32_MCG_CAP"], (True, False))
        self.assertNotIn(0x12345, leaf_cells([["0x15", "x"]]))

    def test_adding_a_device_names_the_hooks(self):
        text = section(self.doc, "Adding a device")
        for hook in ("vio_register_ports", "vmmio_register", "domain_irq_set", "vacpi_device"):
            self.assertIn(hook, text)


if __name__ == "__main__":
    unittest.main()


class GuestFolderList(unittest.TestCase):
    """tests/guests/README.md's table names exactly the guests in each folder."""

    def test_each_folder_row_lists_its_guests(self):
        with open(os.path.join(ROOT, "tests", "guests", "README.md")) as f:
            text = f.read()
        for folder in ("check", "load"):
            row = re.search(rf"^\| `{folder}/` \|[^|]*\| ([^|]*) \|$", text, re.MULTILINE)
            self.assertIsNotNone(row, f"no row for {folder}/")
            listed = [n.strip() for n in row.group(1).split(",")]
            present = sorted(n for n in os.listdir(os.path.join(ROOT, "tests", "guests", folder))
                             if os.path.isdir(os.path.join(ROOT, "tests", "guests", folder, n)))
            self.assertEqual(listed, present, f"tests/guests/README.md's {folder}/ row")


class VdevReadme(unittest.TestCase):
    """drivers/vdev/README.md names every device model's source file."""

    def test_every_file_is_described(self):
        folder = os.path.join(ROOT, "drivers", "vdev")
        text = read(os.path.join(folder, "README.md"))
        for name in sorted(os.listdir(folder)):
            if name.endswith((".c", ".h")):
                self.assertIn(f"`{name}`", text, f"drivers/vdev/README.md does not describe {name}")
