# SPDX-License-Identifier: MIT
"""CPU state isolation (docs/STATE.md): no guest-writable register crosses between domains.

The statecheck guest (tests/guests/check/statecheck/) writes every piece of
state a guest can write with a distinctive pattern (kind=writer), or
leaves it at its reset value (kind=reader), and checks all of it every
round.  On one CPU with 1 ms slices the two interleave hundreds of times:
a writer value seen by the reader is state Tally did not switch, a writer
value lost is state Tally did not give back.  The reader is the attacker
(it looks for the writer's CR2, debug registers, vector registers...)
and goes on for a while after the writer's domain ends, the path where a
vCPU's state is never saved.  The writer alone is picked again at every
slice end, the path where XCR0 once stayed Tally's.  Bochs' Skylake-X has
no protection keys; its Tiger Lake has them, so PKRU is tested there.

Split from scenarios.py, which adds STATE_SCENARIOS to its list.
"""

import dataclasses
import re

import emu
from checks import DomainStat, InOrder, Line, NoLine, guest_line
from scenario_base import (BOCHS_IPS, DOMAINS_DONE, MEM_BACK, NO_ERRORS, Guest, Scenario,
                           passed)

CMDLINE = "exit_when_done sched_slice_ms=1"
READER_EXTRA_ROUNDS = 60        # the last ones after the writer's domain has ended


@dataclasses.dataclass
class Model:
    """What statecheck finds on a Bochs CPU model: XCR0 offered, PKU, items each kind checks."""
    name: str
    xcr0: int
    pku: int
    writer_items: int
    reader_items: int


SKYLAKE_X = Model("corei7_skylake_x", 0xE7, 0, 67, 87)     # AVX-512, no PKU
TIGERLAKE = Model("tigerlake", 0x2E7, 1, 68, 88)           # AVX-512 and PKRU


def machine(model):
    return emu.BochsMachine(cpus=1, megs=256, ips=BOCHS_IPS, model=model.name)


def statecheck(name, kind, rounds):
    return (Guest("statecheck"), f"name={name} mem=8 kind={kind} rounds={rounds}")


def clean(dom, kind, items, rounds):
    """@dom's statecheck saw all @items hold its own values in every round, and passed."""
    return ([Line(guest_line(dom, rf"statecheck: kind={kind} items={items} rounds={rounds} "
                             r"mismatches=0$"), f"{dom} all items intact"),
             NoLine(guest_line(dom, r"statecheck: FAIL: "), f"{dom} mismatch")]
            + passed(dom))


def writer_normal(model, rounds):
    """The writer kept everything, learnt at setup what docs/STATE.md states, and made
    its usual exits: about 500 for its setup lines (one per character) and 31 a round
    (its RDMSRs, CPUIDs, console, slice ends)."""
    # With PKU, CPUID's OSPKE must show the guest's own CR4.PKE (set at setup).
    pku = " ospke=1" if model.pku else " (CPUID.7.0:ECX.PKU=0: PKRU not testable here)"
    return clean("writer", "writer", model.writer_items, rounds) + [
        Line(guest_line("writer", r"statecheck: DR3 data breakpoint fires at setup$"),
             "writer's data breakpoint armed"),
        Line(guest_line("writer", rf"statecheck: xcr0_offered={model.xcr0:#x} own_xcr0=0x3 "
                        rf"pku={model.pku}{re.escape(pku)}$"),
             f"writer XCR0=3 of {model.xcr0:#x}, pku={model.pku}"),
        Line(guest_line("writer", r"statecheck: WRMSR TSC_AUX: #GP$"), "TSC_AUX not writable"),
        Line(guest_line("writer", r"statecheck: WRMSR IA32_DEBUGCTL: #GP$"),
             "IA32_DEBUGCTL not writable"),
        Line(guest_line("writer", r"statecheck: WRMSR IA32_TSC: accepted$"),
             "IA32_TSC writable (TSC offsetting), the reader's TSC unmoved"),
        DomainStat("writer", "exits", 300 + rounds * 25, 800 + rounds * 38)]


def spy(name, model, rounds, doc):
    """The reader beside the writer, and on alone after the writer's domain ended."""
    reader_rounds = rounds + READER_EXTRA_ROUNDS
    return Scenario(
        name, doc, "bochs", machine(model),
        writer_normal(model, rounds) + clean("reader", "reader", model.reader_items, reader_rounds)
        + [DomainStat("writer", "preemptions", rounds), DomainStat("reader", "preemptions", rounds),
           InOrder([r"\] domain: d1 writer exited ",
                    guest_line("reader", r"statecheck: kind=reader items=")],
                   "writer ended before the reader's last round"),
           NO_ERRORS, MEM_BACK] + DOMAINS_DONE,
        cmdline=CMDLINE, timeout=120,
        modules=[statecheck("writer", "writer", rounds),
                 statecheck("reader", "reader", reader_rounds)])


STATE_SCENARIOS = [
    spy("hostile-state-spy", SKYLAKE_X, 150,
        "a reader of every guest-writable register beside their writer on one CPU, 1 ms "
        "slices, and on after the writer ended: it sees only its own values"),
    spy("hostile-state-spy-pkru", TIGERLAKE, 60,
        "the same on Bochs' Tiger Lake, which has protection keys: PKRU too stays its owner's"),
    Scenario(
        "state-writer-alone", "the writer alone on a CPU, 1 ms slices: each slice end picks it "
        "again, and it keeps XCR0=3 (AVX #UD, a 576-byte XSAVE), DR7 and every other value",
        "bochs", machine(SKYLAKE_X),
        writer_normal(SKYLAKE_X, 150) + [DomainStat("writer", "slices", 150), NO_ERRORS, MEM_BACK]
        + DOMAINS_DONE,
        cmdline=CMDLINE, timeout=120, modules=[statecheck("writer", "writer", 150)]),
]
