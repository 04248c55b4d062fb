/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the byte ring with all-or-nothing records that carries console output (kernel/ring.c).
 *
 * Input: the ring's size (one byte), then operations (OP_*), each a byte
 * and a length.  A plain FIFO model runs beside the ring: the reader must
 * get exactly the bytes of the whole records committed, in order, and a
 * record that did not fit must be dropped entire and counted.
 */
#include <stdlib.h>
#include <string.h>

#include <tally/ring.h>

#include "harness.h"
#include "shim.h"

enum op { OP_PUT, OP_COMMIT, OP_ROLLBACK, OP_GET, OP_COUNT };

#define MAX_RING	255
#define MAX_OPS		256

/* What the ring should hold: committed bytes oldest first, then the open record. */
static struct {
	uint8_t committed[MAX_RING], open[MAX_RING];
	size_t used, open_len;
	bool overflow;
	uint64_t dropped;
	uint8_t next;		/* bytes put are numbered, so a misplaced one shows */
} model;

static void op_put(struct ring *r, size_t len)
{
	uint8_t src[MAX_RING];
	bool fits = !model.overflow && len <= r->size - model.used - model.open_len;

	for (size_t i = 0; i < len; i++)
		src[i] = model.next++;
	FUZZ_CHECK(ring_put(r, src, len) == fits);
	if (!fits) {
		model.overflow = true;
		return;
	}
	memcpy(model.open + model.open_len, src, len);
	model.open_len += len;
}

static void op_commit(struct ring *r)
{
	bool whole = !model.overflow;

	FUZZ_CHECK(ring_commit(r) == whole);
	if (whole) {
		memcpy(model.committed + model.used, model.open, model.open_len);
		model.used += model.open_len;
	} else {
		model.dropped++;
	}
	model.open_len = 0;
	model.overflow = false;
}

static void op_rollback(struct ring *r)
{
	ring_rollback(r);
	model.open_len = 0;
	model.overflow = false;
}

static void op_get(struct ring *r, size_t max)
{
	uint8_t *dst = malloc(max ? max : 1);	/* exactly sized: ASan sees an overrun */
	size_t n;

	FUZZ_CHECK(dst);
	n = ring_get(r, dst, max);
	FUZZ_CHECK(n == MIN(max, model.used) && !memcmp(dst, model.committed, n));
	memmove(model.committed, model.committed + n, model.used - n);
	model.used -= n;
	free(dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	size_t ring_size = fuzz_take(&in, 1);
	char *buf = ring_size ? malloc(ring_size) : NULL;
	struct ring r;

	memset(&model, 0, sizeof(model));
	ring_init(&r, buf, ring_size);
	for (unsigned int i = 0; i < MAX_OPS && in.size; i++) {
		unsigned int op = fuzz_take(&in, 1) % OP_COUNT;
		size_t len = fuzz_take(&in, 1);

		if (op == OP_PUT)
			op_put(&r, len);
		else if (op == OP_COMMIT)
			op_commit(&r);
		else if (op == OP_ROLLBACK)
			op_rollback(&r);
		else
			op_get(&r, len);
		FUZZ_CHECK(ring_used(&r) == model.used && r.dropped == model.dropped);
		FUZZ_CHECK(ring_room(&r) ==
			   (model.overflow ? 0 : ring_size - model.used - model.open_len));
		FUZZ_CHECK(r.used + r.open <= r.size && (!r.size || r.head < r.size));
	}
	free(buf);
	return 0;
}
