/* SPDX-License-Identifier: MIT */
/* The roles of boot modules (see tally/domain_modules.h). */
#include <tally/cmdline.h>
#include <tally/domain_modules.h>
#include <tally/errno.h>
#include <tally/exit_status.h>
#include <tally/fmt.h>
#include <tally/log.h>
#include <tally/string.h>

/*
 * "module N (name)", or "module N" without a name= that fits: its place on
 * the loader's list (a refused module never gets a domain id) and the name
 * its author gave it, even one Tally then refuses.
 */
void domain_module_label(const struct boot_module *m, unsigned int index, char *buf, size_t len)
{
	char name[DOMAIN_NAME_MAX];

	if (cmdline_find(m->cmdline, "name", name, sizeof(name)) == 1 && name[0])
		fmt_snprintf(buf, len, "module %u (%s)", index, name);
	else
		fmt_snprintf(buf, len, "module %u", index);
}

static const char *const data_key[] = {
	[DOMAIN_MODULE_INITRD] = "initrd_of",
	[DOMAIN_MODULE_DISK] = "disk_of",
};
static const char *const data_noun[] = {
	[DOMAIN_MODULE_INITRD] = "initrds",
	[DOMAIN_MODULE_DISK] = "disk images",
};

/* The domain name a data module's line gives for @kind ("" if none). */
static const char *data_owner(const struct domain_config *cfg, enum domain_module_kind kind)
{
	return kind == DOMAIN_MODULE_INITRD ? cfg->initrd_of : cfg->disk_of;
}

/*
 * What @m is; a line Tally cannot read counts as data if it has the word
 * at all, so that its refusal says what is wrong with it.
 */
enum domain_module_kind domain_module_kind(const struct boot_module *m)
{
	struct domain_config cfg;
	char v[DOMAIN_NAME_MAX], why[96];
	bool initrd, disk;

	if (!domain_config_parse(m->cmdline, 0, &cfg, why, sizeof(why))) {
		initrd = cfg.initrd_of[0] != '\0';
		disk = cfg.disk_of[0] != '\0';
	} else {
		initrd = cmdline_find(m->cmdline, data_key[DOMAIN_MODULE_INITRD], v,
				      sizeof(v)) != -ENOENT;
		disk = cmdline_find(m->cmdline, data_key[DOMAIN_MODULE_DISK], v,
				    sizeof(v)) != -ENOENT;
	}
	if (initrd && disk)
		return DOMAIN_MODULE_BOTH;
	return initrd ? DOMAIN_MODULE_INITRD : disk ? DOMAIN_MODULE_DISK : DOMAIN_MODULE_KERNEL;
}

/*
 * The @kind module naming @name (whatever the module order), marking each
 * one seen in @claimed: 0 with *@out (NULL if none), or <0 after one line
 * when two name it or one is malformed.
 */
int domain_module_find(const struct boot_info *bi, enum domain_module_kind kind, const char *name,
		     const char *label, bool *claimed, const struct boot_module **out)
{
	struct domain_config rc;
	char why[96];

	*out = NULL;
	for (unsigned int i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (domain_module_kind(m) != kind ||
		    domain_config_parse(m->cmdline, 0, &rc, why, sizeof(why)) ||
		    strcmp(data_owner(&rc, kind), name))
			continue;
		claimed[i] = true;
		if (*out) {
			log_err("%s: two %s (modules %u and %u) name it; not created", label,
				data_noun[kind], (unsigned int)(*out - bi->modules), i);
			return -EEXIST;
		}
		*out = m;
	}
	return 0;
}

/* A data module no domain took: refused with one line (a bad option, or no such domain). */
void domain_module_refuse(const struct boot_module *m, const char *label)
{
	enum domain_module_kind kind = domain_module_kind(m);
	struct domain_config rc;
	char why[96];

	if (domain_config_parse(m->cmdline, 0, &rc, why, sizeof(why)))
		log_err("%s: %s; refused", label, why);
	else if (kind == DOMAIN_MODULE_BOTH)
		log_err("%s: both initrd_of= and disk_of=; refused", label);
	else
		log_err("%s: %s=%s names no domain; refused", label, data_key[kind],
			data_owner(&rc, kind));
	exit_status_add(EMU_EXIT_MODULE_REFUSED);
}
