/* SPDX-License-Identifier: MIT */
/* The isa-debug-exit port every domain has. */
#ifndef TALLY_VDEBUG_EXIT_H
#define TALLY_VDEBUG_EXIT_H

/* Claim port 0xF4 (four bytes wide, as QEMU's iosize=4) at boot. */
int vdebug_exit_register(void);

#endif
