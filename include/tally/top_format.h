/* SPDX-License-Identifier: MIT */
/* The console table's layout, pure: cells in, aligned lines out (kernel/top.c prints them).
 *
 * Design: the caller fills one struct top_row per line, lets the layout
 * widen each column to its widest cell (header included), then asks for
 * each line.  Text columns are left-aligned and number columns
 * right-aligned, so every value sits under its header whatever the widths.
 * Nothing here allocates or touches hardware: tests/unit/test_top_format.c
 * runs it on the host. */
#ifndef TALLY_TOP_FORMAT_H
#define TALLY_TOP_FORMAT_H

#include <tally/types.h>

#define TOP_MAX_COLUMNS	16
#define TOP_CELL_MAX	32	/* a cell's text with its NUL (a domain name fits); longer is cut */

enum top_align {
	TOP_ALIGN_LEFT,		/* text: names, states */
	TOP_ALIGN_RIGHT,	/* numbers */
};

struct top_column {
	const char *header;	/* one word: tests find columns by splitting on blanks */
	enum top_align align;
};

struct top_layout {
	const struct top_column *columns;
	unsigned int count;
	unsigned int width[TOP_MAX_COLUMNS];
};

struct top_row {
	char cell[TOP_MAX_COLUMNS][TOP_CELL_MAX];
};

/* @l over @count columns (at most TOP_MAX_COLUMNS), each as wide as its header. */
void top_layout_init(struct top_layout *l, const struct top_column *columns, unsigned int count);
/* Widen @l's columns to fit @row's cells. */
void top_layout_fit(struct top_layout *l, const struct top_row *row);
/*
 * @row (NULL: the headers) as one line in @buf of @size bytes: cells one
 * blank apart, each padded to its column's width on the side its
 * alignment says, no blanks at the end.  Always NUL-terminated (cut short
 * if @size is too small); returns the length written.
 */
size_t top_layout_line(const struct top_layout *l, const struct top_row *row, char *buf,
		       size_t size);
/* Where column @col starts in a line of @l: to put a note under that column. */
unsigned int top_layout_offset(const struct top_layout *l, unsigned int col);
/* Copy @text into @row's cell @col (cut to fit). */
void top_row_set(struct top_row *row, unsigned int col, const char *text);

/*
 * Share of each of @n @parts in @total units (per mille of one CPU, times
 * the CPUs), into @out: rounded by largest remainder, so they add up to
 * @total exactly (ties go to the earlier part).  All zero if the parts are.
 */
void top_shares(const uint64_t *parts, unsigned int n, uint32_t total, uint32_t *out);

/*
 * Up to @max of the @n rows with the largest @share (ties: the earlier row),
 * into @out in row order (the table's, by domain id); returns how many.
 * O(@n * @max): for a console table's few rows out of many domains.
 */
unsigned int top_pick_rows(const uint32_t *share, unsigned int n, unsigned int max,
			   unsigned int *out);

/* @permille as "12.3". */
void top_format_permille(char *buf, size_t size, uint32_t permille);
/*
 * @bytes as "512B", then "1.0KiB" .. "16.0EiB": one decimal, rounded half
 * up, in the largest unit whose figure stays below 1024.0.
 */
void top_format_size(char *buf, size_t size, uint64_t bytes);
/*
 * @centis hundredths of a second as "59.99", "1:00.00" (minutes) or
 * "1:00:00.00" (hours), like ps; with @clock always as hours ("0:00:12.34").
 */
void top_format_time(char *buf, size_t size, uint64_t centis, bool clock);

#endif
