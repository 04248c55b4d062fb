/* SPDX-License-Identifier: MIT */
/* Unit tests: the console table's layout, shares, sizes and times (kernel/top_format.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/top_format.h>

static const struct top_column columns[] = {
	{ "DOM", TOP_ALIGN_LEFT }, { "NAME", TOP_ALIGN_LEFT }, { "CPU%", TOP_ALIGN_RIGHT },
	{ "TIME", TOP_ALIGN_RIGHT }, { "MEM", TOP_ALIGN_RIGHT },
};
#define NCOLS	ARRAY_SIZE(columns)

static struct top_row row_of(const char *dom, const char *name, const char *cpu,
			     const char *time, const char *mem)
{
	struct top_row r;
	const char *cells[NCOLS] = { dom, name, cpu, time, mem };

	memset(&r, 0, sizeof(r));
	for (unsigned int i = 0; i < NCOLS; i++)
		top_row_set(&r, i, cells[i]);
	return r;
}

/* Start and end of the @n-th blank-separated word of @line; false if it has fewer. */
static bool word_at(const char *line, unsigned int n, size_t *start, size_t *end)
{
	size_t i = 0;

	for (unsigned int w = 0;; w++) {
		while (line[i] == ' ')
			i++;
		if (!line[i])
			return false;
		*start = i;
		while (line[i] && line[i] != ' ')
			i++;
		*end = i;
		if (w == n)
			return true;
	}
}

/* Every cell of @row_line sits under its header: left edges for text, right edges for numbers. */
static void assert_aligned(const char *header_line, const char *row_line)
{
	for (unsigned int c = 0; c < NCOLS; c++) {
		size_t hs, he, cs, ce;

		assert_true(word_at(header_line, c, &hs, &he));
		assert_true(word_at(row_line, c, &cs, &ce));
		if (columns[c].align == TOP_ALIGN_LEFT)
			assert_int_equal(cs, hs);
		else
			assert_int_equal(ce, he);
	}
	assert_int_not_equal(row_line[strlen(row_line) - 1], ' ');
}

/* Lay @rows out and check each line against the header. */
static void check_table(const struct top_row *rows, unsigned int n)
{
	struct top_layout l;
	char header[512], line[512];

	top_layout_init(&l, columns, NCOLS);
	for (unsigned int i = 0; i < n; i++)
		top_layout_fit(&l, &rows[i]);
	top_layout_line(&l, NULL, header, sizeof(header));
	for (unsigned int i = 0; i < n; i++) {
		top_layout_line(&l, &rows[i], line, sizeof(line));
		assert_aligned(header, line);
	}
}

static void test_narrow_values(void **state)
{
	struct top_row rows[] = {
		row_of("d1", "a", "0.4", "0.07", "8.0MiB"),
		row_of("-", "idle", "99.6", "1.00", "-"),
	};
	struct top_layout l;
	char line[128];

	(void)state;
	check_table(rows, ARRAY_SIZE(rows));
	top_layout_init(&l, columns, NCOLS);
	top_layout_fit(&l, &rows[0]);
	top_layout_fit(&l, &rows[1]);
	top_layout_line(&l, NULL, line, sizeof(line));
	assert_string_equal(line, "DOM NAME CPU% TIME    MEM");
	top_layout_line(&l, &rows[0], line, sizeof(line));
	assert_string_equal(line, "d1  a     0.4 0.07 8.0MiB");
	top_layout_line(&l, &rows[1], line, sizeof(line));
	assert_string_equal(line, "-   idle 99.6 1.00      -");
	assert_int_equal(top_layout_offset(&l, 1), 4);
}

static void test_wide_values(void **state)
{
	struct top_row rows[] = {
		row_of("d16", "a-rather-long-name.x", "6400.0", "12345:59:59.99",
		       "16.0EiB"),
		row_of("d2", "b", "0.0", "0.00", "512B"),
		row_of("-", "Tally", "1.2", "1:02.03", "-"),
	};

	(void)state;
	check_table(rows, ARRAY_SIZE(rows));
}

static void test_long_cell_is_cut(void **state)
{
	struct top_row r;
	char text[100];

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	top_row_set(&r, 1, text);
	assert_int_equal(strlen(r.cell[1]), TOP_CELL_MAX - 1);
	top_row_set(&r, TOP_MAX_COLUMNS, "ignored");	/* no such column: nothing written */
}

