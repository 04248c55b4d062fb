/* SPDX-License-Identifier: MIT */
/*
 * The console's commands: their table, and the parser that checks a line
 * against it (tally/console_cmd.h).  Pure: whether a name is a domain is
 * the executor's to find out (kernel/console_cmds.c).
 */
#include <tally/console_cmd.h>
#include <tally/errno.h>
#include <tally/fmt.h>
#include <tally/string.h>

/* README.md's command table is checked against this one (tests/system/test_console_cmds.py). */
const struct console_cmd_spec console_cmd_table[CONSOLE_CMD_COUNT] = {
	[CONSOLE_CMD_HELP]	= { "help", "", 0, 0, "list the commands" },
	[CONSOLE_CMD_LIST]	= { "list", "", 0, 0,
				    "the domains, as xl list: id, name, state, vCPUs, memory, CPU time" },
	[CONSOLE_CMD_TOP]	= { "top", "", 0, 0, "the table of domains once, as the t key prints it" },
	[CONSOLE_CMD_INFO]	= { "info", "NAME", 1, 1,
				    "a domain's configuration, counters, devices and metrics" },
	[CONSOLE_CMD_CREATE]	= { "create", "TEMPLATE NAME [KEY=VALUE...]", 2,
				    CONSOLE_CMD_ARGS_MAX,
				    "a domain NAME from template module TEMPLATE, options overriding" },
	[CONSOLE_CMD_DESTROY]	= { "destroy", "NAME", 1, 1, "end a domain" },
	[CONSOLE_CMD_PAUSE]	= { "pause", "NAME", 1, 1, "stop scheduling a domain" },
	[CONSOLE_CMD_UNPAUSE]	= { "unpause", "NAME", 1, 1, "let a paused domain run again" },
	[CONSOLE_CMD_CONSOLE]	= { "console", "NAME", 1, 1,
				    "console input to the domain's UART (Ctrl-A x3 to come back)" },
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split @buf in place at blanks: up to @max words into @words; their count, or @max + 1 if more. */
static unsigned int split(char *buf, const char **words, unsigned int max)
{
	unsigned int n = 0;
	char *p = buf;

	for (;;) {
		while (is_blank(*p))
			*p++ = '\0';
		if (!*p)
			return n;
		if (n == max)
			return max + 1;
		words[n++] = p;
		while (*p && !is_blank(*p))
			p++;
	}
}

/* A domain name as module option name= takes it: [A-Za-z0-9._-], shorter than DOMAIN_NAME_MAX. */
static bool name_ok(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= DOMAIN_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

/* @s all digits: its value in 1..CONSOLE_CMD_ID_MAX to *@id (0 if out of range); else false. */
static bool number(const char *s, unsigned int *id)
{
	unsigned long v = 0;

	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v <= CONSOLE_CMD_ID_MAX)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	*id = v >= 1 && v <= CONSOLE_CMD_ID_MAX ? (unsigned int)v : 0;
	return true;
}

/* The domain word @w of command @spec: a name, or a number for an id. */
static int target(const struct console_cmd_spec *spec, const char *w, struct console_cmd *out,
		  char *err, size_t err_len)
{
	out->target = w;
	if (number(w, &out->target_id)) {
		if (out->target_id)
			return 0;
		fmt_snprintf(err, err_len, "%s: bad domain id '%s' (1..%u)", spec->name, w,
			     CONSOLE_CMD_ID_MAX);
		return -EINVAL;
	}
	if (name_ok(w))
		return 0;
	fmt_snprintf(err, err_len, "%s: bad name '%.40s' (letters, digits, '-', '_', '.'; at most %u)",
		     spec->name, w, DOMAIN_NAME_MAX - 1);
	return -EINVAL;
}

/* create's words after the name: each KEY=VALUE, joined into @out->opts. */
static int options(const char *const *words, unsigned int n, struct console_cmd *out, char *err,
		   size_t err_len)
{
	size_t len = 0;

	out->opts[0] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		const char *eq = words[i];

		while (*eq && *eq != '=')
			eq++;
		if (eq == words[i] || !*eq) {
			fmt_snprintf(err, err_len, "create: option '%.40s' is not KEY=VALUE", words[i]);
			return -EINVAL;
		}
		len += (size_t)fmt_snprintf(out->opts + len, sizeof(out->opts) - len, "%s%s",
					    i ? " " : "", words[i]);
	}
	return 0;
}

/* The arguments @words (@n of them) of command @op, checked into @out. */
static int arguments(enum console_cmd_op op, const char *const *words, unsigned int n,
		     struct console_cmd *out, char *err, size_t err_len)
{
	const struct console_cmd_spec *spec = &console_cmd_table[op];

	if (n < spec->min_args || n > spec->max_args) {
		fmt_snprintf(err, err_len, "%s: %s (usage: %s%s%s)", spec->name,
			     n < spec->min_args ? "missing arguments" : "too many arguments",
			     spec->name, *spec->usage ? " " : "", spec->usage);
		return -EINVAL;
	}
	if (!n)
		return 0;
	if (op != CONSOLE_CMD_CREATE)
		return target(spec, words[0], out, err, err_len);
	if (!name_ok(words[0]) || !name_ok(words[1])) {
		fmt_snprintf(err, err_len, "create: bad name '%.40s' (letters, digits, '-', '_', '.'; "
			     "at most %u)", name_ok(words[0]) ? words[1] : words[0],
			     DOMAIN_NAME_MAX - 1);
		return -EINVAL;
	}
	out->target = words[0];
	out->name = words[1];
	return options(words + 2, n - 2, out, err, err_len);
}

int console_cmd_parse(const char *line, struct console_cmd *out, char *err, size_t err_len)
{
	const char *words[CONSOLE_CMD_ARGS_MAX + 2];
	unsigned int n, op;

	str_copy(out->buf, line, sizeof(out->buf));
	out->target = out->name = NULL;
	out->target_id = 0;
	out->opts[0] = '\0';
	err[0] = '\0';
	n = split(out->buf, words, CONSOLE_CMD_ARGS_MAX + 1);
	if (!n)
		return 1;
	for (op = 0; op < CONSOLE_CMD_COUNT && strcmp(words[0], console_cmd_table[op].name); op++)
		;
	if (op == CONSOLE_CMD_COUNT) {
		fmt_snprintf(err, err_len, "unknown command '%.40s'; 'help' lists the commands",
			     words[0]);
		return -EINVAL;
	}
	out->op = op;
	return arguments(op, words + 1, n - 1, out, err, err_len);
}

int console_cmd_parse_line(const struct console_cmd_line *l, struct console_cmd *out, char *err,
			   size_t err_len)
{
	if (l->dropped) {
		fmt_snprintf(err, err_len, "line too long: %u bytes over the %u a line holds; "
			     "nothing done", l->dropped, CONSOLE_CMD_LINE_MAX);
		return -EINVAL;
	}
	return console_cmd_parse(l->buf, out, err, err_len);
}
