/* SPDX-License-Identifier: MIT */
/* Domains created and destroyed at run time from templates (see tally/domain_runtime.h). */
#include <tally/audit.h>
#include <tally/domain_modules.h>
#include <tally/domain_runtime.h>
#include <tally/domain_slot.h>
#include <tally/errno.h>
#include <tally/fmt.h>
#include <tally/instance_types.h>
#include <tally/log.h>
#include <tally/mem.h>
#include <tally/options.h>
#include <tally/spinlock.h>
#include <tally/string.h>

static const struct boot_info *boot;
static struct spinlock runtime_lock = SPINLOCK_INIT;
/* domain_module_find()'s marks, unused here: the modules were claimed at boot. */
static bool scratch_claimed[BOOT_MAX_MODULES];

void domain_runtime_boot(const struct boot_info *bi)
{
	boot = bi;
}

/* The template module named @name, parsed into @cfg: its index, or -ENOENT. */
static int template_find(const char *name, struct domain_config *cfg)
{
	char why[160];

	for (unsigned int i = 0; boot && i < boot->module_count; i++) {
		const struct boot_module *m = &boot->modules[i];

		if (domain_module_kind(m) == DOMAIN_MODULE_KERNEL &&
		    !domain_config_parse(m->cmdline, 0, cfg, why, sizeof(why)) && cfg->template &&
		    !strcmp(cfg->name, name))
			return (int)i;
	}
	return -ENOENT;
}

int domain_template_boot(const struct boot_info *bi, unsigned int i,
			 const struct domain_config *cfg, const char *label, bool *claimed)
{
	const struct boot_module *rd, *disk;
	struct domain_config first;

	if (template_find(cfg->name, &first) != (int)i) {
		log_err("%s: a template named %s comes first; not kept", label, cfg->name);
		return -EEXIST;
	}
	if (domain_module_find(bi, DOMAIN_MODULE_INITRD, cfg->name, label, claimed, &rd) < 0 ||
	    domain_module_find(bi, DOMAIN_MODULE_DISK, cfg->name, label, claimed, &disk) < 0)
		return -EINVAL;
	log_info("domain: template %s mem_mib=%lu vcpus=%u%s%s%s%s (module %u)", cfg->name,
		 cfg->mem_mib, cfg->vcpus, cfg->type ? " type=" : "",
		 cfg->type ? cfg->type->name : "", rd ? " initrd" : "", disk ? " disk" : "", i);
	return 0;
}

