# SPDX-License-Identifier: MIT
"""tools/emu.py's SerialSocket: keys typed on cue, however the emulator's bytes are chunked."""

import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import emu  # noqa: E402


class FakeConn:
    def __init__(self):
        self.sent = []

    def sendall(self, data):
        self.sent.append(data)


class Steps(unittest.TestCase):
    def feed(self, keys, chunks):
        with tempfile.TemporaryDirectory() as tmp:
            sock = emu.SerialSocket(os.path.join(tmp, "serial.log"), keys)
            try:
                conn = FakeConn()
                for chunk in chunks:
                    sock._take(conn, chunk)
                return conn.sent, sock.untyped
            finally:
                sock.close()

    def test_two_awaited_lines_in_one_chunk(self):
        """An empty step waits for the first line; the second may come in the same chunk."""
        keys = [(r"^ready$", ""), (r"^ready$", "go")]
        sent, untyped = self.feed(keys, [b"boot\r\nready\r\nready\r\nprompt> "])
        self.assertEqual(sent, [b"", b"go"])
        self.assertEqual(untyped, [])

    def test_lines_before_a_typed_text_do_not_answer_it(self):
        """After text is typed, only lines that arrive later match the next step."""
        keys = [(r"^ready$", "a"), (r"^done$", "b")]
        sent, untyped = self.feed(keys, [b"ready\r\ndone\r\n"])
        self.assertEqual(sent, [b"a"])
        self.assertEqual(untyped, [(r"^done$", "b")])
        sent, untyped = self.feed(keys, [b"ready\r\n", b"done\r\n"])
        self.assertEqual(sent, [b"a", b"b"])

    def test_a_line_split_across_chunks(self):
        sent, _ = self.feed([(r"^ready for 4 lines$", "x")], [b"rea", b"dy for 4 li", b"nes\r\n"])
        self.assertEqual(sent, [b"x"])


if __name__ == "__main__":
    unittest.main()
