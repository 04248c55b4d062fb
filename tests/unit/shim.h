/* SPDX-License-Identifier: MIT */
/* Host-side stand-ins for the hypervisor's logging, for unit tests. */
#ifndef TALLY_TEST_SHIM_H
#define TALLY_TEST_SHIM_H

#include <tally/log.h>

/* Lines logged at each level since the last shim_log_reset(). */
unsigned int shim_log_count(enum log_level level);
/* The last line logged at any level ("" if none). */
const char *shim_log_last(void);
/* True if any line logged since the last reset contains @needle. */
int shim_log_contains(const char *needle);
/* How many of the lines logged since the last reset (the last 256 kept) contain @needle. */
unsigned int shim_log_count_matching(const char *needle);
/* Forget everything logged so far. */
void shim_log_reset(void);

#endif
