/* SPDX-License-Identifier: MIT */
/* Sanitising firmware memory maps, and finding free holes in them (pure logic). */
#include <tally/errno.h>
#include <tally/memmap.h>

/* Higher wins where ranges overlap: anything beats usable RAM. */
static unsigned int restrictiveness(uint32_t type)
{
	switch (type) {
	case MEM_USABLE: return 1;
	case MEM_ACPI_RECLAIMABLE: return 2;
	case MEM_ACPI_NVS: return 3;
	case MEM_BAD: return 5;
	default: return 4;	/* reserved, and types we do not know */
	}
}

static uint32_t canonical_type(uint32_t type)
{
	return restrictiveness(type) == 4 ? MEM_RESERVED : type;
}

static void sort_u64(uint64_t *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Type covering [lo, hi) after overlap resolution; 0 where nothing covers it. */
static uint32_t type_at(const struct mem_range *in, unsigned int n, uint64_t lo, uint64_t hi)
{
	uint32_t best = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t end = in[i].base + in[i].len;

		if (!in[i].len || end < in[i].base || in[i].base > lo || end < hi)
			continue;
		if (!best || restrictiveness(in[i].type) > restrictiveness(best))
			best = in[i].type;
	}
	return best ? canonical_type(best) : 0;
}

int memmap_sanitize(const struct mem_range *in, unsigned int n,
		    struct mem_range *out, unsigned int max)
{
	uint64_t points[2 * BOOT_MAX_MMAP];
	unsigned int np = 0, count = 0;

	if (n > BOOT_MAX_MMAP)
		return -E2BIG;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t end = in[i].base + in[i].len;

		if (!in[i].len || end < in[i].base)
			continue;	/* empty, or wraps past 2^64 */
		points[np++] = in[i].base;
		points[np++] = end;
	}
	sort_u64(points, np);
	for (unsigned int i = 0; i + 1 < np; i++) {
		uint64_t lo = points[i], hi = points[i + 1];
		uint32_t type;

		if (lo == hi || !(type = type_at(in, n, lo, hi)))
			continue;
		if (count && out[count - 1].type == type &&
		    out[count - 1].base + out[count - 1].len == lo) {
			out[count - 1].len += hi - lo;
			continue;
		}
		if (count == max)
			return -ENOSPC;
		out[count++] = (struct mem_range){ lo, hi - lo, type };
	}
	return (int)count;
}

/* First address >= @start that is aligned and clear of every reserved range. */
static uint64_t skip_reserved(uint64_t start, uint64_t size, uint64_t align,
			      const struct mem_range *reserved, unsigned int nres)
{
	bool moved = true;

	while (moved) {
		moved = false;
		if (start > UINT64_MAX - size - align)
			return UINT64_MAX;	/* no room before the top of memory */
		start = ALIGN_UP(start, align);
		for (unsigned int i = 0; i < nres; i++) {
			uint64_t rend = reserved[i].base + reserved[i].len;

			if (reserved[i].len && start < rend && reserved[i].base < start + size) {
				start = rend;
				moved = true;
			}
		}
	}
	return start;
}

int memmap_find_free(const struct mem_range *map, unsigned int n,
		     const struct mem_range *reserved, unsigned int nres,
		     uint64_t size, uint64_t align, uint64_t limit, uint64_t *base)
{
	if (!size || !align || (align & (align - 1)))
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t end = MIN(map[i].base + map[i].len, limit);
		uint64_t start;

		if (map[i].type != MEM_USABLE || map[i].base >= end)
			continue;
		start = skip_reserved(map[i].base, size, align, reserved, nres);
		if (start <= end && size <= end - start) {
			*base = start;
			return 0;
		}
	}
	return -ENOMEM;
}

bool memmap_overlaps_usable(const struct mem_range *map, unsigned int n, uint64_t base,
			    uint64_t len)
{
	uint64_t end = len > UINT64_MAX - base ? UINT64_MAX : base + len;

	if (!len)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (map[i].type == MEM_USABLE && base < map[i].base + map[i].len &&
		    map[i].base < end)
			return true;
	return false;
}
