/* SPDX-License-Identifier: MIT */
/* Unit tests: the guest MMIO region registry (drivers/vdev/vmmio.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <tally/errno.h>
#include <tally/vmmio.h>

#include "shim.h"

/* A fake device: remembers the last access, answers a fixed pattern or refuses. */
static struct {
	struct vcpu *v;
	uint64_t gpa, val;
	unsigned int size, reads, writes;
	int result;
} dev;

static int dev_read(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *val)
{
	dev.v = v;
	dev.gpa = gpa;
	dev.size = size;
	dev.reads++;
	*val = 0x1122334455667788ull;	/* wider than asked: the registry masks it */
	return dev.result;
}

static int dev_write(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t val)
{
	dev.v = v;
	dev.gpa = gpa;
	dev.size = size;
	dev.val = val;
	dev.writes++;
	return dev.result;
}

static const struct vmmio_ops ops = { "dev", dev_read, dev_write };
static const struct vmmio_ops read_only = { "rom", dev_read, NULL };

static int setup(void **state __unused)
{
	vmmio_reset();
	dev.reads = dev.writes = 0;
	dev.result = 0;
	return 0;
}

static void test_register_errors(void **state __unused)
{
	assert_int_equal(vmmio_register(0x1000, 0, &ops), -EINVAL);
	assert_int_equal(vmmio_register(0x1000, 0x10, NULL), -EINVAL);
	assert_int_equal(vmmio_register(~0ull - 0xF, 0x20, &ops), -EINVAL);	/* wraps */
	assert_int_equal(vmmio_register(~0ull - 0xF, 0x10, &ops), 0);		/* ends at the top */
	assert_int_equal(vmmio_register(0xFEC00000, 0x1000, &ops), 0);
	/* Any overlap is refused: inside, straddling either end, enclosing. */
	assert_int_equal(vmmio_register(0xFEC00800, 0x10, &ops), -EEXIST);
	assert_int_equal(vmmio_register(0xFEBFF000, 0x1001, &ops), -EEXIST);
	assert_int_equal(vmmio_register(0xFEC00FFF, 0x10, &ops), -EEXIST);
	assert_int_equal(vmmio_register(0xFE000000, 0x1000000, &ops), -EEXIST);
	/* Touching is not overlapping. */
	assert_int_equal(vmmio_register(0xFEBFF000, 0x1000, &ops), 0);
	assert_int_equal(vmmio_register(0xFEC01000, 0x1000, &ops), 0);
}

static void test_register_full(void **state __unused)
{
	for (unsigned int i = 0; i < VMMIO_MAX_REGIONS; i++)
		assert_int_equal(vmmio_register(0x100000 * (i + 1), 0x1000, &ops), 0);
	assert_int_equal(vmmio_register(0x10000000, 0x1000, &ops), -ENOSPC);
	/* An overlapping one is still -EEXIST, a bad one -EINVAL. */
	assert_int_equal(vmmio_register(0x100000, 0x1000, &ops), -EEXIST);
	assert_int_equal(vmmio_register(0x10000000, 0, &ops), -EINVAL);
}

static void test_find(void **state __unused)
{
	uint64_t base = 0, size = 0;

	assert_int_equal(vmmio_register(0xFEE00000, 0x1000, &ops), 0);
	assert_ptr_equal(vmmio_find(0xFEE00000, &base, &size), &ops);
	assert_int_equal(base, 0xFEE00000);
	assert_int_equal(size, 0x1000);
	assert_ptr_equal(vmmio_find(0xFEE00FFF, NULL, NULL), &ops);
	assert_null(vmmio_find(0xFEE01000, &base, &size));
	assert_null(vmmio_find(0xFEDFFFFF, NULL, NULL));
	vmmio_reset();
	assert_null(vmmio_find(0xFEE00000, NULL, NULL));
}

static void test_access(void **state __unused)
{
	struct vcpu *v = (struct vcpu *)0x1234;
	uint64_t val = 0;

	assert_int_equal(vmmio_register(0xFEC00000, 0x20, &ops), 0);
	assert_int_equal(vmmio_read(v, 0xFEC00010, 2, &val), 0);
	assert_int_equal(val, 0x7788);
	assert_ptr_equal(dev.v, v);
	assert_int_equal(dev.gpa, 0xFEC00010);
	assert_int_equal(dev.size, 2);
	assert_int_equal(vmmio_read(v, 0xFEC00018, 8, &val), 0);
	assert_int_equal(val, 0x1122334455667788ull);
	assert_int_equal(vmmio_write(v, 0xFEC0001C, 4, 0xAABBCCDDEEFF0011ull), 0);
	assert_int_equal(dev.val, 0xEEFF0011);
	assert_int_equal(vmmio_write(v, 0xFEC00000, 1, 0x1FF), 0);
	assert_int_equal(dev.val, 0xFF);
	assert_int_equal(dev.reads, 2);
	assert_int_equal(dev.writes, 2);
}

static void test_access_refused(void **state __unused)
{
	struct vcpu *v = NULL;
	uint64_t val = 99;

	assert_int_equal(vmmio_register(0xFEC00000, 0x20, &ops), 0);
	assert_int_equal(vmmio_register(0xFED00000, 0x10, &read_only), 0);
	/* Crossing the region's end, outside any region, odd sizes: the device is not called. */
	assert_int_equal(vmmio_read(v, 0xFEC0001C, 8, &val), -ERANGE);
	assert_int_equal(vmmio_write(v, 0xFEC0001F, 2, 0), -ERANGE);
	assert_int_equal(vmmio_read(v, 0xFEC00020, 1, &val), -ENOENT);
	assert_int_equal(vmmio_read(v, 0xFEC00000, 3, &val), -EINVAL);
	assert_int_equal(vmmio_write(v, 0xFEC00000, 0, 0), -EINVAL);
	assert_int_equal(vmmio_write(v, 0xFEC00000, 16, 0), -EINVAL);
	assert_int_equal(vmmio_write(v, 0xFED00000, 4, 0), -ENODEV);
	assert_int_equal(dev.reads + dev.writes, 0);
	assert_int_equal(val, 99);
	/* The device's own refusal comes back as it gave it. */
	dev.result = -EACCES;
	assert_int_equal(vmmio_write(v, 0xFEC00004, 4, 1), -EACCES);
	assert_int_equal(vmmio_read(v, 0xFED00000, 4, &val), -EACCES);
	assert_int_equal(dev.reads + dev.writes, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_register_errors, setup),
		cmocka_unit_test_setup(test_register_full, setup),
		cmocka_unit_test_setup(test_find, setup),
		cmocka_unit_test_setup(test_access, setup),
		cmocka_unit_test_setup(test_access_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
