# SPDX-License-Identifier: MIT
"""The disk (issue 13 item 4): virtio-blk over Tally's memory, its counters compared
with what the guest asked, to the byte, and the boot inputs Tally refuses.

Split from scenarios.py, which adds DISK_SCENARIOS to its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, Blob, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

MIB = 1024 * 1024
SECTOR = 512
# The counters the guest keeps of its own requests, as the usage line names them.
ISSUED_KEYS = ("read_requests", "read_bytes", "write_requests", "write_bytes",
               "flush_requests", "other_requests", "ioerr", "unsupported")
VIRTIO_ERROR_KEYS = ("ring", "index", "loop", "addr", "len", "indirect", "order", "segs",
                     "avail", "needs_reset", "bad_register", "resets")


@dataclasses.dataclass
class DiskMatchesGuest:
    """@dom's `domain: dN NAME disk` lines say bytes=@size ro=@ro and count exactly what
    its guest's `virtioblk: issued` lines say it asked (each summed over the domain's
    lives); its virtio-blk error lines are all 0
    (but the driver's resets: the guest library resets the device once as it opens it)."""
    dom: str
    size: int
    ro: int = 0

    def __call__(self, r):
        lines = re.findall(guest_line(self.dom, r"virtioblk: issued (.*)$"), r.serial,
                           re.MULTILINE)
        stats = disk_stats(r.serial).get(self.dom)
        if not lines or stats is None:
            return f"no `virtioblk: issued` or `disk` line for {self.dom}", tail(r.serial)
        want = {k: sum(key_values(line).get(k, 0) for line in lines) for k in ISSUED_KEYS}
        want.update(bytes=self.size, ro=self.ro)
        got = {k: stats.get(k) for k in want}
        if got != want:
            return f"{self.dom}: Tally counted {got}, the guest asked {want}", "\n".join(lines)
        errors = virtio_errors(r.serial).get((self.dom, "virtio-blk"))
        if errors is None or any(errors.get(k) for k in VIRTIO_ERROR_KEYS if k != "resets"):
            return f"{self.dom}: virtio-blk errors {errors}", tail(r.serial)
        return None


def disk_guest(dom, size, ro=0, id_n=None):
    """@dom's virtioblk guest passed and Tally's counters match its own, exactly."""
    checks = passed(dom) + [DiskMatchesGuest(dom, size, ro),
                            NoLine(guest_line(dom, "virtioblk: (FAIL|ERROR)"), f"{dom} failed")]
    if id_n is not None:
        checks.append(Line(guest_line(dom, rf"virtioblk: ok: id: tally-d{id_n} \(status 0\)$"),
                           f"{dom}'s disk id"))
    return checks


IMAGE_BYTES = 70000     # not a whole number of sectors: the disk rounds it up
IMAGE_SECTORS = (IMAGE_BYTES + SECTOR - 1) // SECTOR

DISK = (disk_guest("rw", 1 * MIB, id_n=1)
        + disk_guest("image", IMAGE_SECTORS * SECTOR, id_n=2)
        + disk_guest("rodisk", 1 * MIB, ro=1, id_n=3)
        + [Line(guest_line("image", r"virtioblk: ok: disk as created: 0 bytes differ$"),
                "the image's bytes on the disk"),
           Line(guest_line("rodisk", r"virtioblk: ok: write to the read-only disk: status 1$"),
                "a write to disk_ro fails with IOERR"),
           Line(r"\] vdev: d2 image virtio-blk of 70144 bytes, filled from its disk_of= image$",
                "the image disk created"),
           NoLine(r"\] domain: d\d+ bystander disk ", "a disk for the bystander"),
           Line(guest_line("rw", r"virtioblk: ok: batch: the notify exited 2 times$"),
                "512 KiB in one notification served as two 256 KiB budgets"),
           audit_ok(4), NO_ERRORS, MEM_BACK] + passed("bystander") + DOMAINS_DONE)

# Each bad input is one line; the domain with a good disk and the bystander run on.
DISK_REFUSALS = ([
    Line(r"\[c0\] ERROR: module \d+: disk_of=nobody names no domain; refused$",
         "an image naming no domain"),
    Line(r"\[c0\] ERROR: module \d+ \(twice\): two disk images \(modules \d+ and \d+\) name it; "
         r"not created$", "two images for one domain"),
    Line(r"\[c0\] ERROR: module \d+ \(small\): disk image of 1049088 bytes is larger than "
         r"disk=1 MiB; not created$", "an image larger than disk="),
    Line(r"\[c0\] ERROR: module \d+ \(huge\): its disk needs 60000 MiB but only \d+ MiB are "
         r"free; not created$", "disk= larger than Tally's memory"),
    Count(r"\] ERROR: ", 4, "refusal line"),
    NoLine(r"\] domain: d\d+ (twice|small|huge) created", "a refused domain created"),
    MEM_BACK]
    + disk_guest("good", 1 * MIB) + passed("bystander") + domains_done(EXIT_REFUSED))

# Two lives: the first writes the disk and resets, the second finds every byte.
DISK_RESTART = (disk_guest("again", 1 * MIB, id_n=None)
                + [Line(r"\] domain: d1 again rebooted \(keyboard controller\); restarting "
                        r"from its modules$", "the first life's reset"),
                   Line(r"\] vdev: d1 again virtio-blk of 1048576 bytes, kept from its last "
                        r"life$", "the disk kept"),
                   Line(guest_line("again", r"virtioblk: ok: restart: the disk kept its bytes: "
                                   r"0 sectors differ$"), "the bytes after the restart"),
                   Count(r"\] domain: d1 again disk bytes=1048576 ", 2, "disk line per life"),
                   NO_ERRORS, MEM_BACK] + DOMAINS_DONE)

DISK_SCENARIOS = [
    Scenario(
        "virtio-blk", "a 1 MiB disk written with a pattern in 16-sector requests, flushed and "
        "read back; a disk filled from a 70000-byte disk_of= image; a disk_ro disk that "
        "refuses writes; reads at and across the end fail with IOERR and touch nothing; "
        "every request and byte counted exactly; a bystander without a disk",
        "bochs", bochs_vmx(1), DISK, cmdline=VMX_CMDLINE, timeout=120,
        modules=[(Guest("virtioblk"), "name=rw mem=8 disk=1 seed=7 chunk=16 sectors=2048"),
                 (Guest("virtioblk"), f"name=image mem=8 image={IMAGE_BYTES} chunk=32 "
                  f"sectors={IMAGE_SECTORS} seed=3"),
                 (Blob("disk.img", IMAGE_BYTES), "disk_of=image"),
                 (Guest("virtioblk"), "name=rodisk mem=8 disk=1 disk_ro ro sectors=2048"),
                 (Guest("hello"), "name=bystander mem=8")]),
    Scenario(
        "virtio-blk-refusals", "a disk_of= module naming no domain, two images for one "
        "domain, an image larger than its disk=, a disk= larger than Tally's memory: one "
        "line each; a domain with a good disk and a bystander run on",
        "bochs", bochs_vmx(1), DISK_REFUSALS, timeout=120,
        modules=[(Blob("orphan.img", 4096), "disk_of=nobody"),
                 (Guest("hello"), "name=twice mem=8"),
                 (Blob("one.img", 4096), "disk_of=twice"),
                 (Blob("two.img", 4096), "disk_of=twice"),
                 (Guest("hello"), "name=small mem=8 disk=1"),
                 (Blob("big.img", MIB + SECTOR), "disk_of=small"),
                 (Guest("hello"), "name=huge mem=8 disk=60000"),
                 (Guest("virtioblk"), "name=good mem=8 disk=1 chunk=32"),
                 (Guest("hello"), "name=bystander mem=8")]),
    Scenario(
        "virtio-blk-restart", "a disk written in one life keeps every byte across "
        "on_reboot=restart; the counters of both lives add up to what the guest asked",
        "bochs", bochs_vmx(1), DISK_RESTART, timeout=120,
        modules=[(Guest("virtioblk"), "name=again mem=8 disk=1 on_reboot=restart restart "
                  "seed=5 chunk=32")]),
]
