# SPDX-License-Identifier: MIT
"""Unmodified Linux on Tally's virtio NIC and disk: every byte counted on both sides.

Debian's cloud kernel with tools/linux-guest's net initramfs (the virtio
modules insmodded in dependency order, eth0 given the address of
`tally.ip=`), typed into as linux_scenarios.py does.

linux-net: alice and bob in switch group `lan`, mallory alone in `dmz`.
alice pings bob PING_COUNT times; each then prints its eth0 statistics
(what Linux counted) and powers off, and Tally's usage line must hold the
same numbers, which must be exactly the ARP request and reply plus the
echo requests and replies (sizes below).  mallory, with bob's MAC put in
its ARP table by hand, pings him: its frames go nowhere (isolation drops
counted at its port) and nothing reaches alice or bob.

linux-disk: one Linux with an 8 MiB disk whose first 4 MiB are an ext2
image made on the host (`mke2fs -d` over linux_disk/tree, a `disk_of=`
module) mounts it and reads the host's file (its MD5), writes a file of
known contents, syncs, drops the page cache, reads it back (MD5 again),
then moves known amounts through the raw device with O_DIRECT; Linux's
/sys/block/vda/stat (what the block layer completed) must equal Tally's
disk usage line exactly.
"""

import dataclasses
import hashlib
import os
import re

from checks import (InOrder, Line, NoLine, disk_stats, net_identity, net_stats, tail,
                    virtio_errors)
from scenario_base import (BOCHS_IPS, Built, LinuxFile, NO_ERRORS, Scenario, domains_done,
                           guest_line)
import emu  # noqa: E402  (tools/, on the path scenario_base set)
import linux_bench

CMDLINE = linux_bench.TOOL.NET_CMDLINE
MARKER = linux_bench.TOOL.INIT_MARKER
INSMOD_FAILED = linux_bench.TOOL.INSMOD_FAILED
# The kernel loads at 16 MiB (pref_address) and needs init_size (51 MiB) above it.
MEM_MIB = 96
# Three such domains and Tally on one CPU (one emulated CPU runs them all
# faster than two: Bochs interleaves CPUs).
NET_MACHINE = emu.BochsMachine(cpus=1, megs=384, ips=BOCHS_IPS)
DISK_MACHINE = emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS)

# ---------------------------------------------------------------- frame sizes
# Ethernet frames as Linux's statistics and Tally count them: no virtio_net_hdr,
# no FCS, no padding to 60 bytes (a virtual NIC pads nothing).
ETH_HLEN = 14
ARP_FRAME = ETH_HLEN + 28           # RFC 826 for IPv4 over Ethernet
PING_DATA = 56                      # busybox ping's default payload
ICMP_FRAME = ETH_HLEN + 20 + 8 + PING_DATA      # IPv4 header, ICMP echo header
PING_COUNT = 3
EVE_PINGS = 2

STATS = "/sys/class/net/eth0/statistics"
ETH_KEYS = ("tx_packets", "tx_bytes", "rx_packets", "rx_bytes")
# One line a regex finds (the echo of the command has `$(cat` where the numbers go).
SHOW_ETH = "cd " + STATS + " && echo eth0 " + " ".join(f"{k}=$(cat {k})" for k in ETH_KEYS)
ETH_LINE = "eth0 " + " ".join(rf"{k}=(\d+)" for k in ETH_KEYS) + "$"

# The pinger sends one ARP request (broadcast) and the echo requests; the
# other side the ARP reply and the echo replies.  Each side receives what the
# other sent.
PAIR_SENT = {"tx_packets": 1 + PING_COUNT, "tx_bytes": ARP_FRAME + PING_COUNT * ICMP_FRAME}
PAIR_WANT = dict(PAIR_SENT, rx_packets=PAIR_SENT["tx_packets"], rx_bytes=PAIR_SENT["tx_bytes"])


def on(dom, text):
    """A pattern for a line @text (regex) of domain @dom's console, also when it continues
    a line of @dom's that another console line interrupted (`<dom>+ `)."""
    return guest_line(dom, text).replace(f"<{re.escape(dom)}> ", f"<{re.escape(dom)}>\\+? ", 1)


