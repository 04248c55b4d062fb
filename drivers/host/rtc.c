/* SPDX-License-Identifier: MIT */
/* The host's CMOS clock, read once at boot; the TSC carries the time on (tally/rtc.h).
 *
 * Locking: written once by the boot CPU before any guest runs, read after. */
#include <arch/io.h>
#include <tally/arch.h>
#include <tally/calendar.h>
#include <tally/log.h>
#include <tally/mc146818.h>
#include <tally/rtc.h>
#include <tally/vplatform.h>

#define HOST_RTC_PORT		VPLATFORM_RTC_PORT	/* the PC's CMOS sits where the guests' does */
#define UIP_POLLS		100000	/* an update lasts 2 ms at most (data sheet): ample */
#define FALLBACK_SECONDS	946684800ll	/* 2000-01-01 00:00:00 UTC */
#define TWO_DIGITS		100
#define MS_PER_S		1000
#define FIRST_CENTURY		19	/* PCs started in the 1900s */
#define DEFAULT_CENTURY		20

static int64_t boot_seconds = FALLBACK_SECONDS;
static uint64_t boot_tsc;

static uint8_t cmos_read(uint8_t reg)
{
	/* Keep NMIs masked as firmware leaves them: bit 7 of the index port. */
	outb(HOST_RTC_PORT, reg | MC146818_INDEX_NMI_MASK);
	return inb(HOST_RTC_PORT + 1);
}

static unsigned int field(uint8_t raw, uint8_t reg_b)
{
	return (reg_b & MC146818_B_DM_BINARY) ? raw : cal_from_bcd(raw);
}

/* One reading of the clock outside an update (data sheet: UIP clear leaves 244 us). */
static bool read_once(struct cal_time *t)
{
	unsigned int polls = 0;
	unsigned int century;
	uint8_t b, hours;

	while (cmos_read(MC146818_REG_A) & MC146818_A_UIP)
		if (++polls == UIP_POLLS)
			return false;
	b = cmos_read(MC146818_REG_B);
	t->sec = (uint8_t)field(cmos_read(MC146818_SECONDS), b);
	t->min = (uint8_t)field(cmos_read(MC146818_MINUTES), b);
	hours = cmos_read(MC146818_HOURS);
	t->hour = (uint8_t)field(hours & ~MC146818_HOURS_PM, b);
	if (!(b & MC146818_B_24H))
		t->hour = (uint8_t)(t->hour % 12 + ((hours & MC146818_HOURS_PM) ? 12 : 0));
	t->day = (uint8_t)field(cmos_read(MC146818_DAY_OF_MONTH), b);
	t->month = (uint8_t)field(cmos_read(MC146818_MONTH), b);
	century = field(cmos_read(MC146818_CENTURY), b);
	/* Firmware that keeps no century byte leaves 0 there: this century, then. */
	if (century < FIRST_CENTURY || century >= TWO_DIGITS)
		century = DEFAULT_CENTURY;
	t->year = (uint16_t)(century * TWO_DIGITS + field(cmos_read(MC146818_YEAR), b));
	return true;
}

void rtc_host_init(void)
{
	struct cal_time t, again;

	/* Two equal readings: none straddled an update. */
	for (int tries = 0; tries < 3; tries++) {
		if (!read_once(&t) || !read_once(&again))
			break;
		if (t.sec == again.sec && t.min == again.min && cal_valid(&t)) {
			boot_tsc = arch_read_tsc();
			boot_seconds = cal_to_seconds(&t);
			log_info("rtc: host time %04u-%02u-%02u %02u:%02u:%02u UTC", t.year, t.month,
				 t.day, t.hour, t.min, t.sec);
			return;
		}
	}
	boot_tsc = arch_read_tsc();
	log_warn("rtc: the host's CMOS clock gives no valid time; guests' clocks start at "
		 "2000-01-01 00:00:00 UTC");
}

int64_t rtc_host_now(void)
{
	uint64_t khz = arch_tsc_khz();

	if (!khz)
		return boot_seconds;
	return boot_seconds + (int64_t)((arch_read_tsc() - boot_tsc) / (khz * MS_PER_S));
}
