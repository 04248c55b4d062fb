/* SPDX-License-Identifier: MIT */
/* Calendar arithmetic for clocks (the host RTC, the guests' RTC): UTC seconds <-> date, BCD. */
#ifndef TALLY_CALENDAR_H
#define TALLY_CALENDAR_H

#include <tally/types.h>

/* Years a clock may show: an MC146818 with its century byte counts 0000-9999. */
#define CAL_YEAR_MIN	1
#define CAL_YEAR_MAX	9999

/* A broken-down UTC time of the Gregorian calendar. */
struct cal_time {
	uint16_t year;		/* CAL_YEAR_MIN..CAL_YEAR_MAX */
	uint8_t month;		/* 1..12 */
	uint8_t day;		/* 1..cal_month_days() */
	uint8_t hour, min, sec;	/* 0..23, 0..59, 0..59 */
	uint8_t wday;		/* 0 (Sunday) .. 6; set by cal_from_seconds() */
};

/* True if @t names a real date and time (its wday is not looked at). */
bool cal_valid(const struct cal_time *t);

/* Days in @month (1..12) of @year. */
unsigned int cal_month_days(unsigned int year, unsigned int month);

/* Seconds since 1970-01-01 00:00:00 UTC (negative before) of a valid @t. */
int64_t cal_to_seconds(const struct cal_time *t);

/* The date and time @s seconds after 1970-01-01 UTC, clamped to the years a clock shows. */
void cal_from_seconds(int64_t s, struct cal_time *t);

/* 0..99 as two BCD digits. */
static inline uint8_t cal_to_bcd(unsigned int v)
{
	return (uint8_t)(((v / 10) % 10) << 4 | (v % 10));
}

/* Two BCD digits as a number (digits above 9 count as they are, as a chip would add them). */
static inline unsigned int cal_from_bcd(uint8_t b)
{
	return (b >> 4) * 10 + (b & 0xF);
}

#endif
