/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: bytes typed at the console's `tally> ` prompt, through the line
 * editor and the parser (kernel/console_cmd_line.c, kernel/console_cmd.c).
 *
 * Input: the bytes typed, as they come.  A model of the line (kept bytes,
 * dropped count) is checked against the editor after each byte; each
 * complete line is parsed, and the result checked: an error has one
 * message that fits, a blank line alone is "nothing to do", a command has
 * the table's argument count and names that come from the line.
 */
#include <string.h>

#include <tally/console_cmd.h>
#include <tally/errno.h>

#include "harness.h"
#include "shim.h"

static struct console_cmd_line line;
static struct console_cmd cmd;
static char model[CONSOLE_CMD_LINE_MAX + 1];
static size_t model_len, model_dropped;

static bool blank_only(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* A word the parser gave: NUL-terminated inside the command's copy, and found in the line. */
static void check_word(const char *w)
{
	FUZZ_CHECK(w >= cmd.buf && w < cmd.buf + sizeof(cmd.buf));
	FUZZ_CHECK(*w && strlen(w) <= CONSOLE_CMD_LINE_MAX);
	FUZZ_CHECK(strstr(line.buf, w));
}

static void check_parse(void)
{
	char err[CONSOLE_CMD_ERR_MAX];
	int r = console_cmd_parse_line(&line, &cmd, err, sizeof(err));

	FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL);
	FUZZ_CHECK(strlen(err) < sizeof(err));
	FUZZ_CHECK((r == -EINVAL) == (err[0] != '\0'));
	if (model_dropped)
		FUZZ_CHECK(r == -EINVAL);
	if (r == 1)
		FUZZ_CHECK(blank_only(line.buf));
	if (r)
		return;
	FUZZ_CHECK(cmd.op < CONSOLE_CMD_COUNT);
	FUZZ_CHECK(!strncmp(cmd.buf + strspn(line.buf, " \t"), console_cmd_table[cmd.op].name,
			    strlen(console_cmd_table[cmd.op].name)));
	FUZZ_CHECK((cmd.target != NULL) == (console_cmd_table[cmd.op].min_args > 0));
	if (cmd.target)
		check_word(cmd.target);
	FUZZ_CHECK((cmd.name != NULL) == (cmd.op == CONSOLE_CMD_CREATE));
	if (cmd.name)
		check_word(cmd.name);
	FUZZ_CHECK(cmd.target_id <= CONSOLE_CMD_ID_MAX);
	FUZZ_CHECK(strlen(cmd.opts) <= CONSOLE_CMD_LINE_MAX);
}

/* What the editor should have done with @c, applied to the model. */
static enum console_cmd_key model_feed(uint8_t c)
{
	if (c == '\r' || c == '\n')
		return CONSOLE_CMD_KEY_RUN;
	if (c == 0x03 || c == 0x1B)
		return CONSOLE_CMD_KEY_ABANDON;
	if (c == 0x08 || c == 0x7F) {
		if (model_dropped) {
			model_dropped--;
			return CONSOLE_CMD_KEY_NONE;
		}
		if (!model_len)
			return CONSOLE_CMD_KEY_NONE;
		model[--model_len] = '\0';
		return CONSOLE_CMD_KEY_ERASE;
	}
	if (c != '\t' && (c < ' ' || c > '~'))
		return CONSOLE_CMD_KEY_NONE;
	if (model_len == CONSOLE_CMD_LINE_MAX) {
		model_dropped++;
		return CONSOLE_CMD_KEY_DROP;
	}
	model[model_len++] = (char)c;
	model[model_len] = '\0';
	return CONSOLE_CMD_KEY_ECHO;
}

static void open_line(void)
{
	console_cmd_line_open(&line);
	model_len = model_dropped = 0;
	model[0] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	open_line();
	for (size_t i = 0; i < size; i++) {
		enum console_cmd_key k = console_cmd_line_feed(&line, data[i]);

		FUZZ_CHECK(k == model_feed(data[i]));
		FUZZ_CHECK(line.len == model_len && line.dropped == model_dropped);
		FUZZ_CHECK(!strcmp(line.buf, model));
		if (k == CONSOLE_CMD_KEY_RUN)
			check_parse();
		if (k == CONSOLE_CMD_KEY_RUN || k == CONSOLE_CMD_KEY_ABANDON) {
			FUZZ_CHECK(!line.open);
			open_line();
		}
	}
	return 0;
}
