/* SPDX-License-Identifier: MIT */
/* Checked copies to and from guest memory (see tally/hcall_args.h for the design). */
#include <tally/errno.h>
#include <tally/hcall_args.h>
#include <tally/string.h>

void *hcall_flat_translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail)
{
	uint64_t to_page_end = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));

	if (gpa >= m->size)
		return NULL;
	*avail = MIN(to_page_end, m->size - gpa);
	return m->base + gpa;
}

static void *translate(const struct guest_mem *m, uint64_t gpa, uint64_t *avail)
{
	hcall_translate_fn fn = m->translate ? m->translate : hcall_flat_translate;

	return fn(m, gpa, avail);
}

/* Alignment and wrap-around: the checks on a span before any page is looked at. */
static int check_span(uint64_t gpa, uint64_t len, uint64_t align)
{
	if (align > 1 && !IS_ALIGNED(gpa, align))
		return -EINVAL;
	if (len && gpa + (len - 1) < gpa)	/* its last byte wraps past 2^64 - 1 */
		return -EFAULT;
	return 0;
}

/* The argument checks shared by every copy, before any page is looked at. */
static int check_args(uint64_t gpa, uint64_t len, uint64_t align)
{
	if (len > HCALL_COPY_MAX)
		return -E2BIG;
	return check_span(gpa, len, align);
}

/*
 * Walk guest [@gpa, @gpa + @len) page by page; with @buf set, copy each
 * piece to the guest (@to_guest) or from it.  -EFAULT at the first unmapped
 * byte, so callers walk once without @buf before copying.
 */
static int walk(const struct guest_mem *m, uint64_t gpa, uint64_t len,
		uint8_t *buf, bool to_guest)
{
	while (len) {
		uint64_t avail = 0;
		uint8_t *host = translate(m, gpa, &avail);
		uint64_t n;

		if (!host || !avail)
			return -EFAULT;
		n = MIN(avail, len);
		if (buf && to_guest)
			memcpy(host, buf, n);
		else if (buf)
			memcpy(buf, host, n);
		if (buf)
			buf += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int hcall_check_guest_range(const struct guest_mem *m, uint64_t gpa, uint64_t len,
			    uint64_t align)
{
	int err = check_args(gpa, len, align);

	return err ? err : walk(m, gpa, len, NULL, false);
}

int hcall_check_guest_array(const struct guest_mem *m, uint64_t gpa, uint64_t count,
			    uint64_t size, uint64_t align)
{
	int err;

	if (size > HCALL_COPY_MAX)
		return -E2BIG;		/* each entry must fit one copy */
	if (size && count > UINT64_MAX / size)
		return -EFAULT;		/* it would end past 2^64 - 1 */
	err = check_span(gpa, count * size, align);
	return err ? err : walk(m, gpa, count * size, NULL, false);
}

int hcall_copy_from_guest(const struct guest_mem *m, void *dst, uint64_t gpa,
			  uint64_t len, uint64_t align)
{
	int err = hcall_check_guest_range(m, gpa, len, align);

	return err ? err : walk(m, gpa, len, dst, false);
}

int hcall_copy_to_guest(const struct guest_mem *m, uint64_t gpa, const void *src,
			uint64_t len, uint64_t align)
{
	int err = hcall_check_guest_range(m, gpa, len, align);

	/* The walk only reads through @src when copying to the guest. */
	return err ? err : walk(m, gpa, len, (uint8_t *)src, true);
}

int hcall_copy_string_from_guest(const struct guest_mem *m, char *dst, uint64_t gpa,
				 uint64_t max)
{
	uint64_t i = 0;

	while (i < max) {
		uint64_t avail = 0;
		const char *host = gpa + i < gpa ? NULL : translate(m, gpa + i, &avail);

		if (!host || !avail) {
			dst[0] = '\0';
			return -EFAULT;
		}
		for (uint64_t j = 0; j < avail && i < max; j++, i++) {
			dst[i] = host[j];
			if (!host[j])
				return (int)i;
		}
	}
	if (max)
		dst[0] = '\0';
	return -E2BIG;
}
