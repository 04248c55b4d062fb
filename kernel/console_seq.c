/* SPDX-License-Identifier: MIT */
/* Console lines a guest's partial line leaves open, continued or ended (see tally/console_seq.h).
 *
 * Design: only the domain whose line is open may append to it, so lines of
 * different origins never mix within a console line; any other write ends
 * the open line first.  The owner is the domain, not its vCPU: Linux echoes
 * a typed key from whichever CPU took the UART interrupt, after the prompt
 * another CPU printed, and both belong on the prompt's line. */
#include <tally/console_seq.h>
#include <tally/string.h>

static const char newline[] = "\n";

enum console_how console_seq_how(const struct console_seq *s, const struct console_piece *p)
{
	if (p->owner && s->open == p->owner)
		return CONSOLE_APPEND;
	/* Another's output already ended the line: an empty end adds nothing. */
	if (p->cont && !p->len)
		return CONSOLE_NOTHING;
	return CONSOLE_NEW;
}

/* The guest's tag and its mark, or nothing for Tally's own line (its text has its prefix). */
static void put_tag(const struct console_piece *p, const struct console_out *out)
{
	const char *mark = p->cont ? CONSOLE_CONT_MARK : CONSOLE_START_MARK;

	if (!p->tag)
		return;
	out->put(out->ctx, p->tag, strlen(p->tag));
	out->put(out->ctx, mark, strlen(mark));
}

void console_seq_write(struct console_seq *s, const struct console_piece *p, enum console_how how,
		       const struct console_out *out)
{
	if (how == CONSOLE_NOTHING)
		return;
	if (how == CONSOLE_NEW) {
		if (s->open)
			out->put(out->ctx, newline, 1);
		out->stamp(out->ctx);
		put_tag(p, out);
	}
	out->put(out->ctx, p->text, p->len);
	if (p->end)
		out->put(out->ctx, newline, 1);
	s->open = p->end ? 0 : p->owner;
}
