/* SPDX-License-Identifier: MIT */
/* The audit's pure part: recording owned ranges and finding a cross-owner overlap. */
#include <tally/audit.h>

void audit_add(struct audit *a, uint64_t start, uint64_t len, unsigned int owner)
{
	if (!len)
		return;
	if (a->count == AUDIT_MAX_RANGES) {
		a->overflow = true;
		return;
	}
	/* A range reaching past the top of the address space ends there. */
	a->ranges[a->count++] = (struct audit_range){
		start, start + len < start ? UINT64_MAX : start + len, owner };
}

/* Heap sort by start address: no recursion, no allocation, O(n log n). */
static void sift_down(struct audit_range *r, unsigned int i, unsigned int n)
{
	for (;;) {
		unsigned int big = i, l = 2 * i + 1, rt = 2 * i + 2;
		struct audit_range t;

		if (l < n && r[l].start > r[big].start)
			big = l;
		if (rt < n && r[rt].start > r[big].start)
			big = rt;
		if (big == i)
			return;
		t = r[i];
		r[i] = r[big];
		r[big] = t;
		i = big;
	}
}

static void sort_ranges(struct audit_range *r, unsigned int n)
{
	for (unsigned int i = n / 2; i-- > 0;)
		sift_down(r, i, n);
	for (unsigned int end = n; end-- > 1;) {
		struct audit_range t = r[0];

		r[0] = r[end];
		r[end] = t;
		sift_down(r, 0, end);
	}
}

/*
 * One sweep in address order, remembering the range that reaches furthest.
 * If any cross-owner pair overlaps, the first range (in order) that
 * overlaps one of another owner meets such a furthest-reaching range.
 */
bool audit_find_conflict(struct audit *a, unsigned int *x, unsigned int *y)
{
	unsigned int far = 0;

	sort_ranges(a->ranges, a->count);
	for (unsigned int i = 1; i < a->count; i++) {
		const struct audit_range *r = &a->ranges[i];

		if (r->start < a->ranges[far].end && r->owner != a->ranges[far].owner) {
			*x = far;
			*y = i;
			return true;
		}
		if (r->end > a->ranges[far].end)
			far = i;
	}
	return false;
}
