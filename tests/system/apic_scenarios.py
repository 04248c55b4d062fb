# SPDX-License-Identifier: MIT
"""The local APIC as a CPU leaves reset (issue 12 items 3 and 8): xAPIC mode through
its MMIO page, INIT-SIPI-SIPI and IPIs through the xAPIC ICR, then the switch to
x2APIC mode through IA32_APIC_BASE.

Split from scenarios.py, which adds APIC_SCENARIOS to its list.
"""

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

XAPIC = ([Line(r"^\[c0\] <xapic> xapic: cpu1 online apic_id=1 mode=xapic$",
               "cpu1 started through the xAPIC ICR, still in xAPIC mode"),
          Line(guest_line("xapic", r"xapic: timer_irqs=1 self_irqs=2$"),
               "one timer interrupt and two self-IPIs through the page"),
          # Five physical pings, one logical, one through the x2APIC ICR: each answered once.
          Line(guest_line("xapic", r"xapic: pings=7 pongs=7$"), "IPI counts"),
          Line(guest_line("xapic", r"xapic: ok: UART interrupt taken once after unmasking \(1\)$"),
               "IRQ 4 through a level I/O APIC entry, once"),
          Line(guest_line("xapic", r"xapic: ok: Remote IRR clear after the EOI \(entry 0x8060\)$"),
               "the EOI broadcast cleared Remote IRR"),
          NoLine(guest_line("xapic", "xapic: FAIL"), "failed xAPIC check"),
          NO_ERRORS, MEM_BACK] + passed("xapic") + DOMAINS_DONE)

# Five NMIs on vCPU 0 (its own through each ICR, two sent inside the handler merged into one
# after its IRET, one from IRQ 4 in NMI mode), four on vCPU 1 each waking it from CLI;HLT.
NMI = ([Line(guest_line("nmi", r"nmi: bsp_nmis=5 ap_nmis=4 ap_wakes=4 max_depth=1$"),
             "NMI counts: none nested, none lost, the merged pair once"),
        NoLine(guest_line("nmi", "nmi: FAIL"), "failed NMI check"),
        NO_ERRORS, MEM_BACK] + passed("nmi") + DOMAINS_DONE)

# vCPU 1 started four times: INIT stops it each time, the next SIPI starts it over.
INIT = ([Line(guest_line("nmi", r"nmi: cpuid_apic enabled=1 disabled=0 again=1$"),
              "CPUID.1:EDX.APIC follows IA32_APIC_BASE.EN"),
         Line(guest_line("nmi", r"nmi: ap_starts=4$"), "four starts from the vector page"),
         NoLine(guest_line("nmi", "nmi: FAIL"), "failed INIT check"),
         NO_ERRORS, MEM_BACK] + passed("nmi") + DOMAINS_DONE)

APIC_SCENARIOS = [
    Scenario(
        "apic-xapic", "a 2-vCPU guest uses the xAPIC page from reset (timer, self-IPIs, "
        "disable and re-enable, the UART's IRQ 4 through a level I/O APIC entry, INIT-SIPI and "
        "physical and logical IPIs), then switches to "
        "x2APIC: the page is gone and the way back is #GP",
        "bochs", bochs_vmx(1), XAPIC, timeout=120,
        modules=[(Guest("xapic"), "name=xapic mem=8 vcpus=2")]),
    Scenario(
        "apic-nmi", "NMI IPIs through the xAPIC and x2APIC ICRs (physical, logical, "
        "all-but-self) and from an I/O APIC pin reach the vCPU as NMIs, respecting NMI blocking "
        "(two sent in the handler come once, after its IRET), and wake a CLI;HLT vCPU",
        "bochs", bochs_vmx(1), NMI, timeout=120,
        modules=[(Guest("nmi"), "name=nmi mem=8 vcpus=2")]),
    Scenario(
        "apic-init", "INIT stops a running AP (wait-for-SIPI) and SIPI starts it over from the "
        "vector page, through both ICRs and with the SIPI right behind the INIT; "
        "CPUID.1:EDX.APIC is 0 while the APIC is disabled",
        "bochs", bochs_vmx(1), INIT, timeout=120,
        modules=[(Guest("nmi"), "name=nmi mem=8 vcpus=2 init")]),
]
