/* SPDX-License-Identifier: MIT */
/* Domains created and destroyed at run time from template modules (kernel/domain_runtime.c).
 *
 * Design: a boot module whose line has the bare word `template` is parsed
 * and checked at boot like any domain line (its initrd_of= and disk_of=
 * modules claimed, all of them kept reserved), listed as `domain:
 * template NAME ...`, and not started.  A copy takes the template's Tally
 * options, then the caller's options and a new name (later ones win, so
 * `type=t1.small mem=8` overrides the template); its guest command line is
 * the template's.  Its RAM, EPT, devices and slot are its own, scrubbed and
 * given back at its end, the slot after a grace period (tally/domain_slot.h).
 * Its id is the next free table entry after the last one given, wrapping:
 * an id just freed comes back only after every other free entry, so a
 * control domain holding a stale id finds nothing (-ENOENT) rather than a
 * newcomer, and the per-CPU share tables and the donation ledger, keyed by
 * id, see the old vCPUs gone long before the id returns.
 * Locking: creations take runtime_lock (one table entry and one name check
 * at a time); the table itself is published under domain_lock (domain.c). */
#ifndef TALLY_DOMAIN_RUNTIME_H
#define TALLY_DOMAIN_RUNTIME_H

#include <tally/boot_info.h>
#include <tally/domain.h>

struct domain_slot;

#define DOMAIN_RUNTIME_CMDLINE_MAX	512	/* a copy's Tally options, joined */

/*
 * A domain from template module @tmpl named @name, with @opts (NULL or
 * Tally options such as "type=t1.small mem=8") overriding the template's;
 * @by is the control domain, or NULL for Tally's console.  0 and *@id, or
 * after one line saying why: -ENOENT (no such template), -EEXIST (a live
 * domain has that name), -EINVAL (bad name or options), -ENOSPC (the table
 * is full), -ENOMEM.
 */
int domain_create_from_template(const char *tmpl, const char *name, const char *opts,
				const struct domain *by, unsigned int *id);
/*
 * End the live domain named @name for @by (NULL: Tally's console): 0, or
 * -ENOENT/-EINVAL after one line.
 */
int domain_destroy_named(const char *name, const struct domain *by);

/* For kernel/domain.c: the boot modules, where templates are looked up. */
void domain_runtime_boot(const struct boot_info *bi);
/* For kernel/domain.c: template module @i, parsed into @cfg: claim its data modules and list it. */
int domain_template_boot(const struct boot_info *bi, unsigned int i,
			 const struct domain_config *cfg, const char *label, bool *claimed);
/*
 * Build and list the domain in @s (id and module set), with the initrd and
 * disk modules naming @owner (marked in @claimed): 0, or <0 (said why; @s freed).
 */
int domain_start_new(const struct boot_info *bi, struct domain_slot *s,
		     const struct domain_config *cfg, const char *owner, bool *claimed,
		     const char *label);
/* A free table entry for a new domain, the next after the last given (-ENOSPC if none). */
int domain_table_free_entry(unsigned int *index);

#endif
