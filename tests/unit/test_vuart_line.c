/* SPDX-License-Identifier: MIT */
/* Unit tests: console lines from guest UART bytes (drivers/vdev/vuart_line.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/vuart_line.h>

#include "shim.h"

#define MAX_LINES	16

static char lines[MAX_LINES][VUART_LINE_MAX];
static struct vuart_piece pieces[MAX_LINES];
static unsigned int line_count;

/* Feed @s byte by byte (with its length, so NULs go too), keeping each piece that ends a line. */
static void feed(struct vuart_line *l, const char *s, size_t len)
{
	struct vuart_piece out;

	for (size_t i = 0; i < len; i++) {
		if (vuart_line_put(l, (uint8_t)s[i], &out)) {
			assert_true(line_count < MAX_LINES);
			assert_int_equal(strlen(out.text), out.len);
			assert_true(out.end);
			pieces[line_count] = out;
			strcpy(lines[line_count++], out.text);
		}
	}
}

#define FEED(l, s)	feed((l), (s), sizeof(s) - 1)

static int setup(void **state)
{
	(void)state;
	line_count = 0;
	memset(lines, 0, sizeof(lines));
	memset(pieces, 0, sizeof(pieces));
	return 0;
}

static void test_lines(void **state)
{
	struct vuart_line l = { 0 };

	(void)state;
	FEED(&l, "hello\r\nworld\n\n");
	assert_int_equal(line_count, 2);		/* the empty line is not printed */
	assert_string_equal(lines[0], "hello");
	assert_string_equal(lines[1], "world");
	assert_int_equal(l.len, 0);
}

static void test_control_bytes_made_safe(void **state)
{
	struct vuart_line l = { 0 };

	(void)state;
	FEED(&l, "a\tb\x07" "c\x7f\xff\0d\n");
	assert_int_equal(line_count, 1);
	assert_string_equal(lines[0], "a\tb.c...d");
}

static void test_long_line_split(void **state)
{
	struct vuart_line l = { 0 };
	struct vuart_piece out;

	(void)state;
	for (unsigned int i = 0; i < VUART_LINE_MAX + 4; i++)
		FEED(&l, "x");
	assert_int_equal(line_count, 1);
	assert_int_equal(strlen(lines[0]), VUART_LINE_MAX - 1);
	assert_false(pieces[0].cont);
	assert_int_equal(l.len, 5);
	assert_true(vuart_line_take(&l, false, &out));
	assert_int_equal(out.len, 5);
	assert_string_equal(out.text, "xxxxx");
	assert_false(out.cont);
	assert_false(out.end);
	assert_false(vuart_line_take(&l, false, &out));	/* taken: nothing new */
}

static void test_partial_line_taken(void **state)
{
	struct vuart_line l = { 0 };
	struct vuart_piece out;

	(void)state;
	FEED(&l, "~ # ");				/* a shell prompt: no newline */
	assert_int_equal(line_count, 0);
	assert_true(vuart_line_take(&l, false, &out));
	assert_int_equal(out.len, 4);
	assert_string_equal(out.text, "~ # ");
	assert_false(out.cont);
	assert_false(out.end);
	assert_int_equal(l.shown, 4);
	FEED(&l, "ls\n");				/* the echo continues the line */
	assert_int_equal(line_count, 1);
	assert_string_equal(lines[0], "ls");
	assert_true(pieces[0].cont);
	assert_int_equal(l.shown, 0);
	FEED(&l, "pwd\n");				/* the next line starts afresh */
	assert_string_equal(lines[1], "pwd");
	assert_false(pieces[1].cont);
}

/* A newline right after a shown piece still ends the line: an empty piece. */
static void test_empty_end_of_shown_line(void **state)
{
	struct vuart_line l = { 0 };
	struct vuart_piece out;

	(void)state;
	FEED(&l, "echo> ");
	assert_true(vuart_line_take(&l, false, &out));
	FEED(&l, "\r\n");
	assert_int_equal(line_count, 1);
	assert_int_equal(pieces[0].len, 0);
	assert_true(pieces[0].cont);
	FEED(&l, "\n");				/* an empty line of its own: nothing */
	assert_int_equal(line_count, 1);
	/* The domain ends: a line with nothing pending and nothing shown gives no piece. */
	assert_false(vuart_line_take(&l, true, &out));
	FEED(&l, "ab");
	assert_true(vuart_line_take(&l, false, &out));
	assert_true(vuart_line_take(&l, true, &out));	/* ends what was shown */
	assert_int_equal(out.len, 0);
	assert_true(out.cont && out.end);
}

