/* SPDX-License-Identifier: MIT */
/* Routing guest MMIO accesses to device models (see tally/vmmio.h).
 *
 * Locking: regions are registered on the boot CPU before any guest runs and
 * never change afterwards, so lookups take no lock. */
#include <tally/errno.h>
#include <tally/vmmio.h>

struct vmmio_region {
	uint64_t base;
	uint64_t size;
	const struct vmmio_ops *ops;
};

static struct vmmio_region regions[VMMIO_MAX_REGIONS];
static unsigned int region_count;

int vmmio_register(uint64_t base, uint64_t size, const struct vmmio_ops *ops)
{
	uint64_t last = base + size - 1;

	if (!size || last < base || !ops)
		return -EINVAL;
	for (unsigned int i = 0; i < region_count; i++)
		if (base <= regions[i].base + regions[i].size - 1 && regions[i].base <= last)
			return -EEXIST;
	if (region_count == VMMIO_MAX_REGIONS)
		return -ENOSPC;
	regions[region_count++] = (struct vmmio_region){ base, size, ops };
	return 0;
}

void vmmio_reset(void)
{
	region_count = 0;
}

static const struct vmmio_region *find(uint64_t gpa)
{
	for (unsigned int i = 0; i < region_count; i++)
		if (gpa >= regions[i].base && gpa - regions[i].base < regions[i].size)
			return &regions[i];
	return NULL;
}

const struct vmmio_ops *vmmio_find(uint64_t gpa, uint64_t *base, uint64_t *size)
{
	const struct vmmio_region *r = find(gpa);

	if (!r)
		return NULL;
	if (base)
		*base = r->base;
	if (size)
		*size = r->size;
	return r->ops;
}

/* The region of an access of @size bytes at @gpa, or why there is none. */
static int check(uint64_t gpa, unsigned int size, const struct vmmio_region **out)
{
	const struct vmmio_region *r = find(gpa);

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	if (!r)
		return -ENOENT;
	if (gpa - r->base > r->size - size)
		return -ERANGE;
	*out = r;
	return 0;
}

static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

int vmmio_read(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *val)
{
	const struct vmmio_region *r;
	int err = check(gpa, size, &r);

	if (err)
		return err;
	if (!r->ops->read)
		return -ENODEV;
	*val = 0;
	err = r->ops->read(v, gpa, size, val);
	*val &= size_mask(size);
	return err;
}

int vmmio_write(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t val)
{
	const struct vmmio_region *r;
	int err = check(gpa, size, &r);

	if (err)
		return err;
	if (!r->ops->write)
		return -ENODEV;
	return r->ops->write(v, gpa, size, val & size_mask(size));
}
