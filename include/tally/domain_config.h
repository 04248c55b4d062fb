/* SPDX-License-Identifier: MIT */
/* A domain's settings, from its module's command line (pure logic). */
#ifndef TALLY_DOMAIN_CONFIG_H
#define TALLY_DOMAIN_CONFIG_H

#include <tally/types.h>

#define DOMAIN_NAME_MAX		32
#define DOMAIN_MAX		16	/* domains Tally runs at most */
#define DOMAIN_MAX_VCPUS	8
#define DOMAIN_DEFAULT_MEM_MIB	16
#define DOMAIN_MAX_MEM_MIB	(64 * 1024)
#define DOMAIN_NO_PIN		(~0u)
#define DOMAIN_MAX_RUN_S	86400	/* max_run_s= at most: a day */
#define DOMAIN_OPTIONS_END	"--"	/* ends Tally's options: what follows is the guest's */

/* What a domain's guest asking for a reset does (`on_reboot=`). */
enum domain_on_reboot {
	DOMAIN_REBOOT_END,		/* the domain ends as "rebooted" (default) */
	DOMAIN_REBOOT_RESTART,		/* it is recreated from its boot modules */
};

struct domain_config {
	char name[DOMAIN_NAME_MAX];
	uint64_t mem_mib;
	unsigned int vcpus;
	unsigned int pcpu;		/* DOMAIN_NO_PIN: spread over the CPUs */
	bool control;			/* `role=control`: may see and manage every domain */
	char initrd_of[DOMAIN_NAME_MAX];	/* `initrd_of=NAME`: the module is NAME's initrd, not a domain */
	uint64_t max_run_s;		/* `max_run_s=N`: end it after N s of wall time; 0: never */
	enum domain_on_reboot on_reboot;	/* `on_reboot=end|restart` */
};

/*
 * Read `name=`, `mem=` (MiB), `vcpus=`, `pcpu=`, `role=control`,
 * `initrd_of=`, `max_run_s=` and `on_reboot=` from @cmdline into @cfg,
 * defaulting the name to "dom<@id>", memory to DOMAIN_DEFAULT_MEM_MIB and
 * vCPUs to 1.  Other words are the guest's own and are ignored, and so is
 * everything after a `--` word.  Returns 0, or -EINVAL with @why (room
 * for @why_len bytes) naming the bad option.
 */
int domain_config_parse(const char *cmdline, unsigned int id, struct domain_config *cfg,
			char *why, size_t why_len);

/*
 * The part of @cmdline a Linux kernel gets: what follows the leading words
 * Tally reads (its options, and a `--` that ends them), its leading spaces
 * skipped.  A pointer into @cmdline ("" for NULL).
 */
const char *domain_config_guest_cmdline(const char *cmdline);

#endif
