# SPDX-License-Identifier: MIT
"""SDM-conformance scenarios: a guest that performs instructions whose answer the SDM fixes
(WRMSR to EFER, MOV to/from CR0 and CR8 through any register, RDPMC, IA32_TSC_ADJUST,
WBINVD) and checks the answer it gets, beside a bystander that must not notice.

Split from scenarios.py, which adds SDM_SCENARIOS to its list.  Names start
with `hostile-`: these scenarios belong to the hostile suite.
"""

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)


# One `sdm: ok:` line per rule (tests/guests/check/sdm/main.c); none may say FAIL.
SDM_OK_LINES = (
    r"WRMSR EFER\.LME=1 with CR0\.PG=1 raises #GP \(vector 13\), EFER stays ",
    r"WRMSR EFER with reserved bit 1 raises #GP \(vector 13\)$",
    r"WRMSR EFER\.LMA=1 is ignored \(vector -1, ",
    r"WRMSR EFER\.SCE/NXE as CPUID\.80000001H:EDX allows \(0x801\): accepted, reads 0x801$",
    r"MOV CR0\.PG=1 with EFER\.LME=1 and CR4\.PAE=0 raises #GP \(vector 13\)$",
    r"MOV CR0\.PG=1 with a reserved bit set in PDPTE 0 raises #GP \(vector 13\)$",
    r"MOV CR0\.PG=1 with valid PDPTEs enables PAE paging \(vector -1, ",
    r"MOV CR0, ESP \(a write that exits\): CR0 reads (0x[0-9a-f]+), expected \1$",
    r"MOV CR8, RSP then MOV RSP, CR8 in 64-bit mode: reads 2, TPR 0x20$",
    r"MOV CR0, EDI after 64-bit mode left RDI\[63:32\] set: vector -1, CR0 (0x[0-9a-f]+) "
    r"\(was \1\)$",
    r"MOV from CR8 after the x2APIC TPR was set to 0x30: 3$",
    r"MOV to CR8 5: CR8 reads 5, x2APIC TPR 0x50 in 64-bit mode, 0x50 back in 32-bit$",
    r"CR8=5 holds back vector 0x45 \(taken 0\) but not 0x65 \(taken 1\); TPR 0 lets it in "
    r"\(taken 1\)$",
    r"RDPMC without counters \(CPUID\.0AH:EAX 0x0\): counter 0 vector 13, fixed counter 0 "
    r"vector 13 ",
    r"CPUID shows IA32_TSC_ADJUST: 1; RDMSR 0x3b vector -1, WRMSR vector -1$",
    r"10 WBINVDs: 10 WBINVD exits counted for this domain$",
    r"WRMSR IA32_FMASK bit 32: vector 13 \(#GP is 13\); 0x200: vector -1, reads 0x200$",
)

# The bystander (2,000 CPUIDs) alone makes 2,122 exits under Bochs; beside
# the sdm guest it must make about as many, and get its verdict.
BYSTANDER_EXITS = 2122
SDM = ([Line(guest_line("sdm", "sdm: ok: " + text), text) for text in SDM_OK_LINES]
       + [NoLine(guest_line("sdm", "sdm: (FAIL|ERROR)"), "a failed sdm check"),
          NoLine(r"destroyed", "a domain destroyed"),
          NoLine(r"VM entry failed", "a failed VM entry"),
          Line(guest_line("bystander", r"cpuidloop: count=2000 tsc_per_cpuid=\d+$"),
               "the bystander's CPUIDs"),
          DomainStat("bystander", "exits", BYSTANDER_EXITS - 20, BYSTANDER_EXITS + 60),
          NO_ERRORS, MEM_BACK]
       + passed("sdm") + passed("bystander") + DOMAINS_DONE)


SDM_SCENARIOS = [
    Scenario(
        "hostile-sdm", "a guest checks the CPU's answers the SDM fixes (EFER, CR0/CR8 through "
        "RSP, CR8 as the TPR, RDPMC, TSC_ADJUST, WBINVD) beside a bystander",
        "bochs", bochs_vmx(1), SDM, timeout=120,
        modules=[(Guest("sdm"), "name=sdm mem=8"),
                 (Guest("cpuidloop"), "name=bystander mem=8 count=2000")]),
]
