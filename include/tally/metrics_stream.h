/* SPDX-License-Identifier: MIT */
/* The machine-readable counter stream: one JSON object per line on a serial port. */
#ifndef TALLY_METRICS_STREAM_H
#define TALLY_METRICS_STREAM_H

#include <tally/types.h>

/* Open the stream's UART if `metrics=` asked for one (after the domains exist). */
void metrics_stream_init(void);
/* From the boot CPU's tick: write an object if the interval has passed. */
void metrics_stream_tick(void);
/*
 * Write the final object, when all domains have ended, after everything
 * queued, and wait until it has left the UART; the stream ends there.
 */
void metrics_stream_final(void);

#endif
