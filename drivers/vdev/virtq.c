/* SPDX-License-Identifier: MIT */
/* Split virtqueues as a device sees them (virtio 1.2 section 2.7; see tally/virtq.h for the design). */
#include <tally/errno.h>
#include <tally/string.h>
#include <tally/virtio.h>
#include <tally/virtq.h>

/*
 * 2.7.5.2: "Drivers MUST NOT add a descriptor chain longer than 2^32 bytes
 * in total"; the used ring's len is 32 bits, so Tally takes at most this.
 */
#define VIRTQ_CHAIN_MAX_BYTES	((uint64_t)UINT32_MAX)

/*
 * The ordering the rings need (2.7.13): read avail.idx before the entries
 * it covers, write a used element before used.idx.  x86 keeps loads and
 * stores in order; these only keep the compiler from moving them.
 */
#define virtq_acquire()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virtq_release()	__atomic_thread_fence(__ATOMIC_RELEASE)

static const char *const error_names[VIRTQ_ERR_COUNT] = {
	[VIRTQ_OK] = "ok",
	[VIRTQ_ERR_RING] = "ring",
	[VIRTQ_ERR_INDEX] = "index",
	[VIRTQ_ERR_LOOP] = "loop",
	[VIRTQ_ERR_ADDR] = "addr",
	[VIRTQ_ERR_LEN] = "len",
	[VIRTQ_ERR_INDIRECT] = "indirect",
	[VIRTQ_ERR_ORDER] = "order",
	[VIRTQ_ERR_SEGS] = "segs",
	[VIRTQ_ERR_AVAIL] = "avail",
};

const char *virtq_error_name(enum virtq_error e)
{
	if ((unsigned int)e >= VIRTQ_ERR_COUNT)
		return "unknown";
	return error_names[e];
}

/* Byte offsets of the rings' entries and event fields (2.7.6, 2.7.8). */
static uint64_t avail_ring_gpa(const struct virtq *q, uint16_t i)
{
	return q->avail_gpa + VIRTQ_AVAIL_RING + 2u * (i & (q->size - 1u));
}

static uint64_t used_event_gpa(const struct virtq *q)
{
	return q->avail_gpa + VIRTQ_AVAIL_RING + 2u * q->size;
}

static uint64_t used_ring_gpa(const struct virtq *q, uint16_t i)
{
	return q->used_gpa + VIRTQ_USED_RING + sizeof(struct virtq_used_elem) * (i & (q->size - 1u));
}

static uint64_t avail_event_gpa(const struct virtq *q)
{
	return q->used_gpa + VIRTQ_USED_RING + sizeof(struct virtq_used_elem) * q->size;
}

static bool size_ok(uint16_t size)
{
	return size && size <= VIRTQ_MAX_SIZE && !(size & (size - 1u));
}

/*
 * Every domain's memory is one flat block (no translate callback): there a
 * range inside it is reached by a host pointer, checked by arithmetic, with
 * no page walk and no second pass.  Rings and descriptors are touched
 * about ten times a frame, so this is most of a forwarded frame's cost.
 * NULL for any other mapping or a range not wholly inside: the callers
 * then take the checked page-by-page copies (tally/hcall_args.h).
 */
static uint8_t *flat(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (m->translate || len > m->size || gpa > m->size - len)
		return NULL;
	return m->base + gpa;
}

/* Load the aligned 16-bit ring field at @gpa in one access (the guest may be writing it). */
static bool load16(const struct guest_mem *m, uint64_t gpa, uint16_t *v)
{
	const uint16_t *p = (const uint16_t *)flat(m, gpa, sizeof(*v));

	if (p && IS_ALIGNED(gpa, sizeof(*v))) {
		*v = __atomic_load_n(p, __ATOMIC_RELAXED);
		return true;
	}
	return !hcall_copy_from_guest(m, v, gpa, sizeof(*v), sizeof(*v));
}

