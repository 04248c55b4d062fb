/* SPDX-License-Identifier: MIT */
/* Unit tests for drivers/vdev/aml.c: names, integers, PkgLength at its boundaries, resource descriptors, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/aml.h>
#include <tally/errno.h>

#include "shim.h"

#define BUF_SIZE	8192

static uint8_t buf[BUF_SIZE];
static struct aml_buf b;

static int setup(void **state)
{
	(void)state;
	memset(buf, 0xEE, sizeof(buf));
	aml_init(&b, buf, sizeof(buf));
	return 0;
}

static void assert_bytes(const uint8_t *want, size_t n)
{
	size_t len;

	assert_int_equal(aml_finish(&b, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, want, n);
}

static void test_names(void **state)
{
	static const uint8_t want[] = {
		0x08, '_', 'H', 'I', 'D',			/* _HID */
		0x08, '\\', '_', 'S', '5', '_',			/* \_S5, padded */
		0x08, '\\', 0x2E, '_', 'S', 'B', '_', 'C', 'O', 'M', '1',	/* \_SB.COM1 */
		0x08, 0x2F, 3, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C', '1', '_', '_',
	};

	(void)state;
	aml_name(&b, "_HID");
	aml_name(&b, "\\_S5");
	aml_name(&b, "\\_SB.COM1");
	aml_name(&b, "A.B.C1");
	assert_bytes(want, sizeof(want));
}

static void test_bad_names(void **state)
{
	static const char *bad[] = { NULL, "", "\\", "a", "1ABC", "ABCDE", "A..B", "A.",
				     ".A", "A-B", "A.B.C.D.E.F.G.H.I" };
	size_t len;

	(void)state;
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&b, buf, sizeof(buf));
		aml_name(&b, bad[i]);
		assert_int_equal(aml_finish(&b, &len), -EINVAL);
		assert_int_equal(len, 0);
	}
	assert_true(aml_nameseg_valid("_S5"));
	assert_true(aml_nameseg_valid("VR01"));
	assert_false(aml_nameseg_valid("VR0l"));
}

