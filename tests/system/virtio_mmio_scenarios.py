# SPDX-License-Identifier: MIT
"""The virtio-mmio transport (issue 13 item B): a guest walks the registers of its
NIC's and disk's slots (identity, feature negotiation, status order, a bad queue,
resets) and Tally's virtio usage lines count exactly the errors it made; accesses
the transport refuses end only their own domain; the devices' options Tally refuses
are one line each.

Split from scenarios.py, which adds VIRTIO_MMIO_SCENARIOS to its list.
"""

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, Blob, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

ZERO_ERRORS = {k: 0 for k in ("ring", "index", "loop", "addr", "len", "indirect", "order",
                              "segs", "avail", "needs_reset", "bad_register", "resets")}
# What tests/guests/check/virtiommio/main.c does to its NIC, counted by hand there.
REGS_NET_ERRORS = dict(ZERO_ERRORS, index=2, needs_reset=1, bad_register=1, resets=6)

VIRTIO_MMIO = (
    passed("regs")
    + [Count(guest_line("regs", "virtiommio: ok: "), 13, "passed virtiommio check"),
       NoLine(guest_line("regs", "virtiommio: (FAIL|ERROR)"), "failed virtiommio check"),
       Line(r"\] WARN: vdev: d1 regs virtio-net: ring error index on queue 0; "
            r"device needs reset$", "the bad queue's one line"),
       Count(r"\] WARN: vdev: ", 1, "vdev line"),
       Line(guest_line("regs", r"virtiommio: ok: slot 0: magic, version 2, virtio-net, "
                       r"vendor 0x594c4154$"), "the vendor ID"),
       Line(guest_line("regs", r"virtiommio: ok: slot 1: virtio-blk \(device id 2\)$"),
            "the disk's device ID"),
       DeviceStats("regs", "virtio-net", REGS_NET_ERRORS),
       DeviceStats("regs", "virtio-blk", ZERO_ERRORS)]
    # Registers take 32-bit accesses only (4.2.2.2): counted, then the domain ends.
    + destroyed("narrow", r"MMIO at gpa=0xfed00070: \w+ of 2 bytes refused \(-22\); "
                r"instruction bytes: .*")
    + [DeviceStats("narrow", "virtio-net", dict(ZERO_ERRORS, bad_register=1))]
    # A slot the domain has no device in is no device at all.
    + destroyed("noslot", r"MMIO at gpa=0xfed01000: mov of 4 bytes refused \(-2\); "
                r"instruction bytes: .*")
    + [NoLine(r"\] domain: d\d+ noslot virtio-blk ", "a disk line for a domain without one"),
       Line(r"\] ERROR: module \d+ \(badmac\): bad mac='01:00:00:00:00:01' \(a unicast "
            r"xx:xx:xx:xx:xx:xx, not all zeros\); not created$", "a multicast MAC refused"),
       Line(r"\] ERROR: module \d+ \(nonet\): mac= and net_\*_s= need net=GROUP; not created$",
            "a MAC without a NIC refused"),
       Line(r"\] ERROR: module \d+: both initrd_of= and disk_of=; refused$",
            "a module both initrd and disk image refused"),
       Count(r"\] ERROR: ", 3, "refusal line"),
       MEM_BACK] + domains_done(EXIT_CRASHED | EXIT_REFUSED))

VIRTIO_MMIO_SCENARIOS = [
    Scenario(
        "virtio-mmio", "a guest walks its NIC's and disk's virtio-mmio registers: identity, "
        "features offered and refused, status order, a bad queue size (DEVICE_NEEDS_RESET), "
        "a notify of a missing queue, resets; Tally counts each exactly; a 16-bit register "
        "load and a load from a missing slot end their domains; bad device options refused",
        "bochs", bochs_vmx(1), VIRTIO_MMIO, cmdline="exit_when_done", timeout=120,
        modules=[(Guest("virtiommio"), "name=regs mem=8 net=lan mac=02:00:00:00:00:42 disk=1"),
                 (Guest("virtiommio"), "name=narrow mem=8 net=lan mode=narrow"),
                 (Guest("virtiommio"), "name=noslot mem=8 net=lan mode=noslot"),
                 (Guest("hello"), "name=badmac mem=8 net=lan mac=01:00:00:00:00:01"),
                 (Guest("hello"), "name=nonet mem=8 mac=02:00:00:00:00:01"),
                 (Blob("both.img", 4096), "initrd_of=regs disk_of=regs")]),
]
