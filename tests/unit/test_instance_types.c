/* SPDX-License-Identifier: MIT */
/* Unit tests: instance types (kernel/instance_types.c) and `type=` (kernel/domain_config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <tally/domain_config.h>
#include <tally/errno.h>
#include <tally/instance_types.h>

#include "shim.h"

#define WHY_LEN		160

static struct domain_config parse_ok(const char *line)
{
	struct domain_config cfg;
	char why[WHY_LEN];

	memset(why, 'x', sizeof(why));
	assert_int_equal(domain_config_parse(line, 1, &cfg, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	return cfg;
}

static void parse_refused(const char *line, const char *expect)
{
	struct domain_config cfg;
	char why[WHY_LEN];

	assert_int_equal(domain_config_parse(line, 1, &cfg, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, expect);
}

/* The table, value by value: docs/INSTANCE_TYPES.md and the scenarios rely on these. */
static void test_table_values(void **state)
{
	static const struct instance_type want[] = {
		{ "t1.nano",   1,   32,   0,   524288,   524288,  1000,  1000 },
		{ "t1.micro",  1,   64,   0,  1048576,  1048576,  2000,  2000 },
		{ "t1.small",  1,  128,   0,  2097152,  2097152,  4000,  4000 },
		{ "m1.small",  1,  128,  16,  4194304,  4194304,  8000,  8000 },
		{ "m1.medium", 2,  256,  32,  8388608,  8388608, 16000, 16000 },
		{ "m1.large",  2,  512,  64, 16777216, 16777216, 32000, 32000 },
		{ "m1.xlarge", 4, 1024, 128, 33554432, 33554432, 64000, 64000 },
	};

	(void)state;
	assert_int_equal(instance_type_count(), sizeof(want) / sizeof(want[0]));
	for (unsigned int i = 0; i < instance_type_count(); i++) {
		const struct instance_type *t = instance_type_at(i), *w = &want[i];

		assert_string_equal(t->name, w->name);
		assert_ptr_equal(instance_type_find(w->name), t);
		assert_int_equal(t->vcpus, w->vcpus);
		assert_int_equal(t->mem_mib, w->mem_mib);
		assert_int_equal(t->disk_mib, w->disk_mib);
		assert_int_equal(t->net_tx_bytes_s, w->net_tx_bytes_s);
		assert_int_equal(t->net_rx_bytes_s, w->net_rx_bytes_s);
		assert_int_equal(t->net_tx_packets_s, w->net_tx_packets_s);
		assert_int_equal(t->net_rx_packets_s, w->net_rx_packets_s);
		/* Within what the options accept on their own. */
		assert_true(t->vcpus >= 1 && t->vcpus <= DOMAIN_MAX_VCPUS);
		assert_true(t->mem_mib >= DOMAIN_MIN_MEM_MIB && t->mem_mib <= DOMAIN_MAX_MEM_MIB);
		assert_true(t->disk_mib <= DOMAIN_MAX_DISK_MIB);
		assert_true(t->net_tx_bytes_s <= DOMAIN_MAX_NET_RATE);
	}
	assert_null(instance_type_at(instance_type_count()));
	assert_null(instance_type_find("t1"));
	assert_null(instance_type_find("T1.NANO"));
}

/* Each type applied through type=, with and without a NIC. */
static void test_each_type_applied(void **state)
{
	char line[96];

	(void)state;
	for (unsigned int i = 0; i < instance_type_count(); i++) {
		const struct instance_type *t = instance_type_at(i);
		struct domain_config cfg;

		snprintf(line, sizeof(line), "name=a type=%s", t->name);
		cfg = parse_ok(line);
		assert_ptr_equal(cfg.type, t);
		assert_int_equal(cfg.vcpus, t->vcpus);
		assert_int_equal(cfg.mem_mib, t->mem_mib);
		assert_int_equal(cfg.disk_mib, t->disk_mib);
		assert_int_equal(cfg.net_tx_bytes_s, 0);	/* no NIC: no limits */
		assert_int_equal(cfg.net_rx_packets_s, 0);

		snprintf(line, sizeof(line), "type=%s net=lan", t->name);
		cfg = parse_ok(line);
		assert_int_equal(cfg.net_tx_bytes_s, t->net_tx_bytes_s);
		assert_int_equal(cfg.net_rx_bytes_s, t->net_rx_bytes_s);
		assert_int_equal(cfg.net_tx_packets_s, t->net_tx_packets_s);
		assert_int_equal(cfg.net_rx_packets_s, t->net_rx_packets_s);
	}
	assert_null(parse_ok("mem=8").type);
}

/* An explicit option wins over the type whether it comes before or after type=. */
static void test_overrides_both_orders(void **state)
{
	static const char *const lines[] = {
		"mem=200 vcpus=3 disk=5 net=g net_tx_bytes_s=0 net_rx_packets_s=7 type=m1.large",
		"type=m1.large mem=200 vcpus=3 disk=5 net=g net_tx_bytes_s=0 net_rx_packets_s=7",
		"mem=200 vcpus=3 type=m1.large disk=5 net=g net_tx_bytes_s=0 net_rx_packets_s=7",
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct domain_config cfg = parse_ok(lines[i]);

		assert_string_equal(cfg.type->name, "m1.large");
		assert_int_equal(cfg.mem_mib, 200);
		assert_int_equal(cfg.vcpus, 3);
		assert_int_equal(cfg.disk_mib, 5);
		assert_int_equal(cfg.net_tx_bytes_s, 0);	/* explicitly none */
		assert_int_equal(cfg.net_rx_packets_s, 7);
		assert_int_equal(cfg.net_rx_bytes_s, 16777216);	/* not set: the type's */
		assert_int_equal(cfg.net_tx_packets_s, 32000);
	}
}

static void test_unknown_and_twice(void **state)
{
	(void)state;
	parse_refused("type=x9.huge", "unknown type='x9.huge' (known: t1.nano t1.micro t1.small "
		      "m1.small m1.medium m1.large m1.xlarge)");
	parse_refused("type", "unknown type='' (known: t1.nano t1.micro t1.small "
		      "m1.small m1.medium m1.large m1.xlarge)");
	parse_refused("type=t1.nano type=t1.nano", "type= given twice");
	parse_refused("type=t1.nano mem=8 type=m1.large", "type= given twice");
	/* The type's limits never make a NIC-less line wrong; explicit ones still do. */
	parse_refused("type=t1.nano net_tx_bytes_s=5", "mac= and net_*_s= need net=GROUP");
	/* type= is Tally's: a Linux guest does not see it. */
	assert_string_equal(domain_config_guest_cmdline("type=t1.small console=ttyS0"),
			    "console=ttyS0");
}

static void test_names_buffer(void **state)
{
	char small[12];
	char full[INSTANCE_TYPE_NAMES_MAX];

	(void)state;
	assert_string_equal(instance_type_names(full, sizeof(full)),
			    "t1.nano t1.micro t1.small m1.small m1.medium m1.large m1.xlarge");
	assert_string_equal(instance_type_names(small, sizeof(small)), "t1.nano");
	assert_ptr_equal(instance_type_names(small, 0), small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_values),
		cmocka_unit_test(test_each_type_applied),
		cmocka_unit_test(test_overrides_both_orders),
		cmocka_unit_test(test_unknown_and_twice),
		cmocka_unit_test(test_names_buffer),
	};

	return cmocka_run_group_tests_name("instance_types", tests, NULL, NULL);
}
