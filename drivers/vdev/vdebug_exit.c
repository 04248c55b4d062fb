/* SPDX-License-Identifier: MIT */
/* Guest-visible isa-debug-exit at 0xF4, as in QEMU: a write ends the domain. */
#include <public/tally.h>
#include <tally/domain.h>
#include <tally/vdebug_exit.h>
#include <tally/vio.h>

#define DEBUG_EXIT_PORTS	4	/* QEMU's iosize=4 */

static void debug_exit_write(struct vcpu *v, uint16_t port __unused, unsigned int size __unused,
			     uint32_t value)
{
	domain_exit(v->domain, value);
}

static const struct vio_port_ops debug_exit_ops = {
	.name = "debug-exit",
	.write = debug_exit_write,
};

int vdebug_exit_register(void)
{
	return vio_register_ports(TALLY_PORT_DEBUG_EXIT, DEBUG_EXIT_PORTS, &debug_exit_ops);
}
