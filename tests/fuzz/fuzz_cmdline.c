/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: command lines, Tally's (kernel/options.c) and the modules' (kernel/domain_config.c), and their tokeniser (kernel/cmdline.c).
 *
 * Input: a domain id byte, the size of the buffer for domain_config_parse()'s
 * reason (one byte), then the command line (up to its first NUL).  Each
 * token is checked against the text it came from, each value's number
 * against strtoull(), and each lookup against the tokens seen.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <tally/boot_info.h>
#include <tally/cmdline.h>
#include <tally/domain_config.h>
#include <tally/errno.h>
#include <tally/options.h>

#include "harness.h"
#include "shim.h"

#define SPACES		" \t\n\r\v\f"
#define MAX_TOKENS	64	/* lookups are checked on lines with at most this many */
#define MAX_LOOKUPS	4	/* keys looked up per line: cmdline_find() walks it all */
#define MAX_LINE	(2 * BOOT_CMDLINE_MAX)	/* twice what a boot loader passes */
#define SMALL_VALUE	4	/* a value buffer that long values do not fit */
#define PORT_MAX	0xFFF8	/* the last base an 8-port UART fits under */

static struct cmdline_token tokens[MAX_TOKENS];

/* A non-truncated token is its source text less the value's quotes (@text ends at @end). */
static void check_token_text(const struct cmdline_token *t, const char *text, const char *end)
{
	size_t key_len = strlen(t->key), i = 0;
	const char *v;

	text += strspn(text, SPACES);
	FUZZ_CHECK(!strncmp(text, t->key, key_len));
	FUZZ_CHECK(text + key_len == end || (t->has_value && text[key_len] == '='));
	for (v = text + key_len + 1; t->has_value && v < end; v++)
		if (*v != '"')
			FUZZ_CHECK(t->value[i++] == *v);
	FUZZ_CHECK(t->value[i] == '\0');
}

/* cmdline_parse_u64() against strtoull() on a string of digits. */
static void check_number(const char *s)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	bool valid = *digits &&
		     !digits[strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789")];
	unsigned long long want;
	uint64_t got = 0;
	int ret = cmdline_parse_u64(s, &got);

	if (!valid) {
		FUZZ_CHECK(ret == -EINVAL);
		return;
	}
	errno = 0;
	want = strtoull(digits, NULL, hex ? 16 : 10);
	FUZZ_CHECK(ret == (errno == ERANGE ? -ERANGE : 0));
	FUZZ_CHECK(ret || got == want);
}

/* cmdline_find(): the last token with the key decides, for a big and a small buffer. */
static void check_find(const char *line, const struct cmdline_token *t, unsigned int count)
{
	const struct cmdline_token *last = NULL;
	char val[CMDLINE_VALUE_MAX], small[SMALL_VALUE];
	int big_ret = cmdline_find(line, t->key, val, sizeof(val));
	int small_ret = cmdline_find(line, t->key, small, sizeof(small));

	for (unsigned int i = 0; i < count; i++)
		if (!strcmp(tokens[i].key, t->key))
			last = &tokens[i];
	FUZZ_CHECK(last);
	if (!last->has_value) {
		FUZZ_CHECK(big_ret == 0 && small_ret == 0 && !val[0] && !small[0]);
		return;
	}
	FUZZ_CHECK(big_ret == (last->truncated ? -E2BIG : 1));
	FUZZ_CHECK(big_ret < 0 ? !val[0] : !strcmp(val, last->value));
	FUZZ_CHECK(small_ret == (!last->truncated && strlen(last->value) < sizeof(small) ? 1 : -E2BIG));
	FUZZ_CHECK(small_ret < 0 ? !small[0] : !strcmp(small, last->value));
}

static void check_tokens(const char *line)
{
	const char *pos = line, *prev = line, *end = line + strlen(line);
	struct cmdline_token t;
	unsigned int n = 0;

	for (; cmdline_next(&pos, &t); prev = pos) {
		FUZZ_CHECK(pos > prev && pos <= end && n < (size_t)(end - line));
		FUZZ_CHECK(strnlen(t.key, sizeof(t.key)) < sizeof(t.key));
		FUZZ_CHECK(strnlen(t.value, sizeof(t.value)) < sizeof(t.value));
		FUZZ_CHECK(!t.key[strcspn(t.key, SPACES "=")] && !strchr(t.value, '"'));
		FUZZ_CHECK(t.has_value || !t.value[0]);
		if (!t.truncated)
			check_token_text(&t, prev, pos);
		if (t.has_value)
			check_number(t.value);
		if (n < MAX_TOKENS)
			tokens[n] = t;
		n++;
	}
	FUZZ_CHECK(pos == end);
	/* A key cut to CMDLINE_KEY_MAX - 1 may stand for several: looked up only when shorter. */
	for (unsigned int i = 0; n <= MAX_TOKENS && i < MIN(n, MAX_LOOKUPS); i++)
		if (strlen(tokens[i].key) < CMDLINE_KEY_MAX - 1)
			check_find(line, &tokens[i], n);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

static void check_domain_config(const char *line, unsigned int id, size_t why_len)
{
	char *why = malloc(why_len ? why_len : 1);	/* exactly sized: ASan sees an overflow */
	struct domain_config cfg;
	int ret;

	FUZZ_CHECK(why);
	ret = domain_config_parse(line, id, &cfg, why, why_len);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK(cfg.mem_mib >= 1 && cfg.mem_mib <= DOMAIN_MAX_MEM_MIB);
	FUZZ_CHECK(cfg.vcpus >= 1 && cfg.vcpus <= DOMAIN_MAX_VCPUS);
	FUZZ_CHECK(cfg.name[0] && strnlen(cfg.name, sizeof(cfg.name)) < sizeof(cfg.name));
	for (const char *c = cfg.name; *c; c++)
		FUZZ_CHECK(name_char(*c));
	/* The reason is cut to fit, always terminated, and said whenever there is room. */
	if (why_len)
		FUZZ_CHECK(memchr(why, '\0', why_len) && (ret == 0 ? !why[0] : why_len == 1 || why[0]));
	free(why);
}

/* Whatever the line, every option ends up in its documented range. */
static void check_options(const char *line)
{
	static struct tally_options defaults;
	static bool saved;

	if (!saved)
		defaults = options;
	saved = true;
	options = defaults;
	options_parse(line);
	FUZZ_CHECK(options.console_port && options.console_port <= PORT_MAX);
	FUZZ_CHECK(options.metrics_port <= PORT_MAX);
	FUZZ_CHECK(options.loglevel <= LOG_DEBUG && options.crash_test <= CRASH_VM_CONTROL);
	FUZZ_CHECK(options.sched_timer == SCHED_TIMER_PREEMPTION ||
		   options.sched_timer == SCHED_TIMER_LAPIC);
	FUZZ_CHECK(options.sched_slice_ms >= 1 && options.sched_slice_ms <= 1000);
	FUZZ_CHECK(options.metrics_interval_ms >= 10 && options.metrics_interval_ms <= 60000);
	FUZZ_CHECK(options.top_interval_s <= 3600);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int id = fuzz_take(&in, 1);
	size_t why_len = fuzz_take(&in, 1), len;
	const uint8_t *text = fuzz_bytes(&in, MAX_LINE, &len);
	char *line = malloc(len + 1);

	FUZZ_CHECK(line);
	memcpy(line, text, len);
	line[len] = '\0';
	shim_log_reset();
	check_tokens(line);
	check_domain_config(line, id, why_len);
	check_options(line);
	free(line);
	return 0;
}