/* Store the aligned 16-bit ring field at @gpa in one access. */
static bool store16(const struct guest_mem *m, uint64_t gpa, uint16_t v)
{
	uint16_t *p = (uint16_t *)flat(m, gpa, sizeof(v));

	if (p && IS_ALIGNED(gpa, sizeof(v))) {
		__atomic_store_n(p, v, __ATOMIC_RELAXED);
		return true;
	}
	return !hcall_copy_to_guest(m, gpa, &v, sizeof(v), sizeof(v));
}

/* Copy @len bytes at guest @gpa (a descriptor, a used element) into @dst. */
static bool load_bytes(const struct guest_mem *m, void *dst, uint64_t gpa, uint64_t len)
{
	const uint8_t *p = flat(m, gpa, len);

	if (p) {
		memcpy(dst, p, len);
		/* The copy is what counts: the compiler may not read the guest's bytes again for it. */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		return true;
	}
	return !hcall_copy_from_guest(m, dst, gpa, len, 1);
}

/* Copy @len bytes from @src to guest @gpa. */
static bool store_bytes(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	uint8_t *p = flat(m, gpa, len);

	if (p) {
		memcpy(p, src, len);
		return true;
	}
	return !hcall_copy_to_guest(m, gpa, src, len, 1);
}

enum virtq_error virtq_check(const struct virtq *q, const struct guest_mem *m)
{
	if (!size_ok(q->size))
		return VIRTQ_ERR_INDEX;
	/* 2.7: each area aligned as the table in section 2.7 says, and wholly the domain's. */
	if (hcall_check_guest_array(m, q->desc_gpa, q->size, sizeof(struct virtq_desc),
				    VIRTQ_DESC_ALIGN) ||
	    hcall_check_guest_range(m, q->avail_gpa, VIRTQ_AVAIL_BYTES(q->size),
				    VIRTQ_AVAIL_ALIGN) ||
	    hcall_check_guest_range(m, q->used_gpa, VIRTQ_USED_BYTES(q->size),
				    VIRTQ_USED_ALIGN))
		return VIRTQ_ERR_RING;
	return VIRTQ_OK;
}

/* avail.idx as the driver last published it; false if the ring is not the domain's. */
static bool read_avail_idx(const struct virtq *q, const struct guest_mem *m, uint16_t *idx)
{
	return load16(m, q->avail_gpa + VIRTQ_AVAIL_IDX, idx);
}

unsigned int virtq_pending(const struct virtq *q, const struct guest_mem *m)
{
	uint16_t idx, n;

	if (!q->ready || !size_ok(q->size) || !read_avail_idx(q, m, &idx))
		return 0;
	n = (uint16_t)(idx - q->last_avail);
	return n <= q->size ? n : 0;
}

/* A descriptor table being walked: the queue's own, or an indirect one. */
struct virtq_table {
	uint64_t gpa;
	uint32_t entries;		/* also the loop bound: a chain visits at most this many */
	bool indirect;			/* an indirect table: no INDIRECT inside (2.7.5.3.1) */
};

/* A chain being taken: where it goes, and what the walk has seen so far. */
struct virtq_walk {
	const struct virtq *q;
	const struct guest_mem *m;
	struct virtq_chain *c;
	unsigned int segs;		/* segments seen, also past VIRTQ_MAX_SEGS */
	bool seen_write;		/* a device-writable segment came already */
};

/*
 * Buffer [@gpa, @gpa + @len) wholly the domain's.  The flat mapping
 * (every domain's) is checked by arithmetic: a page walk of a 4 GiB buffer
 * per descriptor is work a guest could make Tally do on every notify.
 */
static bool buffer_ok(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (!m->translate)
		return len <= m->size && gpa <= m->size - len;
	return !hcall_check_guest_array(m, gpa, len, 1, 1);
}

