/* SPDX-License-Identifier: MIT */
/* The roles of boot modules: a domain's kernel, or data another domain takes (`initrd_of=`, `disk_of=`). */
#ifndef TALLY_DOMAIN_MODULES_H
#define TALLY_DOMAIN_MODULES_H

#include <tally/boot_info.h>
#include <tally/domain_config.h>
#include <tally/types.h>

/* "module N (name)": how every refusal names its module. */
#define DOMAIN_MODULE_LABEL_MAX	(DOMAIN_NAME_MAX + 24)

/* Modules that are another domain's data, not a kernel, by the option naming the domain. */
enum domain_module_kind {
	DOMAIN_MODULE_KERNEL,		/* a kernel */
	DOMAIN_MODULE_INITRD,		/* `initrd_of=NAME` */
	DOMAIN_MODULE_DISK,		/* `disk_of=NAME` */
	DOMAIN_MODULE_BOTH,		/* both: no domain takes it */
};

/* "module N (name)", or "module N", for module @m at @index of the loader's list. */
void domain_module_label(const struct boot_module *m, unsigned int index, char *buf, size_t len);

/* What @m is, from its line (a line Tally cannot read counts as data if it has the word). */
enum domain_module_kind domain_module_kind(const struct boot_module *m);

/*
 * The @kind module naming domain @name (whatever the module order), marking
 * each one seen in @claimed: 0 with *@out (NULL if none), or <0 after one
 * line naming @label when two name it.
 */
int domain_module_find(const struct boot_info *bi, enum domain_module_kind kind,
		       const char *name, const char *label, bool *claimed,
		       const struct boot_module **out);

/* A data module no domain took: refused with one line (a bad option, or no such domain). */
void domain_module_refuse(const struct boot_module *m, const char *label);

#endif
