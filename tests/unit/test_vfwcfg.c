/* SPDX-License-Identifier: MIT */
/* Unit tests: the fw_cfg items and selector (drivers/vdev/vfwcfg.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <tally/vfwcfg.h>

#include "shim.h"

/* The port handlers take the device lock; these tests call the model directly. */
void arch_cpu_relax(void)
{
}

static void test_signature(void **state)
{
	struct vfwcfg f = { 0 };	/* as a domain starts: the signature selected */

	(void)state;
	assert_int_equal(vfwcfg_read(&f, 2), 'Q');
	assert_int_equal(vfwcfg_read(&f, 2), 'E');
	assert_int_equal(vfwcfg_read(&f, 2), 'M');
	assert_int_equal(vfwcfg_read(&f, 2), 'U');
	assert_int_equal(vfwcfg_read(&f, 2), 0);	/* past the end */
	assert_int_equal(vfwcfg_read(&f, 2), 0);
	vfwcfg_select(&f, FW_CFG_SIGNATURE);	/* selecting again starts over */
	assert_int_equal(vfwcfg_read(&f, 2), 'Q');
}

static void test_id_no_dma(void **state)
{
	struct vfwcfg f = { 0 };

	(void)state;
	vfwcfg_select(&f, FW_CFG_ID);
	assert_int_equal(vfwcfg_read(&f, 1), 1);	/* traditional interface, DMA bit clear */
	assert_int_equal(vfwcfg_read(&f, 1), 0);
	assert_int_equal(vfwcfg_read(&f, 1), 0);
	assert_int_equal(vfwcfg_read(&f, 1), 0);
}

static void test_nb_cpus(void **state)
{
	struct vfwcfg f = { 0 };

	(void)state;
	vfwcfg_select(&f, FW_CFG_NB_CPUS);
	assert_int_equal(vfwcfg_read(&f, 3), 3);
	assert_int_equal(vfwcfg_read(&f, 3), 0);
	assert_int_equal(vfwcfg_read(&f, 3), 0);	/* two bytes only */
	assert_int_equal(vfwcfg_item_byte(FW_CFG_NB_CPUS, 0, 0x1234), 0x34);
	assert_int_equal(vfwcfg_item_byte(FW_CFG_NB_CPUS, 1, 0x1234), 0x12);
	assert_int_equal(vfwcfg_item_byte(FW_CFG_NB_CPUS, 2, 0x1234), 0);
}

static void test_empty_directory_and_unknown_keys(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(vfwcfg_item_byte(FW_CFG_FILE_DIR, i, 4), 0);
	assert_int_equal(vfwcfg_item_byte(0x0002, 0, 4), 0);
	assert_int_equal(vfwcfg_item_byte(0x4000, 0, 4), 0);
	assert_int_equal(vfwcfg_item_byte(0xFFFF, 0, 4), 0);
	assert_int_equal(vfwcfg_item_byte(FW_CFG_SIGNATURE, UINT32_MAX, 4), 0);
}

/* The offset stops at its limit instead of wrapping back to the signature's first byte. */
static void test_offset_saturates(void **state)
{
	struct vfwcfg f = { .key = FW_CFG_SIGNATURE, .offset = UINT32_MAX };

	(void)state;
	assert_int_equal(vfwcfg_read(&f, 1), 0);
	assert_int_equal(f.offset, UINT32_MAX);
	assert_int_equal(vfwcfg_read(&f, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_id_no_dma),
		cmocka_unit_test(test_nb_cpus),
		cmocka_unit_test(test_empty_directory_and_unknown_keys),
		cmocka_unit_test(test_offset_saturates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
