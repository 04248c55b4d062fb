# SPDX-License-Identifier: MIT
"""MMIO emulation (issue 12 item 4): EPT violations on a device page decoded and
emulated, through Tally's MMIO test device (the `mmio_test` option), and the
instructions Tally refuses ending only their own domain.

Split from scenarios.py, which adds MMIO_SCENARIOS to its list.
"""

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

MMIO_OK = (
    r"7 stores counted by the device: 7$",
    r"movb moffs,%al keeps the rest: 0xffffff99$",
    r"movb 1\(%ebx\),%dh: edx=0x12342278 ",
    r"movsbl: 0xffffff88 ",
    r"18 accesses counted: 18$",
    r"addl to 0x100 of 0xffffff00: CF and ZF set ",
    r"xchgl, lock xorl: eax=0xdead mem=0xbe10 ",
    r"20 accesses counted: 20$",
    r"movl to the retry register ran 5 times, then retired: 5 \(the next instruction ran 1 times\)$",
    r"orl to the retry register retired at once: 1$",
    r"retry register accesses not counted: 0$",
    r"paged: movl across a page boundary loads 0xbeef ",
    r"paged: movw across a page boundary stores: 0xcafe0000 ",
    r"paged: 5 accesses counted: 5$",
    r"64-bit: movq store and load: 0x1122334455667788$",
    r"64-bit: movl load zero-extends: 0x55667788$",
    r"64-bit: RIP-relative load: 0x1122334455667788$",
    r"64-bit: movl \(%rbx,%r12,8\): 0x12345678$",
    r"64-bit: movslq: 0xfffffffffffffffe$",
    r"64-bit: 15 accesses counted: 15$",
)

MMIO = ([Line(guest_line("mmio", "mmio: ok: " + text), text) for text in MMIO_OK]
        + [Count(guest_line("mmio", "mmio: ok: "), 38, "passed mmio check"),
           NoLine(guest_line("mmio", "mmio: (FAIL|ERROR)"), "failed mmio check"),
           NoLine(r"destroyed", "a domain destroyed"),
           NO_ERRORS, MEM_BACK] + passed("mmio") + DOMAINS_DONE)

# Each hostile domain ends with one line naming the address and the bytes; the
# bystander runs to its verdict.
MMIO_HOSTILE = (destroyed("undecodable", r"MMIO at gpa=0xfef00000: instruction not emulated; "
                          r"instruction bytes: 0f c3 03 .*")
                + destroyed("refused", r"MMIO at gpa=0xfef00200: mov of 4 bytes refused "
                            r"\(-22\); instruction bytes: 8b 83 00 02 00 00")
                + destroyed("idt", r"MMIO at gpa=0xfef0001[89a-f]: event delivery touched device "
                            r"memory; instruction bytes: \(none\)")
                + destroyed("ptwalk", r"MMIO at gpa=0xfef00000: a page walk touched device "
                            r"memory; instruction bytes: \(none\)")
                # Without `mmio_test` the page is no device: today's EPT-violation end.
                + [Count(r"\] WARN: domain: d\d+ \S+ destroyed: ", 4, "destroyed domain"),
                   NO_ERRORS, MEM_BACK] + passed("bystander") + domains_done(EXIT_CRASHED))

MMIO_ABSENT = (destroyed("nodev", r"EPT violation: read at gpa=0xfef00100 "
                         r"\(outside its RAM of 8 MiB\)")
               + [NO_ERRORS] + domains_done(EXIT_CRASHED))

MMIO_SCENARIOS = [
    Scenario(
        "mmio-emulate", "a guest loads, stores and read-modify-writes Tally's MMIO test "
        "device in every width and addressing form: 32-bit code with paging off and on "
        "(across pages), 64-bit code with 4-level paging",
        "bochs", bochs_vmx(1), MMIO, cmdline="exit_when_done mmio_test", timeout=120,
        modules=[(Guest("mmio"), "name=mmio mem=8")]),
    Scenario(
        "mmio-hostile", "an instruction Tally does not emulate (MOVNTI), an access the device "
        "refuses, an IDT and a page table on the device each end their own domain alone; a "
        "bystander passes",
        "bochs", bochs_vmx(1), MMIO_HOSTILE, cmdline="exit_when_done mmio_test", timeout=120,
        modules=[(Guest("mmio"), "name=undecodable mem=8 mode=undecodable"),
                 (Guest("mmio"), "name=refused mem=8 mode=refused"),
                 (Guest("mmio"), "name=idt mem=8 mode=idt"),
                 (Guest("mmio"), "name=ptwalk mem=8 mode=ptwalk"),
                 (Guest("hello"), "name=bystander mem=8")]),
    Scenario(
        "mmio-absent", "without Tally's mmio_test option the test device's page is no "
        "device: the first load there ends the domain as any access outside its RAM",
        "bochs", bochs_vmx(1), MMIO_ABSENT, timeout=120,
        modules=[(Guest("mmio"), "name=nodev mem=8")]),
]
