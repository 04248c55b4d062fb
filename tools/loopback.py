# SPDX-License-Identifier: MIT
"""Keep the emulators Tally's tools start on loopback: the bind shim and the check.

Bochs' RFB display listens on every interface, ports 5900-5949, without a
password, and has no option to change that.  BUILD/tools/loopback-bind.so
(tools/loopback-bind.c, built by `make`) is preloaded into every Bochs so
that a bind() to the wildcard address binds to loopback instead.
listeners() reads which TCP sockets a process listens on, from
/proc/PID/fd and /proc/PID/net/tcp{,6}, so that runners can check it.
"""

import ipaddress
import os
import sys

SHIM = os.path.join("tools", "loopback-bind.so")      # inside a build directory
TCP_LISTEN = "0A"                                     # st column of /proc/net/tcp


def shim_path(build):
    """The loopback shim of build directory @build (it may not exist)."""
    return os.path.join(os.path.abspath(build), SHIM)


def preload_env(shim, base=None):
    """A copy of @base (default os.environ) that preloads @shim; raise if it is missing."""
    if not shim or not os.path.isfile(shim):
        raise FileNotFoundError(f"{shim or 'the loopback shim'} missing: Bochs would listen "
                                "on every interface (run make, which builds BUILD/tools/)")
    env = dict(os.environ if base is None else base)
    env["LD_PRELOAD"] = " ".join(p for p in (shim, env.get("LD_PRELOAD", "")) if p)
    return env


def socket_inodes(pid):
    """The inodes of the sockets process @pid holds open (empty once it is gone)."""
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return inodes
    for name in names:
        try:
            target = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue                    # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def decode_address(hex_addr):
    """An address as /proc/net/tcp{,6} writes it (32-bit words in host order) -> ip_address."""
    raw = bytes.fromhex(hex_addr)
    if sys.byteorder == "little":
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(raw)


def parse_tcp_table(text, inodes):
    """[(address, port)] of the listening sockets in /proc/net/tcp{,6} text @text, of @inodes."""
    found = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != TCP_LISTEN or fields[9] not in inodes:
            continue
        addr, port = fields[1].rsplit(":", 1)
        found.append((decode_address(addr), int(port, 16)))
    return found


def is_loopback(address):
    """True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.0.0.1)."""
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def listeners(pid):
    """[(address, port)] of every TCP socket process @pid listens on (in its network namespace)."""
    inodes = socket_inodes(pid)
    if not inodes:
        return []
    found = []
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as f:
                found += parse_tcp_table(f.read(), inodes)
        except OSError:
            continue                    # gone, or no IPv6 here
    return found


def describe(address, port):
    """`127.0.0.1:5900`, `[::]:5900`."""
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"


def exposed(pid):
    """The listening sockets of process @pid that are not on loopback, described."""
    return [describe(a, p) for a, p in listeners(pid) if not is_loopback(a)]