/* A line cut by a small buffer: NUL-terminated, never past the buffer (ASan checks). */
static void test_short_buffer(void **state)
{
	struct top_row r = row_of("d1", "web", "12.5", "3.00", "64.0MiB");
	struct top_layout l;

	(void)state;
	top_layout_init(&l, columns, NCOLS);
	top_layout_fit(&l, &r);
	for (size_t size = 1; size < 40; size++) {
		char *buf = malloc(size);
		size_t n;

		assert_non_null(buf);
		n = top_layout_line(&l, &r, buf, size);
		assert_true(n < size);
		assert_int_equal(strlen(buf), n);
		free(buf);
	}
	assert_int_equal(top_layout_line(&l, &r, NULL, 0), 0);
}

/* Hundreds of rows of the widest values: every line stays in its buffer and aligned. */
static void test_hundreds_of_rows(void **state)
{
	enum { N = 600 };
	struct top_row *rows = calloc(N, sizeof(*rows));
	char name[TOP_CELL_MAX];

	(void)state;
	assert_non_null(rows);
	for (unsigned int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "dom-%u-%0*u", i, (int)(i % 15), i);
		rows[i] = row_of(i % 2 ? "d1" : "d999999", name, i % 3 ? "0.0" : "6400.0",
				 i % 5 ? "0.01" : "99999:59:59.99", i % 7 ? "1B" : "1023.9KiB");
	}
	check_table(rows, N);
	free(rows);
}

/* Sum of @out, and each within one unit of its exact proportion. */
static uint64_t check_shares(const uint64_t *parts, unsigned int n, uint32_t total,
			     const uint32_t *out)
{
	long double sum = 0;
	uint64_t given = 0;

	for (unsigned int i = 0; i < n; i++)
		sum += parts[i];
	for (unsigned int i = 0; i < n; i++) {
		long double exact = sum ? parts[i] * (long double)total / sum : 0;

		assert_true(out[i] + 1 > exact && out[i] < exact + 1);
		given += out[i];
	}
	return given;
}

static void test_shares_add_up(void **state)
{
	uint64_t seed = 12345;

	(void)state;
	for (unsigned int round = 0; round < 200; round++) {
		uint64_t parts[300];
		uint32_t out[300];
		unsigned int n = 1 + round % 300;
		uint32_t cpus = 1 + round % 64;

		for (unsigned int i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			/* Cycles of a one-second table: some rows zero, some huge. */
			parts[i] = (i % 4 == 0) ? 0 : seed >> (round % 40);
		}
		parts[0] = round + 1;	/* not all zero */
		top_shares(parts, n, cpus * 1000, out);
		assert_int_equal(check_shares(parts, n, cpus * 1000, out), cpus * 1000);
	}
}

static void test_shares_rounding(void **state)
{
	uint64_t thirds[] = { 1, 1, 1 }, none[] = { 0, 0 };
	uint64_t huge[] = { UINT64_MAX / 2, UINT64_MAX / 2, UINT64_MAX / 4 };
	uint64_t split[] = { 1, 999 }, tiny[] = { 1, 1000000 };
	uint32_t out[3];

	(void)state;
	top_shares(thirds, 3, 1000, out);	/* a tie: the earlier part gets the unit */
	assert_int_equal(out[0], 334);
	assert_int_equal(out[1], 333);
	assert_int_equal(out[2], 333);
	top_shares(none, 2, 2000, out);
	assert_int_equal(out[0] + out[1], 0);
	top_shares(huge, 3, 64000, out);	/* no overflow: 2/5, 2/5, 1/5 */
	assert_int_equal(out[0], 25600);
	assert_int_equal(out[1], 25600);
	assert_int_equal(out[2], 12800);
	top_shares(split, 2, 1000, out);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 999);
	top_shares(tiny, 2, 1000, out);	/* 0.001 per mille rounds to 0 */
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 1000);
}

/* The CPU% column as printed (per mille as "N.N") adds up to 100 x CPUs. */
static void test_cpu_column_sums(void **state)
{
	/* Two CPUs over one second: three guests, Tally and idle. */
	uint64_t cycles[] = { 31234567, 12345, 7777777, 3123456, 47851855 };
	uint32_t out[5];
	char cell[16];
	double total = 0;

	(void)state;
	top_shares(cycles, 5, 2 * 1000, out);
	for (unsigned int i = 0; i < 5; i++) {
		top_format_permille(cell, sizeof(cell), out[i]);
		total += strtod(cell, NULL);
	}
	assert_true(total > 199.99 && total < 200.01);
	top_format_permille(cell, sizeof(cell), 1000);
	assert_string_equal(cell, "100.0");
	top_format_permille(cell, sizeof(cell), 5);
	assert_string_equal(cell, "0.5");
}

