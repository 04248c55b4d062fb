/* SPDX-License-Identifier: MIT */
/* Unit tests: the console ring's admission rule (kernel/console_room.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <tally/console_room.h>

#define SIZE	65536
#define RESERVE	16384

struct fit_case {
	enum console_origin origin;
	size_t room, need;
	enum console_fit want;
};

static const struct fit_case cases[] = {
	/* A guest's record keeps out of the reserve, to the byte. */
	{ CONSOLE_GUEST, SIZE, 100, CONSOLE_FIT_WRITE },
	{ CONSOLE_GUEST, RESERVE + 100, 100, CONSOLE_FIT_WRITE },
	{ CONSOLE_GUEST, RESERVE + 99, 100, CONSOLE_FIT_DROP },
	{ CONSOLE_GUEST, RESERVE, 1, CONSOLE_FIT_DROP },
	{ CONSOLE_GUEST, RESERVE, 0, CONSOLE_FIT_WRITE },
	/* Less room than the reserve: no wrap-around makes it look large. */
	{ CONSOLE_GUEST, RESERVE - 1, 0, CONSOLE_FIT_DROP },
	{ CONSOLE_GUEST, 0, 1, CONSOLE_FIT_DROP },
	/* A guest never waits, however little it asks. */
	{ CONSOLE_GUEST, 10, 5, CONSOLE_FIT_DROP },
	/* Tally's takes the reserve, then waits rather than be dropped. */
	{ CONSOLE_TALLY, 100, 100, CONSOLE_FIT_WRITE },
	{ CONSOLE_TALLY, RESERVE - 1, 100, CONSOLE_FIT_WRITE },
	{ CONSOLE_TALLY, 99, 100, CONSOLE_FIT_WAIT },
	{ CONSOLE_TALLY, 0, 1, CONSOLE_FIT_WAIT },
	{ CONSOLE_TALLY, 0, SIZE, CONSOLE_FIT_WAIT },
	/* Polled: room is unbounded. */
	{ CONSOLE_TALLY, SIZE_MAX, 300, CONSOLE_FIT_WRITE },
	{ CONSOLE_GUEST, SIZE_MAX, 300, CONSOLE_FIT_WRITE },
	/* Larger than the whole ring: waiting would never end. */
	{ CONSOLE_TALLY, 0, SIZE + 1, CONSOLE_FIT_DROP },
	{ CONSOLE_TALLY, SIZE, SIZE + 1, CONSOLE_FIT_DROP },
};

static void test_fit_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fit_case *c = &cases[i];
		enum console_fit got = console_room_fit(c->origin, c->room, c->need, SIZE, RESERVE);

		if (got != c->want)
			fail_msg("case %zu: origin %d room %zu need %zu: got %d, want %d", i,
				 c->origin, c->room, c->need, got, c->want);
	}
}

/* Every room from empty to full: a Tally record is never dropped if the ring can hold it. */
static void test_tally_never_dropped(void **state)
{
	(void)state;
	for (size_t room = 0; room <= SIZE; room += 7)
		for (size_t need = 1; need <= 600; need += 13) {
			enum console_fit got = console_room_fit(CONSOLE_TALLY, room, need, SIZE,
								RESERVE);

			assert_int_equal(got, room >= need ? CONSOLE_FIT_WRITE : CONSOLE_FIT_WAIT);
		}
}

/* Every room: a guest's record is written exactly when it leaves the reserve free. */
static void test_guest_leaves_reserve(void **state)
{
	(void)state;
	for (size_t room = 0; room <= SIZE; room += 7) {
		enum console_fit got = console_room_fit(CONSOLE_GUEST, room, 256, SIZE, RESERVE);

		assert_int_equal(got, room >= RESERVE + 256 ? CONSOLE_FIT_WRITE : CONSOLE_FIT_DROP);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_table),
		cmocka_unit_test(test_tally_never_dropped),
		cmocka_unit_test(test_guest_leaves_reserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
