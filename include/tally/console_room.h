/* SPDX-License-Identifier: MIT */
/* Whether a console record goes into the output ring, waits for the line, or is dropped: pure. */
#ifndef TALLY_CONSOLE_ROOM_H
#define TALLY_CONSOLE_ROOM_H

#include <tally/console.h>
#include <tally/types.h>

/* What the writer of one record does. */
enum console_fit {
	CONSOLE_FIT_WRITE,	/* it fits: queue it */
	CONSOLE_FIT_WAIT,	/* Tally's, short of room: send queued bytes until it fits */
	CONSOLE_FIT_DROP,	/* drop it whole and count it */
};

/*
 * The fate of a record of @need ring bytes from @origin, with @room bytes
 * free in a ring of @size, @reserve of which only Tally's records may take:
 * a guest's record that would eat into the reserve is dropped; Tally's
 * waits for room, unless the ring could never hold it.
 */
enum console_fit console_room_fit(enum console_origin origin, size_t room, size_t need,
				  size_t size, size_t reserve);

#endif