def focus(dom_id, dom):
    """Tally's line: the console's input moved to domain @dom_id @dom."""
    return rf"\] console: input to d{dom_id} {dom}\b"


def ended(dom_id, dom):
    """Tally's line: @dom, which had the console's input, ended (the input goes back)."""
    return rf"\] console: d{dom_id} {dom} ended; input to "


def linux_module(name, options, ip=None):
    """A Linux domain @name of MEM_MIB and one vCPU with Tally @options (before `--`), and
    eth0 at @ip (A.B.C.D/N) if given."""
    guest = CMDLINE + (f" tally.ip={ip}" if ip else "")
    return (LinuxFile("kernel"), f"name={name} mem={MEM_MIB} vcpus=1 {options} -- {guest}")


# ---------------------------------------------------------------- checks

def guest_eth(serial, dom):
    """{key: int} of @dom's last `eth0 tx_packets=...` line, or None."""
    found = re.findall(on(dom, ETH_LINE), serial, re.MULTILINE)
    return dict(zip(ETH_KEYS, map(int, found[-1]))) if found else None


@dataclasses.dataclass
class EthCounts:
    """@dom's Linux statistics are @linux; Tally's net line has @tally (both exact)."""
    dom: str
    linux: dict
    tally: dict

    def __call__(self, r):
        got = guest_eth(r.serial, self.dom)
        mine = net_stats(r.serial).get(self.dom)
        if got is None or mine is None:
            return f"{self.dom}: no eth0 line from Linux or no net line from Tally", tail(r.serial)
        bad = [f"Linux {k}={got[k]} (want {v})" for k, v in self.linux.items() if got[k] != v]
        bad += [f"Tally {k}={mine.get(k)} (want {v})" for k, v in self.tally.items()
                if mine.get(k) != v]
        return (f"{self.dom}: " + ", ".join(bad), str(mine)) if bad else None


@dataclasses.dataclass
class TallyEqualsLinux:
    """Tally's counters for @dom's NIC equal Linux's own eth0 statistics exactly."""
    dom: str

    def __call__(self, r):
        got = guest_eth(r.serial, self.dom)
        mine = net_stats(r.serial).get(self.dom, {})
        if got is None:
            return f"{self.dom}: no eth0 line", tail(r.serial)
        bad = [f"{k}: Linux {v}, Tally {mine.get(k)}" for k, v in got.items() if mine.get(k) != v]
        return (f"{self.dom}: " + ", ".join(bad), str(mine)) if bad else None


@dataclasses.dataclass
class Identity:
    """Tally's net line names @dom's MAC and group."""
    dom: str
    mac: str
    group: str

    def __call__(self, r):
        got = net_identity(r.serial).get(self.dom)
        if got == (self.mac, self.group):
            return None
        return f"{self.dom}: identity {got}, want {(self.mac, self.group)}", tail(r.serial)


@dataclasses.dataclass
class NoVirtioErrors:
    """@dom's @device line is there, every error counter on it is 0, and the driver reset
    the device @resets times (not an error: Linux resets a device when it binds it)."""
    dom: str
    device: str
    resets: int

    def __call__(self, r):
        got = virtio_errors(r.serial).get((self.dom, self.device))
        if got is None:
            return f"no {self.device} line for {self.dom}", tail(r.serial)
        bad = {k: v for k, v in got.items() if v and k != "resets"}
        if got.get("resets") != self.resets:
            bad["resets"] = f"{got.get('resets')} (want {self.resets})"
        return (f"{self.dom} {self.device} errors: {bad}", str(got)) if bad else None


# Device resets (status 0 written) while Linux 6.1 binds a device, the first
# by register_virtio_device() ("in case a previous driver messed it up"):
# measured 2 per device, none at `poweroff -f`.
VIRTIO_RESETS = 2


def linux_up(dom):
    """@dom loaded every module and brought eth0 up with its address."""
    return [NoLine(on(dom, re.escape(INSMOD_FAILED)), f"{dom}: a module did not load"),
            Line(on(dom, r"tally-linux: eth0 10\.0\.0\.\d+/24$"), f"{dom}: eth0 up")]


