/* SPDX-License-Identifier: MIT */
/* The guests' CMOS clock (Motorola MC146818A data sheet), time from the host's clock (tally/rtc.h).
 *
 * Design: the clock keeps no running registers: a read converts the host's
 * time plus the domain's offset to the field asked for, in the data mode
 * (BCD or binary) and hour mode (12 or 24) register B holds now.  A write
 * to a time register moves the offset; with B.SET the written fields are
 * held and take effect together when SET is cleared (as the chip's
 * updates resume).  Register A never shows an update in progress, C shows
 * no interrupt (none is raised: alarms, periodic and update interrupts are
 * not modelled), D shows a good battery.  Changing the data or hour mode
 * changes how the time reads at once (the chip would need the time
 * rewritten; every OS rewrites it anyway).  A field written out of range,
 * or a date that does not exist once SET is cleared, is ignored: the
 * clock keeps its time.
 * Locking: r->lock around every access; any vCPU of the domain, any CPU. */
#include <tally/domain.h>
#include <tally/rtc.h>
#include <tally/vio.h>
#include <tally/vplatform.h>
#include <tally/vrtc.h>

#define POWER_ON_A	(MC146818_A_DIVIDER_32K | MC146818_A_RATE_1024HZ)
#define POWER_ON_B	MC146818_B_24H	/* BCD, 24-hour: what PC firmware leaves */
#define A_WRITABLE	0x7F		/* UIP is read-only */
#define TWO_DIGITS	100
#define HOURS_12	12
#define BYTE_MASK	0xFFu

static void power_on(struct vrtc *r)
{
	if (r->ready)
		return;
	r->reg_a = POWER_ON_A;
	r->reg_b = POWER_ON_B;
	r->ready = true;
}

void vrtc_select(struct vrtc *r, uint8_t index)
{
	r->index = index & MC146818_INDEX_MASK;
}

static bool binary(const struct vrtc *r)
{
	return r->reg_b & MC146818_B_DM_BINARY;
}

static uint8_t encode(const struct vrtc *r, unsigned int v)
{
	return binary(r) ? (uint8_t)v : cal_to_bcd(v);
}

/* @raw as a number, or -1 if it is no value of the data mode (a BCD digit over 9). */
static int decode(const struct vrtc *r, uint8_t raw)
{
	if (binary(r))
		return raw;
	if ((raw & 0xF) > 9 || (raw >> 4) > 9)
		return -1;
	return (int)cal_from_bcd(raw);
}

/* Hours 0..23 as the register shows them: 12-hour mode is 1..12 with bit 7 for PM. */
static uint8_t encode_hours(const struct vrtc *r, unsigned int h)
{
	unsigned int h12 = h % HOURS_12 ? h % HOURS_12 : HOURS_12;

	if (r->reg_b & MC146818_B_24H)
		return encode(r, h);
	return encode(r, h12) | (h >= HOURS_12 ? MC146818_HOURS_PM : 0);
}

static int decode_hours(const struct vrtc *r, uint8_t raw)
{
	int h;

	if (r->reg_b & MC146818_B_24H)
		return decode(r, raw);
	h = decode(r, raw & ~MC146818_HOURS_PM);
	if (h < 1 || h > HOURS_12)
		return -1;
	return h % HOURS_12 + ((raw & MC146818_HOURS_PM) ? HOURS_12 : 0);
}

/* The time the guest reads now: held while B.SET, else the host's plus its offset. */
static void guest_time(const struct vrtc *r, int64_t now, struct cal_time *t)
{
	if (r->reg_b & MC146818_B_SET)
		*t = r->held;
	else
		cal_from_seconds(now + r->offset_s, t);
}

static uint8_t time_field(const struct vrtc *r, const struct cal_time *t)
{
	switch (r->index) {
	case MC146818_SECONDS: return encode(r, t->sec);
	case MC146818_MINUTES: return encode(r, t->min);
	case MC146818_HOURS: return encode_hours(r, t->hour);
	case MC146818_DAY_OF_WEEK: return encode(r, t->wday + 1u);
	case MC146818_DAY_OF_MONTH: return encode(r, t->day);
	case MC146818_MONTH: return encode(r, t->month);
	case MC146818_YEAR: return encode(r, t->year % TWO_DIGITS);
	default: return encode(r, t->year / TWO_DIGITS);	/* MC146818_CENTURY */
	}
}

static bool is_time_register(uint8_t index)
{
	return index == MC146818_SECONDS || index == MC146818_MINUTES ||
	       index == MC146818_HOURS || (index >= MC146818_DAY_OF_WEEK &&
					   index <= MC146818_YEAR) || index == MC146818_CENTURY;
}

