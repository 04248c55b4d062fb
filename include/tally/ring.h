/* SPDX-License-Identifier: MIT */
/* A byte ring written in whole records: each is published entire or dropped entire. */
#ifndef TALLY_RING_H
#define TALLY_RING_H

#include <tally/types.h>

/*
 * Design: the reader takes committed bytes from @head; after the @used
 * committed bytes come the @open bytes of the record being written, which
 * the reader cannot see until ring_commit().  Counting bytes rather than
 * keeping a second index tells a full ring from an empty one, so all
 * @size bytes hold data.  Locking: none; the caller serialises writer and
 * reader (the UART's lock).
 */
struct ring {
	char *buf;
	size_t size;
	size_t head;		/* offset of the oldest committed byte */
	size_t used;		/* committed bytes */
	size_t open;		/* bytes of the record being written */
	bool overflow;		/* part of the open record did not fit: it will be dropped */
	uint64_t dropped;	/* records dropped whole */
};

/* Make @r an empty ring over the @size bytes at @buf, with an empty open record. */
void ring_init(struct ring *r, char *buf, size_t size);
/* Append @len bytes to the open record; false if they do not fit (the record is then lost). */
bool ring_put(struct ring *r, const void *src, size_t len);
/* End the open record: publish it (true), or drop and count it if any of it did not fit. */
bool ring_commit(struct ring *r);
/* Abandon the open record without counting it. */
void ring_rollback(struct ring *r);
/* Bytes the open record may still take: what neither committed nor open bytes hold. */
size_t ring_room(const struct ring *r);
/* Committed bytes waiting for the reader. */
size_t ring_used(const struct ring *r);
/* Take up to @max committed bytes, oldest first, into @dst; returns how many. */
size_t ring_get(struct ring *r, void *dst, size_t max);

#endif
