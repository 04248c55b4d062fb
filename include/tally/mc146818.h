/* SPDX-License-Identifier: MIT */
/* The PC's CMOS real-time clock (Motorola MC146818A data sheet; PC CMOS map): registers once, by name. */
#ifndef TALLY_MC146818_H
#define TALLY_MC146818_H

/* Ports: the index register, the data register after it. */
#define MC146818_PORT_COUNT	2
#define MC146818_INDEX_NMI_MASK	0x80	/* bit 7 of the index port masks NMIs on a PC */
#define MC146818_INDEX_MASK	0x7F	/* 128 bytes: 14 clock registers and NVRAM */

/* Clock registers (data sheet, "Address map"). */
#define MC146818_SECONDS	0x00
#define MC146818_SECONDS_ALARM	0x01
#define MC146818_MINUTES	0x02
#define MC146818_MINUTES_ALARM	0x03
#define MC146818_HOURS		0x04
#define MC146818_HOURS_ALARM	0x05
#define MC146818_DAY_OF_WEEK	0x06	/* 1..7, Sunday = 1 */
#define MC146818_DAY_OF_MONTH	0x07
#define MC146818_MONTH		0x08
#define MC146818_YEAR		0x09	/* 0..99 */
#define MC146818_REG_A		0x0A
#define MC146818_REG_B		0x0B
#define MC146818_REG_C		0x0C
#define MC146818_REG_D		0x0D
#define MC146818_CENTURY	0x32	/* PC CMOS map; the FADT's CENTURY field names it */
#define MC146818_BYTES		0x80

#define MC146818_A_UIP		0x80	/* update in progress: the time registers are changing */
#define MC146818_A_DIVIDER_32K	0x20	/* DV2-0 = 010: 32.768 kHz time base */
#define MC146818_A_RATE_1024HZ	0x06	/* RS3-0 = 0110 */
#define MC146818_B_SET		0x80	/* updates stop; the time registers may be written */
#define MC146818_B_PIE		0x40
#define MC146818_B_AIE		0x20
#define MC146818_B_UIE		0x10
#define MC146818_B_SQWE		0x08
#define MC146818_B_DM_BINARY	0x04	/* data mode: binary, else BCD */
#define MC146818_B_24H		0x02	/* 24-hour mode, else 12-hour with bit 7 of the hours = PM */
#define MC146818_B_DSE		0x01
#define MC146818_D_VRT		0x80	/* valid RAM and time: the battery is good */
#define MC146818_HOURS_PM	0x80

#endif
