/* SPDX-License-Identifier: MIT */
/* Guest port I/O: device models register the ports they handle; the rest float. */
#ifndef TALLY_VIO_H
#define TALLY_VIO_H

#include <tally/types.h>

struct vcpu;

/* A device's handlers, called on the CPU of the vCPU @v that accessed the port. */
struct vio_port_ops {
	const char *name;
	/* IN of @size bytes (1, 2 or 4) from @port by @v: return the value. */
	uint32_t (*read)(struct vcpu *v, uint16_t port, unsigned int size);
	/* OUT of @size bytes of @value to @port by @v. */
	void (*write)(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value);
};

#define VIO_MAX_RANGES	16

/* Claim ports [@base, @base + @count) for @ops, at boot; -ENOSPC, -EEXIST on overlap. */
int vio_register_ports(uint16_t base, uint16_t count, const struct vio_port_ops *ops);

/*
 * vCPU @v's IN: the claiming device's value, or all ones of @size bytes
 * for a port nobody claims (counted in its domain's io_unhandled).
 */
uint32_t vio_port_in(struct vcpu *v, uint16_t port, unsigned int size);

/* vCPU @v's OUT: to the claiming device, or dropped and counted. */
void vio_port_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value);

/* Forget every registration (unit tests). */
void vio_reset(void);

#endif