static void check_size(uint64_t bytes, const char *want)
{
	char buf[TOP_CELL_MAX];

	top_format_size(buf, sizeof(buf), bytes);
	assert_string_equal(buf, want);
}

static void test_size_units(void **state)
{
	(void)state;
	check_size(0, "0B");
	check_size(1023, "1023B");
	check_size(1024, "1.0KiB");
	check_size(1075, "1.0KiB");		/* 1.0498 */
	check_size(1076, "1.1KiB");		/* 1.0508: half up */
	check_size(1048524, "1023.9KiB");	/* 1023.949 */
	check_size(1048525, "1.0MiB");		/* 1023.95 KiB rounds to 1024.0: the next unit */
	check_size(1048576, "1.0MiB");
	check_size(8 << 20, "8.0MiB");
	check_size(259676ull * 1024, "253.6MiB");
	check_size((1ull << 30) - 1, "1.0GiB");
	check_size(3ull << 40, "3.0TiB");
	check_size(UINT64_MAX, "16.0EiB");
}

static void check_time(uint64_t centis, bool clock, const char *want)
{
	char buf[TOP_CELL_MAX];

	top_format_time(buf, sizeof(buf), centis, clock);
	assert_string_equal(buf, want);
}

static void test_time_units(void **state)
{
	(void)state;
	check_time(0, false, "0.00");
	check_time(7, false, "0.07");
	check_time(5999, false, "59.99");
	check_time(6000, false, "1:00.00");
	check_time(6203, false, "1:02.03");
	check_time(359999, false, "59:59.99");
	check_time(360000, false, "1:00:00.00");
	check_time(100 * 86400 + 1, false, "24:00:00.01");
	check_time(1234, true, "0:00:12.34");
	check_time(UINT64_MAX, false, "51240955760304:18:36.15");
}

/* A model of top_pick_rows(): the @max largest shares, ties to the earlier row, in row order. */
static unsigned int model_pick(const uint32_t *share, unsigned int n, unsigned int max,
			       unsigned int *out)
{
	bool taken[64] = { false };
	unsigned int k = 0;

	for (; k < max && k < n; k++) {
		unsigned int best = n;

		for (unsigned int r = 0; r < n; r++)
			if (!taken[r] && (best == n || share[r] > share[best]))
				best = r;
		taken[best] = true;
	}
	k = 0;
	for (unsigned int r = 0; r < n; r++)
		if (taken[r])
			out[k++] = r;
	return k;
}

static void test_pick_rows_examples(void **state)
{
	const uint32_t share[] = { 5, 90, 0, 90, 40, 7 };
	unsigned int out[6];

	(void)state;
	assert_int_equal(top_pick_rows(share, 6, 3, out), 3);
	assert_int_equal(out[0], 1);	/* 90 */
	assert_int_equal(out[1], 3);	/* 90, the later tie */
	assert_int_equal(out[2], 4);	/* 40 */
	assert_int_equal(top_pick_rows(share, 6, 1, out), 1);
	assert_int_equal(out[0], 1);	/* the tie goes to the earlier row */
	assert_int_equal(top_pick_rows(share, 6, 10, out), 6);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(out[i], i);
	assert_int_equal(top_pick_rows(share, 6, 0, out), 0);
	assert_int_equal(top_pick_rows(share, 0, 4, out), 0);
}

static void test_pick_rows_model(void **state)
{
	uint32_t share[64], seed = 12345;
	unsigned int got[64], want[64];

	(void)state;
	for (unsigned int round = 0; round < 2000; round++) {
		unsigned int n = round % 65, max = (round / 7) % 20, k;

		for (unsigned int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			share[i] = (seed >> 16) % (round % 3 ? 8 : 1000);	/* many ties, or few */
		}
		k = top_pick_rows(share, n, max, got);
		assert_int_equal(k, model_pick(share, n, max, want));
		for (unsigned int i = 0; i < k; i++)
			assert_int_equal(got[i], want[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_narrow_values),
		cmocka_unit_test(test_wide_values),
		cmocka_unit_test(test_long_cell_is_cut),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_hundreds_of_rows),
		cmocka_unit_test(test_shares_add_up),
		cmocka_unit_test(test_pick_rows_examples),
		cmocka_unit_test(test_pick_rows_model),
		cmocka_unit_test(test_shares_rounding),
		cmocka_unit_test(test_cpu_column_sums),
		cmocka_unit_test(test_size_units),
		cmocka_unit_test(test_time_units),
	};

	return cmocka_run_group_tests_name("top_format", tests, NULL, NULL);
}
