/* SPDX-License-Identifier: MIT */
/* control's run-time domains: copies of a template created, listed and destroyed, many times. */
#include "control.h"

#define COPIES_MAX	16
#define LIST_CAP	32
#define DRAIN_VECTOR	0x42
#define DRAIN_US	2000000u	/* 22 KiB at 115200 baud */

static struct tally_domain_create req __attribute__((aligned(8)));
static struct tally_domain_info seen[LIST_CAP] __attribute__((aligned(8)));

/* @src into @dst (@size bytes), cut to fit and NUL-terminated. */
static void put(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src) < size - 1 ? strlen(src) : size - 1;

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int32_t create(const char *tmpl, const char *name, const char *options)
{
	memset(&req, 0, sizeof(req));
	put(req.template_name, tmpl, sizeof(req.template_name));
	put(req.name, name, sizeof(req.name));
	put(req.options, options, sizeof(req.options));
	return tally_hcall(TALLY_HC_DOMAIN_CREATE, (uint32_t)(uintptr_t)&req, sizeof(req), 0);
}

/* @v in decimal at @p; returns the end. */
static char *put_u32(char *p, uint32_t v)
{
	char digits[10];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = digits[--n];
	return p;
}

/* "c<cycle>-" and, unless @copy is NULL, the copy's number: every copy's name is new. */
static void copy_name(char *buf, uint32_t cycle, const uint32_t *copy)
{
	char *p = buf;

	*p++ = 'c';
	p = put_u32(p, cycle);
	*p++ = '-';
	if (copy)
		p = put_u32(p, *copy);
	*p = '\0';
}

/* Live copies of cycle @cycle in one DOMAIN_LIST_FROM page from id 1. */
static int32_t live_copies(uint32_t cycle)
{
	char prefix[TALLY_DOMAIN_NAME_MAX];
	int32_t n = tally_domain_list_from(1, seen, LIST_CAP), live = 0;
	size_t len;

	copy_name(prefix, cycle, NULL);
	len = strlen(prefix);
	for (int32_t i = 0; i < n && i < LIST_CAP; i++)
		live += !memcmp(seen[i].name, prefix, len) && !(seen[i].flags & TALLY_DOMAIN_DEAD);
	return n > LIST_CAP ? -1 : live;
}

/* The refusals, each with its exact code; each leaves nothing behind. */
static void refusals(const char *tmpl)
{
	int32_t r, id;

	r = create("nosuch", "r-none", "");
	guest_check(r == -TALLY_ENOENT, "DOMAIN_CREATE from no template: %d (-ENOENT)", r);
	id = create(tmpl, "r-dup", "");
	guest_check(id > 0, "DOMAIN_CREATE r-dup: d%d", id);
	r = create(tmpl, "r-dup", "");
	guest_check(r == -TALLY_EEXIST, "DOMAIN_CREATE r-dup again: %d (-EEXIST)", r);
	r = create(tmpl, "control", "");
	guest_check(r == -TALLY_EEXIST, "DOMAIN_CREATE named control: %d (-EEXIST)", r);
	guest_check(tally_domain_destroy((uint32_t)id) == 0, "DOMAIN_DESTROY of r-dup");
	r = create(tmpl, "bad name", "");
	guest_check(r == -TALLY_EINVAL, "DOMAIN_CREATE 'bad name': %d (-EINVAL)", r);
	r = create(tmpl, "r-opt", "mem=0");
	guest_check(r == -TALLY_EINVAL, "DOMAIN_CREATE mem=0: %d (-EINVAL)", r);
	r = create(tmpl, "r-opt", "role=control");
	guest_check(r == -TALLY_EINVAL, "DOMAIN_CREATE role=control: %d (-EINVAL)", r);
	r = create(tmpl, "r-opt", "guestword");
	guest_check(r == -TALLY_EINVAL, "DOMAIN_CREATE with a guest word: %d (-EINVAL)", r);
	r = create(tmpl, "r-big", "mem=60000");
	guest_check(r == -TALLY_ENOMEM, "DOMAIN_CREATE mem=60000: %d (-ENOMEM)", r);
	r = tally_hcall(TALLY_HC_DOMAIN_CREATE, (uint32_t)(uintptr_t)&req, sizeof(req) - 1, 0);
	guest_check(r == -TALLY_EINVAL, "DOMAIN_CREATE short length: %d (-EINVAL)", r);
	r = tally_hcall(TALLY_HC_DOMAIN_CREATE, 0xFFFFFF00u, sizeof(req), 0);
	guest_check(r == -TALLY_EFAULT, "DOMAIN_CREATE beyond RAM: %d (-EFAULT)", r);
}

/* One cycle: @copies created (ids new and distinct), all listed live, all destroyed. */
static bool one_cycle(const char *tmpl, uint32_t cycle, uint32_t copies, uint32_t *ids,
		      uint32_t *prev)
{
	char name[TALLY_DOMAIN_NAME_MAX];
	int32_t r;

	for (uint32_t c = 0; c < copies; c++) {
		copy_name(name, cycle, &c);
		r = create(tmpl, name, "");
		if (r <= 0)
			return guest_check(false, "cycle %u: DOMAIN_CREATE %s: %d", cycle, name, r);
		ids[c] = (uint32_t)r;
		for (uint32_t k = 0; k < copies; k++)
			if ((k < c && ids[k] == ids[c]) || prev[k] == ids[c])
				return guest_check(false, "cycle %u: id d%u given again at once",
						   cycle, ids[c]);
	}
	r = live_copies(cycle);
	if (r != (int32_t)copies)
		return guest_check(false, "cycle %u: %d copies listed live, not %u", cycle, r,
				   copies);
	for (uint32_t c = 0; c < copies; c++) {
		r = tally_domain_destroy(ids[c]);
		if (r)
			return guest_check(false, "cycle %u: DOMAIN_DESTROY d%u: %d", cycle, ids[c], r);
		prev[c] = ids[c];
	}
	r = live_copies(cycle);
	return r == 0 || guest_check(false, "cycle %u: %d copies live after destroying", cycle, r);
}

void control_runtime_cycles(const char *tmpl, uint32_t cycles, uint32_t copies)
{
	uint32_t ids[COPIES_MAX], prev[COPIES_MAX] = { 0 }, done = 0;

	if (!guest_check(copies >= 1 && copies <= COPIES_MAX, "copies=%u", copies))
		return;
	refusals(tmpl);
	while (done < cycles && one_cycle(tmpl, done, copies, ids, prev))
		done++;
	/*
	 * The copies' usage lines fill Tally's console ring faster than the
	 * UART drains it, and a guest's line finding it full is dropped: let
	 * it drain, halted (Tally idle), before the verdict.
	 */
	if (sleep_init(DRAIN_VECTOR))
		sleep_us(DRAIN_US);
	guest_check(done == cycles, "%u cycles of %u copies of %s: created, listed live, "
		    "destroyed; last ids d%u..d%u", done, copies, tmpl, ids[0], ids[copies - 1]);
}
