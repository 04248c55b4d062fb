/* SPDX-License-Identifier: MIT */
/* The console's table of domains, like xentop. */
#ifndef TALLY_TOP_H
#define TALLY_TOP_H

/*
 * Print one table: uptime, CPUs, memory and domains by state; then per
 * domain its state, vCPUs, CPU share since the last table, CPU time,
 * memory, exits, port I/O and guest-reported metrics; then Tally's own
 * time and idle time, so that the CPU% column adds up to 100 per CPU.
 * Any CPU; one table at a time.
 */
void top_print(void);
/* From the boot CPU's tick: print a table every `top_interval_s=` seconds. */
void top_tick(void);
/* With `top_interval_s=`: one last table when every domain has ended, its figures final. */
void top_final(void);

#endif