def powered_off(dom_id, dom):
    """@dom ended through ACPI S5 (`poweroff -f`)."""
    return Line(rf"\] domain: d{dom_id} {dom} powered off$", f"{dom} powered off")


# ---------------------------------------------------------------- linux-net

PING = f"ping -c {PING_COUNT} 10.0.0.2"
# mallory knows bob's MAC (no ARP: it could not reach him anyway), so its
# echo requests are unicast frames to a port of another group.
EVE = f"arp -s 10.0.0.2 02:54:41:00:00:02; ping -c {EVE_PINGS} -W 1 10.0.0.2; {SHOW_ETH}"
ANY_MARKER = r"^\[c\d+\] <(?:alice|bob|mallory)> " + re.escape(MARKER) + "$"

NET_KEYS = [
    # Three markers, in whatever order the domains get there (an empty step
    # types nothing and lets the next step look on from its match).
    (ANY_MARKER, ""), (ANY_MARKER, ""), (ANY_MARKER, "\x01\x01\x01"),
    (focus(1, "alice"), PING + "\n"),
    (on("alice", r"\d+ packets transmitted"), SHOW_ETH + "; poweroff -f\n"),
    (ended(1, "alice"), "\x01\x01\x01"),
    (focus(2, "bob"), "\x01\x01\x01"),
    (focus(3, "mallory"), EVE + "; poweroff -f\n"),
    (ended(3, "mallory"), "\x01\x01\x01"),
    (focus(2, "bob"), SHOW_ETH + "; poweroff -f\n"),
]

NET_CHECKS = (
    linux_up("alice") + linux_up("bob") + linux_up("mallory") + [
        Line(on("alice", f"{PING_COUNT} packets transmitted, {PING_COUNT} packets received, "
                         "0% packet loss$"), "alice's pings all answered"),
        Line(on("mallory", f"{EVE_PINGS} packets transmitted, 0 packets received, "
                           "100% packet loss$"), "mallory's pings unanswered"),
        Identity("alice", "02:54:41:00:00:01", "lan"),
        Identity("bob", "02:54:41:00:00:02", "lan"),
        Identity("mallory", "02:54:41:00:00:03", "dmz"),
        TallyEqualsLinux("alice"), TallyEqualsLinux("bob"),
        EthCounts("alice", PAIR_WANT, {"tx_broadcast": 1, "rx_broadcast": 0, "tx_multicast": 0,
                                       "rx_multicast": 0, "drop_isolation": 0,
                                       "drop_no_buffer": 0, "errors": 0}),
        EthCounts("bob", PAIR_WANT, {"tx_broadcast": 0, "rx_broadcast": 1, "drop_isolation": 0,
                                     "drop_spoofed": 0, "drop_no_buffer": 0, "errors": 0}),
        # Linux sent its echo requests; the switch took none: each an isolation drop.
        EthCounts("mallory", {"tx_packets": EVE_PINGS, "tx_bytes": EVE_PINGS * ICMP_FRAME,
                              "rx_packets": 0, "rx_bytes": 0},
                  {"tx_packets": 0, "tx_bytes": 0, "rx_packets": 0, "rx_bytes": 0,
                   "drop_isolation": EVE_PINGS, "errors": 0}),
        NoVirtioErrors("alice", "virtio-net", VIRTIO_RESETS),
        NoVirtioErrors("bob", "virtio-net", VIRTIO_RESETS),
        NoVirtioErrors("mallory", "virtio-net", VIRTIO_RESETS),
        powered_off(1, "alice"), powered_off(2, "bob"), powered_off(3, "mallory"),
        NO_ERRORS,
    ] + domains_done(0))

# ---------------------------------------------------------------- linux-disk

DISK_MIB = 8
# The image: an ext2 filesystem of IMAGE_KIB made by the host's mke2fs from
# linux_disk/tree (a file whose MD5 the guest must read back).
IMAGE_DIR = "tests/system/linux_disk"
IMAGE_KIB = 4096
IMAGE = Built(IMAGE_DIR, [f"mke2fs -q -F -t ext2 -d tree -L tally image.ext2 {IMAGE_KIB}"],
              "image.ext2")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "linux_disk", "tree",
                       "hello.txt"), "rb") as _f:
    HELLO_MD5 = hashlib.md5(_f.read()).hexdigest()
