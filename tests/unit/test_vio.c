/* SPDX-License-Identifier: MIT */
/* Unit tests: guest port I/O routing (drivers/vdev/vio.c); the UART's are in test_vuart*.c. */
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

#include "shim.h"

/* ------------------------------------------------ fixture and a fake device */

/* Domain 1 has two vCPUs (v1, and w1 with id 1), domain 2 one (v2). */
struct fixture {
	struct domain *d1, *d2;
	struct vcpu *v1, *w1, *v2;
};

static struct vcpu *make_vcpu(struct domain *d, unsigned int id)
{
	struct vcpu *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	v->domain = d;
	v->id = id;
	d->vcpus[id] = v;
	d->vcpu_count = id + 1;
	return v;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->d1 = calloc(1, sizeof(*f->d1));
	f->d2 = calloc(1, sizeof(*f->d2));
	f->d1->id = 1;
	f->d2->id = 2;
	f->v1 = make_vcpu(f->d1, 0);
	f->w1 = make_vcpu(f->d1, 1);
	f->v2 = make_vcpu(f->d2, 0);
	vio_reset();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->v1);
	free(f->w1);
	free(f->v2);
	free(f->d1);
	free(f->d2);
	free(f);
	return 0;
}

static struct {
	struct vcpu *v;
	uint16_t port;
	unsigned int size;
	uint32_t value;
	unsigned int reads, writes;
} fake;

static uint32_t fake_read(struct vcpu *v, uint16_t port, unsigned int size)
{
	fake.v = v;
	fake.port = port;
	fake.size = size;
	fake.reads++;
	return 0xA5A5A5A5u;
}

static void fake_write(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value)
{
	fake.v = v;
	fake.port = port;
	fake.size = size;
	fake.value = value;
	fake.writes++;
}

static const struct vio_port_ops fake_ops = { "fake", fake_read, fake_write };
static const struct vio_port_ops read_only_ops = { "ro", fake_read, NULL };

/* ------------------------------------------------ vio registration */

static void test_register_and_overlap(void **state)
{
	(void)state;
	assert_int_equal(vio_register_ports(0x60, 1, &fake_ops), 0);
	assert_int_equal(vio_register_ports(0x64, 1, &fake_ops), 0);
	assert_int_equal(vio_register_ports(0x3F8, 8, &fake_ops), 0);
	assert_int_equal(vio_register_ports(0x3F8, 8, &fake_ops), -EEXIST);	/* same */
	assert_int_equal(vio_register_ports(0x3F0, 9, &fake_ops), -EEXIST);	/* last port */
	assert_int_equal(vio_register_ports(0x3FF, 1, &fake_ops), -EEXIST);	/* inside */
	assert_int_equal(vio_register_ports(0x3FC, 16, &fake_ops), -EEXIST);	/* tail */
	assert_int_equal(vio_register_ports(0x300, 0x200, &fake_ops), -EEXIST);	/* covers */
	assert_int_equal(vio_register_ports(0x61, 3, &fake_ops), 0);	/* between, touching */
	assert_int_equal(vio_register_ports(0x3F0, 8, &fake_ops), 0);	/* touching below */
	assert_int_equal(vio_register_ports(0x400, 1, &fake_ops), 0);	/* touching above */
}

static void test_register_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(vio_register_ports(0x80, 0, &fake_ops), -EINVAL);
	assert_int_equal(vio_register_ports(0xFFFF, 2, &fake_ops), -EINVAL);
	assert_int_equal(vio_register_ports(0xFF00, 0x101, &fake_ops), -EINVAL);
	assert_int_equal(vio_register_ports(1, 0xFFFF, &fake_ops), 0);	/* 1..0xFFFF */
	vio_reset();
	assert_int_equal(vio_register_ports(0xFFFF, 1, &fake_ops), 0);	/* the last port */
	assert_int_equal(vio_register_ports(0xFF00, 0xFF, &fake_ops), 0);
	vio_reset();
	assert_int_equal(vio_register_ports(0, 0xFFFF, &fake_ops), 0);
}

