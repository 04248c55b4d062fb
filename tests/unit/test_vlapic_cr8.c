/* SPDX-License-Identifier: MIT */
/* Unit tests: CR8 as the virtual APIC's TPR (drivers/vdev/vlapic.c, SDM 11.8.6.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tally/vlapic.h>
#include <tally/errno.h>

#include "shim.h"

#define NOW		1000
#define VLAPIC_TEST_EXTD	(1ull << 10)	/* IA32_APIC_BASE: x2APIC mode */
#define VEC_CLASS4	0x45
#define VEC_CLASS6	0x65

static struct vlapic enabled_apic(void)
{
	struct vlapic l;
	struct vlapic_action act;

	vlapic_init(&l, 0);
	assert_int_equal(vlapic_base_write(&l, vlapic_base_read(&l) | VLAPIC_TEST_EXTD), 0);
	assert_int_equal(vlapic_msr_write(&l, MSR_X2APIC_SVR, VLAPIC_SVR_ENABLE | 0xFF, NOW, &act),
			 0);
	return l;
}

static uint64_t tpr_msr(struct vlapic *l)
{
	uint64_t v = ~0ull;

	assert_int_equal(vlapic_msr_read(l, MSR_X2APIC_TPR, NOW, &v), 0);
	return v;
}

/* CR8 and the TPR are one register: each reads what the other wrote. */
static void test_cr8_is_tpr(void **state)
{
	struct vlapic l = enabled_apic();
	struct vlapic_action act;

	(void)state;
	assert_int_equal(vlapic_cr8_read(&l), 0);
	assert_int_equal(vlapic_cr8_write(&l, 5), 0);
	assert_int_equal(tpr_msr(&l), 0x50);
	assert_int_equal(vlapic_msr_write(&l, MSR_X2APIC_TPR, 0x3C, NOW, &act), 0);
	assert_int_equal(vlapic_cr8_read(&l), 3);	/* TPR[7:4]; 3:0 not seen */
	assert_int_equal(vlapic_cr8_write(&l, 0xF), 0);
	assert_int_equal(tpr_msr(&l), 0xF0);		/* TPR[3:0] cleared */
	assert_int_equal(vlapic_cr8_write(&l, 0), 0);
	assert_int_equal(tpr_msr(&l), 0);
}

/* Bits 63:4 of CR8 are reserved: #GP, and the TPR stays. */
static void test_cr8_reserved(void **state)
{
	struct vlapic l = enabled_apic();

	(void)state;
	assert_int_equal(vlapic_cr8_write(&l, 7), 0);
	assert_int_equal(vlapic_cr8_write(&l, 0x10), -EINVAL);
	assert_int_equal(vlapic_cr8_write(&l, 1ull << 63), -EINVAL);
	assert_int_equal(vlapic_cr8_write(&l, ~0ull), -EINVAL);
	assert_int_equal(tpr_msr(&l), 0x70);
	assert_int_equal(vlapic_cr8_read(&l), 7);
}

/* Raising CR8 holds back interrupts of its class and below; lowering it lets them in. */
static void test_cr8_masks(void **state)
{
	struct vlapic l = enabled_apic();
	struct vlapic_action act;

	(void)state;
	assert_int_equal(vlapic_cr8_write(&l, 5), 0);
	vlapic_accept(&l, VEC_CLASS4);
	assert_int_equal(vlapic_pending_vector(&l), -1);
	vlapic_accept(&l, VEC_CLASS6);
	assert_int_equal(vlapic_pending_vector(&l), VEC_CLASS6);
	vlapic_ack(&l, VEC_CLASS6);
	assert_int_equal(vlapic_pending_vector(&l), -1);	/* in service, and 4 still held */
	assert_int_equal(vlapic_cr8_write(&l, 4), 0);
	assert_int_equal(vlapic_pending_vector(&l), -1);	/* class 4 = TPR class: held */
	assert_int_equal(vlapic_cr8_write(&l, 3), 0);
	assert_int_equal(vlapic_pending_vector(&l), -1);	/* ISR class 6 above it */
	assert_int_equal(vlapic_msr_write(&l, MSR_X2APIC_EOI, 0, NOW, &act), 0);
	assert_int_equal(vlapic_pending_vector(&l), VEC_CLASS4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr8_is_tpr),
		cmocka_unit_test(test_cr8_reserved),
		cmocka_unit_test(test_cr8_masks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
