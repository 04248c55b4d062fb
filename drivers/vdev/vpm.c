/* SPDX-License-Identifier: MIT */
/*
 * Power and reset device models (see tally/vpm.h).  They hold no state:
 * each access is answered at once, on the CPU of the vCPU that made it,
 * and a power-off or reset request ends the domain there.
 */
#include <tally/acpi_tables.h>
#include <tally/domain.h>
#include <tally/log.h>
#include <tally/vio.h>
#include <tally/vplatform.h>
#include <tally/vpm.h>

#define PM_SLEEP_CONTROL	(VPLATFORM_PM_PORT + 0)	/* FADT SLEEP_CONTROL_REG */
#define PM_SLEEP_STATUS		(VPLATFORM_PM_PORT + 1)	/* FADT SLEEP_STATUS_REG */
#define PM_PORTS		2

/* Reset Control Register at 0xCF9 (Intel ICH/PCH datasheets, "RST_CNT"). */
#define RESET_PORTS		1
#define RST_CNT_RST_CPU		(1u << 2)	/* setting it resets the platform */

/* 8042 keyboard controller (IBM PC AT technical reference). */
#define KBC_PORTS		1
#define KBC_STATUS_IDLE		0x00	/* output and input buffers empty (OBF, IBF clear) */
#define KBC_CMD_PULSE_FIRST	0xF0	/* 0xF0-0xFF pulse the output port bits clear in ... */
#define KBC_CMD_PULSE_MASK	0xF0	/* ... the low nibble ... */
#define KBC_OUT_RESET		(1u << 0)	/* ... and output port bit 0 is CPU reset */

/*
 * Sleep control (ACPI 6.5, 4.8.3.7): SLP_EN with SLP_TYP = the \_S5 value
 * powers off; other sleep states are not offered, so they are ignored
 * (and counted: a guest that waits for a wake-up will find none).
 */
static void sleep_write(struct vcpu *v, uint16_t port, unsigned int size __unused,
			uint32_t value)
{
	struct domain *d = v->domain;
	uint32_t typ = (value & ACPI_SLEEP_TYP_MASK) >> ACPI_SLEEP_TYP_SHIFT;

	if (port != PM_SLEEP_CONTROL || !(value & ACPI_SLEEP_EN))
		return;	/* WAK_STS write-1-to-clear: never set */
	if (typ == VPLATFORM_SLP_TYP_S5) {
		domain_power_off(d);
		return;
	}
	log_guest(d, LOG_INFO, "vpm: d%u %s sleep type %u ignored (only S5 is offered), %lu so far",
		  d->id, d->name, typ,
		  __atomic_add_fetch(&d->sleep_ignored, 1, __ATOMIC_RELAXED));
}

/* Both registers read 0: SLP_EN reads as 0, and WAK_STS stays clear (4.8.3.8). */
static uint32_t sleep_read(struct vcpu *v __unused, uint16_t port __unused,
			   unsigned int size __unused)
{
	return 0;
}

static void reset_write(struct vcpu *v, uint16_t port __unused, unsigned int size __unused,
			uint32_t value)
{
	if (value & RST_CNT_RST_CPU)
		domain_reboot(v->domain, "reset register");
}

/* Reads 0: Linux reads it, then writes SYS_RST alone and with RST_CPU. */
static uint32_t reset_read(struct vcpu *v __unused, uint16_t port __unused,
			   unsigned int size __unused)
{
	return 0;
}

static uint32_t kbc_read(struct vcpu *v __unused, uint16_t port __unused,
			 unsigned int size __unused)
{
	return KBC_STATUS_IDLE;
}

/* A pulse command whose low nibble has bit 0 clear pulses the reset line (0xFE). */
static void kbc_write(struct vcpu *v, uint16_t port __unused, unsigned int size __unused,
		      uint32_t value)
{
	uint8_t cmd = (uint8_t)value;

	if ((cmd & KBC_CMD_PULSE_MASK) == KBC_CMD_PULSE_FIRST && !(cmd & KBC_OUT_RESET))
		domain_reboot(v->domain, "keyboard controller");
}

static const struct vio_port_ops sleep_ops = {
	.name = "acpi-sleep", .read = sleep_read, .write = sleep_write,
};

static const struct vio_port_ops reset_ops = {
	.name = "reset-control", .read = reset_read, .write = reset_write,
};

static const struct vio_port_ops kbc_ops = {
	.name = "kbc-reset", .read = kbc_read, .write = kbc_write,
};

/* Claim the sleep, reset-control and keyboard-controller ports: 0 or vio's error. */
int vpm_register(void)
{
	int err = vio_register_ports(VPLATFORM_PM_PORT, PM_PORTS, &sleep_ops);

	if (!err)
		err = vio_register_ports(VPLATFORM_RESET_PORT, RESET_PORTS, &reset_ops);
	if (!err)
		err = vio_register_ports(VPLATFORM_KBC_PORT, KBC_PORTS, &kbc_ops);
	return err;
}
