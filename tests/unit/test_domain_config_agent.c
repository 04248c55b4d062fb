/* SPDX-License-Identifier: MIT */
/* Unit tests: the `agent` module option (kernel/domain_config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/domain_config.h>
#include <tally/errno.h>

#define WHY_LEN	128

static int parse(const char *line, struct domain_config *cfg, char *why)
{
	return domain_config_parse(line, 1, cfg, why, WHY_LEN);
}

static void test_agent_off_by_default(void **state)
{
	struct domain_config cfg;
	char why[WHY_LEN];

	(void)state;
	assert_int_equal(parse("name=web mem=96", &cfg, why), 0);
	assert_false(cfg.agent);
}

static void test_agent_bare_word(void **state)
{
	struct domain_config cfg;
	char why[WHY_LEN];

	(void)state;
	assert_int_equal(parse("name=web agent mem=96", &cfg, why), 0);
	assert_true(cfg.agent);
	assert_int_equal(cfg.mem_mib, 96);
	assert_int_equal(parse("agent=1", &cfg, why), -EINVAL);
	assert_string_equal(why, "bad agent='1' (a bare word)");
}

/* After `--` the word is the guest kernel's, not Tally's. */
static void test_agent_after_guest_options(void **state)
{
	struct domain_config cfg;
	char why[WHY_LEN];

	(void)state;
	assert_int_equal(parse("name=web -- console=ttyS0 agent", &cfg, why), 0);
	assert_false(cfg.agent);
	assert_string_equal(domain_config_guest_cmdline("name=web agent -- console=ttyS0"),
			    "console=ttyS0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent_off_by_default),
		cmocka_unit_test(test_agent_bare_word),
		cmocka_unit_test(test_agent_after_guest_options),
	};

	return cmocka_run_group_tests_name("domain_config_agent", tests, NULL, NULL);
}
