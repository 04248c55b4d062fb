/* SPDX-License-Identifier: MIT */
/* Tally's command line: each option's parser, and a warning for anything wrong. */
#include <tally/cmdline.h>
#include <tally/errno.h>
#include <tally/log.h>
#include <tally/options.h>
#include <tally/sched.h>
#include <tally/string.h>
#include <tally/uart.h>

struct tally_options options = {
	.console_port = UART_COM1,
	.loglevel = LOG_INFO,
	.sched_slice_ms = SCHED_SLICE_MS,
	.metrics_interval_ms = 1000,
};

struct option_desc {
	const char *key;
	bool takes_value;
	const char *expected;	/* for the warning on a bad value */
	int (*parse)(const char *value);
};

/* A serial port by name (com1..com4) or I/O port number; 0 if neither. */
static uint16_t serial_port(const char *v)
{
	static const struct { const char *name; uint16_t port; } ports[] = {
		{ "com1", UART_COM1 }, { "com2", UART_COM2 },
		{ "com3", UART_COM3 }, { "com4", UART_COM4 },
	};
	uint64_t port;

	for (unsigned int i = 0; i < ARRAY_SIZE(ports); i++)
		if (!strcmp(v, ports[i].name))
			return ports[i].port;
	if (cmdline_parse_u64(v, &port) < 0 || !port || port > 0xFFF8)
		return 0;
	return (uint16_t)port;
}

static int parse_console(const char *v)
{
	uint16_t port = serial_port(v);

	if (!port)
		return -EINVAL;
	options.console_port = port;
	return 0;
}

static int parse_metrics(const char *v)
{
	uint16_t port = serial_port(v);

	if (!port)
		return -EINVAL;
	options.metrics_port = port;
	return 0;
}

static int parse_metrics_interval(const char *v)
{
	uint64_t ms;

	if (cmdline_parse_u64(v, &ms) < 0 || ms < 10 || ms > 60000)
		return -EINVAL;
	options.metrics_interval_ms = (unsigned int)ms;
	return 0;
}

static int parse_loglevel(const char *v)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };
	uint64_t n;

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(v, names[i])) {
			options.loglevel = (enum log_level)i;
			return 0;
		}
	}
	if (cmdline_parse_u64(v, &n) < 0 || n > LOG_DEBUG)
		return -EINVAL;
	options.loglevel = (enum log_level)n;
	return 0;
}

static int parse_exit_when_done(const char *v __unused)
{
	options.exit_when_done = true;
	return 0;
}

static int parse_acpi(const char *v)
{
	if (strcmp(v, "off"))
		return -EINVAL;
	options.acpi_off = true;
	return 0;
}

static int parse_crash_test(const char *v)
{
	static const char *const names[] = {
		[CRASH_NULL] = "null", [CRASH_UD] = "ud", [CRASH_PANIC] = "panic",
		[CRASH_GUEST_STATE] = "guest_state", [CRASH_VM_CONTROL] = "vm_control",
	};

	for (unsigned int i = CRASH_NULL; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(v, names[i])) {
			options.crash_test = (enum crash_test)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_slice(const char *v)
{
	uint64_t ms;

	if (cmdline_parse_u64(v, &ms) < 0 || ms < 1 || ms > 1000)
		return -EINVAL;
	options.sched_slice_ms = (unsigned int)ms;
	return 0;
}

static int parse_sched_timer(const char *v)
{
	if (!strcmp(v, "preemption"))
		options.sched_timer = SCHED_TIMER_PREEMPTION;
	else if (!strcmp(v, "lapic"))
		options.sched_timer = SCHED_TIMER_LAPIC;
	else
		return -EINVAL;
	return 0;
}

static int parse_audit(const char *v __unused)
{
	options.audit = true;
	return 0;
}

static int parse_top_interval(const char *v)
{
	uint64_t s;

	if (cmdline_parse_u64(v, &s) < 0 || s < 1 || s > 3600)
		return -EINVAL;
	options.top_interval_s = (unsigned int)s;
	return 0;
}

static int parse_console_timestamps(const char *v __unused)
{
	options.console_timestamps = true;
	return 0;
}

static int parse_mmio_test(const char *v __unused)
{
	options.mmio_test = true;
	return 0;
}

/* A `price_*=` value: micro-units of a currency, 0 to BILL_PRICE_MAX. */
static int parse_price(const char *v, uint64_t *out)
{
	uint64_t n;

	if (cmdline_parse_u64(v, &n) < 0 || n > BILL_PRICE_MAX)
		return -EINVAL;
	*out = n;
	return 0;
}

static int parse_price_vcpu(const char *v)
{
	return parse_price(v, &options.prices.vcpu_hour);
}

static int parse_price_mem(const char *v)
{
	return parse_price(v, &options.prices.gib_hour);
}

static int parse_price_disk(const char *v)
{
	return parse_price(v, &options.prices.disk_gib_hour);
}

static int parse_price_net(const char *v)
{
	return parse_price(v, &options.prices.net_gib);
}

static const struct option_desc option_table[] = {
	{ "console", true, "com1..com4 or an I/O port", parse_console },
	{ "loglevel", true, "0-3 or err, warn, info, debug", parse_loglevel },
	{ "exit_when_done", false, "no value", parse_exit_when_done },
	{ "acpi", true, "off", parse_acpi },
	{ "crash_test", true, "null, ud, panic, guest_state or vm_control", parse_crash_test },
	{ "sched_slice_ms", true, "1 to 1000", parse_slice },
	{ "sched_timer", true, "lapic or preemption", parse_sched_timer },
	{ "audit", false, "no value", parse_audit },
	{ "metrics", true, "com1..com4 or an I/O port", parse_metrics },
	{ "metrics_interval_ms", true, "10 to 60000", parse_metrics_interval },
	{ "top_interval_s", true, "1 to 3600", parse_top_interval },
	{ "console_timestamps", false, "no value", parse_console_timestamps },
	{ "mmio_test", false, "no value", parse_mmio_test },
	{ "price_vcpu_hour", true, "0 to 10^12 micro-units", parse_price_vcpu },
	{ "price_gib_hour", true, "0 to 10^12 micro-units", parse_price_mem },
	{ "price_disk_gib_hour", true, "0 to 10^12 micro-units", parse_price_disk },
	{ "price_net_gib", true, "0 to 10^12 micro-units", parse_price_net },
};

static void apply_option(const struct cmdline_token *tok)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(option_table); i++) {
		const struct option_desc *o = &option_table[i];

		if (strcmp(tok->key, o->key))
			continue;
		if (tok->has_value != o->takes_value || tok->truncated ||
		    o->parse(tok->value) < 0)
			log_warn("cmdline: bad value for '%s' (expected %s); ignored",
				 o->key, o->expected);
		return;
	}
	log_warn("cmdline: unknown option '%s' ignored", tok->key);
}

static bool looks_like_path(const char *s)
{
	for (; *s; s++)
		if (*s == '/')
			return true;
	return false;
}

void options_parse(const char *cmdline)
{
	struct cmdline_token tok;
	const char *pos = cmdline;
	bool first = true;

	while (cmdline_next(&pos, &tok)) {
		/* Multiboot v1 loaders put the kernel's path first. */
		if (first && !tok.has_value && looks_like_path(tok.key))
			continue;
		first = false;
		apply_option(&tok);
	}
}