static void test_integers(void **state)
{
	static const uint8_t want[] = {
		0x00, 0x01, 0x0A, 0x02, 0x0A, 0xFF, 0x0B, 0x00, 0x01, 0x0B, 0xFF, 0xFF,
		0x0C, 0x00, 0x00, 0x01, 0x00, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF,
		0x0E, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	static const uint64_t values[] = { 0, 1, 2, 0xFF, 0x100, 0xFFFF, 0x10000,
					   0xFFFFFFFF, 0x100000000ull };

	(void)state;
	for (unsigned int i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		aml_integer(&b, values[i]);
	assert_bytes(want, sizeof(want));
}

static void test_strings_and_eisaid(void **state)
{
	static const uint8_t want[] = {
		0x0D, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00,
		0x0C, 0x41, 0xD0, 0x05, 0x01,	/* PNP0501 */
		0x0C, 0x41, 0xD0, 0x0A, 0x03,	/* PNP0A03 */
	};
	size_t len;

	(void)state;
	aml_string(&b, "LNRO0005");
	aml_eisaid(&b, "PNP0501");
	aml_eisaid(&b, "PNP0A03");
	assert_bytes(want, sizeof(want));
	static const char *bad_ids[] = { NULL, "PNP050", "PNP05011", "pnp0501", "PNP05G1" };
	for (unsigned int i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		aml_init(&b, buf, sizeof(buf));
		aml_eisaid(&b, bad_ids[i]);
		assert_int_equal(aml_finish(&b, &len), -EINVAL);
	}
	aml_init(&b, buf, sizeof(buf));
	aml_string(&b, "tab\there");
	assert_int_equal(aml_finish(&b, &len), -EINVAL);
}

/* A package of @n One elements: body is the count byte and n bytes. */
static void package_of(unsigned int n)
{
	aml_init(&b, buf, sizeof(buf));
	aml_package_begin(&b, (uint8_t)n);
	for (unsigned int i = 0; i < n; i++)
		aml_integer(&b, 1);
	aml_end(&b);
}

static void test_pkglength_boundaries(void **state)
{
	size_t len;

	(void)state;
	package_of(61);	/* body 62: PkgLength 63 fits one byte */
	assert_int_equal(aml_finish(&b, &len), 0);
	assert_int_equal(len, 1 + 1 + 62);
	assert_int_equal(buf[1], 63);
	assert_int_equal(buf[2], 61);
	package_of(62);	/* body 63: two bytes, 65 = 0x41 */
	assert_int_equal(aml_finish(&b, &len), 0);
	assert_int_equal(len, 1 + 2 + 63);
	assert_int_equal(buf[1], 0x41);
	assert_int_equal(buf[2], 0x04);
	assert_int_equal(buf[3], 62);
	assert_int_equal(buf[4], 0x01);

	/* Buffers: 4093 bytes + BufferSize (3) -> 4096 content needs 3 PkgLength bytes. */
	aml_init(&b, buf, sizeof(buf));
	aml_buffer_begin(&b);
	for (unsigned int i = 0; i < 4093 / 2; i++)
		aml_res_end(&b);
	aml_res_end(&b);	/* 4094 bytes */
	aml_end(&b);
	assert_int_equal(aml_finish(&b, &len), 0);
	/* PkgLength 4094 + 3 + 3 = 4100 = 0x1004: 0x80 | 4, 0x00, 0x01 */
	assert_int_equal(buf[1], 0x84);
	assert_int_equal(buf[2], 0x00);
	assert_int_equal(buf[3], 0x01);
	assert_int_equal(buf[4], 0x0B);	/* BufferSize as a Word */
	assert_int_equal(buf[5], 4094 & 0xFF);
	assert_int_equal(buf[6], 4094 >> 8);
	assert_int_equal(len, 1 + 3 + 3 + 4094);
}

static void test_resources(void **state)
{
	static const uint8_t want[] = {
		0x11, 0x25, 0x0A, 0x22,	/* Buffer(34) */
		0x47, 0x01, 0x10, 0x05, 0x10, 0x05, 0x01, 0x02,
		0x22, 0x00, 0x80,
		0x86, 0x09, 0x00, 0x01, 0x00, 0x10, 0xB0, 0xFE, 0x00, 0x10, 0x00, 0x00,
		0x89, 0x06, 0x00, 0x03, 0x01, 0x17, 0x00, 0x00, 0x00,
		0x79, 0x00,
	};
	size_t len;

	(void)state;
	aml_buffer_begin(&b);
	aml_res_io16(&b, 0x510, 2);
	aml_res_irq_noflags(&b, 15);
	aml_res_mem32_fixed(&b, 0xFEB01000, 0x1000);
	aml_res_interrupt(&b, 23, false);
	aml_res_end(&b);
	aml_end(&b);
	assert_bytes(want, sizeof(want));
	aml_init(&b, buf, sizeof(buf));
	aml_res_irq_noflags(&b, 16);	/* not an ISA IRQ */
	assert_int_equal(aml_finish(&b, &len), -EINVAL);
}

static void test_nesting_errors(void **state)
{
	size_t len;

	(void)state;
	aml_scope_begin(&b, "\\_SB");	/* never closed */
	assert_int_equal(aml_finish(&b, &len), -EINVAL);
	aml_init(&b, buf, sizeof(buf));
	aml_end(&b);			/* nothing open */
	assert_int_equal(aml_finish(&b, &len), -EINVAL);
	aml_init(&b, buf, sizeof(buf));
	for (unsigned int i = 0; i < AML_MAX_DEPTH + 1; i++)
		aml_package_begin(&b, 1);
	assert_int_equal(aml_finish(&b, &len), -EINVAL);
}

static void test_no_space(void **state)
{
	size_t len;

	(void)state;
	/* Fits exactly: 5 bytes of name, then nothing more. */
	aml_init(&b, buf, 5);
	aml_name(&b, "_UID");
	assert_int_equal(aml_finish(&b, &len), 0);
	assert_int_equal(len, 5);
	aml_integer(&b, 1);
	assert_int_equal(aml_finish(&b, &len), -ENOSPC);
	assert_int_equal(buf[5], 0xEE);	/* nothing past the end */
	/* The PkgLength's own bytes do not fit. */
	memset(buf, 0xEE, sizeof(buf));
	aml_init(&b, buf, 3);
	aml_package_begin(&b, 1);
	aml_integer(&b, 1);
	aml_end(&b);
	assert_int_equal(aml_finish(&b, &len), -ENOSPC);
	assert_int_equal(buf[3], 0xEE);
	/* Sticky: later calls that would fit do nothing. */
	aml_integer(&b, 0);
	assert_int_equal(aml_finish(&b, &len), -ENOSPC);
}

#define T(fn)	cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_names),
		T(test_bad_names),
		T(test_integers),
		T(test_strings_and_eisaid),
		T(test_pkglength_boundaries),
		T(test_resources),
		T(test_nesting_errors),
		T(test_no_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