FILE_BYTES = 300 * 1024
# The file's contents: `yes tally` cut to FILE_BYTES, its MD5 computed here.
FILE_MD5 = hashlib.md5((b"tally\n" * (FILE_BYTES // 6 + 1))[:FILE_BYTES]).hexdigest()
DD_BS = 64 * 1024
DD_READ_BLOCKS, DD_WRITE_BLOCKS, DD_WRITE_SEEK = 32, 16, 64
USE_FS = ("mkdir -p /mnt && mount /dev/vda /mnt && md5sum /mnt/hello.txt && "
          f"yes tally | head -c {FILE_BYTES} > /mnt/f && sync && "
           "echo 3 > /proc/sys/vm/drop_caches && md5sum /mnt/f && umount /mnt")
# /sys/block/vda/stat before and after raw transfers that bypass the page
# cache (O_DIRECT): the difference is exactly what dd moved.  The writes go
# past the filesystem (at 4 MiB).
VDA_STAT = "echo vda {} $(cat /sys/block/vda/stat)"
RAW_DD = (VDA_STAT.format("before") + "; "
          f"dd if=/dev/vda of=/dev/null bs={DD_BS} count={DD_READ_BLOCKS} iflag=direct; "
          f"dd if=/dev/zero of=/dev/vda bs={DD_BS} count={DD_WRITE_BLOCKS} seek={DD_WRITE_SEEK} "
          "oflag=direct; " + VDA_STAT.format("after"))
# Documentation/block/stat.rst: the fields of /sys/block/<dev>/stat.
STAT_READ_IOS, STAT_READ_SECTORS, STAT_WRITE_IOS, STAT_WRITE_SECTORS = 0, 2, 4, 6
STAT_FLUSH_IOS = 15
SECTOR = 512

DISK_KEYS = [
    (on("disk", re.escape(MARKER) + "$"), "\x01\x01\x01"),
    (focus(1, "disk"), USE_FS + "\n"),
    (on("disk", r"[0-9a-f]{32}  /mnt/f$"), RAW_DD + "\n"),
    (on("disk", r"vda after "), "poweroff -f\n"),
]


def vda_stat(serial, when):
    """The fields of the guest's `vda @when ...` line, or None."""
    m = re.search(on("disk", rf"vda {when} ([\d ]+)$"), serial, re.MULTILINE)
    return [int(x) for x in m.group(1).split()] if m else None


@dataclasses.dataclass
class RawDdMoved:
    """The block layer's counters grew by exactly what the raw dd commands moved."""

    def __call__(self, r):
        before, after = vda_stat(r.serial, "before"), vda_stat(r.serial, "after")
        if not before or not after:
            return "no vda before/after stat lines", tail(r.serial)
        delta = [a - b for a, b in zip(after, before)]
        # One request per O_DIRECT block (64 KiB fits one virtio-blk request).
        got = (delta[STAT_READ_IOS], delta[STAT_READ_SECTORS] * SECTOR,
               delta[STAT_WRITE_IOS], delta[STAT_WRITE_SECTORS] * SECTOR)
        want = (DD_READ_BLOCKS, DD_READ_BLOCKS * DD_BS, DD_WRITE_BLOCKS, DD_WRITE_BLOCKS * DD_BS)
        if got == want:
            return None
        return (f"raw dd: (read ios, bytes, write ios, bytes) = {got}, want {want}",
                tail(r.serial))


# Tally's disk line key, the /sys/block/vda/stat field and its unit.  Not
# write_requests: blk-mq counts a write with REQ_PREFLUSH and no data (what
# fsync and sync send) as a write I/O too, while the device sees only its
# FLUSH (block/blk-flush.c); see DiskEqualsLinux.
DISK_MATCH = [("read_requests", STAT_READ_IOS, 1), ("read_bytes", STAT_READ_SECTORS, SECTOR),
              ("write_bytes", STAT_WRITE_SECTORS, SECTOR),
              ("flush_requests", STAT_FLUSH_IOS, 1)]


@dataclasses.dataclass
class DiskEqualsLinux:
    """Tally's disk line equals the guest's last /sys/block/vda/stat (nothing after it)."""

    def __call__(self, r):
        stat = vda_stat(r.serial, "after")
        mine = disk_stats(r.serial).get("disk")
        if stat is None or mine is None:
            return "no vda stat line or no disk line", tail(r.serial)
        bad = [f"{key}: Tally {mine.get(key)}, Linux {stat[i] * unit}"
               for key, i, unit in DISK_MATCH if mine.get(key) != stat[i] * unit]
        # Linux's write I/Os are the device's writes plus some of its flushes (the empty ones).
        empty = stat[STAT_WRITE_IOS] - mine.get("write_requests", -1)
        if not 0 <= empty <= mine.get("flush_requests", 0):
            bad.append(f"write_requests: Tally {mine.get('write_requests')}, Linux "
                       f"{stat[STAT_WRITE_IOS]} (the difference must be empty flushes)")
        want = {"bytes": DISK_MIB << 20, "ro": 0, "ioerr": 0, "unsupported": 0,
                "other_requests": 0}
        bad += [f"{k}={mine.get(k)} (want {v})" for k, v in want.items() if mine.get(k) != v]
        return ("; ".join(bad), f"{mine}\nvda stat {stat}") if bad else None


DISK_CHECKS = [
    NoLine(on("disk", re.escape(INSMOD_FAILED)), "a module did not load"),
    Line(on("disk", rf"{HELLO_MD5}  /mnt/hello.txt$"), "the host's file read from the image"),
    Line(on("disk", rf"{FILE_MD5}  /mnt/f$"), "the file read back from the disk has its MD5"),
    InOrder([on("disk", f"{DD_READ_BLOCKS}\\+0 records in$"),
             on("disk", f"{DD_READ_BLOCKS}\\+0 records out$"),
             on("disk", f"{DD_WRITE_BLOCKS}\\+0 records in$"),
             on("disk", f"{DD_WRITE_BLOCKS}\\+0 records out$")], "dd's own block counts"),
    RawDdMoved(), DiskEqualsLinux(), NoVirtioErrors("disk", "virtio-blk", VIRTIO_RESETS),
    powered_off(1, "disk"), NO_ERRORS,
] + domains_done(0)

LINUX_NET_SCENARIOS = [
    Scenario(
        "linux-net", f"three Linux domains (1 vCPU, {MEM_MIB} MiB, virtio-net): alice pings bob "
        f"{PING_COUNT} times in group lan; each side's eth0 statistics equal Tally's counters and "
        "the ARP + ICMP frames exactly; mallory (group dmz) pings bob's MAC: isolation drops, "
        "nothing crosses",
        "bochs", NET_MACHINE, NET_CHECKS, timeout=300, keys=NET_KEYS,
        modules=[linux_module("alice", "net=lan", "10.0.0.1/24"),
                 (LinuxFile("initrd_net"), "initrd_of=alice"),
                 linux_module("bob", "net=lan", "10.0.0.2/24"),
                 (LinuxFile("initrd_net"), "initrd_of=bob"),
                 linux_module("mallory", "net=dmz", "10.0.0.3/24"),
                 (LinuxFile("initrd_net"), "initrd_of=mallory")]),
    Scenario(
        "linux-disk", f"Linux (1 vCPU, {MEM_MIB} MiB) with a {DISK_MIB} MiB virtio-blk disk "
        "holding a host-made ext2 image (disk_of=): mounted, the host's file read (MD5), a "
        "300 KiB file written, synced, read back after drop_caches (MD5); raw O_DIRECT dd "
        "moves exactly its bytes; /sys/block/vda/stat equals Tally's disk line",
        "bochs", DISK_MACHINE, DISK_CHECKS, timeout=180, keys=DISK_KEYS,
        modules=[linux_module("disk", f"disk={DISK_MIB}"),
                 (LinuxFile("initrd_net"), "initrd_of=disk"),
                 (IMAGE, "disk_of=disk")]),
]
