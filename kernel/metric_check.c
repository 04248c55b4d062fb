/* SPDX-License-Identifier: MIT */
/* Guest-reported metrics against Tally's own figures (see tally/metric_check.h). */
#include <public/tally.h>
#include <tally/metric_check.h>
#include <tally/string.h>

/* One length for both disk prefixes: the device's name starts at the same place in either. */
_Static_assert(sizeof(METRIC_DISK_USED) == sizeof(METRIC_DISK_SIZE), "disk prefixes differ");

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The value of the metric named @prefix followed by @suffix among @all, or -1. */
static int64_t sibling(const struct metric_sample *all, unsigned int n, const char *prefix,
		       const char *suffix)
{
	size_t len = strlen(prefix);

	for (unsigned int i = 0; i < n; i++)
		if (!strncmp(all[i].name, prefix, len) && !strcmp(all[i].name + len, suffix))
			return all[i].value;
	return -1;
}

static enum metric_trust verdict(bool ok)
{
	return ok ? METRIC_CONSISTENT : METRIC_CONTRADICTED;
}

/*
 * Memory: MemTotal is at most the RAM given and not less than a quarter of
 * it; what is used or available is at most MemTotal (the RAM if none).
 */
static enum metric_trust check_mem(const struct metric_sample *all, unsigned int n,
				   const struct metric_sample *m, const struct metric_facts *f)
{
	uint64_t v = (uint64_t)m->value;
	int64_t total = sibling(all, n, METRIC_MEM_TOTAL, "");
	uint64_t bound = f->ram_bytes;

	if (!strcmp(m->name, METRIC_MEM_TOTAL))
		return verdict(v <= f->ram_bytes && v >= f->ram_bytes / METRIC_MEM_TOTAL_MIN_DIV);
	if (total >= 0 && (uint64_t)total < bound)
		bound = (uint64_t)total;
	return verdict(v <= bound);
}

/*
 * A filesystem on the disk: no bigger than the disk, and holding no more
 * than was ever put on the disk (the image, then the guest's writes).
 */
static enum metric_trust check_disk(const struct metric_sample *all, unsigned int n,
				    const struct metric_sample *m, const struct metric_facts *f)
{
	uint64_t v = (uint64_t)m->value;
	const char *dev = m->name + strlen(METRIC_DISK_USED);
	int64_t size = sibling(all, n, METRIC_DISK_SIZE, dev);

	if (!f->disk_bytes || v > f->disk_bytes)
		return METRIC_CONTRADICTED;
	if (has_prefix(m->name, METRIC_DISK_SIZE))
		return METRIC_CONSISTENT;
	if (size >= 0 && v > (uint64_t)size)
		return METRIC_CONTRADICTED;
	return verdict(v <= f->disk_image_bytes + f->disk_written_bytes);
}

enum metric_trust metric_check(const struct metric_sample *all, unsigned int n,
			       unsigned int which, const struct metric_facts *f)
{
	const struct metric_sample *m = &all[which];
	bool mem = !strcmp(m->name, METRIC_MEM_TOTAL) || !strcmp(m->name, METRIC_MEM_USED) ||
		   !strcmp(m->name, METRIC_MEM_AVAILABLE);
	bool disk = (has_prefix(m->name, METRIC_DISK_USED) ||
		     has_prefix(m->name, METRIC_DISK_SIZE)) &&
		    m->name[strlen(METRIC_DISK_USED)] != '\0';

	if (!mem && !disk)
		return METRIC_UNCHECKED;
	/* A byte count in another unit, or below zero, is not what the name says. */
	if (m->unit != TALLY_UNIT_BYTES || m->value < 0)
		return METRIC_CONTRADICTED;
	return mem ? check_mem(all, n, m, f) : check_disk(all, n, m, f);
}

const char *metric_trust_name(enum metric_trust t)
{
	switch (t) {
	case METRIC_CONSISTENT:
		return "consistent";
	case METRIC_CONTRADICTED:
		return "contradicted";
	default:
		return "unchecked";
	}
}
