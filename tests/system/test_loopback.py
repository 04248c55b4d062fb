# SPDX-License-Identifier: MIT
"""Host tests of the loopback shim and of the check runners apply to every emulator.

The check (tools/loopback.py) is tested on synthetic /proc/net/tcp{,6}
tables and on a real process listening on the wildcard address, which it
must report; the shim (BUILD/tools/loopback-bind.so, from TALLY_BUILD) is
preloaded into such a process, which must then listen on loopback only.
run.py runs these as `host-tools`; alone: python3 -m unittest discover -s tests/system
"""

import ipaddress
import os
import socket
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import loopback  # noqa: E402

BUILD = os.environ.get("TALLY_BUILD", os.path.join(ROOT, "build"))

# As the kernel writes them (little-endian host): 0.0.0.0:5900 and 127.0.0.1:5901
# listening (0A), an established connection (01), and a listener of another process.
TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0
   1: 0100007F:170D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 112 1 0 100 0 0 10 0
   2: 0100007F:9C40 0100007F:170D 01 00000000:00000000 00:00000000 00000000     0        0 113 1 0 20 4 30 10 -1
   3: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0 100 0 0 10 0
"""
TCP6 = """\
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:170E 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 114 1 0 100 0 0 10 0
   1: 00000000000000000000000001000000:170F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 115 1 0 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1710 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 116 1 0 100 0 0 10 0
"""
INODES = {"111", "112", "113", "114", "115", "116"}

# A process that listens on @family's wildcard address, prints where it is bound, and waits.
LISTENER = """\
import socket, sys
family = getattr(socket, sys.argv[1])
s = socket.socket(family, socket.SOCK_STREAM)
s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))
s.listen(1)
print(s.getsockname()[0], s.getsockname()[1], flush=True)
sys.stdin.read()
"""


def ip(text):
    return ipaddress.ip_address(text)


@unittest.skipUnless(sys.byteorder == "little", "the tables above are little-endian")
class TcpTables(unittest.TestCase):
    def test_ipv4_listeners_of_the_process_only(self):
        found = loopback.parse_tcp_table(TCP, INODES)
        self.assertEqual([(str(a), p) for a, p in found],
                         [("0.0.0.0", 5900), ("127.0.0.1", 5901)])

    def test_ipv6_listeners(self):
        found = loopback.parse_tcp_table(TCP6, INODES)
        self.assertEqual(found, [(ip("::"), 5902), (ip("::1"), 5903),
                                 (ip("::ffff:127.0.0.1"), 5904)])

    def test_only_loopback_passes(self):
        verdicts = {a: loopback.is_loopback(a) for a, _ in
                    loopback.parse_tcp_table(TCP, INODES) + loopback.parse_tcp_table(TCP6, INODES)}
        self.assertEqual(verdicts, {ip("0.0.0.0"): False, ip("127.0.0.1"): True, ip("::"): False,
                                    ip("::1"): True, ip("::ffff:127.0.0.1"): True})

    def test_described_as_the_runner_reports_them(self):
        self.assertEqual(loopback.describe(ip("0.0.0.0"), 5900), "0.0.0.0:5900")
        self.assertEqual(loopback.describe(ip("::"), 5900), "[::]:5900")


def ipv6_available():
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()
        return True
    except OSError:
        return False


class RealListener(unittest.TestCase):
    """A real process on the wildcard address: the check sees it; the shim moves it to loopback."""

    def shim(self):
        shim = loopback.shim_path(BUILD)
        if not os.path.isfile(shim):
            if "TALLY_BUILD" in os.environ:
                self.fail(f"{shim} missing: make builds it")
            self.skipTest(f"{shim} not built")
        return shim

    def listen(self, family, env=None):
        """Start LISTENER; return (process, address it bound, port)."""
        proc = subprocess.Popen([sys.executable, "-c", LISTENER, family], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.stdin.close)
        address, port = proc.stdout.readline().split()
        return proc, address, int(port)

    def test_wildcard_listener_is_reported(self):
        proc, address, port = self.listen("AF_INET")
        self.assertEqual(address, "0.0.0.0")
        self.assertIn(f"0.0.0.0:{port}", loopback.exposed(proc.pid))

    def test_shim_moves_ipv4_wildcard_to_loopback(self):
        proc, address, port = self.listen("AF_INET", loopback.preload_env(self.shim()))
        self.assertEqual(address, "127.0.0.1")
        self.assertEqual(loopback.exposed(proc.pid), [])
        self.assertIn((ip("127.0.0.1"), port), loopback.listeners(proc.pid))

    @unittest.skipUnless(ipv6_available(), "no IPv6 here")
    def test_shim_moves_ipv6_wildcard_to_loopback(self):
        proc, address, port = self.listen("AF_INET6")
        self.assertIn(f"[::]:{port}", loopback.exposed(proc.pid))
        proc, address, port = self.listen("AF_INET6", loopback.preload_env(self.shim()))
        self.assertEqual(address, "::1")
        self.assertEqual(loopback.exposed(proc.pid), [])

    def test_shim_keeps_two_wildcard_binds_off_one_port(self):
        """Bochs' RFB pattern (SO_REUSEADDR, bind, listen later) in two sockets: under the
        shim the second bind of the port fails, so the second Bochs moves on to the next port."""
        script = (
            "import socket, errno\n"
            "a = socket.socket(); a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            "a.bind(('0.0.0.0', 0)); port = a.getsockname()[1]\n"
            "b = socket.socket(); b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            "try:\n    b.bind(('0.0.0.0', port)); print('bound')\n"
            "except OSError as e:\n    print(errno.errorcode[e.errno])\n")
        def run(env):
            return subprocess.run([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                                  text=True, check=True).stdout.strip()
        self.assertEqual(run(None), "bound")     # the race Bochs can lose, without the shim
        self.assertEqual(run(loopback.preload_env(self.shim())), "EADDRINUSE")

    def test_missing_shim_is_refused(self):
        with self.assertRaisesRegex(FileNotFoundError, "every interface"):
            loopback.preload_env(os.path.join(BUILD, "no-such-shim.so"))


if __name__ == "__main__":
    unittest.main()
