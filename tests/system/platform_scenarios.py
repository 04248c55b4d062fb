# SPDX-License-Identifier: MIT
"""The small PC around the CPU (issue 12 items 7, 8, 10): the CMOS clock, fw_cfg,
TSC writes with TSC offsetting, the machine-check and MISC_ENABLE MSRs, and
unclaimed ports counted.

Split from scenarios.py, which adds PLATFORM_SCENARIOS to its list.
"""

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

# tools/emu.py starts Bochs' clock at time0=946684800: 2000-01-01 00:00:00 UTC.
BOCHS_YEAR = 2000

PLATFORM_CHECKS = (
    r"RTC register B 0x02 \(BCD, 24 h\), D 0x80 \(valid time\)$",
    rf"RTC date {BOCHS_YEAR}-01-01 \(year expected {BOCHS_YEAR}\)$",
    r"RTC binary mode: seconds \d+, year 0$",
    r"fw_cfg signature 'QEMU', ID 1, 2 CPUs \(expected 2\), 0 files$",
    r"unclaimed port 0x514 reads 0xff$",
    r"WRMSR IA32_TSC 0x100000000000: RDTSC reads 0x1000[0-9a-f]{8} after",
    r"IA32_TSC_ADJUST moved with the write",
    r"WRMSR IA32_TSC_ADJUST \+= 0x100000000000 moves RDTSC by 0x1000[0-9a-f]{8}$",
    r"MCG_CAP 0x0, MCG_STATUS 0x0, MC0_STATUS vector 13, MCG_STATUS=1 vector 13$",
    r"MISC_ENABLE 0x1801, reserved bit 1 vector 13, fast strings off: 0x1800$",
)

PLATFORM = ([Line(guest_line("plat", "platform: ok: " + text), text) for text in PLATFORM_CHECKS]
            + [Line(rf"\] rtc: host time {BOCHS_YEAR}-01-01 00:00:\d\d UTC$", "host RTC read"),
               # The one unclaimed IN (0x514) is counted and shown when the domain ends.
               Line(r"\] domain: d1 plat unclaimed_port_accesses=1 ", "unclaimed port counted"),
               NoLine(guest_line("plat", "platform: FAIL"), "failed platform check"),
               NO_ERRORS, MEM_BACK] + passed("plat") + DOMAINS_DONE)

PLATFORM_SCENARIOS = [
    Scenario(
        "platform-pc", "a guest reads the CMOS clock (the host's date) and fw_cfg (its vCPU "
        "count), writes its TSC and TSC_ADJUST, reads the machine-check and MISC_ENABLE MSRs",
        "bochs", bochs_vmx(1), PLATFORM, timeout=120,
        modules=[(Guest("platform"), f"name=plat mem=8 vcpus=2 year={BOCHS_YEAR} cpus=2")]),
]

# Issue 12 item 8: hardware task switches, emulated on the task-switch exit (exit_task.c).
TASK_SWITCH_CHECKS = (
    r"JMP task: entered 1 time\(s\) with its TSS's registers$",
    r"JMP task: TR 0x30, EFLAGS 0x2 \(NT clear\), main TSS access 0x89 \(available\)$",
    r"JMP back: main registers exact, main access 0x8b, JMP task 0x89, link 0x0$",
    r"CR0.TS set by the switch: CR0 0x[0-9a-f]+$",
    r"CALL task: entered 1 time\(s\) with its TSS's registers$",
    r"CALL task: TR 0x38, EFLAGS 0x4002 \(NT set\), caller access 0x8b \(busy\), link 0x28$",
    r"IRET back: main registers exact, callee access 0x89, callee saved EAX 0xc0de "
    r"EFLAGS 0x2 \(NT clear\)$",
    r"#NP task gate: handler task entered 1 time\(s\), ESP below the error code$",
    r"#NP task gate: error code 0x58, NT set, saved EIP at the fault yes, link 0x28$",
    r"CALL to a TSS with limit 0x60: vector 10 error 0x48 \(expected 10, 0x48\), TR 0x28$",
    r"CALL to the busy TSS: vector 13 error 0x28 \(expected 13, 0x28\), TR 0x28$",
    r"JMP to a not-present TSS: vector 11 error 0x50 \(expected 11, 0x50\), TR 0x28$",
    r"JMP to a task with a not-present DS: vector 11 error 0x58 in TR 0x60, back in 0x28$",
)

TASK_SWITCH = ([Line(guest_line("ts", "taskswitch: ok: " + text), text)
                for text in TASK_SWITCH_CHECKS]
               + [NoLine(guest_line("ts", "taskswitch: FAIL"), "failed task-switch check"),
                  NoLine(r"hardware task switch by", "task switch refused"),
                  # 8 switches exit (reason 9): JMP there and back, CALL, IRET, the #NP
                  # gate and its IRET, the late-#NP JMP and its JMP back.  The 3 refused
                  # by a descriptor check fault before the exit (SDM Vol. 3C, 26.1.1).
                  Line(r"\] domain: d1 ts exits_by_reason (.* )?9:8( |$)", "8 task-switch exits"),
                  NO_ERRORS, MEM_BACK] + passed("ts") + DOMAINS_DONE)

PLATFORM_SCENARIOS.append(
    Scenario(
        "task-switch", "a 32-bit guest switches tasks by JMP, by CALL and IRET, and through an "
        "IDT task gate for #NP with its error code; bad TSSs fault with #TS, #GP, #NP(selector)",
        "bochs", bochs_vmx(1), TASK_SWITCH, timeout=120,
        modules=[(Guest("taskswitch"), "name=ts mem=8")]))
