/* SPDX-License-Identifier: MIT */
/* Reading a domain's settings from its module command line (see tally/domain_config.h). */
#include <tally/cmdline.h>
#include <tally/domain_config.h>
#include <tally/errno.h>
#include <tally/fmt.h>
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

static int apply(const struct cmdline_token *tok, struct domain_config *cfg,
		 char *why, size_t why_len)
{
	uint64_t n;

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
		if (number(tok, 1, DOMAIN_MAX_MEM_MIB, &n, why, why_len))
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
	} else if (!strcmp(tok->key, "pcpu")) {
		if (number(tok, 0, DOMAIN_NO_PIN - 1, &n, why, why_len))
			return -EINVAL;
		cfg->pcpu = (unsigned int)n;
	}
	return 0;	/* anything else belongs to the guest */
}

int domain_config_parse(const char *cmdline, unsigned int id, struct domain_config *cfg,
			char *why, size_t why_len)
{
	struct cmdline_token tok;
	const char *pos = cmdline ? cmdline : "";

	*cfg = (struct domain_config){
		.mem_mib = DOMAIN_DEFAULT_MEM_MIB, .vcpus = 1, .pcpu = DOMAIN_NO_PIN,
	};
	fmt_snprintf(cfg->name, sizeof(cfg->name), "dom%u", id);
	if (why_len)
		why[0] = '\0';
	while (cmdline_next(&pos, &tok)) {
		if (!tok.has_value && !strcmp(tok.key, DOMAIN_OPTIONS_END))
			break;
		if (apply(&tok, cfg, why, why_len) < 0)
			return -EINVAL;
	}
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
