/* SPDX-License-Identifier: MIT */
/* The host's time of day: its CMOS clock read once at boot, carried on by the TSC. */
#ifndef TALLY_RTC_H
#define TALLY_RTC_H

#include <tally/types.h>

/*
 * Read the host's CMOS clock (after the TSC is calibrated): log it and keep
 * it with the TSC of the reading.  Without a readable clock the time starts
 * at 2000-01-01 00:00:00 UTC (logged as such).
 */
void rtc_host_init(void);

/* Seconds since 1970-01-01 UTC now, by the host's clock: the reading at boot plus the TSC since. */
int64_t rtc_host_now(void);

#endif
