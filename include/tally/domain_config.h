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

struct domain_config {
	char name[DOMAIN_NAME_MAX];
	uint64_t mem_mib;
	unsigned int vcpus;
	unsigned int pcpu;		/* DOMAIN_NO_PIN: spread over the CPUs */
	bool control;			/* `role=control`: may see and manage every domain */
};

/*
 * Read `name=`, `mem=` (MiB), `vcpus=`, `pcpu=` and `role=control` from @cmdline into @cfg,
 * defaulting the name to "dom<@id>", memory to DOMAIN_DEFAULT_MEM_MIB and
 * vCPUs to 1.  Other words are the guest's own and are ignored.  Returns
 * 0, or -EINVAL with @why (room for @why_len bytes) naming the bad option.
 */
int domain_config_parse(const char *cmdline, unsigned int id, struct domain_config *cfg,
			char *why, size_t why_len);

#endif
