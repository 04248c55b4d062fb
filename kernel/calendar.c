/* SPDX-License-Identifier: MIT */
/* Calendar arithmetic (see tally/calendar.h): proleptic Gregorian, UTC, no leap seconds. */
#include <tally/calendar.h>

#define SECONDS_PER_DAY		86400
#define DAYS_PER_YEAR		365
#define EPOCH_YEAR		1970
#define EPOCH_WDAY		4	/* 1970-01-01 was a Thursday */
#define DAYS_PER_WEEK		7

static bool leap(unsigned int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned int cal_month_days(unsigned int year, unsigned int month)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	return days[month - 1] + (month == 2 && leap(year));
}

bool cal_valid(const struct cal_time *t)
{
	return t->year >= CAL_YEAR_MIN && t->year <= CAL_YEAR_MAX && t->month >= 1 &&
	       t->month <= 12 && t->day >= 1 && t->day <= cal_month_days(t->year, t->month) &&
	       t->hour < 24 && t->min < 60 && t->sec < 60;
}

/* Leap years in [1, @y). */
static int64_t leaps_before(int64_t y)
{
	y--;
	return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to January 1st of @y. */
static int64_t year_start(int64_t y)
{
	return (y - EPOCH_YEAR) * DAYS_PER_YEAR + leaps_before(y) - leaps_before(EPOCH_YEAR);
}

int64_t cal_to_seconds(const struct cal_time *t)
{
	int64_t days = year_start(t->year) + t->day - 1;

	for (unsigned int m = 1; m < t->month; m++)
		days += cal_month_days(t->year, m);
	return days * SECONDS_PER_DAY + t->hour * 3600 + t->min * 60 + t->sec;
}

void cal_from_seconds(int64_t s, struct cal_time *t)
{
	int64_t lo = year_start(CAL_YEAR_MIN) * SECONDS_PER_DAY;
	int64_t hi = (year_start(CAL_YEAR_MAX + 1) * SECONDS_PER_DAY) - 1;
	int64_t days, rest, y;

	s = s < lo ? lo : s > hi ? hi : s;
	days = s / SECONDS_PER_DAY - (s % SECONDS_PER_DAY < 0);
	rest = s - days * SECONDS_PER_DAY;
	/* A guess within a year or two, then exact. */
	y = EPOCH_YEAR + days / DAYS_PER_YEAR;
	while (year_start(y) > days)
		y--;
	while (year_start(y + 1) <= days)
		y++;
	t->year = (uint16_t)y;
	t->wday = (uint8_t)(((days + EPOCH_WDAY) % DAYS_PER_WEEK + DAYS_PER_WEEK) % DAYS_PER_WEEK);
	days -= year_start(y);
	t->month = 1;
	while (days >= cal_month_days(t->year, t->month))
		days -= cal_month_days(t->year, t->month++);
	t->day = (uint8_t)(days + 1);
	t->hour = (uint8_t)(rest / 3600);
	t->min = (uint8_t)(rest / 60 % 60);
	t->sec = (uint8_t)(rest % 60);
}
