/* SPDX-License-Identifier: MIT */
/* Guest-reported metrics checked against what Tally measured itself (pure logic).
 *
 * A guest (its agent, tools/agent/tally-agent.c) publishes figures Tally
 * cannot see: memory in use inside the guest, filesystem use.  For the
 * names below Tally knows a bound the true figure cannot exceed (the RAM it
 * gave, the disk it attached, the bytes written to that disk), so a figure
 * outside it is a lie or a bug, and is shown as contradicted; a figure
 * inside is consistent (possible, not proven); other names are unchecked.
 * docs/AGENT.md gives each rule's reason. */
#ifndef TALLY_METRIC_CHECK_H
#define TALLY_METRIC_CHECK_H

#include <tally/types.h>

enum metric_trust { METRIC_UNCHECKED, METRIC_CONSISTENT, METRIC_CONTRADICTED };

/* The names the check knows (the agent's; the disk ones end in ":<block device>"). */
#define METRIC_MEM_TOTAL	"mem_total_bytes"
#define METRIC_MEM_AVAILABLE	"mem_available_bytes"
#define METRIC_MEM_USED		"mem_used_bytes"
#define METRIC_DISK_USED	"disk_used_bytes:"
#define METRIC_DISK_SIZE	"disk_size_bytes:"

/*
 * Linux keeps part of its RAM out of MemTotal (kernel image, page structs):
 * a MemTotal below RAM / METRIC_MEM_TOTAL_MIN_DIV is not this domain's.
 */
#define METRIC_MEM_TOTAL_MIN_DIV	4

/* What Tally measured about the domain, the bounds of its figures. */
struct metric_facts {
	uint64_t ram_bytes;		/* the RAM it was given */
	uint64_t disk_bytes;		/* its disk's size; 0: it has no disk */
	uint64_t disk_image_bytes;	/* bytes of its `disk_of=` image put on that disk */
	uint64_t disk_written_bytes;	/* bytes it wrote to that disk so far */
};

/* One published metric, as the check reads it. */
struct metric_sample {
	const char *name;
	int64_t value;
	uint32_t unit;			/* TALLY_UNIT_* */
};

/* The trust of metric @which of the @n metrics @all (its siblings bound it too), given @f. */
enum metric_trust metric_check(const struct metric_sample *all, unsigned int n,
			       unsigned int which, const struct metric_facts *f);

/* "unchecked", "consistent" or "contradicted". */
const char *metric_trust_name(enum metric_trust t);

#endif
