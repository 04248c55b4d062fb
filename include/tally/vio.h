/* SPDX-License-Identifier: MIT */
/* Guest port I/O: device models register the ports they handle; the rest float. */
#ifndef TALLY_VIO_H
#define TALLY_VIO_H

#include <tally/types.h>

struct domain;

struct vio_port_ops {
	const char *name;
	/* IN of @size bytes (1, 2 or 4) from @port: return the value. */
	uint32_t (*read)(struct domain *d, uint16_t port, unsigned int size);
	/* OUT of @size bytes of @value to @port. */
	void (*write)(struct domain *d, uint16_t port, unsigned int size, uint32_t value);
};

#define VIO_MAX_RANGES	16

/* Claim ports [@base, @base + @count) for @ops, at boot; -ENOSPC, -EEXIST on overlap. */
int vio_register_ports(uint16_t base, uint16_t count, const struct vio_port_ops *ops);

/*
 * A guest's IN: the claiming device's value, or all ones of @size bytes
 * for a port nobody claims (counted in the domain's io_unhandled).
 */
uint32_t vio_port_in(struct domain *d, uint16_t port, unsigned int size);

/* A guest's OUT: to the claiming device, or dropped and counted. */
void vio_port_out(struct domain *d, uint16_t port, unsigned int size, uint32_t value);

/* Forget every registration (unit tests). */
void vio_reset(void);

#endif
