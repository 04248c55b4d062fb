/* SPDX-License-Identifier: MIT */
/* Unit tests for drivers/vdev/vpm.c: sleep control/status, the reset control register, the keyboard controller's reset, through the port bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/vio.h>
#include <tally/vplatform.h>
#include <tally/vpm.h>

#include "shim.h"

#define SLP_EN		0x20	/* ACPI 6.5, 4.8.3.7: bit 5 */
#define SLP_TYP(t)	((t) << 2)	/* bits 4:2 */
#define WAK_STS		0x80

/* What kernel/domain.c was asked to do. */
static struct {
	struct domain *d;
	unsigned int power_offs, reboots;
	const char *cause;
} ended;

void domain_power_off(struct domain *d)
{
	ended.d = d;
	ended.power_offs++;
}

void domain_reboot(struct domain *d, const char *cause)
{
	ended.d = d;
	ended.cause = cause;
	ended.reboots++;
}

/* Tally's line about guest @d (kernel/log.c): kept for the checks. */
static struct domain dom;

void log_guest(struct domain *d, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	assert_ptr_equal(d, &dom);
	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

static struct vcpu vcpu;

static int setup(void **state)
{
	(void)state;
	memset(&ended, 0, sizeof(ended));
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu, 0, sizeof(vcpu));
	dom.id = 3;
	strcpy(dom.name, "pm");
	vcpu.domain = &dom;
	shim_log_reset();
	vio_reset();
	assert_int_equal(vpm_register(), 0);
	return 0;
}

static const struct vio_port_ops other = { .name = "other" };

static void test_register_claims_ports(void **state)
{
	(void)state;
	/* Registered once already: each range is now taken. */
	assert_int_equal(vpm_register(), -EEXIST);
	assert_int_equal(vio_register_ports(VPLATFORM_PM_PORT + 1, 1, &other), -EEXIST);
	assert_int_equal(vio_register_ports(VPLATFORM_RESET_PORT, 1, &other), -EEXIST);
	assert_int_equal(vio_register_ports(VPLATFORM_KBC_PORT, 1, &other), -EEXIST);
	vio_reset();
	assert_int_equal(vio_register_ports(VPLATFORM_RESET_PORT, 1, &other), 0);
	assert_int_equal(vpm_register(), -EEXIST);
	/* Ports around them stay unclaimed: all ones, counted. */
	vio_reset();
	assert_int_equal(vpm_register(), 0);
	assert_int_equal(vio_port_in(&vcpu, VPLATFORM_PM_PORT + 2, 1), 0xFF);
	assert_int_equal(vio_port_in(&vcpu, VPLATFORM_RESET_PORT - 1, 1), 0xFF);
	assert_int_equal(vio_port_in(&vcpu, VPLATFORM_KBC_PORT - 4, 1), 0xFF);	/* 0x60 */
	assert_int_equal(dom.io_unhandled, 3);
}

static void test_s5_powers_off(void **state)
{
	(void)state;
	vio_port_out(&vcpu, VPLATFORM_PM_PORT, 1, SLP_EN | SLP_TYP(VPLATFORM_SLP_TYP_S5));
	assert_int_equal(ended.power_offs, 1);
	assert_ptr_equal(ended.d, &dom);
	assert_int_equal(ended.reboots, 0);
	assert_int_equal(dom.sleep_ignored, 0);
	assert_int_equal(dom.io_unhandled, 0);
}

/* Linux's acpi_hw_extended_sleep(): clear WAK_STS, then SLP_TYP | SLP_EN. */
static void test_linux_sequence(void **state)
{
	(void)state;
	vio_port_out(&vcpu, VPLATFORM_PM_PORT + 1, 1, WAK_STS);
	assert_int_equal(vio_port_in(&vcpu, VPLATFORM_PM_PORT + 1, 1), 0);
	assert_int_equal(ended.power_offs, 0);
	vio_port_out(&vcpu, VPLATFORM_PM_PORT, 1, SLP_TYP(VPLATFORM_SLP_TYP_S5) | SLP_EN);
	assert_int_equal(ended.power_offs, 1);
}

