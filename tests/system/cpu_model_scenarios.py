# SPDX-License-Identifier: MIT
"""The capability matrix: Bochs' models of real CPU generations, each booted with a guest.

Tally needs VMX with EPT and unrestricted guest.  A CPU that lacks one of
them must be refused with a line that names what is missing and what to
do, and Tally must then boot on, run no domain and leave with exit code 8
(guests cannot run); a CPU that has them all runs the guest.  Bochs'
models (`cpu: model=`) report what the real parts report in their
capability MSRs, so these runs exercise the refusal paths that no other
emulator here reaches.

Split from scenarios.py, which adds CPU_MODEL_SCENARIOS to its list.
"""

import re

import emu
from checks import (BOCHS_EXIT, BOOT_DONE, EXIT_NO_GUESTS, Count, Line, NoLine,
                    exit_line, guest_line)
from scenario_base import Guest, Scenario, passed

# One guest, as a user would boot it; under a refused CPU it must not start.
MODULE = (Guest("hello"), "name=hello mem=8")


def bochs(model):
    return emu.BochsMachine(cpus=1, megs=128, model=model)


def refused(model, line, what):
    """@model boots, is refused with @line (a regex after `vmx: `), runs nothing, exits 8."""
    return Scenario(
        f"cpu-{model.split('_')[0]}", f"Bochs {model} ({what}): refused clearly, exit code 8",
        "bochs", bochs(model),
        [BOOT_DONE, Count(r"\] (?:WARN|ERROR): vmx: ", 1, "one vmx refusal"),
         Line(rf"\[c0\] (?:WARN|ERROR): vmx: {line}", f"refusal naming {what}"),
         NoLine(r"\] domain: ", "a domain line"), NoLine(r"\] <hello> ", "guest output"),
         exit_line(EXIT_NO_GUESTS), BOCHS_EXIT],
        cmdline="exit_when_done", modules=[MODULE], guests_run=False)


CPU_MODEL_SCENARIOS = [
    refused("ryzen", re.escape("this CPU has no VMX (CPUID.1:ECX.VMX=0): Tally cannot run "
                               "guests; enable nested VMX on the host"), "no VMX"),
    refused("core2_penryn_t9600", r"cannot run guests: the CPU lacks the secondary processor-based control "
            r"'enable EPT'; Tally needs a newer CPU \(Westmere or later\)$", "no EPT"),
    refused("corei5_lynnfield_750", r"cannot run guests: the CPU lacks the secondary processor-based control "
            r"'unrestricted guest'; Tally needs a newer CPU \(Westmere or later\)$",
            "no unrestricted guest"),
    # The oldest generation with everything Tally needs runs the guest.
    Scenario(
        "cpu-arrandale", "Bochs corei5_arrandale_m520 (Westmere), the oldest model with "
        "all Tally needs: VMX is on and a guest passes, exit code 0",
        "bochs", bochs("corei5_arrandale_m520"),
        [Line(r"\[c0\] vmx: revision=", "vmx capabilities"),
         Line(guest_line("hello", "hello from hello$"), "hello greeting")] + passed("hello")
        + [exit_line(0), BOCHS_EXIT],
        cmdline="exit_when_done", modules=[MODULE]),
]
