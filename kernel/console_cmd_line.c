/* SPDX-License-Identifier: MIT */
/* The console's line editor at the `tally> ` prompt: pure (tally/console_cmd.h). */
#include <tally/console_cmd.h>

#define KEY_CTRL_C	0x03
#define KEY_BS		0x08
#define KEY_ESC		0x1B
#define KEY_DEL		0x7F	/* what terminals send for Backspace */

void console_cmd_line_open(struct console_cmd_line *l)
{
	l->len = 0;
	l->dropped = 0;
	l->buf[0] = '\0';
	l->open = true;
}

/* Backspace: a dropped byte goes first, as it was typed last, and it was never shown. */
static enum console_cmd_key erase(struct console_cmd_line *l)
{
	if (l->dropped) {
		l->dropped--;
		return CONSOLE_CMD_KEY_NONE;
	}
	if (!l->len)
		return CONSOLE_CMD_KEY_NONE;
	l->buf[--l->len] = '\0';
	return CONSOLE_CMD_KEY_ERASE;
}

enum console_cmd_key console_cmd_line_feed(struct console_cmd_line *l, uint8_t c)
{
	if (!l->open)
		return CONSOLE_CMD_KEY_NONE;
	switch (c) {
	case '\r':
	case '\n':
		l->open = false;
		return CONSOLE_CMD_KEY_RUN;
	case KEY_CTRL_C:
	case KEY_ESC:
		l->open = false;
		return CONSOLE_CMD_KEY_ABANDON;
	case KEY_BS:
	case KEY_DEL:
		return erase(l);
	}
	/* A tab separates words as a space does; other control bytes would garble the echo. */
	if (c != '\t' && (c < ' ' || c > '~'))
		return CONSOLE_CMD_KEY_NONE;
	if (l->len >= CONSOLE_CMD_LINE_MAX) {
		l->dropped++;
		return CONSOLE_CMD_KEY_DROP;
	}
	l->buf[l->len++] = (char)c;
	l->buf[l->len] = '\0';
	return CONSOLE_CMD_KEY_ECHO;
}
