/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: guests' UART lines in pieces on a console with open lines
 * (drivers/vdev/vuart_line.c, kernel/console_seq.c).
 *
 * Input: operations, two bytes each: an op and its domain and vCPU, then an
 * argument: a guest byte, a quiet-time flush of one vCPU's line, the end of
 * a domain, a Tally line, a domain's rate-limit tokens.  The pieces go
 * through console_seq as kernel/console.c sends them, to a transcript that
 * remembers who wrote each byte: every console line holds one origin's
 * bytes, starts with its tag (stamped there and only there), a guest's
 * console line holds at most a line per vCPU, and only a tagged start
 * takes a token.
 */
#include <string.h>

#include <tally/console_seq.h>
#include <tally/vuart_line.h>

#include "harness.h"
#include "shim.h"

enum op { OP_BYTE, OP_QUIET, OP_END, OP_TALLY, OP_TOKENS, OP_COUNT };

#define DOMS		2
#define VCPUS		2
#define ORIGIN_TALLY	DOMS
#define LINE_TEXT_MAX	(VCPUS * (VUART_LINE_MAX - 1))

static const char *const tags[DOMS] = { "<d0>", "<d1>" };

static struct vuart_line lines[DOMS][VCPUS];
static struct console_seq seq;
static unsigned int tokens[DOMS];

/* The console line being written: its origin, bytes so far, whether a stamp began it. */
static struct {
	int origin;		/* -1: no byte yet */
	size_t len;
	bool stamped;
	int writer;		/* who is writing now */
} col;

static void put(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			FUZZ_CHECK(col.stamped);	/* no empty line, none without a stamp */
			col.origin = -1;
			col.len = 0;
			col.stamped = false;
			continue;
		}
		FUZZ_CHECK(col.stamped);
		FUZZ_CHECK(col.origin < 0 || col.origin == col.writer);	/* one origin a line */
		col.origin = col.writer;
		col.len++;
		/* A tag, "+ ", and at most a line of text per vCPU. */
		FUZZ_CHECK(col.len <= LINE_TEXT_MAX + strlen("<dN>+ "));
	}
}

static void stamp(void *ctx)
{
	(void)ctx;
	FUZZ_CHECK(!col.stamped && col.len == 0);	/* only where a line starts */
	col.stamped = true;
}

static const struct console_out out = { put, stamp, NULL };

/* As console_write_guest(): a new console line takes one of @dom's tokens, or is refused. */
static void submit(unsigned int dom, const struct vuart_piece *p)
{
	const struct console_piece cp = {
		.owner = dom + 1, .tag = tags[dom], .text = p->text, .len = p->len,
		.cont = p->cont, .end = p->end,
	};
	enum console_how how = console_seq_how(&seq, &cp);

	FUZZ_CHECK(p->len == strlen(p->text) && p->len < VUART_LINE_MAX);
	if (how == CONSOLE_NEW) {
		if (!tokens[dom])
			return;
		tokens[dom]--;
	}
	FUZZ_CHECK(how != CONSOLE_APPEND || seq.open == dom + 1);
	col.writer = (int)dom;
	console_seq_write(&seq, &cp, how, &out);
	FUZZ_CHECK(seq.open == (p->end ? 0 : dom + 1) || how == CONSOLE_NOTHING);
}

static void tally_line(void)
{
	static const char line[] = "[c0] tally\n";
	const struct console_piece cp = { .text = line, .len = sizeof(line) - 1 };

	col.writer = ORIGIN_TALLY;
	console_seq_write(&seq, &cp, console_seq_how(&seq, &cp), &out);
	FUZZ_CHECK(seq.open == 0 && col.len == 0);
}

static void step(enum op op, unsigned int dom, unsigned int vcpu, uint8_t arg)
{
	struct vuart_line *l = &lines[dom][vcpu];
	struct vuart_piece p;

	switch (op) {
	case OP_BYTE:
		if (vuart_line_put(l, arg, &p))
			submit(dom, &p);
		FUZZ_CHECK(l->shown + l->len <= VUART_LINE_MAX - 1);
		break;
	case OP_QUIET:
		if (vuart_line_take(l, false, &p))
			submit(dom, &p);
		break;
	case OP_END:
		for (unsigned int i = 0; i < VCPUS; i++)
			if (vuart_line_take(&lines[dom][i], true, &p))
				submit(dom, &p);
		FUZZ_CHECK(seq.open != dom + 1);	/* its lines ended: none left open */
		break;
	case OP_TALLY:
		tally_line();
		break;
	default:
		tokens[dom] = arg;
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	memset(lines, 0, sizeof(lines));
	memset(&seq, 0, sizeof(seq));
	memset(&col, 0, sizeof(col));
	col.origin = -1;
	for (unsigned int d = 0; d < DOMS; d++)
		tokens[d] = 8;
	while (in.size >= 2) {
		uint8_t sel = (uint8_t)fuzz_take(&in, 1), arg = (uint8_t)fuzz_take(&in, 1);

		step((enum op)(sel % OP_COUNT), (sel / OP_COUNT) % DOMS,
		     (sel / (OP_COUNT * DOMS)) % VCPUS, arg);
	}
	return 0;
}
