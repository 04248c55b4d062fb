/* SPDX-License-Identifier: MIT */
/*
 * A console line as a guest's UART output builds it, byte by byte: pure.
 * What a console line may hold: printable ASCII and tabs as they are,
 * other control bytes as '.', ANSI escape sequences dropped whole (ECMA-48
 * 5.4: a CSI sequence is ESC [ parameters intermediates final byte; a
 * two-byte one is ESC and a byte 0x40..0x5F), so no guest moves the cursor
 * or recolours the console.
 */
#ifndef TALLY_VUART_LINE_H
#define TALLY_VUART_LINE_H

#include <tally/types.h>

#define VUART_LINE_MAX		160

/* Where an escape sequence being dropped has got to. */
enum vuart_esc {
	VUART_ESC_NONE,
	VUART_ESC_START,	/* ESC seen */
	VUART_ESC_CSI,		/* ESC [ seen: parameters until a final byte */
};

struct vuart_line {
	char text[VUART_LINE_MAX];	/* the bytes not printed yet */
	unsigned int len;
	unsigned int shown;	/* bytes of this line already printed as pieces */
	enum vuart_esc esc;
	uint64_t first_write;	/* TSC of the first byte not printed yet */
	uint64_t last_write;	/* TSC of the last byte, for the quiet-time flush */
};

/*
 * What a line gives the console: its bytes not printed yet, and whether
 * they continue bytes printed before and end the line.  A line's pieces
 * hold at most VUART_LINE_MAX - 1 bytes in all, so the pieces a guest
 * sends in place of one line never add up to more than a line.
 */
struct vuart_piece {
	char text[VUART_LINE_MAX];	/* NUL-terminated */
	unsigned int len;
	bool cont;		/* a piece of the same line was printed before */
	bool end;		/* the line ends here */
};

/*
 * Add guest byte @c to @l.  True if a piece that ends the line is in
 * @out: at '\n' (an empty line is no piece, unless it ends printed
 * pieces) or when the line is full (VUART_LINE_MAX - 1 bytes); '\r' is
 * dropped.
 */
bool vuart_line_put(struct vuart_line *l, uint8_t c, struct vuart_piece *out);
/*
 * Take the bytes @l holds into @out, ending the line if @end: a partial
 * line shown after a quiet time (@end false), or the last of a line whose
 * writer ends (@end true).  False if there is nothing to print.
 */
bool vuart_line_take(struct vuart_line *l, bool end, struct vuart_piece *out);
/*
 * Of the @n lines at @lines, the one with bytes not printed yet, last
 * written before @before, whose first such byte came first; -1 if none.
 * Shown in that order, one domain's vCPUs' partial lines keep the order the
 * guest wrote them in (a prompt on one vCPU, the echo on another).
 */
int vuart_lines_oldest_quiet(const struct vuart_line *lines, unsigned int n, uint64_t before);

/*
 * How a guest's byte appears in a console line, whichever way it came
 * (UART or the console hypercall): printable ASCII and tabs as they are,
 * other control bytes as '.'.
 */
static inline char vuart_printable(uint8_t c)
{
	return (c >= 0x20 && c < 0x7F) || c == '\t' ? (char)c : '.';
}

#endif
