/* SPDX-License-Identifier: MIT */
/* Unit tests: guest lines left open on the console and continued (kernel/console_seq.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/console_seq.h>
#include <tally/vuart_line.h>

#include "shim.h"

#define OUT_MAX		4096
#define DOM_A		((uintptr_t)0x1000)
#define DOM_B		((uintptr_t)0x2000)
#define TAG_A		"[c0] <a>"
#define TAG_B		"[c1] <b>"

/* A console as kernel/console.c drives it: a transcript, '|' where a stamp goes, tokens. */
static struct console_seq seq;
static char out[OUT_MAX];
static size_t out_len;
static unsigned int tokens, tokens_taken, refused;

static void put(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	assert_true(out_len + len < OUT_MAX);
	memcpy(out + out_len, s, len);
	out_len += len;
	out[out_len] = '\0';
}

static void stamp(void *ctx)
{
	put(ctx, "|", 1);
}

static const struct console_out to_out = { put, stamp, NULL };

/* As console_write_guest(): a new console line takes a token, or is refused. */
static enum console_how guest(uintptr_t owner, const char *tag, const char *text, bool cont,
			      bool end)
{
	const struct console_piece p = {
		.owner = owner, .tag = tag, .text = text, .len = strlen(text), .cont = cont,
		.end = end,
	};
	enum console_how how = console_seq_how(&seq, &p);

	if (how == CONSOLE_NEW) {
		if (!tokens) {
			refused++;
			return how;
		}
		tokens--;
		tokens_taken++;
	}
	console_seq_write(&seq, &p, how, &to_out);
	return how;
}

/* As console_write_line(): Tally's whole line, "\n" included. */
static void tally(const char *line)
{
	const struct console_piece p = { .text = line, .len = strlen(line) };

	assert_int_equal(console_seq_how(&seq, &p), CONSOLE_NEW);
	console_seq_write(&seq, &p, CONSOLE_NEW, &to_out);
}

static int setup(void **state)
{
	(void)state;
	memset(&seq, 0, sizeof(seq));
	out_len = 0;
	out[0] = '\0';
	tokens = 1000;
	tokens_taken = refused = 0;
	return 0;
}

/* The prompt is shown, the echo and the newline continue its line: one tag, one token. */
static void test_continued_in_place(void **state)
{
	(void)state;
	assert_int_equal(guest(DOM_A, TAG_A, "~ # ", false, false), CONSOLE_NEW);
	assert_int_equal(seq.open, DOM_A);
	assert_int_equal(guest(DOM_A, TAG_A, "np", true, false), CONSOLE_APPEND);
	assert_int_equal(guest(DOM_A, TAG_A, "roc", true, false), CONSOLE_APPEND);
	assert_int_equal(guest(DOM_A, TAG_A, "", true, true), CONSOLE_APPEND);
	assert_int_equal(seq.open, 0);
	assert_int_equal(guest(DOM_A, TAG_A, "2", false, true), CONSOLE_NEW);
	assert_string_equal(out, "|[c0] <a> ~ # nproc\n|[c0] <a> 2\n");
	assert_int_equal(tokens_taken, 2);
}

/* Tally's line ends the open one; the continuation is tagged "+" on a new line. */
static void test_interrupted_by_tally(void **state)
{
	(void)state;
	guest(DOM_A, TAG_A, "echo> ", false, false);
	tally("[c0] domains: 2 created\n");
	assert_int_equal(seq.open, 0);
	assert_int_equal(guest(DOM_A, TAG_A, "bye", true, false), CONSOLE_NEW);
	assert_int_equal(guest(DOM_A, TAG_A, "", true, true), CONSOLE_APPEND);
	assert_string_equal(out, "|[c0] <a> echo> \n|[c0] domains: 2 created\n|[c0] <a>+ bye\n");
	assert_int_equal(tokens_taken, 2);
}

