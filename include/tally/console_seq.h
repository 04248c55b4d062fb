/* SPDX-License-Identifier: MIT */
/*
 * The console as a sequence of lines, one of which a guest may leave open:
 * pure.  A guest's partial line (a shell prompt, the echo of a key) is
 * shown at once and continued in place by the same domain's later bytes,
 * until anything else must be printed: that first ends the open line with
 * a newline, and the domain's continuation later starts a new console line
 * tagged "<name>+ ", the mark that it continues the line above.
 */
#ifndef TALLY_CONSOLE_SEQ_H
#define TALLY_CONSOLE_SEQ_H

#include <tally/types.h>

/* After a guest's tag: " " for a line's start, "+ " for a continuation on a new line. */
#define CONSOLE_START_MARK	" "
#define CONSOLE_CONT_MARK	"+ "

/* Locking: none; the console's lock serialises. */
struct console_seq {
	uintptr_t open;		/* the guest stream whose line is open on the console; 0: none */
};

/*
 * One write: a whole line of Tally's (@owner 0, @tag NULL, @text with its
 * prefix and newline) or a piece of a guest's line (@owner its stream,
 * @tag "[cN] <name>", @text without newline).
 */
struct console_piece {
	uintptr_t owner;	/* the stream (a domain) it continues; 0: continues nothing */
	const char *tag;
	const char *text;
	size_t len;
	bool cont;		/* a piece of the same guest line was shown before */
	bool end;		/* the guest line ends after @text: a newline follows */
};

enum console_how {
	CONSOLE_APPEND,		/* @owner's line is open: the text goes on it, no tag */
	CONSOLE_NEW,		/* a new console line (the open one ended first) */
	CONSOLE_NOTHING,	/* the empty end of a line someone else's output already ended */
};

/* Where console_seq_write() puts bytes: @stamp marks where a console line starts. */
struct console_out {
	void (*put)(void *ctx, const char *s, size_t len);
	void (*stamp)(void *ctx);
	void *ctx;
};

/* How piece @p goes onto the console @s: only CONSOLE_NEW starts a line (costs a rate-limit token). */
enum console_how console_seq_how(const struct console_seq *s, const struct console_piece *p);
/* Write @p to @out as @how (from console_seq_how() on the same @s) says, and note what is open. */
void console_seq_write(struct console_seq *s, const struct console_piece *p, enum console_how how,
		       const struct console_out *out);

#endif