/* Copy descriptor @i of @t into @d: every check after this looks at the copy only. */
static enum virtq_error read_desc(const struct virtq_walk *w, const struct virtq_table *t,
				  uint32_t i, struct virtq_desc *d)
{
	if (i >= t->entries)
		return VIRTQ_ERR_INDEX;
	if (!load_bytes(w->m, d, t->gpa + sizeof(*d) * i, sizeof(*d)))
		return t->indirect ? VIRTQ_ERR_ADDR : VIRTQ_ERR_RING;
	return VIRTQ_OK;
}

/* Append the buffer @d describes to the chain (2.7.5.2: readable ones first). */
static enum virtq_error add_seg(struct virtq_walk *w, const struct virtq_desc *d)
{
	struct virtq_chain *c = w->c;
	bool write = d->flags & VIRTQ_DESC_F_WRITE;

	if (!d->len)
		return VIRTQ_ERR_LEN;
	if (!buffer_ok(w->m, d->addr, d->len))
		return VIRTQ_ERR_ADDR;
	if (!write && w->seen_write)
		return VIRTQ_ERR_ORDER;
	if (c->read_bytes + c->write_bytes + d->len > VIRTQ_CHAIN_MAX_BYTES)
		return VIRTQ_ERR_LEN;
	w->seen_write |= write;
	*(write ? &c->write_bytes : &c->read_bytes) += d->len;
	/* Past the last segment kept, the walk goes on only to tell a loop from a long chain. */
	if (++w->segs > VIRTQ_MAX_SEGS)
		return VIRTQ_OK;
	c->seg[c->count++] = (struct virtq_seg){ .gpa = d->addr, .len = d->len, .write = write };
	c->readable += !write;
	return VIRTQ_OK;
}

static enum virtq_error walk_table(struct virtq_walk *w, const struct virtq_table *t, uint32_t i);

/*
 * The descriptor @d in @t points at an indirect table (2.7.5.3.1): only
 * with the feature, not inside another table, not with NEXT, a whole
 * number of descriptors and no more than the queue size (a chain is no
 * longer than that).  Its WRITE flag means nothing (2.7.5.3.2).
 */
static enum virtq_error walk_indirect(struct virtq_walk *w, const struct virtq_table *t,
				      const struct virtq_desc *d)
{
	struct virtq_table it = { .gpa = d->addr, .indirect = true };

	if (!w->q->indirect || t->indirect || (d->flags & VIRTQ_DESC_F_NEXT))
		return VIRTQ_ERR_INDIRECT;
	if (!d->len || d->len % sizeof(struct virtq_desc) ||
	    d->len / sizeof(struct virtq_desc) > w->q->size)
		return VIRTQ_ERR_INDIRECT;
	it.entries = d->len / sizeof(struct virtq_desc);
	if (!buffer_ok(w->m, d->addr, d->len))
		return VIRTQ_ERR_ADDR;
	return walk_table(w, &it, 0);
}

/*
 * Follow the chain from descriptor @i of @t.  2.7.5.2: a chain longer than
 * its table loops; 2.7.5.3.2: zero or more chained descriptors may lead
 * to one indirect table, which ends the chain.
 */
static enum virtq_error walk_table(struct virtq_walk *w, const struct virtq_table *t, uint32_t i)
{
	for (uint32_t n = 0;; n++) {
		struct virtq_desc d;
		enum virtq_error e;

		if (n >= t->entries)
			return VIRTQ_ERR_LOOP;
		e = read_desc(w, t, i, &d);
		if (e)
			return e;
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return walk_indirect(w, t, &d);
		e = add_seg(w, &d);
		if (e || !(d.flags & VIRTQ_DESC_F_NEXT))
			return e;
		i = d.next;
	}
}

/* Copy and check the chain at @head into @c. */
static enum virtq_error take_chain(const struct virtq *q, const struct guest_mem *m,
				   uint16_t head, struct virtq_chain *c)
{
	struct virtq_table t = { .gpa = q->desc_gpa, .entries = q->size };
	struct virtq_walk w = { .q = q, .m = m, .c = c };
	enum virtq_error e;

	c->head = head;
	c->count = c->readable = 0;
	c->read_bytes = c->write_bytes = 0;
	e = walk_table(&w, &t, head);
	if (!e && w.segs > VIRTQ_MAX_SEGS)
		e = VIRTQ_ERR_SEGS;
	return e;
}

