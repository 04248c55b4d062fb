/* SPDX-License-Identifier: MIT */
/* Unit tests: the console's line editor and command parser (kernel/console_cmd*.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/console_cmd.h>
#include <tally/errno.h>

#include "shim.h"

static struct console_cmd cmd;
static char err[CONSOLE_CMD_ERR_MAX];

static int parse(const char *line)
{
	memset(&cmd, 0xA5, sizeof(cmd));
	return console_cmd_parse(line, &cmd, err, sizeof(err));
}

/* @line parses as @op with target @target (NULL: none) and id @id. */
static void parses(const char *line, enum console_cmd_op op, const char *target, unsigned int id)
{
	assert_int_equal(parse(line), 0);
	assert_int_equal(cmd.op, op);
	assert_string_equal(err, "");
	if (target)
		assert_string_equal(cmd.target, target);
	else
		assert_null(cmd.target);
	assert_int_equal(cmd.target_id, id);
}

static void refused(const char *line, const char *want)
{
	assert_int_equal(parse(line), -EINVAL);
	assert_string_equal(err, want);
}

static void test_every_command(void **state)
{
	(void)state;
	parses("help", CONSOLE_CMD_HELP, NULL, 0);
	parses("list", CONSOLE_CMD_LIST, NULL, 0);
	parses("top", CONSOLE_CMD_TOP, NULL, 0);
	parses("info web", CONSOLE_CMD_INFO, "web", 0);
	parses("destroy web", CONSOLE_CMD_DESTROY, "web", 0);
	parses("pause e2", CONSOLE_CMD_PAUSE, "e2", 0);
	parses("unpause e2", CONSOLE_CMD_UNPAUSE, "e2", 0);
	parses("console e1", CONSOLE_CMD_CONSOLE, "e1", 0);
	parses("info 3", CONSOLE_CMD_INFO, "3", 3);
	parses("pause 65535", CONSOLE_CMD_PAUSE, "65535", 65535);
	parses("info A.b-c_9", CONSOLE_CMD_INFO, "A.b-c_9", 0);
	parses("create tmpl vm1", CONSOLE_CMD_CREATE, "tmpl", 0);
	assert_string_equal(cmd.name, "vm1");
	assert_string_equal(cmd.opts, "");
	parses("create tmpl vm2 type=t1.small mem=8", CONSOLE_CMD_CREATE, "tmpl", 0);
	assert_string_equal(cmd.name, "vm2");
	assert_string_equal(cmd.opts, "type=t1.small mem=8");
}

static void test_table_matches_enum(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < CONSOLE_CMD_COUNT; i++) {
		char line[64];

		assert_non_null(console_cmd_table[i].name);
		assert_true(console_cmd_table[i].min_args <= console_cmd_table[i].max_args);
		assert_true(console_cmd_table[i].max_args <= CONSOLE_CMD_ARGS_MAX);
		/* Each name with its fewest arguments, all "x" or "k=v": the parser finds that entry. */
		strcpy(line, console_cmd_table[i].name);
		for (unsigned int a = 0; a < console_cmd_table[i].min_args; a++)
			strcat(line, " x");
		assert_int_equal(parse(line), 0);
		assert_int_equal(cmd.op, i);
	}
}

static void test_odd_whitespace_and_empty(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 1);
	assert_int_equal(parse("   \t  "), 1);
	assert_string_equal(err, "");
	parses("  \tinfo\t\t web  ", CONSOLE_CMD_INFO, "web", 0);
	parses("create\tt  n \t mem=8\tvcpus=2 ", CONSOLE_CMD_CREATE, "t", 0);
	assert_string_equal(cmd.opts, "mem=8 vcpus=2");
}

static void test_errors(void **state)
{
	(void)state;
	refused("frobnicate", "unknown command 'frobnicate'; 'help' lists the commands");
	refused("LIST", "unknown command 'LIST'; 'help' lists the commands");
	refused("pause", "pause: missing arguments (usage: pause NAME)");
	refused("info", "info: missing arguments (usage: info NAME)");
	refused("create t", "create: missing arguments (usage: create TEMPLATE NAME [KEY=VALUE...])");
	refused("list extra", "list: too many arguments (usage: list)");
	refused("help me", "help: too many arguments (usage: help)");
	refused("top 1", "top: too many arguments (usage: top)");
	refused("info a b", "info: too many arguments (usage: info NAME)");
	refused("destroy a b", "destroy: too many arguments (usage: destroy NAME)");
	refused("unpause a b", "unpause: too many arguments (usage: unpause NAME)");
	refused("console a b", "console: too many arguments (usage: console NAME)");
	refused("create t n a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9",
		"create: too many arguments (usage: create TEMPLATE NAME [KEY=VALUE...])");
	refused("info 0", "info: bad domain id '0' (1..65535)");
	refused("pause 65536", "pause: bad domain id '65536' (1..65535)");
	refused("pause 99999999999999999999999", "pause: bad domain id '99999999999999999999999' "
		"(1..65535)");
	refused("info we$b", "info: bad name 'we$b' (letters, digits, '-', '_', '.'; at most 31)");
	refused("info aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"info: bad name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' (letters, digits, '-', '_', '.'; "
		"at most 31)");
	refused("create t/x n", "create: bad name 't/x' (letters, digits, '-', '_', '.'; at most 31)");
	refused("create t n!", "create: bad name 'n!' (letters, digits, '-', '_', '.'; at most 31)");
	refused("create t n mem", "create: option 'mem' is not KEY=VALUE");
	refused("create t n =8", "create: option '=8' is not KEY=VALUE");
}

