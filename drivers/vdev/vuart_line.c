/* SPDX-License-Identifier: MIT */
/* Console lines from guest UART bytes, escape sequences dropped (see tally/vuart_line.h). */
#include <tally/string.h>
#include <tally/vuart_line.h>

#define ASCII_ESC		0x1B
#define ESC_CSI			'['
/* ECMA-48 5.4: a CSI sequence ends at a byte in 0x40..0x7E; ESC Fe is ESC and 0x40..0x5F. */
#define CSI_FINAL_FIRST		0x40
#define CSI_FINAL_LAST		0x7E
#define FE_FIRST		0x40
#define FE_LAST			0x5F

bool vuart_line_take(struct vuart_line *l, bool end, struct vuart_piece *out)
{
	unsigned int n = MIN(l->len, VUART_LINE_MAX - 1);

	if (!n && !(end && l->shown))
		return false;
	memcpy(out->text, l->text, n);
	out->text[n] = '\0';
	out->len = n;
	out->cont = l->shown;
	out->end = end;
	l->shown = end ? 0 : l->shown + n;
	l->len = 0;
	return true;
}

int vuart_lines_oldest_quiet(const struct vuart_line *lines, unsigned int n, uint64_t before)
{
	int oldest = -1;

	for (unsigned int i = 0; i < n; i++) {
		const struct vuart_line *l = &lines[i];

		if (l->len && l->last_write < before &&
		    (oldest < 0 || l->first_write < lines[oldest].first_write))
			oldest = (int)i;
	}
	return oldest;
}

/* True if @c belongs to an escape sequence (and is dropped with it). */
static bool in_escape(struct vuart_line *l, uint8_t c)
{
	switch (l->esc) {
	case VUART_ESC_START:
		if (c == ESC_CSI) {
			l->esc = VUART_ESC_CSI;
			return true;
		}
		l->esc = VUART_ESC_NONE;
		if (c >= FE_FIRST && c <= FE_LAST)
			return true;
		break;		/* a lone ESC: @c is an ordinary byte */
	case VUART_ESC_CSI:
		if (c >= CSI_FINAL_FIRST && c <= CSI_FINAL_LAST)
			l->esc = VUART_ESC_NONE;
		/* A newline inside a sequence still ends the line (a broken sequence ends). */
		if (c != '\n')
			return true;
		l->esc = VUART_ESC_NONE;
		break;
	default:
		break;
	}
	if (c == ASCII_ESC) {
		l->esc = VUART_ESC_START;
		return true;
	}
	return false;
}

bool vuart_line_put(struct vuart_line *l, uint8_t c, struct vuart_piece *out)
{
	bool ready = false;

	if (c == '\r' || in_escape(l, c))
		return false;
	if (c == '\n')
		return vuart_line_take(l, true, out);
	/* Full, counting what was printed of it: split here. */
	if (l->shown + l->len >= VUART_LINE_MAX - 1)
		ready = vuart_line_take(l, true, out);
	l->text[l->len++] = vuart_printable(c);
	return ready;
}
