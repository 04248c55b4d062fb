/* SPDX-License-Identifier: MIT */
/* The CMOS real-time clock every domain sees at VPLATFORM_RTC_PORT (an MC146818A, as on a PC). */
#ifndef TALLY_VRTC_H
#define TALLY_VRTC_H

#include <tally/calendar.h>
#include <tally/mc146818.h>
#include <tally/spinlock.h>

/*
 * One per domain (struct domain.rtc), zero at creation: the first access
 * gives it its power-on values.  Its time is the host's (tally/rtc.h) plus
 * the offset the guest's own writes set, so it runs on while the domain
 * does not, as a battery-backed clock does.
 */
struct vrtc {
	struct spinlock lock;		/* its vCPUs, on their CPUs */
	bool ready;			/* power-on values given */
	uint8_t index;			/* the register the data port reaches */
	uint8_t reg_a, reg_b;
	struct cal_time held;		/* while B.SET: the time being written */
	int64_t offset_s;		/* the guest's time minus the host's, in seconds */
	uint8_t ram[MC146818_BYTES];	/* alarms and NVRAM (clock bytes unused) */
};

/* Select register @index (bit 7, the PC's NMI mask, is dropped). */
void vrtc_select(struct vrtc *r, uint8_t index);

/* The selected register, the host's time being @now (seconds since 1970 UTC). */
uint8_t vrtc_read(struct vrtc *r, int64_t now);

/* Write @val to the selected register at host time @now. */
void vrtc_write(struct vrtc *r, uint8_t val, int64_t now);

/* Claim VPLATFORM_RTC_PORT and the data port after it, at boot: 0 or vio_register_ports()'s error. */
int vrtc_register(void);

#endif
