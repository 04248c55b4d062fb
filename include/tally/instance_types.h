/* SPDX-License-Identifier: MIT */
/*
 * Instance types: named presets of a domain's size (`type=NAME` on its
 * module line).  Pure data: docs/INSTANCE_TYPES.md is generated from the
 * table (tools/gen-instance-types) and a host test compares the two.
 */
#ifndef TALLY_INSTANCE_TYPES_H
#define TALLY_INSTANCE_TYPES_H

#include <tally/types.h>

/* Room for instance_type_names(): every name and a space after each. */
#define INSTANCE_TYPE_NAMES_MAX	96

struct instance_type {
	const char *name;		/* e.g. "t1.small" */
	unsigned int vcpus;
	uint64_t mem_mib;
	uint64_t disk_mib;		/* a blank disk of this size; 0: none */
	/* The NIC's limits, applied only when the domain has a NIC (`net=`); 0: none. */
	uint64_t net_tx_bytes_s;
	uint64_t net_rx_bytes_s;
	uint64_t net_tx_packets_s;
	uint64_t net_rx_packets_s;
};

/* How many instance types there are. */
unsigned int instance_type_count(void);

/* Type @i (0 .. instance_type_count() - 1), or NULL past the end. */
const struct instance_type *instance_type_at(unsigned int i);

/* The type called @name (exact match), or NULL. */
const struct instance_type *instance_type_find(const char *name);

/* Every type's name, space-separated, into @buf (room for @len bytes); returns @buf. */
char *instance_type_names(char *buf, size_t len);

#endif
