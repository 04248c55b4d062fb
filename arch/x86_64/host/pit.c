/* SPDX-License-Identifier: MIT */
/* 8254 PIT channel 2 as a one-shot reference clock (Intel 8254 data sheet).
 *
 * Channel 2 is the one whose gate and output software can reach, through
 * port 0x61, so it can time an interval without an interrupt. */
#include <arch/io.h>
#include <arch/pit.h>

#define PIT_CH2_DATA	0x42
#define PIT_COMMAND	0x43
#define PORT_B		0x61	/* system control port B */

#define PIT_SELECT_CH2		(2u << 6)
#define PIT_ACCESS_LOHI		(3u << 4)
#define PIT_MODE0		(0u << 1)	/* interrupt on terminal count */
#define PORT_B_GATE2		(1u << 0)
#define PORT_B_SPEAKER		(1u << 1)
#define PORT_B_OUT2		(1u << 5)

void pit_oneshot_start(uint16_t count)
{
	uint8_t b = inb(PORT_B) & ~(PORT_B_GATE2 | PORT_B_SPEAKER);

	outb(PORT_B, b);
	outb(PIT_COMMAND, PIT_SELECT_CH2 | PIT_ACCESS_LOHI | PIT_MODE0);
	outb(PIT_CH2_DATA, count & 0xFF);
	outb(PIT_CH2_DATA, count >> 8);
	outb(PORT_B, b | PORT_B_GATE2);		/* counting starts */
}

bool pit_oneshot_done(void)
{
	return inb(PORT_B) & PORT_B_OUT2;
}