/*
 * Pieces of one line add up to at most a line: a guest that sends one
 * byte per quiet time fills its line and the line ends, as a whole one would.
 */
static void test_pieces_bounded_by_line(void **state)
{
	struct vuart_line l = { 0 };
	struct vuart_piece out;
	unsigned int shown = 0, takes = 0;

	(void)state;
	for (unsigned int i = 0; i < VUART_LINE_MAX - 1; i++) {
		FEED(&l, "y");
		if (line_count)
			break;
		assert_true(vuart_line_take(&l, false, &out));
		assert_int_equal(out.cont, i > 0);
		shown += out.len;
		takes++;
	}
	assert_int_equal(takes, VUART_LINE_MAX - 1);
	assert_int_equal(shown, VUART_LINE_MAX - 1);
	assert_int_equal(line_count, 0);
	FEED(&l, "z");					/* the 160th byte: the line ends first */
	assert_int_equal(line_count, 1);
	assert_int_equal(pieces[0].len, 0);
	assert_true(pieces[0].cont);
	assert_int_equal(l.shown, 0);
	assert_int_equal(l.len, 1);
}

/* Quiet lines are shown oldest first: a prompt on one vCPU before the echo on another. */
static void test_oldest_quiet_first(void **state)
{
	struct vuart_line l[4] = { 0 };

	(void)state;
	assert_int_equal(vuart_lines_oldest_quiet(l, 4, 1000), -1);	/* nothing pending */
	l[0] = (struct vuart_line){ .len = 2, .first_write = 300, .last_write = 400 };	/* echo */
	l[2] = (struct vuart_line){ .len = 4, .first_write = 100, .last_write = 200 };	/* prompt */
	l[3] = (struct vuart_line){ .len = 1, .first_write = 50, .last_write = 900 };	/* busy */
	assert_int_equal(vuart_lines_oldest_quiet(l, 4, 500), 2);
	l[2].len = 0;							/* taken */
	assert_int_equal(vuart_lines_oldest_quiet(l, 4, 500), 0);
	assert_int_equal(vuart_lines_oldest_quiet(l, 4, 400), -1);	/* last byte not before */
	assert_int_equal(vuart_lines_oldest_quiet(l, 4, 901), 3);	/* now quiet, and older */
	assert_int_equal(vuart_lines_oldest_quiet(l, 1, 901), 0);	/* only the first @n */
}

static void test_csi_sequences_dropped(void **state)
{
	struct vuart_line l = { 0 };

	(void)state;
	/* busybox ash's cursor position request, colours, erase line. */
	FEED(&l, "\x1b[6n~ # \x1b[1;32mgreen\x1b[0m\x1b[K!\n");
	assert_int_equal(line_count, 1);
	assert_string_equal(lines[0], "~ # green!");
	/* Parameters and intermediates of every kind until the final byte. */
	FEED(&l, "a\x1b[?25;1 qb\n");
	assert_string_equal(lines[1], "ab");
	/* Split across writes: the state is kept. */
	FEED(&l, "c\x1b");
	FEED(&l, "[");
	FEED(&l, "12");
	FEED(&l, "mD\n");
	assert_string_equal(lines[2], "cD");
}

static void test_other_escapes(void **state)
{
	struct vuart_line l = { 0 };

	(void)state;
	FEED(&l, "a\x1b" "cb\x1bMc\n");		/* ESC c and ESC M (Fe bytes 0x40..0x5F, 'c' is not) */
	assert_int_equal(line_count, 1);
	assert_string_equal(lines[0], "acbc");
	FEED(&l, "\x1b\x1b[2Jz\n");		/* ESC ESC [: the first ESC alone, then a CSI */
	assert_string_equal(lines[1], "z");
	FEED(&l, "x\x1b[12\ny\n");		/* a newline ends a broken sequence and the line */
	assert_int_equal(line_count, 4);
	assert_string_equal(lines[2], "x");
	assert_string_equal(lines[3], "y");
	assert_int_equal(l.esc, VUART_ESC_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lines, setup),
		cmocka_unit_test_setup(test_control_bytes_made_safe, setup),
		cmocka_unit_test_setup(test_long_line_split, setup),
		cmocka_unit_test_setup(test_partial_line_taken, setup),
		cmocka_unit_test_setup(test_empty_end_of_shown_line, setup),
		cmocka_unit_test_setup(test_pieces_bounded_by_line, setup),
		cmocka_unit_test_setup(test_oldest_quiet_first, setup),
		cmocka_unit_test_setup(test_csi_sequences_dropped, setup),
		cmocka_unit_test_setup(test_other_escapes, setup),
	};

	return cmocka_run_group_tests_name("vuart_line", tests, NULL, NULL);
}
