/* SPDX-License-Identifier: MIT */
/* A domain's settings, from its module's command line (pure logic). */
#ifndef TALLY_DOMAIN_CONFIG_H
#define TALLY_DOMAIN_CONFIG_H

#include <tally/types.h>

#define DOMAIN_NAME_MAX		32
#define DOMAIN_MAX_VCPUS	8
#define DOMAIN_MIN_MEM_MIB	1
/* Domain table entries at most: 16 TiB of 1 MiB domains; ids times vCPUs fit 32 bits. */
#define DOMAIN_TABLE_MAX	(1u << 24)
#define DOMAIN_DEFAULT_MEM_MIB	16
#define DOMAIN_MAX_MEM_MIB	(64 * 1024)
#define DOMAIN_NO_PIN		(~0u)
#define DOMAIN_MAX_RUN_S	86400	/* max_run_s= at most: a day */
#define DOMAIN_NET_GROUP_MAX	16	/* == VSWITCH_GROUP_MAX */
#define DOMAIN_MAX_DISK_MIB	(64 * 1024)
#define DOMAIN_MAX_NET_RATE	(1ull << 40)	/* net_*_s= at most: bytes or packets per second */
#define DOMAIN_MAC_LEN		6	/* == VSWITCH_MAC_LEN */
#define DOMAIN_MAC_GROUP_BIT	0x01	/* first octet: a group (multicast) address, IEEE 802 */
#define DOMAIN_OPTIONS_END	"--"	/* ends Tally's options: what follows is the guest's */

struct instance_type;

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
	bool agent;			/* `agent`: user mode may publish metrics (docs/AGENT.md) */
	char initrd_of[DOMAIN_NAME_MAX];	/* `initrd_of=NAME`: the module is NAME's initrd, not a domain */
	uint64_t max_run_s;		/* `max_run_s=N`: end it after N s of wall time; 0: never */
	enum domain_on_reboot on_reboot;	/* `on_reboot=end|restart` */
	/* Its NIC (drivers/vdev/vnet.c): none unless `net=` names its isolation group. */
	char net_group[DOMAIN_NET_GROUP_MAX];	/* `net=GROUP` ([a-z0-9_-]{1,15}); "": no NIC */
	uint8_t mac[DOMAIN_MAC_LEN];	/* `mac=xx:xx:xx:xx:xx:xx` (unicast) */
	bool mac_set;			/* else derived from the domain id */
	uint64_t net_tx_bytes_s;	/* `net_tx_bytes_s=N`: tx limit, bytes/s; 0: none */
	uint64_t net_tx_packets_s;	/* `net_tx_packets_s=N` */
	uint64_t net_rx_bytes_s;	/* `net_rx_bytes_s=N` */
	uint64_t net_rx_packets_s;	/* `net_rx_packets_s=N` */
	/* Its disk (drivers/vdev/vblk.c): none unless `disk=` or a `disk_of=` module. */
	uint64_t disk_mib;		/* `disk=MiB`; 0: the image's size, or no disk */
	bool disk_ro;			/* `disk_ro`: read-only */
	char disk_of[DOMAIN_NAME_MAX];	/* `disk_of=NAME`: the module is NAME's disk image, not a domain */
	/* `type=NAME` (tally/instance_types.h): presets what the line does not set; NULL: none. */
	const struct instance_type *type;
	/* `template`: checked at boot, not started; copies come at run time (domain_runtime.h). */
	bool template;
	/* `hush`: of its own lifecycle's info lines only the usage line prints (log_hush()). */
	bool quiet;
};

/*
 * Read `name=`, `mem=` (MiB), `vcpus=`, `pcpu=`, `role=control`, `agent`,
 * `initrd_of=`, `max_run_s=`, `on_reboot=` and the devices' options
 * (`net=`, `mac=`, `net_{tx,rx}_{bytes,packets}_s=`, `disk=`, `disk_ro`,
 * `disk_of=`; mac= and the limits need net=) and `type=` (an instance
 * type's vCPUs, memory, disk and, with net=, NIC limits, for those the line
 * does not set, wherever type= stands) from @cmdline into @cfg,
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