/* Feed @s into @l; the keys' results into @keys (if not NULL). */
static void feed(struct console_cmd_line *l, const char *s, size_t n, enum console_cmd_key *keys)
{
	for (size_t i = 0; i < n; i++) {
		enum console_cmd_key k = console_cmd_line_feed(l, (uint8_t)s[i]);

		if (keys)
			keys[i] = k;
	}
}

static void test_line_editing(void **state)
{
	struct console_cmd_line l;
	enum console_cmd_key k[8];

	(void)state;
	console_cmd_line_open(&l);
	feed(&l, "lix\x7f\x08\x7f\x7fst", 9, NULL);
	assert_string_equal(l.buf, "st");
	console_cmd_line_open(&l);
	feed(&l, "li\x01\x1b", 4, k);
	assert_int_equal(k[0], CONSOLE_CMD_KEY_ECHO);
	assert_int_equal(k[2], CONSOLE_CMD_KEY_NONE);	/* a control byte is not kept */
	assert_int_equal(k[3], CONSOLE_CMD_KEY_ABANDON);
	assert_false(l.open);
	assert_int_equal(console_cmd_line_feed(&l, 'x'), CONSOLE_CMD_KEY_NONE);	/* closed */
	console_cmd_line_open(&l);
	feed(&l, "ls\x03", 3, k);
	assert_int_equal(k[2], CONSOLE_CMD_KEY_ABANDON);
	console_cmd_line_open(&l);
	feed(&l, "a\x7f\x7f\tb\r", 6, k);
	assert_int_equal(k[1], CONSOLE_CMD_KEY_ERASE);
	assert_int_equal(k[2], CONSOLE_CMD_KEY_NONE);	/* nothing left to erase */
	assert_int_equal(k[5], CONSOLE_CMD_KEY_RUN);
	assert_string_equal(l.buf, "\tb");
	assert_int_equal(console_cmd_parse_line(&l, &cmd, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown command 'b'; 'help' lists the commands");
	console_cmd_line_open(&l);
	feed(&l, "\n", 1, k);
	assert_int_equal(k[0], CONSOLE_CMD_KEY_RUN);
	assert_int_equal(console_cmd_parse_line(&l, &cmd, err, sizeof(err)), 1);
}

static void test_overlong_line(void **state)
{
	struct console_cmd_line l;
	char big[300];

	(void)state;
	memset(big, 'a', sizeof(big));
	memcpy(big, "list ", 5);
	console_cmd_line_open(&l);
	for (size_t i = 0; i < sizeof(big); i++)
		assert_int_equal(console_cmd_line_feed(&l, (uint8_t)big[i]),
				 i < CONSOLE_CMD_LINE_MAX ? CONSOLE_CMD_KEY_ECHO : CONSOLE_CMD_KEY_DROP);
	assert_int_equal(l.len, CONSOLE_CMD_LINE_MAX);
	assert_int_equal(l.dropped, 300 - CONSOLE_CMD_LINE_MAX);
	assert_int_equal(console_cmd_line_feed(&l, '\r'), CONSOLE_CMD_KEY_RUN);
	assert_int_equal(console_cmd_parse_line(&l, &cmd, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line too long: 180 bytes over the 120 a line holds; nothing done");

	/* Backspace takes back the dropped bytes first; then the line fits and runs. */
	console_cmd_line_open(&l);
	feed(&l, big, CONSOLE_CMD_LINE_MAX + 2, NULL);
	assert_int_equal(console_cmd_line_feed(&l, 0x7f), CONSOLE_CMD_KEY_NONE);
	assert_int_equal(console_cmd_line_feed(&l, 0x7f), CONSOLE_CMD_KEY_NONE);
	assert_int_equal(l.dropped, 0);
	assert_int_equal(console_cmd_line_feed(&l, 0x7f), CONSOLE_CMD_KEY_ERASE);
	assert_int_equal(l.len, CONSOLE_CMD_LINE_MAX - 1);
	l.open = false;
	assert_int_equal(console_cmd_parse_line(&l, &cmd, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "list: too many arguments (usage: list)");

	/* Exactly a full line is no error. */
	console_cmd_line_open(&l);
	memset(big, ' ', CONSOLE_CMD_LINE_MAX);
	memcpy(big, "top", 3);
	feed(&l, big, CONSOLE_CMD_LINE_MAX, NULL);
	assert_int_equal(l.dropped, 0);
	assert_int_equal(console_cmd_parse_line(&l, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.op, CONSOLE_CMD_TOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command),
		cmocka_unit_test(test_table_matches_enum),
		cmocka_unit_test(test_odd_whitespace_and_empty),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_line_editing),
		cmocka_unit_test(test_overlong_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
