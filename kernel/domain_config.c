/* SPDX-License-Identifier: MIT */
/* Reading a domain's settings from its module command line (see tally/domain_config.h). */
#include <tally/cmdline.h>
#include <tally/domain_config.h>
#include <tally/errno.h>
#include <tally/fmt.h>
#include <tally/instance_types.h>
#include <tally/string.h>

static bool name_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* A number in [lo, hi] from @tok, or -EINVAL with @why filled in. */
static int number(const struct cmdline_token *tok, uint64_t lo, uint64_t hi, uint64_t *out,
		  char *why, size_t why_len)
{
	if (tok->has_value && !tok->truncated && !cmdline_parse_u64(tok->value, out) &&
	    *out >= lo && *out <= hi)
		return 0;
	fmt_snprintf(why, why_len, "bad %s='%s' (expected %lu to %lu)", tok->key,
		     tok->has_value ? tok->value : "", lo, hi);
	return -EINVAL;
}

/* The options Tally reads; every other word is the guest's. */
static const char *const tally_keys[] = {
	"name", "mem", "vcpus", "role", "pcpu", "initrd_of", "max_run_s", "on_reboot",
	"net", "mac", "net_tx_bytes_s", "net_tx_packets_s", "net_rx_bytes_s",
	"net_rx_packets_s", "disk", "disk_ro", "disk_of", "type", "agent", "template", "hush",
};

static bool is_tally_key(const char *key)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(tally_keys); i++)
		if (!strcmp(key, tally_keys[i]))
			return true;
	return false;
}

/* A domain name (name= or initrd_of=) into @dst, or -EINVAL with @why filled in. */
static int domain_name(const struct cmdline_token *tok, char *dst, char *why, size_t why_len)
{
	if (!tok->has_value || tok->truncated || strlen(tok->value) >= DOMAIN_NAME_MAX ||
	    !name_valid(tok->value)) {
		fmt_snprintf(why, why_len, "bad %s='%s' (1 to %u of A-Z a-z 0-9 - _ .)",
			     tok->key, tok->has_value ? tok->value : "", DOMAIN_NAME_MAX - 1);
		return -EINVAL;
	}
	str_copy(dst, tok->value, DOMAIN_NAME_MAX);
	return 0;
}

/* `on_reboot=end` or `on_reboot=restart`. */
static int on_reboot(const struct cmdline_token *tok, struct domain_config *cfg,
		     char *why, size_t why_len)
{
	if (tok->has_value && !strcmp(tok->value, "end"))
		cfg->on_reboot = DOMAIN_REBOOT_END;
	else if (tok->has_value && !strcmp(tok->value, "restart"))
		cfg->on_reboot = DOMAIN_REBOOT_RESTART;
	else {
		fmt_snprintf(why, why_len, "bad on_reboot='%s' (end or restart)",
			     tok->has_value ? tok->value : "");
		return -EINVAL;
	}
	return 0;
}

