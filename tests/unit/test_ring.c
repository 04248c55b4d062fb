/* SPDX-License-Identifier: MIT */
/* Unit tests: the byte ring with whole records (kernel/ring.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/ring.h>

/* Each test's ring lives in a heap block of exactly its size, so ASan sees any overrun. */
struct fixture {
	struct ring r;
	char *buf;
};

static struct fixture *make(size_t size)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->buf = size ? malloc(size) : NULL;
	ring_init(&f->r, f->buf, size);
	return f;
}

static void destroy(struct fixture *f)
{
	free(f->buf);
	free(f);
}

/* Put @s as one record; returns ring_commit()'s verdict. */
static bool record(struct ring *r, const char *s)
{
	ring_put(r, s, strlen(s));
	return ring_commit(r);
}

/* Take everything committed and compare it with @want. */
static void expect_all(struct ring *r, const char *want)
{
	char out[256] = { 0 };
	size_t n = ring_get(r, out, sizeof(out) - 1);

	assert_int_equal(n, strlen(want));
	assert_string_equal(out, want);
	assert_int_equal(ring_used(r), 0);
}

static void test_empty(void **state)
{
	struct fixture *f = make(8);
	char out[8];

	(void)state;
	assert_int_equal(ring_used(&f->r), 0);
	assert_int_equal(ring_get(&f->r, out, sizeof(out)), 0);
	assert_int_equal(ring_get(&f->r, NULL, 0), 0);
	/* An empty record is a record: published, nothing to read. */
	assert_true(ring_commit(&f->r));
	assert_int_equal(ring_used(&f->r), 0);
	assert_int_equal(f->r.dropped, 0);
	destroy(f);
}

static void test_records_in_order(void **state)
{
	struct fixture *f = make(16);

	(void)state;
	assert_true(record(&f->r, "abc"));
	assert_true(record(&f->r, "defg"));
	assert_int_equal(ring_used(&f->r), 7);
	expect_all(&f->r, "abcdefg");
	destroy(f);
}

/* The reader never sees a record before its commit. */
static void test_open_record_invisible(void **state)
{
	struct fixture *f = make(16);
	char out[16];

	(void)state;
	assert_true(record(&f->r, "ab"));
	assert_true(ring_put(&f->r, "cd", 2));
	assert_int_equal(ring_used(&f->r), 2);
	assert_int_equal(ring_get(&f->r, out, sizeof(out)), 2);
	assert_int_equal(ring_get(&f->r, out, sizeof(out)), 0);
	assert_true(ring_put(&f->r, "ef", 2));
	assert_true(ring_commit(&f->r));
	expect_all(&f->r, "cdef");
	destroy(f);
}

static void test_rollback(void **state)
{
	struct fixture *f = make(8);

	(void)state;
	assert_true(record(&f->r, "ab"));
	assert_true(ring_put(&f->r, "xyz", 3));
	ring_rollback(&f->r);
	assert_int_equal(f->r.dropped, 0);
	/* The rolled-back bytes' room is free again: 6 more fit. */
	assert_true(record(&f->r, "cdefgh"));
	expect_all(&f->r, "abcdefgh");
	destroy(f);
}

/* A ring filled to the last byte holds it all, and refuses one more. */
static void test_exact_fit(void **state)
{
	struct fixture *f = make(8);

	(void)state;
	assert_true(record(&f->r, "01234567"));
	assert_int_equal(ring_used(&f->r), 8);
	assert_false(record(&f->r, "8"));
	assert_int_equal(f->r.dropped, 1);
	expect_all(&f->r, "01234567");
	assert_true(record(&f->r, "abcdefgh"));
	expect_all(&f->r, "abcdefgh");
	destroy(f);
}

/* A record that does not fit is dropped whole, even the pieces that fitted. */
static void test_full_drops_whole_record(void **state)
{
	struct fixture *f = make(8);

	(void)state;
	assert_true(record(&f->r, "abcd"));
	assert_true(ring_put(&f->r, "ef", 2));
	assert_false(ring_put(&f->r, "ghi", 3));
	/* Once broken, a piece that would fit is refused too. */
	assert_false(ring_put(&f->r, "g", 1));
	assert_false(ring_commit(&f->r));
	assert_int_equal(f->r.dropped, 1);
	assert_int_equal(ring_used(&f->r), 4);
	/* The next record starts clean. */
	assert_true(record(&f->r, "wxyz"));
	expect_all(&f->r, "abcdwxyz");
	assert_int_equal(f->r.dropped, 1);
	destroy(f);
}

/*
 * The room a writer may still use: the console checks it before a line, so
 * a line that fits the room is queued whole, and a guest's line can be
 * kept out of a reserve.  A broken record has none.
 */
