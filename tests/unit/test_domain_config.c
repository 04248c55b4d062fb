/* SPDX-License-Identifier: MIT */
/* Unit tests: a domain's settings from its module command line (kernel/domain_config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <tally/domain_config.h>
#include <tally/errno.h>

#include "shim.h"

#define WHY_LEN		128

/* Parse @line as domain @id; assert success and an empty why. */
static struct domain_config parse_ok(const char *line, unsigned int id)
{
	struct domain_config cfg;
	char why[WHY_LEN];

	memset(why, 'x', sizeof(why));
	assert_int_equal(domain_config_parse(line, id, &cfg, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	return cfg;
}

static void test_defaults(void **state)
{
	struct domain_config cfg = parse_ok("", 3);

	(void)state;
	assert_string_equal(cfg.name, "dom3");
	assert_int_equal(cfg.mem_mib, DOMAIN_DEFAULT_MEM_MIB);
	assert_int_equal(cfg.mem_mib, 16);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.pcpu, DOMAIN_NO_PIN);

	cfg = parse_ok("   \t ", 4294967295u);	/* the largest id still fits the name */
	assert_string_equal(cfg.name, "dom4294967295");
}

/* role=control marks the control domain; nothing else is a role. */
static void test_role(void **state)
{
	struct domain_config cfg = parse_ok("name=ctl role=control", 1);
	char why[96];

	(void)state;
	assert_true(cfg.control);
	assert_false(parse_ok("name=plain", 2).control);
	assert_int_equal(domain_config_parse("role=admin", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "role='admin'"));
	assert_int_equal(domain_config_parse("role", 1, &cfg, why, sizeof(why)), -EINVAL);
}

static void test_null_cmdline(void **state)
{
	struct domain_config cfg = parse_ok(NULL, 7);

	(void)state;
	assert_string_equal(cfg.name, "dom7");
	assert_int_equal(cfg.mem_mib, DOMAIN_DEFAULT_MEM_MIB);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.pcpu, DOMAIN_NO_PIN);
}

static void test_each_option(void **state)
{
	struct domain_config cfg;

	(void)state;
	cfg = parse_ok("name=web-1_a.b", 1);
	assert_string_equal(cfg.name, "web-1_a.b");
	assert_int_equal(cfg.mem_mib, DOMAIN_DEFAULT_MEM_MIB);

	cfg = parse_ok("mem=64", 1);
	assert_int_equal(cfg.mem_mib, 64);
	assert_string_equal(cfg.name, "dom1");

	cfg = parse_ok("mem=0x20", 1);	/* hex as cmdline_parse_u64 reads it */
	assert_int_equal(cfg.mem_mib, 32);

	cfg = parse_ok("mem=1", 1);
	assert_int_equal(cfg.mem_mib, 1);
	cfg = parse_ok("mem=65536", 1);
	assert_int_equal(cfg.mem_mib, DOMAIN_MAX_MEM_MIB);

	cfg = parse_ok("vcpus=1", 1);
	assert_int_equal(cfg.vcpus, 1);
	cfg = parse_ok("vcpus=8", 1);
	assert_int_equal(cfg.vcpus, DOMAIN_MAX_VCPUS);

	cfg = parse_ok("pcpu=0", 1);
	assert_int_equal(cfg.pcpu, 0);
	cfg = parse_ok("pcpu=3", 1);
	assert_int_equal(cfg.pcpu, 3);
	cfg = parse_ok("pcpu=4294967294", 1);	/* DOMAIN_NO_PIN - 1 */
	assert_int_equal(cfg.pcpu, DOMAIN_NO_PIN - 1);

	cfg = parse_ok("name=db mem=256 vcpus=4 pcpu=2", 9);
	assert_string_equal(cfg.name, "db");
	assert_int_equal(cfg.mem_mib, 256);
	assert_int_equal(cfg.vcpus, 4);
	assert_int_equal(cfg.pcpu, 2);
}

static void test_guest_words_ignored(void **state)
{
	struct domain_config cfg;

	(void)state;
	cfg = parse_ok("loops=5 write", 2);
	assert_string_equal(cfg.name, "dom2");
	assert_int_equal(cfg.mem_mib, DOMAIN_DEFAULT_MEM_MIB);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.pcpu, DOMAIN_NO_PIN);

	cfg = parse_ok("loops=5 mem=32 write console=ttyS0 vcpus=2 memory=abc names=x/y", 2);
	assert_int_equal(cfg.mem_mib, 32);
	assert_int_equal(cfg.vcpus, 2);
	assert_string_equal(cfg.name, "dom2");

	/* A guest word longer than a key buffer is still the guest's. */
	cfg = parse_ok("a_very_long_guest_option_name_beyond_32=1 mem=8", 2);
	assert_int_equal(cfg.mem_mib, 8);
}

