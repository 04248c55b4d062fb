/* SPDX-License-Identifier: MIT */
/* Routing guest port I/O to device models (see tally/vio.h).
 *
 * Locking: ranges are registered on the boot CPU before any guest runs and
 * never change afterwards, so lookups take no lock. */
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/vio.h>

struct vio_range {
	uint16_t base;
	uint16_t count;
	const struct vio_port_ops *ops;
};

static struct vio_range ranges[VIO_MAX_RANGES];
static unsigned int range_count;

int vio_register_ports(uint16_t base, uint16_t count, const struct vio_port_ops *ops)
{
	uint32_t end = (uint32_t)base + count;

	if (!count || end > 0x10000 || !ops)
		return -EINVAL;
	if (range_count == VIO_MAX_RANGES)
		return -ENOSPC;
	for (unsigned int i = 0; i < range_count; i++)
		if (base < ranges[i].base + ranges[i].count && ranges[i].base < end)
			return -EEXIST;
	ranges[range_count++] = (struct vio_range){ base, count, ops };
	return 0;
}

void vio_reset(void)
{
	range_count = 0;
}

static const struct vio_range *find(uint16_t port)
{
	for (unsigned int i = 0; i < range_count; i++)
		if (port >= ranges[i].base && port - ranges[i].base < ranges[i].count)
			return &ranges[i];
	return NULL;
}

static uint32_t size_mask(unsigned int size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

uint32_t vio_port_in(struct vcpu *v, uint16_t port, unsigned int size)
{
	const struct vio_range *r = find(port);

	if (!r || !r->ops->read) {
		/* Any of the domain's vCPUs, from its own CPU. */
		__atomic_fetch_add(&v->domain->io_unhandled, 1, __ATOMIC_RELAXED);
		return size_mask(size);
	}
	return r->ops->read(v, port, size) & size_mask(size);
}

void vio_port_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value)
{
	const struct vio_range *r = find(port);

	if (!r || !r->ops->write) {
		__atomic_fetch_add(&v->domain->io_unhandled, 1, __ATOMIC_RELAXED);
		return;
	}
	r->ops->write(v, port, size, value & size_mask(size));
}
