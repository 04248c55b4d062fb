/* SPDX-License-Identifier: MIT */
/* Byte ring with all-or-nothing records (pure logic: no locks, no hardware). */
#include <tally/ring.h>
#include <tally/string.h>

void ring_init(struct ring *r, char *buf, size_t size)
{
	*r = (struct ring){ .buf = buf, .size = size };
}

/* Offset @n bytes past the head, wrapped (n <= size). */
static size_t ring_offset(const struct ring *r, size_t n)
{
	size_t off = r->head + n;

	return off >= r->size ? off - r->size : off;
}

bool ring_put(struct ring *r, const void *src, size_t len)
{
	size_t at, first;

	/* Once a piece is lost the record is broken: keep the rest out too. */
	if (r->overflow || len > r->size - r->used - r->open) {
		r->overflow = true;
		return false;
	}
	if (!len)
		return true;
	at = ring_offset(r, r->used + r->open);
	first = MIN(len, r->size - at);
	memcpy(r->buf + at, src, first);
	memcpy(r->buf, (const char *)src + first, len - first);
	r->open += len;
	return true;
}

bool ring_commit(struct ring *r)
{
	bool whole = !r->overflow;

	if (whole)
		r->used += r->open;
	else
		r->dropped++;
	r->open = 0;
	r->overflow = false;
	return whole;
}

void ring_rollback(struct ring *r)
{
	r->open = 0;
	r->overflow = false;
}

size_t ring_room(const struct ring *r)
{
	return r->overflow ? 0 : r->size - r->used - r->open;
}

size_t ring_used(const struct ring *r)
{
	return r->used;
}

size_t ring_get(struct ring *r, void *dst, size_t max)
{
	size_t n = MIN(max, r->used), first = MIN(n, r->size - r->head);

	if (!n)
		return 0;
	memcpy(dst, r->buf + r->head, first);
	memcpy((char *)dst + first, r->buf, n - first);
	r->head = ring_offset(r, n);
	r->used -= n;
	return n;
}
