# SPDX-License-Identifier: MIT
"""docs/INSTANCE_TYPES.md is what tools/gen-instance-types makes of kernel/instance_types.c.

The table is never copied by hand: change the C table, then run
`tools/gen-instance-types --write`.
"""

import importlib.machinery
import importlib.util
import os
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GEN = os.path.join(ROOT, "tools", "gen-instance-types")


def load_gen():
    loader = importlib.machinery.SourceFileLoader("gen_instance_types", GEN)
    spec = importlib.util.spec_from_loader("gen_instance_types", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class InstanceTypesDoc(unittest.TestCase):
    def setUp(self):
        self.gen = load_gen()
        with open(self.gen.SOURCE) as f:
            self.rows = self.gen.table(f.read())

    def test_parser_reads_every_row(self):
        # As many rows as the C table has entries (a parser that finds nothing would
        # make the comparison below pass on an empty table).
        with open(self.gen.SOURCE) as f:
            entries = f.read().count('{ "')
        self.assertEqual(len(self.rows), entries)
        self.assertGreaterEqual(len(self.rows), 5)
        self.assertIn(("t1.nano", 1, 32, 0, 524288, 524288, 1000, 1000), self.rows)

    def test_doc_is_generated(self):
        with open(self.gen.DOC) as f:
            committed = f.read()
        self.assertEqual(committed, self.gen.render(self.rows),
                         "docs/INSTANCE_TYPES.md is stale: run tools/gen-instance-types --write")


if __name__ == "__main__":
    unittest.main()
