/* SPDX-License-Identifier: MIT */
/* The 8254 PIT, used once as the reference clock for calibration. */
#ifndef ARCH_PIT_H
#define ARCH_PIT_H

#include <tally/types.h>

#define PIT_HZ		1193182u
#define PIT_MAX_COUNT	0xFFFFu

/* Start channel 2 counting down @count ticks (one-shot, speaker off). */
void pit_oneshot_start(uint16_t count);
/* True once the count started by pit_oneshot_start() has run out. */
bool pit_oneshot_done(void);

#endif
