/* SPDX-License-Identifier: MIT */
/* Unit tests: CPUID leaf 0xD as guests see it (arch/x86_64/vmx/cpuid_xsave.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/cpuid_xsave.h>
#include <arch/xstate.h>

#include "shim.h"

/* Leaf 0xD as a Skylake-SP reports it (Bochs' corei7_skylake_x): size, offset, ECX. */
static const struct cpuid_regs skylake[] = {
	[0] = { 0x2ff, 0xa88, 0xa88, 0 },	/* x87..PKRU incl. MPX; EBX for XCR0 = all */
	[1] = { 0xf, 0x988, 0, 0 },		/* XSAVEOPT, XSAVEC, XGETBV1, XSAVES */
	[2] = { 256, 576, 0, 0 },		/* AVX */
	[3] = { 64, 960, 0, 0 },		/* MPX BNDREGS */
	[4] = { 64, 1024, 0, 0 },		/* MPX BNDCSR */
	[5] = { 64, 1088, 0, 0 },		/* opmask */
	[6] = { 512, 1152, 0, 0 },		/* ZMM_Hi256 */
	[7] = { 1024, 1664, 0, 0 },		/* Hi16_ZMM */
	[8] = { 0, 0, XSAVE_N_ECX_SUPERVISOR, 0 },	/* PT: supervisor */
	[9] = { 8, 2688, 0, 0 },		/* PKRU */
};

static struct cpuid_regs table_raw(void *ctx, uint32_t sub)
{
	const struct cpuid_regs *t = ctx;

	return sub < 10 ? t[sub] : (struct cpuid_regs){ 0 };
}

static struct cpuid_regs filtered(const struct cpuid_regs *t, uint32_t sub, uint64_t mask,
				  uint64_t xcr0)
{
	struct cpuid_regs c = table_raw((void *)t, sub);

	cpuid_xsave_filter(sub, &c, mask, xcr0, table_raw, (void *)t);
	return c;
}

#define ALL_SWITCHED	(XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_PKRU)

/* Linux 6.1's "XSAVE consistency problem: size 832 != kernel_size 0": EBX of 0xD.1 was 0. */
static void test_subleaf1_compacted_size(void **state)
{
	struct cpuid_regs c;

	(void)state;
	c = filtered(skylake, 1, ALL_SWITCHED, XCR0_X87 | XCR0_SSE | XCR0_AVX);
	assert_int_equal(c.eax, XSAVE_1_EAX_XSAVEOPT | XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XGETBV1);
	assert_int_equal(c.ebx, 832);		/* 512 + 64 + 256 */
	assert_int_equal(c.ecx, 0);		/* no IA32_XSS bits */
	assert_int_equal(c.edx, 0);
	/* The guest's XCR0 decides: x87 alone is the legacy area and the header. */
	assert_int_equal(filtered(skylake, 1, ALL_SWITCHED, XCR0_X87).ebx, 576);
	/* Everything: AVX-512 packed after AVX (no MPX gap), then PKRU. */
	assert_int_equal(filtered(skylake, 1, ALL_SWITCHED, ALL_SWITCHED).ebx,
			 832 + 64 + 512 + 1024 + 8);
	/* Bits the guest could not have set (MPX) do not count. */
	assert_int_equal(filtered(skylake, 1, ALL_SWITCHED, XCR0_X87 | XCR0_SSE | 0x18).ebx, 576);
}

static void test_subleaf1_without_xsavec(void **state)
{
	struct cpuid_regs t[10];
	struct cpuid_regs c;

	(void)state;
	memcpy(t, skylake, sizeof(t));
	t[1].eax = XSAVE_1_EAX_XSAVEOPT | XSAVE_1_EAX_XSAVES | XSAVE_1_EAX_XFD;
	c = filtered(t, 1, ALL_SWITCHED, XCR0_X87 | XCR0_SSE | XCR0_AVX);
	assert_int_equal(c.eax, XSAVE_1_EAX_XSAVEOPT);	/* XSAVES and XFD hidden */
	assert_int_equal(c.ebx, 0);			/* no compacted format offered */
}

/* Components with ECX[1] start on a 64-byte boundary in the compacted format. */
static void test_compacted_alignment(void **state)
{
	struct cpuid_regs t[10] = {
		[2] = { 8, 576, 0, 0 },
		[3] = { 16, 640, XSAVE_N_ECX_ALIGN64, 0 },
		[4] = { 4, 704, 0, 0 },
	};

	(void)state;
	assert_int_equal(cpuid_xsave_compacted_size(0x1c, table_raw, t), 576 + 8 + 56 + 16 + 4);
	assert_int_equal(cpuid_xsave_compacted_size(0x18, table_raw, t), 576 + 16 + 4);
	assert_int_equal(cpuid_xsave_standard_size(0x1c, table_raw, t), 708);
	assert_int_equal(cpuid_xsave_standard_size(0x04, table_raw, t), 584);
}

static void test_subleaf0_sizes(void **state)
{
	struct cpuid_regs c;

	(void)state;
	c = filtered(skylake, 0, XCR0_X87 | XCR0_SSE | XCR0_AVX, XCR0_X87 | XCR0_SSE);
	assert_int_equal(c.eax, 7);		/* MPX, AVX-512, PKRU not switched here */
	assert_int_equal(c.edx, 0);
	assert_int_equal(c.ebx, 576);		/* for the XCR0 now */
	assert_int_equal(c.ecx, 832);		/* for all it may enable */
	c = filtered(skylake, 0, ALL_SWITCHED, ALL_SWITCHED);
	assert_int_equal(c.eax, 0x2e7);
	assert_int_equal(c.ebx, 2696);		/* PKRU's offset + 8 */
	assert_int_equal(c.ecx, 2696);
}

static void test_components(void **state)
{
	struct cpuid_regs c;

	(void)state;
	c = filtered(skylake, 2, ALL_SWITCHED, XCR0_X87);
	assert_int_equal(c.eax, 256);
	assert_int_equal(c.ebx, 576);
	c = filtered(skylake, 3, ALL_SWITCHED, XCR0_X87);	/* MPX: not switched */
	assert_int_equal(c.eax | c.ebx | c.ecx | c.edx, 0);
	c = filtered(skylake, 8, ALL_SWITCHED, XCR0_X87);	/* supervisor PT */
	assert_int_equal(c.eax | c.ebx | c.ecx | c.edx, 0);
	c = filtered(skylake, 64, ALL_SWITCHED, XCR0_X87);
	assert_int_equal(c.eax | c.ebx | c.ecx | c.edx, 0);
	c = filtered(skylake, 0xFFFFFFFFu, ALL_SWITCHED, XCR0_X87);
	assert_int_equal(c.eax | c.ebx | c.ecx | c.edx, 0);
	/* No XSAVE at all: every sub-leaf reads 0. */
	c = filtered(skylake, 0, 0, 0);
	assert_int_equal(c.eax | c.ebx | c.ecx | c.edx, 0);
	c = filtered(skylake, 1, 0, 0);
	assert_int_equal(c.eax | c.ebx | c.ecx | c.edx, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subleaf1_compacted_size),
		cmocka_unit_test(test_subleaf1_without_xsavec),
		cmocka_unit_test(test_compacted_alignment),
		cmocka_unit_test(test_subleaf0_sizes),
		cmocka_unit_test(test_components),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
