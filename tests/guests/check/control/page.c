/* SPDX-License-Identifier: MIT */
/* control's paged listing: DOMAIN_LIST_FROM a few at a time must add up to one DOMAIN_LIST. */
#include "control.h"

#define ALL_MAX		64	/* domains one DOMAIN_LIST here holds */
#define PAGE_MAX	16	/* the largest page list_page= may ask for */
#define PAST_LIMIT	(TALLY_DOMAIN_LIST_MAX + 1)

static struct tally_domain_info all[ALL_MAX] __attribute__((aligned(8)));
static struct tally_domain_info page[PAGE_MAX] __attribute__((aligned(8)));

/* What never changes of a domain once listed (its flags may: it can end in between). */
static bool same_domain(const struct tally_domain_info *a, const struct tally_domain_info *b)
{
	return a->domain_id == b->domain_id && a->vcpus == b->vcpus &&
	       a->mem_bytes == b->mem_bytes && !strcmp(a->name, b->name);
}

/*
 * Page through every domain @size at a time from id 1 and compare each
 * entry with @n entries of the whole list; the number of calls, or 0 on a
 * mismatch (reported).
 */
static uint32_t page_through(uint32_t size, int32_t n)
{
	uint32_t next = 1, calls = 0;
	int32_t got = 0, r;

	do {
		r = tally_domain_list_from(next, page, size);
		calls++;
		if (r != n - got) {
			guest_fail("DOMAIN_LIST_FROM d%u: %d, %d left of %d", next, r, n - got, n);
			return 0;
		}
		for (int32_t i = 0; i < r && i < (int32_t)size; i++, got++) {
			if (!same_domain(&page[i], &all[got])) {
				guest_fail("DOMAIN_LIST_FROM d%u entry %d: d%u %s, not d%u %s", next,
					   i, page[i].domain_id, page[i].name, all[got].domain_id,
					   all[got].name);
				return 0;
			}
		}
		next = page[((uint32_t)r < size ? (uint32_t)r : size) - 1].domain_id + 1;
	} while (r > (int32_t)size);
	return got == n ? calls : 0;
}

/* The bad and the edge arguments, each with its exact result. */
static void hostile_args(int32_t n)
{
	int32_t r;

	r = tally_domain_list_from(0, page, 1);
	guest_check(r == -TALLY_EINVAL, "DOMAIN_LIST_FROM d0: %d (-EINVAL)", r);
	r = tally_domain_list_from(0xFFFFFFFFu, page, 1);
	guest_check(r == 0, "DOMAIN_LIST_FROM d4294967295: %d (none left)", r);
	r = tally_domain_list_from((uint32_t)n + 1, page, 1);
	guest_check(r == 0, "DOMAIN_LIST_FROM past the last: %d (none left)", r);
	r = tally_domain_list_from(1, NULL, 0);
	guest_check(r == n, "DOMAIN_LIST_FROM d1 capacity 0: %d (the count, %d)", r, n);
	r = tally_domain_list_from(2, NULL, 0);
	guest_check(r == n - 1, "DOMAIN_LIST_FROM d2 capacity 0: %d (%d)", r, n - 1);
	r = tally_domain_list_from(1, page, PAST_LIMIT);
	guest_check(r == -TALLY_E2BIG, "DOMAIN_LIST_FROM capacity %u: %d (-E2BIG)", PAST_LIMIT, r);
	r = tally_hcall(TALLY_HC_DOMAIN_LIST_FROM, 1, (uint32_t)(uintptr_t)page + 4, 1);
	guest_check(r == -TALLY_EINVAL, "DOMAIN_LIST_FROM misaligned: %d (-EINVAL)", r);
	r = tally_hcall(TALLY_HC_DOMAIN_LIST_FROM, 1, 0xFFFFFF00u, 2);
	guest_check(r == -TALLY_EFAULT, "DOMAIN_LIST_FROM beyond RAM: %d (-EFAULT)", r);
}

void control_page_check(uint32_t size)
{
	int32_t n = tally_domain_list(all, ALL_MAX);
	uint32_t calls;

	if (!guest_check(n >= 1 && n <= ALL_MAX, "DOMAIN_LIST for paging: %d domains", n) ||
	    !guest_check(size >= 1 && size <= PAGE_MAX, "list_page=%u", size))
		return;
	calls = page_through(size, n);
	guest_check(calls != 0, "DOMAIN_LIST_FROM in pages of %u: %d domains in %u calls, "
		    "as one DOMAIN_LIST", size, n, calls);
	hostile_args(n);
}
