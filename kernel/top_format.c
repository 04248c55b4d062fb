/* SPDX-License-Identifier: MIT */
/* The console table's layout: aligned columns, shares that add up, sizes and times in units. */
#include <tally/fmt.h>
#include <tally/top_format.h>

#define CENTIS_PER_MINUTE	6000
#define CENTIS_PER_HOUR		360000

static unsigned int text_len(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	return n;
}

void top_layout_init(struct top_layout *l, const struct top_column *columns, unsigned int count)
{
	l->columns = columns;
	l->count = MIN(count, TOP_MAX_COLUMNS);
	for (unsigned int i = 0; i < l->count; i++)
		l->width[i] = text_len(columns[i].header);
}

void top_layout_fit(struct top_layout *l, const struct top_row *row)
{
	for (unsigned int i = 0; i < l->count; i++)
		l->width[i] = MAX(l->width[i], text_len(row->cell[i]));
}

unsigned int top_layout_offset(const struct top_layout *l, unsigned int col)
{
	unsigned int at = 0;

	for (unsigned int i = 0; i < col && i < l->count; i++)
		at += l->width[i] + 1;
	return at;
}

void top_row_set(struct top_row *row, unsigned int col, const char *text)
{
	if (col < TOP_MAX_COLUMNS)
		fmt_snprintf(row->cell[col], TOP_CELL_MAX, "%s", text);
}

/* Output that stops at the buffer's end: the line is cut, never overrun. */
struct line_out {
	char *buf;
	size_t size, len;
};

static void put(struct line_out *o, char c, unsigned int times)
{
	for (; times && o->len + 1 < o->size; times--)
		o->buf[o->len++] = c;
}

static void put_text(struct line_out *o, const char *s)
{
	for (; *s && o->len + 1 < o->size; s++)
		o->buf[o->len++] = *s;
}

size_t top_layout_line(const struct top_layout *l, const struct top_row *row, char *buf,
		       size_t size)
{
	struct line_out o = { buf, size, 0 };

	if (!size)
		return 0;
	for (unsigned int i = 0; i < l->count; i++) {
		const char *text = row ? row->cell[i] : l->columns[i].header;
		unsigned int pad = l->width[i] - MIN(l->width[i], text_len(text));

		if (i)
			put(&o, ' ', 1);
		if (l->columns[i].align == TOP_ALIGN_RIGHT)
			put(&o, ' ', pad);
		put_text(&o, text);
		if (l->columns[i].align == TOP_ALIGN_LEFT)
			put(&o, ' ', pad);
	}
	while (o.len && buf[o.len - 1] == ' ')
		o.len--;
	buf[o.len] = '\0';
	return o.len;
}

/*
 * How far to shift every part right so that their sum times @total fits
 * in 64 bits (cycles since boot can be large): the shares barely move.
 */
static unsigned int shares_shift(const uint64_t *parts, unsigned int n, uint32_t total,
				 uint64_t *sum)
{
	for (unsigned int shift = 0; shift < 64; shift++) {
		bool overflow = false;

		*sum = 0;
		for (unsigned int i = 0; i < n && !overflow; i++)
			overflow = __builtin_add_overflow(*sum, parts[i] >> shift, sum);
		if (!overflow && (!total || *sum <= UINT64_MAX / total))
			return shift;
	}
	*sum = 0;
	return 64;
}

void top_shares(const uint64_t *parts, unsigned int n, uint32_t total, uint32_t *out)
{
	uint64_t sum;
	unsigned int shift = shares_shift(parts, n, total, &sum);
	uint32_t given = 0;

	for (unsigned int i = 0; i < n; i++) {
		out[i] = sum ? (uint32_t)((parts[i] >> shift) * total / sum) : 0;
		given += out[i];
	}
	/* Fewer than @n units are left: one each to the largest remainders. */
	while (sum && given < total) {
		uint64_t best_rem = 0;
		unsigned int best = n;

		for (unsigned int i = 0; i < n; i++) {
			uint64_t scaled = (parts[i] >> shift) * total;
			uint64_t rem = scaled % sum;

			/* Still at its floor, so not bumped yet. */
			if (out[i] == scaled / sum && (best == n || rem > best_rem)) {
				best = i;
				best_rem = rem;
			}
		}
		if (best == n)
			break;
		out[best]++;
		given++;
	}
}

void top_format_permille(char *buf, size_t size, uint32_t permille)
{
	fmt_snprintf(buf, size, "%u.%u", permille / 10, permille % 10);
}

void top_format_size(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	uint64_t unit = KIB, tenths = 0;
	unsigned int u;

	if (bytes < KIB) {
		fmt_snprintf(buf, size, "%luB", bytes);
		return;
	}
	/* Round first, then pick the unit: 1048575 bytes is 1.0MiB, not 1024.0KiB. */
	for (u = 0; u < ARRAY_SIZE(units); u++, unit *= KIB) {
		tenths = bytes / unit * 10 + (bytes % unit * 10 + unit / 2) / unit;
		if (tenths < 10240 || u == ARRAY_SIZE(units) - 1)
			break;
	}
	fmt_snprintf(buf, size, "%lu.%lu%s", tenths / 10, tenths % 10, units[u]);
}

void top_format_time(char *buf, size_t size, uint64_t centis, bool clock)
{
	uint64_t cs = centis % 100, s = centis / 100 % 60;
	uint64_t m = centis / CENTIS_PER_MINUTE % 60, h = centis / CENTIS_PER_HOUR;

	if (clock || centis >= CENTIS_PER_HOUR)
		fmt_snprintf(buf, size, "%lu:%02lu:%02lu.%02lu", h, m, s, cs);
	else if (centis >= CENTIS_PER_MINUTE)
		fmt_snprintf(buf, size, "%lu:%02lu.%02lu", m, s, cs);
	else
		fmt_snprintf(buf, size, "%lu.%02lu", s, cs);
}

/* Whether row @a goes before row @b in the pick: larger share, then earlier. */
static bool picks_before(const uint32_t *share, unsigned int a, unsigned int b)
{
	return share[a] > share[b] || (share[a] == share[b] && a < b);
}

unsigned int top_pick_rows(const uint32_t *share, unsigned int n, unsigned int max,
			   unsigned int *out)
{
	unsigned int k = 0;

	/* @out by pick order while choosing: insertion, dropping what falls off the end. */
	for (unsigned int r = 0; r < n && max; r++) {
		unsigned int at = k;

		while (at > 0 && picks_before(share, r, out[at - 1]))
			at--;
		if (at == max)
			continue;
		for (unsigned int j = (k < max ? k : max - 1); j > at; j--)
			out[j] = out[j - 1];
		out[at] = r;
		if (k < max)
			k++;
	}
	/* Then by row: insertion again, @k is small. */
	for (unsigned int i = 1; i < k; i++) {
		unsigned int v = out[i], j = i;

		for (; j > 0 && out[j - 1] > v; j--)
			out[j] = out[j - 1];
		out[j] = v;
	}
	return k;
}
