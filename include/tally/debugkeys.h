/* SPDX-License-Identifier: MIT */
/* Debug keys: single keystrokes on the serial console that print Tally's state, as in Xen. */
#ifndef TALLY_DEBUGKEYS_H
#define TALLY_DEBUGKEYS_H

/* Say once which key lists the others; where the boot CPU starts serving them. */
void debugkeys_announce(void);
/* Console input to live domain @id's UART (else back to the keys), said in one line; boot CPU. */
void debugkeys_focus(unsigned int id);
/* Act on any keys typed since the last call; from the boot CPU's timer tick. */
void debugkeys_poll(void);

#endif