/* 1 to DOMAIN_NAME_MAX - 1 of A-Z a-z 0-9 - _ . : one word the option parser reads whole. */
static bool name_ok(const char *s)
{
	size_t n = s ? strnlen(s, DOMAIN_NAME_MAX) : 0;

	if (!n || n == DOMAIN_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* The live domain named @name, or NULL (the caller keeps creations still). */
static struct domain *live_named(const char *name)
{
	for (unsigned int i = 0; i < domain_count(); i++) {
		struct domain *d = domain_at(i);

		if (d && d->state != DOMAIN_DEAD && !strcmp(d->name, name))
			return d;
	}
	return NULL;
}

/*
 * The template's Tally options, then @opts and name=, ended by `--` so no
 * guest word is read as an option: the copy's configuration into @cfg.
 */
static int copy_config(const struct boot_module *m, const char *name, const char *opts,
		       unsigned int id, struct domain_config *cfg, const char *label)
{
	char line[DOMAIN_RUNTIME_CMDLINE_MAX], why[160];
	size_t tally = (size_t)(domain_config_guest_cmdline(m->cmdline) - m->cmdline);

	if (*domain_config_guest_cmdline(opts)) {
		log_warn("%s: '%s' is not a Tally option; not created",
			label, domain_config_guest_cmdline(opts));
		return -EINVAL;
	}
	/* name= last: an option cannot rename the copy past the checks on @name. */
	if ((size_t)fmt_snprintf(line, sizeof(line), "%.*s %s name=%s --", (int)tally,
				 m->cmdline, opts, name) >= sizeof(line)) {
		log_warn("%s: the options are over %zu bytes; not created", label, sizeof(line));
		return -EINVAL;
	}
	if (domain_config_parse(line, id, cfg, why, sizeof(why))) {
		log_warn("%s: %s; not created", label, why);
		return -EINVAL;
	}
	/* What only a boot line may be: its slot is for the run, or a module is the data. */
	if (cfg->control || cfg->on_reboot == DOMAIN_REBOOT_RESTART || cfg->initrd_of[0] ||
	    cfg->disk_of[0]) {
		log_warn("%s: role=, on_reboot=restart, initrd_of= and disk_of= are for boot "
			"modules only; not created", label);
		return -EINVAL;
	}
	cfg->template = false;
	return 0;
}

/* Template module @t's copy as table entry @index, configured by @cfg: 0, or <0 (said why). */
static int start_copy(unsigned int t, unsigned int index, const struct domain_config *cfg,
		      const char *tmpl, const char *label)
{
	struct domain_slot *s = domain_slot_alloc(cfg->vcpus, label);
	int err;

	if (!s)
		return -ENOMEM;
	s->runtime = true;
	s->d.id = index + 1;
	s->d.module = &boot->modules[t];
	s->d.module_index = t;
	log_hush(cfg->quiet);	/* its created and overhead lines */
	err = domain_start_new(boot, s, cfg, tmpl, scratch_claimed, label);
	log_hush(false);
	return err < 0 ? -ENOMEM : 0;	/* RAM, EPT or devices short: said why */
}

static int create_locked(const char *tmpl, const char *name, const char *opts,
			 const struct domain *by, const char *label, unsigned int *id)
{
	struct domain_config cfg;
	unsigned int index;
	int t = template_find(tmpl, &cfg);

	if (t < 0) {
		log_warn("%s: no template named '%s'; not created", label, tmpl);
		return -ENOENT;
	}
	if (live_named(name)) {
		log_warn("%s: a running domain has that name; not created", label);
		return -EEXIST;
	}
	if (domain_table_free_entry(&index) < 0) {
		log_warn("%s: the domain table is full; not created", label);
		return -ENOSPC;
	}
	if (copy_config(&boot->modules[t], name, opts, index + 1, &cfg, label) < 0)
		return -EINVAL;
	if (ALIGN_UP(cfg.mem_mib * MIB, 2 * MIB) > mem_free_bytes()) {
		log_warn("%s: needs %lu MiB but only %lu MiB are free; not created", label,
			cfg.mem_mib, mem_free_bytes() / MIB);
		return -ENOMEM;
	}
	if (start_copy((unsigned int)t, index, &cfg, tmpl, label) < 0)
		return -ENOMEM;
	*id = index + 1;
	if (cfg.quiet)
		return 0;
	if (by)
		log_info("domain: d%u %s created from template %s by the control domain d%u %s",
			 *id, name, tmpl, by->id, by->name);
	else
		log_info("domain: d%u %s created from template %s from tally's console", *id,
			 name, tmpl);
	return 0;
}

int domain_create_from_template(const char *tmpl, const char *name, const char *opts,
				const struct domain *by, unsigned int *id)
{
	char label[2 * DOMAIN_NAME_MAX + 32];
	unsigned long flags;
	int err;

	fmt_snprintf(label, sizeof(label), "domain %s (template %s)", name ? name : "",
		     tmpl ? tmpl : "");
	if (!tmpl || !name_ok(name)) {
		log_warn("%s: bad name (1 to %u of A-Z a-z 0-9 - _ .); not created", label,
			DOMAIN_NAME_MAX - 1);
		return -EINVAL;
	}
	flags = spin_lock_irqsave(&runtime_lock);
	err = create_locked(tmpl, name, opts ? opts : "", by, label, id);
	spin_unlock_irqrestore(&runtime_lock, flags);
	if (!err && options.audit)	/* isolation holds with each newcomer, not only at boot */
		audit_run();
	return err;
}

int domain_destroy_named(const char *name, const struct domain *by)
{
	unsigned long flags;
	struct domain *d;

	if (!name_ok(name)) {
		log_warn("domain: bad name to destroy; nothing destroyed");
		return -EINVAL;
	}
	flags = spin_lock_irqsave(&runtime_lock);
	d = live_named(name);
	spin_unlock_irqrestore(&runtime_lock, flags);
	if (!d) {
		log_warn("domain: no running domain named %s; nothing destroyed", name);
		return -ENOENT;
	}
	if (d == by) {
		log_warn("domain: d%u %s cannot destroy itself this way; nothing destroyed", d->id,
			d->name);
		return -EINVAL;
	}
	domain_destroy_by(d, by);
	return 0;
}
