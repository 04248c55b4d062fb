/* SPDX-License-Identifier: MIT */
/* Split virtqueues as a device sees them (virtio 1.2 section 2.7): taking
 * descriptor chains from the available ring and returning them through the
 * used ring (pure logic).
 *
 * Design: every guest structure is read through a struct guest_mem (the
 * domain's own memory, checked copies: tally/hcall_args.h) and copied
 * before it is checked, so a guest rewriting a descriptor under Tally's feet
 * cannot pass a check and then use another value: the chain Tally uses is
 * the copy in struct virtq_chain.  A malformed chain (a loop, more
 * descriptors than the queue, an index past the queue, an address or length
 * outside the domain, a nested or empty indirect table, a readable
 * descriptor after a writable one, more than VIRTQ_MAX_SEGS segments) is
 * reported, never followed; the transport then sets DEVICE_NEEDS_RESET.
 * Locking: none here; the device's lock guards its queues. */
#ifndef TALLY_VIRTQ_H
#define TALLY_VIRTQ_H

#include <tally/hcall_args.h>
#include <tally/types.h>

#define VIRTQ_MAX_SIZE		256	/* QueueNumMax: entries per queue */
#define VIRTQ_MAX_SEGS		64	/* segments per chain a device takes */

/* A queue as the driver configured it, and Tally's place in it. */
struct virtq {
	uint16_t size;			/* QueueNum: a power of two, 1..VIRTQ_MAX_SIZE */
	bool ready;			/* QueueReady */
	bool event_idx;			/* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;			/* VIRTIO_F_INDIRECT_DESC negotiated */
	uint64_t desc_gpa;		/* descriptor table */
	uint64_t avail_gpa;		/* driver area */
	uint64_t used_gpa;		/* device area */
	uint16_t last_avail;		/* next available-ring entry Tally takes */
	uint16_t used_idx;		/* Tally's used.idx (the guest's copy is only written) */
	uint16_t signalled_used;	/* used_idx at the last notification (event index) */
	bool signalled_valid;		/* signalled_used means something */
};

/* One segment of a chain: guest-physical, inside the domain's memory. */
struct virtq_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;			/* device-writable */
};

/* A chain taken from the available ring, as Tally copied and checked it. */
struct virtq_chain {
	uint16_t head;			/* its id for the used ring */
	unsigned int count;		/* segments: readable ones first, then writable */
	unsigned int readable;		/* how many of them are readable */
	uint64_t read_bytes;		/* total length of the readable segments */
	uint64_t write_bytes;		/* total length of the writable segments */
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
};

/* Why a chain was refused (the device counts each; virtq_error_name() names it). */
enum virtq_error {
	VIRTQ_OK = 0,
	VIRTQ_ERR_RING,			/* a ring or the descriptor table is outside the domain */
	VIRTQ_ERR_INDEX,		/* a head or next index >= the queue size */
	VIRTQ_ERR_LOOP,			/* the chain is longer than its table: it loops */
	VIRTQ_ERR_ADDR,			/* a buffer is outside the domain, or wraps */
	VIRTQ_ERR_LEN,			/* a zero-length buffer, or a chain over 4 GiB */
	VIRTQ_ERR_INDIRECT,		/* indirect without the feature, nested, with NEXT, bad size */
	VIRTQ_ERR_ORDER,		/* a readable descriptor after a writable one */
	VIRTQ_ERR_SEGS,			/* more than VIRTQ_MAX_SEGS segments */
	VIRTQ_ERR_AVAIL,		/* avail.idx moved more than the queue size ahead */
	VIRTQ_ERR_COUNT
};

/* Its key in log lines and counters: "ring", "index", "loop", "addr", "len", "indirect", "order", "segs", "avail". */
const char *virtq_error_name(enum virtq_error e);

/*
 * Check a queue the driver is enabling (QueueReady = 1): size a power of
 * two within VIRTQ_MAX_SIZE, the three areas aligned and wholly inside @m.
 * VIRTQ_OK or VIRTQ_ERR_RING / VIRTQ_ERR_INDEX (bad size).
 */
enum virtq_error virtq_check(const struct virtq *q, const struct guest_mem *m);

/*
 * Take the next available chain of @q into @c.  Returns 1 (a chain), 0 (the
 * ring is empty, or @q not ready) or -(enum virtq_error) for a malformed
 * one, which is consumed (last_avail moves past it) so that the device may
 * report it; -VIRTQ_ERR_AVAIL and an unreadable driver area consume
 * nothing.  Loops are told from long chains: the walk goes on past
 * VIRTQ_MAX_SEGS up to its table's size.  An indirect table may end a
 * chain of direct descriptors (2.7.5.3.2) and holds at most the queue's
 * size.  With the event index, avail_event is set to last_avail before
 * avail.idx is read and again after the chain is taken.
 */
int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c);

/* Chains the driver has made available and Tally has not taken yet (0 for a bad ring). */
unsigned int virtq_pending(const struct virtq *q, const struct guest_mem *m);

/*
 * Return chain @head with @len bytes written into its writable part: the
 * used element, then used.idx (the element is visible first).  0, or
 * -EFAULT if the used ring is no longer the domain's.
 */
int virtq_push(struct virtq *q, const struct guest_mem *m, uint16_t head, uint32_t len);

/*
 * After pushes: must the driver be notified?  With the event index, when
 * used_idx passed used_event since the last notification (2.7.10); without
 * it, unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT.  Records the
 * notification when it says yes.
 */
bool virtq_should_notify(struct virtq *q, const struct guest_mem *m);

/*
 * Copy @len bytes from offset @off of @c's readable part into @dst.
 * 0, or -EFAULT (past its end, or memory gone).
 */
int virtq_read(const struct guest_mem *m, const struct virtq_chain *c, uint64_t off,
	       void *dst, uint64_t len);

/* Copy @len bytes from @src to offset @off of @c's writable part; as virtq_read(). */
int virtq_write(const struct guest_mem *m, const struct virtq_chain *c, uint64_t off,
		const void *src, uint64_t len);

/*
 * Copy @len bytes from offset @src_off of chain @src's readable part (in
 * @src_m) straight to offset @dst_off of chain @dst's writable part (in
 * @dst_m): the one copy of a frame between two domains.  As virtq_read().
 */
int virtq_copy(const struct guest_mem *dst_m, const struct virtq_chain *dst, uint64_t dst_off,
	       const struct guest_mem *src_m, const struct virtq_chain *src, uint64_t src_off,
	       uint64_t len);

/* Forget the queue's configuration and position (device or queue reset). */
void virtq_reset(struct virtq *q);

#endif