static void test_register_table_full(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < VIO_MAX_RANGES; i++)
		assert_int_equal(vio_register_ports((uint16_t)(0x100 + 4 * i), 4, &fake_ops), 0);
	assert_int_equal(vio_register_ports(0x800, 1, &fake_ops), -ENOSPC);
	vio_reset();
	assert_int_equal(vio_register_ports(0x100, 4, &fake_ops), 0);	/* room again */
}

/* ------------------------------------------------ vio dispatch */

static void test_unclaimed_in_floats(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vio_port_in(f->v1, 0x80, 1), 0xFF);
	assert_int_equal(vio_port_in(f->v1, 0x80, 2), 0xFFFF);
	assert_int_equal(vio_port_in(f->v1, 0x80, 4), 0xFFFFFFFFu);
	assert_int_equal(f->d1->io_unhandled, 3);
	assert_int_equal(f->d2->io_unhandled, 0);
	assert_int_equal(vio_register_ports(0x3F8, 8, &fake_ops), 0);
	assert_int_equal(vio_port_in(f->v1, 0x3F7, 1), 0xFF);	/* just below */
	assert_int_equal(vio_port_in(f->v1, 0x400, 1), 0xFF);	/* just above */
	assert_int_equal(vio_port_in(f->v1, 0xFFFF, 4), 0xFFFFFFFFu);
	assert_int_equal(f->d1->io_unhandled, 6);
	assert_int_equal(fake.reads, 0);
}

static void test_unclaimed_out_counted(void **state)
{
	struct fixture *f = *state;

	vio_port_out(f->v2, 0x80, 1, 0x12);
	vio_port_out(f->v2, 0xCF8, 4, 0x80000000u);
	assert_int_equal(f->d2->io_unhandled, 2);
	assert_int_equal(f->d1->io_unhandled, 0);
}

static void test_missing_handler_counts_as_unclaimed(void **state)
{
	struct fixture *f = *state;

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(vio_register_ports(0x70, 2, &read_only_ops), 0);
	vio_port_out(f->v1, 0x71, 1, 0x55);
	assert_int_equal(f->d1->io_unhandled, 1);
	assert_int_equal(vio_port_in(f->v1, 0x71, 1), 0xA5);
	assert_int_equal(f->d1->io_unhandled, 1);
}

static void test_claimed_dispatch_masks_to_size(void **state)
{
	struct fixture *f = *state;

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(vio_register_ports(0x1F0, 8, &fake_ops), 0);
	assert_int_equal(vio_port_in(f->v2, 0x1F7, 1), 0xA5);
	assert_ptr_equal(fake.v, f->v2);
	assert_int_equal(fake.port, 0x1F7);
	assert_int_equal(fake.size, 1);
	assert_int_equal(vio_port_in(f->v2, 0x1F0, 2), 0xA5A5);
	assert_int_equal(fake.size, 2);
	assert_int_equal(vio_port_in(f->v2, 0x1F0, 4), 0xA5A5A5A5u);
	vio_port_out(f->v1, 0x1F2, 1, 0x12345678u);
	assert_ptr_equal(fake.v, f->v1);
	assert_int_equal(fake.port, 0x1F2);
	assert_int_equal(fake.value, 0x78);
	vio_port_out(f->v1, 0x1F2, 2, 0x12345678u);
	assert_int_equal(fake.value, 0x5678);
	vio_port_out(f->v1, 0x1F2, 4, 0x12345678u);
	assert_int_equal(fake.value, 0x12345678u);
	assert_int_equal(fake.reads, 3);
	assert_int_equal(fake.writes, 3);
	assert_int_equal(f->d1->io_unhandled + f->d2->io_unhandled, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_and_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unclaimed_in_floats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unclaimed_out_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_handler_counts_as_unclaimed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_claimed_dispatch_masks_to_size, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("vio", tests, NULL, NULL);
}