uint8_t vrtc_read(struct vrtc *r, int64_t now)
{
	struct cal_time t;

	power_on(r);
	if (is_time_register(r->index)) {
		guest_time(r, now, &t);
		return time_field(r, &t);
	}
	switch (r->index) {
	case MC146818_REG_A: return r->reg_a;	/* UIP never set: a read is never torn */
	case MC146818_REG_B: return r->reg_b;
	case MC146818_REG_C: return 0;		/* no interrupt flag: none is raised */
	case MC146818_REG_D: return MC146818_D_VRT;
	default: return r->ram[r->index];
	}
}

/* Put the written field @v (decoded, -1 if no value) into @t; false if out of its range. */
static bool set_field(struct cal_time *t, uint8_t index, int v)
{
	static const struct { uint8_t index; int min, max; } range[] = {
		{ MC146818_SECONDS, 0, 59 }, { MC146818_MINUTES, 0, 59 },
		{ MC146818_HOURS, 0, 23 }, { MC146818_DAY_OF_WEEK, 1, 7 },
		{ MC146818_DAY_OF_MONTH, 1, 31 }, { MC146818_MONTH, 1, 12 },
		{ MC146818_YEAR, 0, TWO_DIGITS - 1 }, { MC146818_CENTURY, 0, TWO_DIGITS - 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(range); i++)
		if (range[i].index == index && (v < range[i].min || v > range[i].max))
			return false;
	switch (index) {
	case MC146818_SECONDS: t->sec = (uint8_t)v; break;
	case MC146818_MINUTES: t->min = (uint8_t)v; break;
	case MC146818_HOURS: t->hour = (uint8_t)v; break;
	case MC146818_DAY_OF_WEEK: break;	/* derived from the date */
	case MC146818_DAY_OF_MONTH: t->day = (uint8_t)v; break;
	case MC146818_MONTH: t->month = (uint8_t)v; break;
	case MC146818_YEAR: t->year = (uint16_t)(t->year / TWO_DIGITS * TWO_DIGITS + v); break;
	default: t->year = (uint16_t)(v * TWO_DIGITS + t->year % TWO_DIGITS); break;
	}
	return true;
}

/*
 * With B.SET the fields are held one by one (Feb 31 may stand until the
 * month is written) and checked as a date when SET is cleared; without,
 * each write must leave a real date or is ignored.
 */
static void write_time(struct vrtc *r, uint8_t val, int64_t now)
{
	struct cal_time t;
	int v = r->index == MC146818_HOURS ? decode_hours(r, val) : decode(r, val);

	guest_time(r, now, &t);
	if (!set_field(&t, r->index, v))
		return;
	if (r->reg_b & MC146818_B_SET)
		r->held = t;
	else if (cal_valid(&t))
		r->offset_s = cal_to_seconds(&t) - now;
}

/* B.SET stops the clock at the time shown; clearing it starts it from what was written. */
static void write_b(struct vrtc *r, uint8_t val, int64_t now)
{
	bool was_set = r->reg_b & MC146818_B_SET;

	if ((val & MC146818_B_SET) && !was_set)
		cal_from_seconds(now + r->offset_s, &r->held);
	else if (!(val & MC146818_B_SET) && was_set && cal_valid(&r->held))
		r->offset_s = cal_to_seconds(&r->held) - now;
	r->reg_b = val;
}

void vrtc_write(struct vrtc *r, uint8_t val, int64_t now)
{
	power_on(r);
	if (is_time_register(r->index)) {
		write_time(r, val, now);
		return;
	}
	switch (r->index) {
	case MC146818_REG_A: r->reg_a = val & A_WRITABLE; break;
	case MC146818_REG_B: write_b(r, val, now); break;
	case MC146818_REG_C:
	case MC146818_REG_D: break;	/* read-only */
	default: r->ram[r->index] = val; break;
	}
}

/* Byte registers: a wider access reaches the first port alone; its other bytes float. */
static uint32_t rtc_port_read(struct vcpu *v, uint16_t port, unsigned int size __unused)
{
	struct vrtc *r = &v->domain->rtc;
	unsigned long flags;
	uint8_t val;

	if (port == VPLATFORM_RTC_PORT)
		return ~0u;	/* the index port is write-only */
	flags = spin_lock_irqsave(&r->lock);
	val = vrtc_read(r, rtc_host_now());
	spin_unlock_irqrestore(&r->lock, flags);
	return ~BYTE_MASK | val;
}

static void rtc_port_write(struct vcpu *v, uint16_t port, unsigned int size __unused, uint32_t value)
{
	struct vrtc *r = &v->domain->rtc;
	unsigned long flags = spin_lock_irqsave(&r->lock);

	if (port == VPLATFORM_RTC_PORT)
		vrtc_select(r, (uint8_t)value);
	else
		vrtc_write(r, (uint8_t)value, rtc_host_now());
	spin_unlock_irqrestore(&r->lock, flags);
}

static const struct vio_port_ops rtc_ops = {
	.name = "rtc",
	.read = rtc_port_read,
	.write = rtc_port_write,
};

int vrtc_register(void)
{
	return vio_register_ports(VPLATFORM_RTC_PORT, MC146818_PORT_COUNT, &rtc_ops);
}