static void test_last_wins(void **state)
{
	struct domain_config cfg;

	(void)state;
	cfg = parse_ok("mem=32 name=a vcpus=2 pcpu=1 mem=48 name=b vcpus=3 pcpu=0", 1);
	assert_int_equal(cfg.mem_mib, 48);
	assert_string_equal(cfg.name, "b");
	assert_int_equal(cfg.vcpus, 3);
	assert_int_equal(cfg.pcpu, 0);
}

static void test_quoted_values(void **state)
{
	struct domain_config cfg;

	(void)state;
	cfg = parse_ok("name=\"web\" mem=\"128\" vcpus=\"2\" pcpu=\"1\"", 1);
	assert_string_equal(cfg.name, "web");
	assert_int_equal(cfg.mem_mib, 128);
	assert_int_equal(cfg.vcpus, 2);
	assert_int_equal(cfg.pcpu, 1);

	cfg = parse_ok("name=we\"b\"1 greeting=\"hello world\" mem=4", 1);
	assert_string_equal(cfg.name, "web1");
	assert_int_equal(cfg.mem_mib, 4);
}

struct bad_case {
	const char *line;
	const char *why_contains;	/* names the option and the value */
};

static const struct bad_case bad_cases[] = {
	{ "mem=0", "mem='0'" },
	{ "mem=65537", "mem='65537'" },
	{ "mem=abc", "mem='abc'" },
	{ "mem", "mem=''" },
	{ "mem=", "mem=''" },
	{ "mem=-1", "mem='-1'" },
	{ "mem=18446744073709551616", "mem=" },	/* overflows a u64 */
	{ "vcpus=0", "vcpus='0'" },
	{ "vcpus=9", "vcpus='9'" },
	{ "vcpus", "vcpus" },
	{ "name=", "name=''" },
	{ "name", "name" },
	{ "name=a/b", "name='a/b'" },
	{ "name=\"x y\"", "name='x y'" },
	{ "name=0123456789abcdef0123456789abcdef", "name=" },	/* 32 chars */
	{ "name=0123456789abcdef0123456789abcdef0123456789", "name=" },
	{ "pcpu=-1", "pcpu='-1'" },
	{ "pcpu=x", "pcpu='x'" },
	{ "pcpu=4294967295", "pcpu='4294967295'" },	/* DOMAIN_NO_PIN itself */
	{ "pcpu=4294967296", "pcpu='4294967296'" },
	{ "loops=5 mem=64 vcpus=9 write", "vcpus='9'" },	/* among good words */
};

static void test_bad_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct domain_config cfg;
		char why[WHY_LEN] = "";
		int rc = domain_config_parse(c->line, 1, &cfg, why, sizeof(why));

		if (rc != -EINVAL || !strstr(why, c->why_contains) || !strstr(why, "bad "))
			fail_msg("\"%s\": rc %d why \"%s\" (want -EINVAL and \"%s\")",
				 c->line, rc, why, c->why_contains);
	}
}