/* 2.7.10: with the event index, tell the driver which avail entry Tally waits for. */
static bool publish_avail_event(const struct virtq *q, const struct guest_mem *m)
{
	uint16_t v = q->last_avail;

	if (!q->event_idx)
		return true;
	return store16(m, avail_event_gpa(q), v);
}

int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c)
{
	uint16_t idx, head;
	enum virtq_error e;

	if (!q->ready || !size_ok(q->size))
		return 0;
	/* avail_event before avail.idx is read: a chain added after the read is notified. */
	if (!publish_avail_event(q, m))
		return -VIRTQ_ERR_RING;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!read_avail_idx(q, m, &idx))
		return -VIRTQ_ERR_RING;
	if (idx == q->last_avail)
		return 0;
	/* 2.7.6: the driver never has more than the queue size outstanding. */
	if ((uint16_t)(idx - q->last_avail) > q->size)
		return -VIRTQ_ERR_AVAIL;
	virtq_acquire();
	if (!load16(m, avail_ring_gpa(q, q->last_avail), &head))
		return -VIRTQ_ERR_RING;
	q->last_avail++;
	e = take_chain(q, m, head, c);
	if (!publish_avail_event(q, m) && !e)
		e = VIRTQ_ERR_RING;
	return e ? -(int)e : 1;
}

int virtq_push(struct virtq *q, const struct guest_mem *m, uint16_t head, uint32_t len)
{
	struct virtq_used_elem el = { .id = head, .len = len };
	uint16_t idx = q->used_idx + 1;

	if (!size_ok(q->size))
		return -EFAULT;
	if (!IS_ALIGNED(q->used_gpa, VIRTQ_USED_ALIGN) ||
	    !store_bytes(m, used_ring_gpa(q, q->used_idx), &el, sizeof(el)))
		return -EFAULT;
	virtq_release();
	if (!store16(m, q->used_gpa + VIRTQ_USED_IDX, idx))
		return -EFAULT;
	q->used_idx = idx;
	return 0;
}

/* 2.7.10: vring_need_event(): did used.idx step over @event going from @old to @new? */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool virtq_should_notify(struct virtq *q, const struct guest_mem *m)
{
	uint16_t v;
	bool yes;

	/* used.idx written before the driver's field is read; its side does the reverse. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx) {
		/* An unreadable ring notifies: a spurious interrupt loses nothing. */
		yes = !q->signalled_valid ||
		      !load16(m, used_event_gpa(q), &v) ||
		      need_event(v, q->used_idx, q->signalled_used);
	} else {
		yes = !load16(m, q->avail_gpa + VIRTQ_AVAIL_FLAGS, &v) ||
		      !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	if (yes) {
		q->signalled_used = q->used_idx;
		q->signalled_valid = true;
	}
	return yes;
}

/* A place in one part (the readable or the writable segments) of a chain. */
struct virtq_cursor {
	const struct virtq_seg *seg, *end;
	uint64_t off;			/* into *seg */
};

/* Start at byte @off of @c's writable (@write) or readable part, with @len bytes after it. */
static int cursor_init(struct virtq_cursor *cur, const struct virtq_chain *c, bool write,
		       uint64_t off, uint64_t len)
{
	uint64_t total = write ? c->write_bytes : c->read_bytes;

	if (c->count > VIRTQ_MAX_SEGS || c->readable > c->count)
		return -EFAULT;
	if (off > total || len > total - off)
		return -EFAULT;
	cur->seg = c->seg + (write ? c->readable : 0);
	cur->end = c->seg + (write ? c->count : c->readable);
	cur->off = off;
	return 0;
}

