/* SPDX-License-Identifier: MIT */
/* The console ring's admission rule (pure logic: no locks, no hardware).
 *
 * Guests' records never wait: a CPU that sent a guest's line on the exit
 * path would stall that CPU's other domains ~87 us a byte, so a guest that
 * floods loses lines instead, and leaves the reserve to Tally.  Tally's own
 * records are the run's evidence (end-of-domain lines, the scheduler's
 * accounting): they wait for the line rather than be lost. */
#include <tally/console_room.h>

enum console_fit console_room_fit(enum console_origin origin, size_t room, size_t need,
				  size_t size, size_t reserve)
{
	if (origin == CONSOLE_GUEST) {
		/* The reserve is kept free of guests' bytes; subtracting it could wrap. */
		if (room < reserve || room - reserve < need)
			return CONSOLE_FIT_DROP;
		return CONSOLE_FIT_WRITE;
	}
	if (room >= need)
		return CONSOLE_FIT_WRITE;
	/* Even an empty ring could not hold it: waiting would never end. */
	return need > size ? CONSOLE_FIT_DROP : CONSOLE_FIT_WAIT;
}