static void test_bad_ranges_in_why(void **state)
{
	struct domain_config cfg;
	char why[WHY_LEN];

	(void)state;
	assert_int_equal(domain_config_parse("mem=0", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "bad mem='0' (expected 1 to 65536)");
	assert_int_equal(domain_config_parse("vcpus=9", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "bad vcpus='9' (expected 1 to 8)");
	assert_int_equal(domain_config_parse("name=a/b", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "1 to 31"));
}

static void test_name_limits(void **state)
{
	struct domain_config cfg;
	char name31[DOMAIN_NAME_MAX], line[64];

	(void)state;
	memset(name31, 'n', DOMAIN_NAME_MAX - 1);
	name31[DOMAIN_NAME_MAX - 1] = '\0';
	snprintf(line, sizeof(line), "name=%s", name31);
	cfg = parse_ok(line, 1);
	assert_string_equal(cfg.name, name31);
	assert_int_equal(strlen(cfg.name), DOMAIN_NAME_MAX - 1);
}

static void test_why_truncated(void **state)
{
	struct domain_config cfg;
	char why[8];

	(void)state;
	memset(why, 'x', sizeof(why));
	assert_int_equal(domain_config_parse("mem=abc", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "bad mem");	/* 7 chars and the NUL */

	memset(why, 'x', sizeof(why));
	assert_int_equal(domain_config_parse("mem=abc", 1, &cfg, why, 1), -EINVAL);
	assert_int_equal(why[0], '\0');
	assert_int_equal(why[1], 'x');		/* nothing past the given length */

	/* No room at all: nothing is written, and the error is still returned. */
	assert_int_equal(domain_config_parse("vcpus=0", 1, &cfg, NULL, 0), -EINVAL);
	assert_int_equal(domain_config_parse("vcpus=2", 1, &cfg, NULL, 0), 0);
	assert_int_equal(cfg.vcpus, 2);
}

static void test_error_stops_at_bad_word(void **state)
{
	struct domain_config cfg;
	char why[WHY_LEN];

	(void)state;
	/* The first bad option is the one reported. */
	assert_int_equal(domain_config_parse("mem=0 vcpus=9", 1, &cfg, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "mem="));
	assert_null(strstr(why, "vcpus"));
}

/* Issue 12's options: initrd_of=, max_run_s=, on_reboot=. */
static void test_lifecycle_options(void **state)
{
	struct domain_config cfg = parse_ok("initrd_of=linux-1", 2);
	char why[WHY_LEN];

	(void)state;
	assert_string_equal(cfg.initrd_of, "linux-1");
	assert_int_equal(cfg.max_run_s, 0);
	assert_int_equal(cfg.on_reboot, DOMAIN_REBOOT_END);
	assert_string_equal(parse_ok("name=a", 1).initrd_of, "");
	cfg = parse_ok("name=l max_run_s=30 on_reboot=restart", 1);
	assert_int_equal(cfg.max_run_s, 30);
	assert_int_equal(cfg.on_reboot, DOMAIN_REBOOT_RESTART);
	assert_int_equal(parse_ok("on_reboot=restart on_reboot=end", 1).on_reboot,
			 DOMAIN_REBOOT_END);
	assert_int_equal(parse_ok("max_run_s=86400", 1).max_run_s, DOMAIN_MAX_RUN_S);

	assert_int_equal(domain_config_parse("max_run_s=0", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "bad max_run_s='0' (expected 1 to 86400)");
	assert_int_equal(domain_config_parse("max_run_s=86401", 1, &cfg, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(domain_config_parse("max_run_s", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_int_equal(domain_config_parse("on_reboot=halt", 1, &cfg, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "bad on_reboot='halt' (end or restart)");
	assert_int_equal(domain_config_parse("on_reboot", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_int_equal(domain_config_parse("initrd_of=a/b", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "bad initrd_of='a/b' (1 to 31 of A-Z a-z 0-9 - _ .)");
	assert_int_equal(domain_config_parse("initrd_of", 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_int_equal(domain_config_parse("initrd_of=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1,
					     &cfg, why, sizeof(why)), -EINVAL);
}

/* Refuse @line with a why equal to @why. */
static void refused(const char *line, const char *why_expected)
{
	struct domain_config cfg;
	char why[WHY_LEN] = "";

	if (domain_config_parse(line, 1, &cfg, why, sizeof(why)) != -EINVAL ||
	    strcmp(why, why_expected))
		fail_msg("\"%s\": why \"%s\" (want -EINVAL and \"%s\")", line, why, why_expected);
}

/* Issue 13's NIC options: net=, mac=, net_{tx,rx}_{bytes,packets}_s=. */
static void test_net_options(void **state)
{
	struct domain_config cfg = parse_ok("name=a", 1);
	static const uint8_t mac[DOMAIN_MAC_LEN] = { 0x02, 0xab, 0xCD, 0x00, 0x09, 0xfe };

	(void)state;
	assert_string_equal(cfg.net_group, "");
	assert_false(cfg.mac_set);
	assert_int_equal(cfg.net_tx_bytes_s + cfg.net_rx_packets_s, 0);
	cfg = parse_ok("net=lan_2-b mac=02:ab:CD:00:09:fe net_tx_bytes_s=125000 "
		       "net_tx_packets_s=100 net_rx_bytes_s=1099511627776 net_rx_packets_s=0", 1);
	assert_string_equal(cfg.net_group, "lan_2-b");
	assert_true(cfg.mac_set);
	assert_memory_equal(cfg.mac, mac, DOMAIN_MAC_LEN);
	assert_int_equal(cfg.net_tx_bytes_s, 125000);
	assert_int_equal(cfg.net_tx_packets_s, 100);
	assert_int_equal(cfg.net_rx_bytes_s, DOMAIN_MAX_NET_RATE);
	assert_int_equal(cfg.net_rx_packets_s, 0);
	assert_string_equal(parse_ok("net=aaaaaaaaaaaaaaa", 1).net_group, "aaaaaaaaaaaaaaa");

	refused("net=aaaaaaaaaaaaaaaa", "bad net='aaaaaaaaaaaaaaaa' (1 to 15 of a-z 0-9 - _)");
	refused("net=Lan", "bad net='Lan' (1 to 15 of a-z 0-9 - _)");
	refused("net=a.b", "bad net='a.b' (1 to 15 of a-z 0-9 - _)");
	refused("net=", "bad net='' (1 to 15 of a-z 0-9 - _)");
	refused("net", "bad net='' (1 to 15 of a-z 0-9 - _)");
	refused("net=lan mac=03:00:00:00:00:01",
		"bad mac='03:00:00:00:00:01' (a unicast xx:xx:xx:xx:xx:xx, not all zeros)");
	refused("net=lan mac=ff:ff:ff:ff:ff:ff",
		"bad mac='ff:ff:ff:ff:ff:ff' (a unicast xx:xx:xx:xx:xx:xx, not all zeros)");
	refused("net=lan mac=00:00:00:00:00:00",
		"bad mac='00:00:00:00:00:00' (a unicast xx:xx:xx:xx:xx:xx, not all zeros)");
	refused("net=lan mac=02:00:00:00:00",
		"bad mac='02:00:00:00:00' (a unicast xx:xx:xx:xx:xx:xx, not all zeros)");
	refused("net=lan mac=02:00:00:00:00:001",
		"bad mac='02:00:00:00:00:001' (a unicast xx:xx:xx:xx:xx:xx, not all zeros)");
	refused("net=lan mac=02-00-00-00-00-01",
		"bad mac='02-00-00-00-00-01' (a unicast xx:xx:xx:xx:xx:xx, not all zeros)");
	refused("net=lan mac=02:0g:00:00:00:01",
		"bad mac='02:0g:00:00:00:01' (a unicast xx:xx:xx:xx:xx:xx, not all zeros)");
	refused("net=lan mac", "bad mac='' (a unicast xx:xx:xx:xx:xx:xx, not all zeros)");
	refused("net=lan net_tx_bytes_s=fast",
		"bad net_tx_bytes_s='fast' (expected 0 to 1099511627776)");
	refused("net=lan net_rx_packets_s=-1",
		"bad net_rx_packets_s='-1' (expected 0 to 1099511627776)");
	refused("net=lan net_tx_packets_s=1099511627777",
		"bad net_tx_packets_s='1099511627777' (expected 0 to 1099511627776)");
	refused("net=lan net_rx_bytes_s", "bad net_rx_bytes_s='' (expected 0 to 1099511627776)");
	/* A NIC's settings without the NIC. */
	refused("mac=02:00:00:00:00:01", "mac= and net_*_s= need net=GROUP");
	refused("name=x net_tx_packets_s=5", "mac= and net_*_s= need net=GROUP");
}

/* Issue 13's disk options: disk=, disk_ro, disk_of=. */
static void test_disk_options(void **state)
{
	struct domain_config cfg = parse_ok("name=a", 1);

	(void)state;
	assert_int_equal(cfg.disk_mib, 0);
	assert_false(cfg.disk_ro);
	assert_string_equal(cfg.disk_of, "");
	cfg = parse_ok("disk=64 disk_ro", 1);
	assert_int_equal(cfg.disk_mib, 64);
	assert_true(cfg.disk_ro);
	assert_int_equal(parse_ok("disk=65536", 1).disk_mib, DOMAIN_MAX_DISK_MIB);
	assert_string_equal(parse_ok("disk_of=web-1", 1).disk_of, "web-1");
	assert_true(parse_ok("disk_ro", 1).disk_ro);	/* for a disk_of= image alone */

	refused("disk=0", "bad disk='0' (expected 1 to 65536)");
	refused("disk=65537", "bad disk='65537' (expected 1 to 65536)");
	refused("disk=1G", "bad disk='1G' (expected 1 to 65536)");
	refused("disk", "bad disk='' (expected 1 to 65536)");
	refused("disk_ro=1", "bad disk_ro='1' (a bare word)");
	refused("disk_of=a/b", "bad disk_of='a/b' (1 to 31 of A-Z a-z 0-9 - _ .)");
	refused("disk_of", "bad disk_of='' (1 to 31 of A-Z a-z 0-9 - _ .)");
	/* After `--` they are the guest's. */
	cfg = parse_ok("name=g -- disk=0 net=BAD mac=01:00:00:00:00:00", 1);
	assert_int_equal(cfg.disk_mib, 0);
	assert_string_equal(cfg.net_group, "");
	assert_string_equal(domain_config_guest_cmdline("net=lan disk=8 disk_ro disk_of=x "
							"mac=02:00:00:00:00:01 net_tx_bytes_s=9 "
							"console=ttyS0"), "console=ttyS0");
}

/* `--` ends Tally's options: what follows is the guest's even where Tally knows the key. */
static void test_options_end(void **state)
{
	struct domain_config cfg = parse_ok("name=l mem=64 -- mem=200M name=x vcpus=zz", 1);

	(void)state;
	assert_string_equal(cfg.name, "l");
	assert_int_equal(cfg.mem_mib, 64);
	assert_int_equal(cfg.vcpus, 1);
	assert_string_equal(parse_ok("--name=x", 1).name, "dom1");	/* a word, not the end */
}

/* `template` and `hush` are bare words of Tally's; with a value they are the guest's. */
static void test_template_and_hush(void **state)
{
	struct domain_config cfg;
	char why[160];

	(void)state;
	assert_int_equal(domain_config_parse("name=t mem=2 template hush x=1", 1, &cfg, why,
					     sizeof(why)), 0);
	assert_true(cfg.template);
	assert_true(cfg.quiet);
	assert_int_equal(cfg.mem_mib, 2);
	assert_int_equal(domain_config_parse("name=t template=no hush=no", 1, &cfg, why,
					     sizeof(why)), 0);
	assert_false(cfg.template);
	assert_false(cfg.quiet);
	assert_string_equal(domain_config_guest_cmdline("name=t template hush duration_ms=5"),
			    "duration_ms=5");
	/* A copy's line: the template's options, then its own, which win, ended by `--`. */
	assert_int_equal(domain_config_parse("name=t mem=2 template name=c1 mem=8 -- mem=64", 3,
					     &cfg, why, sizeof(why)), 0);
	assert_string_equal(cfg.name, "c1");
	assert_int_equal(cfg.mem_mib, 8);
}

/* What a Linux kernel gets: the line after Tally's leading options. */
static void test_guest_cmdline(void **state)
{
	const char *line = "name=l mem=64 vcpus=2 console=ttyS0 quiet";

	(void)state;
	assert_ptr_equal(domain_config_guest_cmdline(line), line + 22);
	assert_string_equal(domain_config_guest_cmdline(line), "console=ttyS0 quiet");
	assert_string_equal(domain_config_guest_cmdline("name=l  -- mem=200M  rdinit=/init"),
			    "mem=200M  rdinit=/init");
	assert_string_equal(domain_config_guest_cmdline("name=l max_run_s=5 on_reboot=restart "
							"pcpu=1 role=control \tinit=/x"), "init=/x");
	/* A Tally word after the first guest word is the guest's too (multiboot reads it). */
	assert_string_equal(domain_config_guest_cmdline("quiet name=l"), "quiet name=l");
	assert_string_equal(domain_config_guest_cmdline("name=\"a b\" x"), "x");
	assert_string_equal(domain_config_guest_cmdline("name=l mem=1"), "");
	assert_string_equal(domain_config_guest_cmdline("  "), "");
	assert_string_equal(domain_config_guest_cmdline(NULL), "");
	assert_string_equal(domain_config_guest_cmdline("name=l --"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_null_cmdline),
		cmocka_unit_test(test_each_option),
		cmocka_unit_test(test_guest_words_ignored),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_quoted_values),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_ranges_in_why),
		cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_why_truncated),
		cmocka_unit_test(test_error_stops_at_bad_word),
		cmocka_unit_test(test_lifecycle_options),
		cmocka_unit_test(test_options_end),
		cmocka_unit_test(test_net_options),
		cmocka_unit_test(test_disk_options),
		cmocka_unit_test(test_guest_cmdline),
		cmocka_unit_test(test_template_and_hush),
	};

	return cmocka_run_group_tests_name("domain_config", tests, NULL, NULL);
}
