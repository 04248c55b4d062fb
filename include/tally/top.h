/* SPDX-License-Identifier: MIT */
/* The console's table of domains, like xentop. */
#ifndef TALLY_TOP_H
#define TALLY_TOP_H

/* Print one table: per domain, state, vCPUs, CPU share since the last table, CPU time, memory, exits, I/O, guest metrics. */
void top_print(void);
/* From the boot CPU's tick: print a table every `top_interval_s=` seconds. */
void top_tick(void);

#endif
