# SPDX-License-Identifier: MIT
"""The guest's 16550 and console input focus: typing into domains' UARTs.

Two uartecho guests (tests/guests/check/uartecho) check the UART model
from inside, then echo what they receive as a tty does and print it
upper-cased.  The scenario types Ctrl-A three times to move Tally's
console input to d1, then d2, then back to the debug keys (a key
answers), then to d1 again, which ends: the focus falls back to Tally,
said once; the next Ctrl-A x3 skips the dead d1.  The prompts have no
newline and start with ESC[6n: a quiet UART's partial line is shown
without the escape and left open, and the echo continues it in place
("<e1> echo> more"); e1 (role=control) pauses and unpauses d2 while its
third prompt is open, so Tally's two log lines end that line, and the
echo after them is tagged "<e1>+ ".

Split from scenarios.py, which adds UART_SCENARIOS to its list.
"""

import dataclasses
import re

from scenario_base import *  # noqa: F401,F403  (Scenario, Guest, passed, ...)
from checks import *  # noqa: F401,F403  (the check classes and helpers)

CTRL_A3 = "\x01" * 3


def focus(where):
    return rf"^\[c0\] console: input to {where} \(Ctrl-A x3 to switch\)$"


def ended(dom_id, dom):
    return (rf"^\[c0\] console: d{dom_id} {dom} ended; input to tally debug keys "
            r"\(Ctrl-A x3 to switch\)$")


READY = r"^\[c\d+\] <e[12]> uartecho: ready for \d+ lines$"


def paused(how):
    return rf"\[c\d+\] domain: d2 e2 {how} by the control domain d1 e1"


FOCUS_KEYS = [
    (READY, ""),                                                # 0: one ready ...
    (READY, CTRL_A3),                                           # 1: ... and the other
    (focus("d1 e1"), "hello\r"),                                # 2
    (guest_line("e1", "uartecho: HELLO$"), "more\r"),           # 3: its prompt is open
    (guest_line("e1", "uartecho: MORE$"), "again\r"),           # 4: Tally's lines come first
    (guest_line("e1", "uartecho: AGAIN$"), CTRL_A3),            # 5
    (focus("d2 e2"), "abc\r"),                                  # 6
    (guest_line("e2", "uartecho: ABC$"), CTRL_A3),              # 7
    (focus("tally debug keys"), "d"),                           # 8: a debug key again
    (r"^\[c0\]   d2 e2 ", CTRL_A3),                             # 9
    (focus("d1 e1"), "bye\r"),                                  # 10: e1 ends after this
    (ended(1, "e1"), CTRL_A3),                                  # 11: skips dead d1
    (focus("d2 e2"), "x\x01y\r"),                               # 12: one Ctrl-A is e2's
]


@dataclasses.dataclass
class ContinuationsFollowOthers:
    """Every "<dom>+ " line follows a line of another origin (which ended @dom's open line),
    and no line of a domain is a bare tag (a piece with nothing in it)."""
    doms: tuple

    def __call__(self, r):
        lines = r.serial.splitlines()
        for dom in self.doms:
            tag = re.compile(rf"^\[c\d+\] <{re.escape(dom)}>(\+)? ?(.*)$")
            for i, line in enumerate(lines):
                m = tag.match(line)
                if m and not m.group(2) and m.group(1):
                    return f"{dom}: an empty continuation line", line
                if m and m.group(1) and (i == 0 or tag.match(lines[i - 1])):
                    return f"{dom}: a continuation right after its own line", "\n".join(
                        lines[max(i - 3, 0):i + 1])
        return None


FOCUS_CHECKS = (
    [AfterKeys(focus("d1 e1"), "focus to d1", 1),
     AfterKeys(guest_line("e1", "uartecho: HELLO$"), "e1 echo", 2),
     # The prompt shown before the keys came (so the line began before them), then the
     # echo on the same console line, one tag.
     Line(guest_line("e1", r"uartecho: HELLO\n") + r"\[c\d+\] <e1> echo> more$",
          "e1 prompt and typed text on one line"),
     # Tally's lines while the prompt is open end it; the echo after them is a continuation.
     Line(guest_line("e1", r"echo> \n") + paused("paused") + r"\n" + paused("unpaused") +
          r"\n\[c\d+\] <e1>\+ again$", "Tally's lines end e1's open prompt; echo tagged e1+"),
     AfterKeys(focus("d2 e2"), "focus to d2", 5),
     AfterKeys(guest_line("e2", "uartecho: ABC$"), "e2 echo", 6),
     AfterKeys(focus("tally debug keys"), "focus back to tally", 7),
     AfterKeys(r"^\[c0\] domains: 2 created, 2 alive$", "debug key d answered", 8),
     AfterKeys(guest_line("e1", "uartecho: BYE$"), "e1 last echo", 10),
     AfterKeys(focus("d2 e2"), "focus skips dead d1", 11),
     AfterKeys(guest_line("e2", r"uartecho: X\.Y$"), "e2 echo with a Ctrl-A in it", 12),
     Count(r"\] console: input to ", 5, "focus moves"),
     Count(ended(1, "e1"), 1, "d1's end said once"),  # (d2's end may race Tally's exit)
     # Each typed line echoed once, after its prompt or continuing it; ESC[6n dropped.
     Count(rf"^\[c\d+\] <e1>(?: echo>|\+) (?:hello|more|again|bye)$", 4, "e1 echoes"),
     Count(rf"^\[c\d+\] <e2>(?: echo>|\+) (?:abc|x\.y)$", 2, "e2 echoes"),
     ContinuationsFollowOthers(("e1", "e2")),
     NoLine(r"\[6n", "escape sequence printed"),
     NoLine(r"debug key '[hlbaexy]' unknown", "a domain's byte taken as a debug key"),
     NO_ERRORS]
    + [c for dom in ("e1", "e2") for c in
       [Line(guest_line(dom, r"uartecho: ok: loopback MSR = 0x90 \(want 0x90\)$"),
             f"{dom} loopback"),
        Line(guest_line(dom, r"uartecho: ok: THRE interrupt on enabling ETBEI: IIR = 0xc2$"),
             f"{dom} THRE interrupt"),
        Line(guest_line(dom, r"uartecho: ok: no receive overrun$"), f"{dom} no overrun")]
       + passed(dom)]
    + DOMAINS_DONE)

UART_SCENARIOS = [
    Scenario(
        "uart-focus", "Ctrl-A x3 moves console input through two uartecho domains and back "
        "to the debug keys; each echoes what is typed on its open prompt line and prints it "
        "upper-cased; Tally's lines end an open line; a dead domain loses the focus",
        "bochs", bochs_vmx(1), FOCUS_CHECKS, timeout=120,
        modules=[(Guest("uartecho"),
                  "name=e1 mem=8 lines=4 role=control pause_line=3 pause_id=2"),
                 (Guest("uartecho"), "name=e2 mem=8 lines=2")],
        keys=FOCUS_KEYS),
]
