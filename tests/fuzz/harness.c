/* SPDX-License-Identifier: MIT */
/* What the libFuzzer harnesses share (see harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Largest single read the fake memory serves; the parsers ask for at most 1 MiB. */
#define FUZZ_PHYS_MAX_READ	(4 * MIB)

uint64_t fuzz_take(struct fuzz_input *in, size_t n)
{
	uint64_t v = 0;
	size_t have = MIN(n, in->size);

	for (size_t i = 0; i < have; i++)
		v |= (uint64_t)in->data[i] << (8 * i);
	in->data += have;
	in->size -= have;
	return v;
}

const uint8_t *fuzz_bytes(struct fuzz_input *in, size_t max, size_t *len)
{
	const uint8_t *p = in->data;

	*len = MIN(max, in->size);
	in->data += *len;
	in->size -= *len;
	return p;
}

void fuzz_fail(const char *file, int line, const char *cond)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, cond);
	abort();
}

/* Copy the part of @r that overlaps [@pa, @pa + @len) into @dst (which maps @pa). */
static void overlay(uint8_t *dst, uint64_t pa, uint64_t len, const struct fuzz_region *r)
{
	uint64_t lo = MAX(pa, r->base), hi = MIN(pa + len, r->base + r->len);

	if (r->len && lo < hi)
		memcpy(dst + (lo - pa), r->bytes + (lo - r->base), hi - lo);
}

const void *fuzz_phys_read(uint64_t pa, uint64_t len, void *ctx)
{
	struct fuzz_phys *p = ctx;
	uint8_t *copy;

	fuzz_phys_release(p);
	p->reads++;
	if (len > FUZZ_PHYS_MAX_READ || pa > p->limit || len > p->limit - pa)
		return NULL;
	if (pa < p->hole_end && pa + len > p->hole_start)
		return NULL;
	copy = calloc(1, len ? len : 1);
	FUZZ_CHECK(copy);
	for (unsigned int i = 0; i < FUZZ_PHYS_REGIONS; i++)
		overlay(copy, pa, len, &p->region[i]);
	p->last = copy;
	return copy;
}

void fuzz_phys_release(struct fuzz_phys *p)
{
	free(p->last);
	p->last = NULL;
}
