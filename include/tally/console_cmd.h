/* SPDX-License-Identifier: MIT */
/*
 * The console's line mode, as xl's commands: the line editor and the
 * parser, pure.  ':' among the debug keys opens a `tally> ` prompt; the
 * bytes typed then build one line, which Enter hands to the parser and
 * kernel/console_cmds.c runs.  The caller reads the console and knows the
 * domains: nothing here looks at either.
 */
#ifndef TALLY_CONSOLE_CMD_H
#define TALLY_CONSOLE_CMD_H

#include <tally/domain_config.h>
#include <tally/types.h>

#define CONSOLE_CMD_OPEN_KEY	':'	/* no debug key: vi's way to a command line */
#define CONSOLE_CMD_LINE_MAX	120	/* bytes a line holds; more are dropped and refuse it */
#define CONSOLE_CMD_ARGS_MAX	10	/* words after the command: create's options */
#define CONSOLE_CMD_ERR_MAX	160
#define CONSOLE_CMD_ID_MAX	65535	/* the largest domain id a number may name */

enum console_cmd_op {
	CONSOLE_CMD_HELP,
	CONSOLE_CMD_LIST,
	CONSOLE_CMD_TOP,
	CONSOLE_CMD_INFO,
	CONSOLE_CMD_CREATE,
	CONSOLE_CMD_DESTROY,
	CONSOLE_CMD_PAUSE,
	CONSOLE_CMD_UNPAUSE,
	CONSOLE_CMD_CONSOLE,
	CONSOLE_CMD_COUNT,
};

/* What a command takes (@min_args..@max_args words after it) and says it does. */
struct console_cmd_spec {
	const char *name;
	const char *usage;		/* its arguments, as `help` shows them */
	unsigned int min_args;
	unsigned int max_args;
	const char *help;
};

/* The commands, indexed by enum console_cmd_op. */
extern const struct console_cmd_spec console_cmd_table[CONSOLE_CMD_COUNT];

/* A parsed line: the words point into @buf. */
struct console_cmd {
	enum console_cmd_op op;
	const char *target;		/* the domain (or create's template), or NULL */
	unsigned int target_id;		/* the domain's id if @target is a number, else 0 */
	const char *name;		/* create's new domain name, or NULL */
	char opts[CONSOLE_CMD_LINE_MAX + 1];	/* create's options, one space apart */
	char buf[CONSOLE_CMD_LINE_MAX + 1];
};

/* What a typed byte did to the line being edited. */
enum console_cmd_key {
	CONSOLE_CMD_KEY_NONE,		/* ignored (a control byte, nothing to erase) */
	CONSOLE_CMD_KEY_ECHO,		/* kept: show it */
	CONSOLE_CMD_KEY_ERASE,		/* Backspace took the last byte kept: rub it out */
	CONSOLE_CMD_KEY_DROP,		/* the line is full: lost, counted */
	CONSOLE_CMD_KEY_RUN,		/* Enter: the line is complete and closed */
	CONSOLE_CMD_KEY_ABANDON,	/* Ctrl-C or Esc: closed, nothing to run */
};

/* The line being typed at the prompt. */
struct console_cmd_line {
	char buf[CONSOLE_CMD_LINE_MAX + 1];
	unsigned int len;
	unsigned int dropped;		/* bytes typed past CONSOLE_CMD_LINE_MAX */
	bool open;
};

/* Open @l at the prompt, empty. */
void console_cmd_line_open(struct console_cmd_line *l);
/* Byte @c typed into the open line @l: what it did (@l closes on RUN and ABANDON). */
enum console_cmd_key console_cmd_line_feed(struct console_cmd_line *l, uint8_t c);

/*
 * Parse @line (NUL-terminated, at most CONSOLE_CMD_LINE_MAX bytes) into
 * @out: 0; 1 for a line of blanks (nothing to do); or -EINVAL with the one
 * line to say in @err.
 */
int console_cmd_parse(const char *line, struct console_cmd *out, char *err, size_t err_len);
/* A complete line @l (after KEY_RUN) parsed as console_cmd_parse() does, refusing an overlong one. */
int console_cmd_parse_line(const struct console_cmd_line *l, struct console_cmd *out, char *err,
			   size_t err_len);

#endif