static void test_other_sleep_types_ignored(void **state)
{
	(void)state;
	for (unsigned int typ = 0; typ < 8; typ++)
		if (typ != VPLATFORM_SLP_TYP_S5)
			vio_port_out(&vcpu, VPLATFORM_PM_PORT, 1, SLP_EN | SLP_TYP(typ));
	assert_int_equal(dom.sleep_ignored, 7);
	assert_int_equal(shim_log_count_matching("vpm: d3 pm sleep type "), 7);
	assert_string_equal(shim_log_last(), "vpm: d3 pm sleep type 7 ignored (only S5 is offered), 7 so far");
	/* S5's type without SLP_EN is only a write: nothing happens, nothing counted. */
	vio_port_out(&vcpu, VPLATFORM_PM_PORT, 1, SLP_TYP(VPLATFORM_SLP_TYP_S5));
	/* SLP_EN written to the status register does not sleep either. */
	vio_port_out(&vcpu, VPLATFORM_PM_PORT + 1, 1, SLP_EN | SLP_TYP(VPLATFORM_SLP_TYP_S5));
	assert_int_equal(dom.sleep_ignored, 7);
	assert_int_equal(ended.power_offs, 0);
	assert_int_equal(ended.reboots, 0);
	assert_int_equal(vio_port_in(&vcpu, VPLATFORM_PM_PORT, 1), 0);	/* SLP_EN reads 0 */
	assert_int_equal(vio_port_in(&vcpu, VPLATFORM_PM_PORT + 1, 1), 0);	/* WAK_STS clear */
	assert_int_equal(dom.io_unhandled, 0);
}

static void test_reset_register(void **state)
{
	(void)state;
	assert_int_equal(vio_port_in(&vcpu, VPLATFORM_RESET_PORT, 1), 0);
	vio_port_out(&vcpu, VPLATFORM_RESET_PORT, 1, 0x02);	/* SYS_RST alone: no reset yet */
	vio_port_out(&vcpu, VPLATFORM_RESET_PORT, 1, 0x00);
	assert_int_equal(ended.reboots, 0);
	vio_port_out(&vcpu, VPLATFORM_RESET_PORT, 1, VPLATFORM_RESET_VALUE);
	assert_int_equal(ended.reboots, 1);
	assert_string_equal(ended.cause, "reset register");
	assert_ptr_equal(ended.d, &dom);
	vio_port_out(&vcpu, VPLATFORM_RESET_PORT, 1, 0x0E);	/* full reset */
	assert_int_equal(ended.reboots, 2);
	assert_int_equal(ended.power_offs, 0);
}

static void test_keyboard_controller(void **state)
{
	static const uint8_t harmless[] = { 0x20, 0x60, 0xAA, 0xAD, 0xD1, 0xEF, 0xF1, 0xFF };

	(void)state;
	/* Status: input buffer empty (bit 1), so Linux's kb_wait() ends at once. */
	assert_int_equal(vio_port_in(&vcpu, VPLATFORM_KBC_PORT, 1) & 0x02, 0);
	assert_int_equal(vio_port_in(&vcpu, VPLATFORM_KBC_PORT, 1), 0);
	for (unsigned int i = 0; i < sizeof(harmless); i++)
		vio_port_out(&vcpu, VPLATFORM_KBC_PORT, 1, harmless[i]);
	assert_int_equal(ended.reboots, 0);
	vio_port_out(&vcpu, VPLATFORM_KBC_PORT, 1, 0xFE);
	assert_int_equal(ended.reboots, 1);
	assert_string_equal(ended.cause, "keyboard controller");
	vio_port_out(&vcpu, VPLATFORM_KBC_PORT, 1, 0xF0);	/* pulses every line, reset too */
	assert_int_equal(ended.reboots, 2);
	assert_int_equal(ended.power_offs, 0);
	assert_int_equal(dom.io_unhandled, 0);
}

#define T(fn)	cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_register_claims_ports),
		T(test_s5_powers_off),
		T(test_linux_sequence),
		T(test_other_sleep_types_ignored),
		T(test_reset_register),
		T(test_keyboard_controller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