/* `net=GROUP`: an isolation group name, [a-z0-9_-]{1,15}. */
static int net_group(const struct cmdline_token *tok, struct domain_config *cfg,
		     char *why, size_t why_len)
{
	const char *s = tok->has_value ? tok->value : "";
	size_t len = strlen(s);
	bool ok = !tok->truncated && len && len < DOMAIN_NET_GROUP_MAX;

	for (const char *p = s; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
	if (!ok) {
		fmt_snprintf(why, why_len, "bad net='%s' (1 to %u of a-z 0-9 - _)", s,
			     DOMAIN_NET_GROUP_MAX - 1);
		return -EINVAL;
	}
	str_copy(cfg->net_group, s, DOMAIN_NET_GROUP_MAX);
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Six colon-separated hex octets into @mac; false if @s is not exactly that. */
static bool parse_mac(const char *s, uint8_t mac[DOMAIN_MAC_LEN])
{
	for (unsigned int i = 0; i < DOMAIN_MAC_LEN; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0 || s[2] != (i + 1 < DOMAIN_MAC_LEN ? ':' : '\0'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/*
 * `mac=xx:xx:xx:xx:xx:xx`: a unicast address (IEEE 802-2014 8.2: the
 * first octet's least significant bit is the group bit), not all zeros.
 */
static int mac_option(const struct cmdline_token *tok, struct domain_config *cfg,
		      char *why, size_t why_len)
{
	uint8_t mac[DOMAIN_MAC_LEN];
	bool zero = true;

	if (tok->has_value && !tok->truncated && parse_mac(tok->value, mac)) {
		for (unsigned int i = 0; i < DOMAIN_MAC_LEN; i++)
			zero = zero && !mac[i];
		if (!zero && !(mac[0] & DOMAIN_MAC_GROUP_BIT)) {
			memcpy(cfg->mac, mac, DOMAIN_MAC_LEN);
			cfg->mac_set = true;
			return 0;
		}
	}
	fmt_snprintf(why, why_len, "bad mac='%s' (a unicast xx:xx:xx:xx:xx:xx, not all zeros)",
		     tok->has_value ? tok->value : "");
	return -EINVAL;
}

/* The rate limit @tok sets, or NULL if it is not one. */
static uint64_t *rate_of(const char *key, struct domain_config *cfg)
{
	if (!strcmp(key, "net_tx_bytes_s"))
		return &cfg->net_tx_bytes_s;
	if (!strcmp(key, "net_tx_packets_s"))
		return &cfg->net_tx_packets_s;
	if (!strcmp(key, "net_rx_bytes_s"))
		return &cfg->net_rx_bytes_s;
	if (!strcmp(key, "net_rx_packets_s"))
		return &cfg->net_rx_packets_s;
	return NULL;
}

/* The NIC's and the disk's options; 1 if @tok is none of them. */
static int apply_device(const struct cmdline_token *tok, struct domain_config *cfg,
			char *why, size_t why_len)
{
	uint64_t *rate = rate_of(tok->key, cfg);

	if (rate)
		return number(tok, 0, DOMAIN_MAX_NET_RATE, rate, why, why_len);
	if (!strcmp(tok->key, "net"))
		return net_group(tok, cfg, why, why_len);
	if (!strcmp(tok->key, "mac"))
		return mac_option(tok, cfg, why, why_len);
	if (!strcmp(tok->key, "disk"))
		return number(tok, 1, DOMAIN_MAX_DISK_MIB, &cfg->disk_mib, why, why_len);
	if (!strcmp(tok->key, "disk_of"))
		return domain_name(tok, cfg->disk_of, why, why_len);
	if (!strcmp(tok->key, "disk_ro")) {
		if (tok->has_value) {
			fmt_snprintf(why, why_len, "bad disk_ro='%s' (a bare word)", tok->value);
			return -EINVAL;
		}
		cfg->disk_ro = true;
		return 0;
	}
	return 1;
}

static int apply(const struct cmdline_token *tok, struct domain_config *cfg,
		 char *why, size_t why_len)
{
	uint64_t n;
	int err = apply_device(tok, cfg, why, why_len);

	if (err <= 0)
		return err;
	if (!strcmp(tok->key, "name")) {
		return domain_name(tok, cfg->name, why, why_len);
	} else if (!strcmp(tok->key, "initrd_of")) {
		return domain_name(tok, cfg->initrd_of, why, why_len);
	} else if (!strcmp(tok->key, "on_reboot")) {
		return on_reboot(tok, cfg, why, why_len);
	} else if (!strcmp(tok->key, "max_run_s")) {
		if (number(tok, 1, DOMAIN_MAX_RUN_S, &n, why, why_len))
			return -EINVAL;
		cfg->max_run_s = n;
	} else if (!strcmp(tok->key, "mem")) {
		if (number(tok, DOMAIN_MIN_MEM_MIB, DOMAIN_MAX_MEM_MIB, &n, why, why_len))
			return -EINVAL;
		cfg->mem_mib = n;
	} else if (!strcmp(tok->key, "vcpus")) {
		if (number(tok, 1, DOMAIN_MAX_VCPUS, &n, why, why_len))
			return -EINVAL;
		cfg->vcpus = (unsigned int)n;
	} else if (!strcmp(tok->key, "role")) {
		if (!tok->has_value || strcmp(tok->value, "control")) {
			fmt_snprintf(why, why_len, "bad role='%s' (only role=control)",
				     tok->has_value ? tok->value : "");
			return -EINVAL;
		}
		cfg->control = true;
	} else if (!strcmp(tok->key, "agent")) {
		if (tok->has_value) {
			fmt_snprintf(why, why_len, "bad agent='%s' (a bare word)", tok->value);
			return -EINVAL;
		}
		cfg->agent = true;
	} else if (!strcmp(tok->key, "pcpu")) {
		if (number(tok, 0, DOMAIN_NO_PIN - 1, &n, why, why_len))
			return -EINVAL;
		cfg->pcpu = (unsigned int)n;
	} else if (!strcmp(tok->key, "template") && !tok->has_value) {
		cfg->template = true;
	} else if (!strcmp(tok->key, "hush") && !tok->has_value) {
		cfg->quiet = true;
	}
	return 0;	/* anything else belongs to the guest */
}

/* A NIC's settings without a NIC are a mistake worth a refusal, not a silent no-op. */
static int check_net(const struct domain_config *cfg, char *why, size_t why_len)
{
	if (cfg->net_group[0] || !(cfg->mac_set || cfg->net_tx_bytes_s || cfg->net_tx_packets_s ||
				   cfg->net_rx_bytes_s || cfg->net_rx_packets_s))
		return 0;
	fmt_snprintf(why, why_len, "mac= and net_*_s= need net=GROUP");
	return -EINVAL;
}

/* The options an instance type presets, one bit each: those given explicitly win. */
static const char *const typed_keys[] = {
	"vcpus", "mem", "disk", "net_tx_bytes_s", "net_rx_bytes_s", "net_tx_packets_s",
	"net_rx_packets_s",
};

static unsigned int typed_bit(const char *key)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(typed_keys); i++)
		if (!strcmp(key, typed_keys[i]))
			return 1u << i;
	return 0;
}

/* `type=NAME`, at most once, into cfg->type; -EINVAL naming the known types. */
static int type_option(const struct cmdline_token *tok, struct domain_config *cfg,
		       char *why, size_t why_len)
{
	char names[INSTANCE_TYPE_NAMES_MAX];
	const struct instance_type *t = tok->has_value && !tok->truncated ?
		instance_type_find(tok->value) : NULL;

	if (cfg->type) {
		fmt_snprintf(why, why_len, "type= given twice");
		return -EINVAL;
	}
	if (!t) {
		fmt_snprintf(why, why_len, "unknown type='%s' (known: %s)",
			     tok->has_value ? tok->value : "", instance_type_names(names, sizeof(names)));
		return -EINVAL;
	}
	cfg->type = t;
	return 0;
}

/* The type's values for what the line did not set (@seen: typed_bit()s); limits need a NIC. */
static void apply_type(struct domain_config *cfg, unsigned int seen)
{
	const struct instance_type *t = cfg->type;
	uint64_t *rates[] = { &cfg->net_tx_bytes_s, &cfg->net_rx_bytes_s,
			      &cfg->net_tx_packets_s, &cfg->net_rx_packets_s };
	const uint64_t preset[] = { t->net_tx_bytes_s, t->net_rx_bytes_s,
				    t->net_tx_packets_s, t->net_rx_packets_s };

	if (!(seen & typed_bit("vcpus")))
		cfg->vcpus = t->vcpus;
	if (!(seen & typed_bit("mem")))
		cfg->mem_mib = t->mem_mib;
	if (!(seen & typed_bit("disk")))
		cfg->disk_mib = t->disk_mib;
	for (unsigned int i = 0; cfg->net_group[0] && i < ARRAY_SIZE(rates); i++)
		if (!(seen & typed_bit(typed_keys[3 + i])))
			*rates[i] = preset[i];
}

int domain_config_parse(const char *cmdline, unsigned int id, struct domain_config *cfg,
			char *why, size_t why_len)
{
	struct cmdline_token tok;
	const char *pos = cmdline ? cmdline : "";
	unsigned int seen = 0;

	*cfg = (struct domain_config){
		.mem_mib = DOMAIN_DEFAULT_MEM_MIB, .vcpus = 1, .pcpu = DOMAIN_NO_PIN,
	};
	fmt_snprintf(cfg->name, sizeof(cfg->name), "dom%u", id);
	if (why_len)
		why[0] = '\0';
	while (cmdline_next(&pos, &tok)) {
		if (!tok.has_value && !strcmp(tok.key, DOMAIN_OPTIONS_END))
			break;
		if (!strcmp(tok.key, "type")) {
			if (type_option(&tok, cfg, why, why_len) < 0)
				return -EINVAL;
			continue;
		}
		if (apply(&tok, cfg, why, why_len) < 0)
			return -EINVAL;
		seen |= typed_bit(tok.key);
	}
	if (check_net(cfg, why, why_len) < 0)
		return -EINVAL;
	if (cfg->type)
		apply_type(cfg, seen);
	return 0;
}

const char *domain_config_guest_cmdline(const char *cmdline)
{
	struct cmdline_token tok;
	const char *pos = cmdline ? cmdline : "", *start = pos;

	while (cmdline_next(&pos, &tok)) {
		if (!tok.has_value && !strcmp(tok.key, DOMAIN_OPTIONS_END)) {
			start = pos;
			break;
		}
		if (!is_tally_key(tok.key))
			break;
		start = pos;
	}
	while (*start == ' ' || (*start >= '\t' && *start <= '\r'))
		start++;	/* isspace() in the C locale, as the tokeniser's */
	return start;
}