static void test_room(void **state)
{
	struct fixture *f = make(8);
	char out[8];

	(void)state;
	assert_int_equal(ring_room(&f->r), 8);
	assert_true(ring_put(&f->r, "abc", 3));
	assert_int_equal(ring_room(&f->r), 5);		/* the open record counts */
	assert_true(ring_commit(&f->r));
	assert_int_equal(ring_room(&f->r), 5);
	assert_true(ring_put(&f->r, "defgh", ring_room(&f->r)));	/* exactly the room */
	assert_int_equal(ring_room(&f->r), 0);
	assert_true(ring_commit(&f->r));
	assert_int_equal(ring_get(&f->r, out, 2), 2);
	assert_int_equal(ring_room(&f->r), 2);		/* reading frees room */
	assert_false(ring_put(&f->r, "xyz", 3));
	assert_int_equal(ring_room(&f->r), 0);		/* broken: nothing more goes in */
	ring_rollback(&f->r);
	assert_int_equal(ring_room(&f->r), 2);
	destroy(f);
}

/* Records and reads that cross the end of the buffer come back in order. */
static void test_wrap_around(void **state)
{
	struct fixture *f = make(8);
	char out[8] = { 0 };

	(void)state;
	assert_true(record(&f->r, "abcdef"));
	assert_int_equal(ring_get(&f->r, out, 5), 5);
	assert_memory_equal(out, "abcde", 5);
	/* head is at 5, one byte left: this record wraps after 3 bytes. */
	assert_true(ring_put(&f->r, "gh", 2));
	assert_true(ring_put(&f->r, "ijklm", 5));
	assert_true(ring_commit(&f->r));
	assert_int_equal(ring_used(&f->r), 8);
	/* A read that stops before the end, then one across it. */
	assert_int_equal(ring_get(&f->r, out, 2), 2);
	assert_memory_equal(out, "fg", 2);
	assert_int_equal(ring_get(&f->r, out, sizeof(out)), 6);
	assert_memory_equal(out, "hijklm", 6);
	assert_int_equal(f->r.head, 5);
	destroy(f);
}

/* Lengths near SIZE_MAX must not wrap the free-space arithmetic. */
static void test_hostile_sizes(void **state)
{
	struct fixture *f = make(8);
	static const char big[9] = "123456789";

	(void)state;
	assert_true(record(&f->r, "ab"));
	assert_false(ring_put(&f->r, big, SIZE_MAX));
	assert_false(ring_commit(&f->r));
	assert_false(ring_put(&f->r, big, SIZE_MAX - 1));
	assert_false(ring_commit(&f->r));
	assert_false(ring_put(&f->r, big, 7));
	assert_false(ring_commit(&f->r));
	assert_int_equal(f->r.dropped, 3);
	assert_true(ring_put(&f->r, big, 0));
	assert_true(ring_put(&f->r, big, 6));
	assert_true(ring_commit(&f->r));
	expect_all(&f->r, "ab123456");
	destroy(f);
}

/* A zero-sized ring stores nothing and never touches its (absent) buffer. */
static void test_zero_size(void **state)
{
	struct fixture *f = make(0);
	char out[1];

	(void)state;
	assert_true(ring_put(&f->r, "", 0));
	assert_true(ring_commit(&f->r));
	assert_false(record(&f->r, "a"));
	assert_int_equal(f->r.dropped, 1);
	assert_int_equal(ring_get(&f->r, out, sizeof(out)), 0);
	destroy(f);
}

/*
 * Random records, rollbacks and reads against a plain model (a byte
 * queue): every byte read is the next one committed, dropped records
 * leave no trace, and the ring never holds more than its size.
 */
static void test_random_against_model(void **state)
{
	enum { SIZE = 37, OPS = 20000, MODEL = OPS * 16 };
	struct fixture *f = make(SIZE);
	static char model[MODEL];
	size_t model_in = 0, model_out = 0, open = 0;
	uint64_t dropped = 0;
	char piece[16], out[SIZE + 5];
	bool broken = false;

	(void)state;
	srand(7);
	for (int op = 0; op < OPS; op++) {
		int what = rand() % 10;

		if (what < 5) {
			size_t len = (size_t)rand() % sizeof(piece);
			bool fits = !broken && len <= SIZE - (model_in - model_out) - open;

			for (size_t i = 0; i < len; i++)
				piece[i] = (char)rand();
			assert_int_equal(ring_put(&f->r, piece, len), fits);
			if (fits) {
				memcpy(model + model_in + open, piece, len);
				open += len;
			} else {
				broken = true;
			}
		} else if (what < 7) {
			assert_int_equal(ring_commit(&f->r), !broken);
			if (broken)
				dropped++;
			else
				model_in += open;
			open = 0;
			broken = false;
		} else if (what < 8) {
			ring_rollback(&f->r);
			open = 0;
			broken = false;
		} else {
			size_t n = ring_get(&f->r, out, (size_t)rand() % sizeof(out));

			assert_true(n <= model_in - model_out);
			assert_memory_equal(out, model + model_out, n);
			model_out += n;
		}
		assert_int_equal(ring_used(&f->r), model_in - model_out);
		assert_true(ring_used(&f->r) + f->r.open <= SIZE);
		assert_int_equal(ring_room(&f->r),
				 broken ? 0 : SIZE - (model_in - model_out) - open);
		assert_int_equal(f->r.dropped, dropped);
	}
	assert_true(dropped > 0);
	assert_true(model_in > 10 * SIZE);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_records_in_order),
		cmocka_unit_test(test_open_record_invisible),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_room),
		cmocka_unit_test(test_full_drops_whole_record),
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_hostile_sizes),
		cmocka_unit_test(test_zero_size),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