/* Another domain's line, whole or partial, ends the open one: never two in a line. */
static void test_interrupted_by_other_domain(void **state)
{
	(void)state;
	guest(DOM_A, TAG_A, "a> ", false, false);
	guest(DOM_B, TAG_B, "b> ", false, false);
	assert_int_equal(seq.open, DOM_B);
	guest(DOM_A, TAG_A, "x", true, true);
	guest(DOM_B, TAG_B, "y", true, true);
	assert_string_equal(out, "|[c0] <a> a> \n|[c1] <b> b> \n|[c0] <a>+ x\n|[c1] <b>+ y\n");
	/* A whole line from the console hypercall (owner 0) ends an open one too. */
	guest(DOM_A, TAG_A, "p", false, false);
	assert_int_equal(guest(0, TAG_A, "hcall", false, true), CONSOLE_NEW);
	assert_int_equal(seq.open, 0);
	assert_string_equal(out + strlen(out) - strlen("|[c0] <a> p\n|[c0] <a> hcall\n"),
			    "|[c0] <a> p\n|[c0] <a> hcall\n");
}

/* The end of a line someone else already ended prints nothing and costs nothing. */
static void test_empty_end_after_interruption(void **state)
{
	(void)state;
	guest(DOM_A, TAG_A, "~ # ", false, false);
	tally("[c0] x\n");
	assert_int_equal(guest(DOM_A, TAG_A, "", true, true), CONSOLE_NOTHING);
	assert_string_equal(out, "|[c0] <a> ~ # \n|[c0] x\n");
	assert_int_equal(tokens_taken, 1);
	/* Tally's lines leave nothing open: the next starts without an extra newline. */
	guest(DOM_A, TAG_A, "z", false, true);
	assert_string_equal(out, "|[c0] <a> ~ # \n|[c0] x\n|[c0] <a> z\n");
}

/* Another vCPU of the same domain (Linux's echo) continues the domain's open line. */
static void test_same_domain_other_vcpu(void **state)
{
	(void)state;
	guest(DOM_A, TAG_A, "~ # ", false, false);
	assert_int_equal(guest(DOM_A, TAG_A, "ls", false, true), CONSOLE_APPEND);
	assert_string_equal(out, "|[c0] <a> ~ # ls\n");
}

/*
 * Rate accounting with the real line logic: a guest sending one byte per
 * quiet time gets in-place pieces for free, but a line holds at most
 * VUART_LINE_MAX - 1 bytes, so each line's worth costs a token; without
 * tokens nothing new starts, and what is open takes no more than its line.
 */
static void test_tiny_pieces_cost_a_line(void **state)
{
	struct vuart_line l = { 0 };
	struct vuart_piece p;
	unsigned int bytes = 3 * (VUART_LINE_MAX - 1);

	(void)state;
	tokens = 2;
	for (unsigned int i = 0; i < bytes; i++) {
		if (vuart_line_put(&l, 'q', &p))
			guest(DOM_A, TAG_A, p.text, p.cont, p.end);
		assert_true(vuart_line_take(&l, false, &p));
		guest(DOM_A, TAG_A, p.text, p.cont, p.end);
	}
	assert_int_equal(tokens_taken, 2);		/* two lines shown */
	assert_int_equal(refused, VUART_LINE_MAX - 1);	/* the third line: every piece refused */
	/* Two full lines, then the open third piece refused: 2 * (tag, 159 'q', newline). */
	assert_int_equal(out_len, 2 * (1 + strlen(TAG_A " ") + VUART_LINE_MAX - 1 + 1));
	assert_int_equal(seq.open, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_continued_in_place, setup),
		cmocka_unit_test_setup(test_interrupted_by_tally, setup),
		cmocka_unit_test_setup(test_interrupted_by_other_domain, setup),
		cmocka_unit_test_setup(test_empty_end_after_interruption, setup),
		cmocka_unit_test_setup(test_same_domain_other_vcpu, setup),
		cmocka_unit_test_setup(test_tiny_pieces_cost_a_line, setup),
	};

	return cmocka_run_group_tests_name("console_seq", tests, NULL, NULL);
}