/* The guest-physical address at the cursor and the bytes left in its segment (0: the end). */
static uint64_t cursor_piece(struct virtq_cursor *cur, uint64_t *gpa)
{
	while (cur->seg < cur->end && cur->off >= cur->seg->len) {
		cur->off -= cur->seg->len;
		cur->seg++;
	}
	if (cur->seg == cur->end)
		return 0;
	*gpa = cur->seg->gpa + cur->off;
	return cur->seg->len - cur->off;
}

/* Copy between @buf and @c's writable part (@write) or from its readable part. */
static int transfer(const struct guest_mem *m, const struct virtq_chain *c, bool write,
		    uint64_t off, uint8_t *buf, uint64_t len)
{
	struct virtq_cursor cur;

	if (cursor_init(&cur, c, write, off, len))
		return -EFAULT;
	while (len) {
		uint64_t gpa = 0, n = MIN(cursor_piece(&cur, &gpa), len);
		bool ok;

		if (!n)
			return -EFAULT;
		n = MIN(n, HCALL_COPY_MAX);
		ok = write ? store_bytes(m, gpa, buf, n) : load_bytes(m, buf, gpa, n);
		if (!ok)
			return -EFAULT;
		buf += n;
		len -= n;
		cur.off += n;
	}
	return 0;
}

int virtq_read(const struct guest_mem *m, const struct virtq_chain *c, uint64_t off,
	       void *dst, uint64_t len)
{
	return transfer(m, c, false, off, dst, len);
}

int virtq_write(const struct guest_mem *m, const struct virtq_chain *c, uint64_t off,
		const void *src, uint64_t len)
{
	/* transfer() only reads through the buffer when it copies to the guest. */
	return transfer(m, c, true, off, (uint8_t *)src, len);
}

/* Host pointer for @gpa and the bytes usable there: @want in flat memory, else to its page end. */
static uint8_t *translate(const struct guest_mem *m, uint64_t gpa, uint64_t want,
			  uint64_t *avail)
{
	uint8_t *p = flat(m, gpa, want);

	if (p) {
		*avail = want;
		return p;
	}
	*avail = 0;
	return m->translate ? m->translate(m, gpa, avail) : hcall_flat_translate(m, gpa, avail);
}

/* One pass over @len bytes of both chains, piece by piece (each within a page of both sides). */
static int copy_pass(const struct guest_mem *dst_m, struct virtq_cursor dst,
		     const struct guest_mem *src_m, struct virtq_cursor src, uint64_t len,
		     bool copy)
{
	while (len) {
		uint64_t dgpa = 0, sgpa = 0, davail, savail;
		uint64_t n = MIN(cursor_piece(&dst, &dgpa), cursor_piece(&src, &sgpa));
		uint8_t *d, *s;

		if (!n)
			return -EFAULT;
		n = MIN(n, len);
		d = translate(dst_m, dgpa, n, &davail);
		s = translate(src_m, sgpa, n, &savail);
		if (!d || !s || !davail || !savail)
			return -EFAULT;
		n = MIN(n, MIN(davail, savail));
		if (copy)
			memmove(d, s, n);	/* one domain's own buffers may overlap */
		dst.off += n;
		src.off += n;
		len -= n;
	}
	return 0;
}

int virtq_copy(const struct guest_mem *dst_m, const struct virtq_chain *dst, uint64_t dst_off,
	       const struct guest_mem *src_m, const struct virtq_chain *src, uint64_t src_off,
	       uint64_t len)
{
	struct virtq_cursor d, s;

	if (cursor_init(&d, dst, true, dst_off, len) || cursor_init(&s, src, false, src_off, len))
		return -EFAULT;
	/*
	 * Every piece checked before the first byte moves: a failed copy wrote
	 * nothing.  Between two flat memories virtq_pop() already checked each
	 * segment and cursor_init() the lengths, so one pass cannot fail halfway.
	 */
	if ((dst_m->translate || src_m->translate) && copy_pass(dst_m, d, src_m, s, len, false))
		return -EFAULT;
	return copy_pass(dst_m, d, src_m, s, len, true);
}

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}
