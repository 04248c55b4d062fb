/* SPDX-License-Identifier: MIT */
/* Bitmap frame allocator (see tally/frame.h for the design). */
#include <tally/errno.h>
#include <tally/frame.h>

#define BITS_PER_WORD	64

static bool test_bit(const uint64_t *map, uint64_t pfn)
{
	return map[pfn / BITS_PER_WORD] & (1ull << (pfn % BITS_PER_WORD));
}

static void assign_bit(uint64_t *map, uint64_t pfn, bool set)
{
	uint64_t bit = 1ull << (pfn % BITS_PER_WORD);

	if (set)
		map[pfn / BITS_PER_WORD] |= bit;
	else
		map[pfn / BITS_PER_WORD] &= ~bit;
}

static bool frame_used(const struct frame_alloc *fa, uint64_t pfn)
{
	return test_bit(fa->bitmap, pfn);
}

static void frame_set(struct frame_alloc *fa, uint64_t pfn, bool used)
{
	assign_bit(fa->bitmap, pfn, used);
}

/* Words in one of the two bitmaps. */
static uint64_t bitmap_words(uint64_t limit)
{
	return ALIGN_UP(limit >> PAGE_SHIFT, BITS_PER_WORD) / BITS_PER_WORD;
}

uint64_t frame_bitmap_bytes(uint64_t limit)
{
	return 2 * 8 * bitmap_words(limit);
}

void frame_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t limit)
{
	uint64_t words = bitmap_words(limit);

	fa->bitmap = bitmap;
	fa->allocated = bitmap + words;
	fa->nframes = limit >> PAGE_SHIFT;
	fa->free_frames = 0;
	fa->usable_frames = 0;
	for (uint64_t i = 0; i < words; i++) {
		fa->bitmap[i] = ~0ull;
		fa->allocated[i] = 0;
	}
}

void frame_add_free(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
	uint64_t first = ALIGN_UP(base, PAGE_SIZE) >> PAGE_SHIFT;
	uint64_t end = base + len < base ? UINT64_MAX : base + len;
	uint64_t last = MIN(ALIGN_DOWN(end, PAGE_SIZE) >> PAGE_SHIFT, fa->nframes);

	for (uint64_t pfn = first; pfn < last; pfn++) {
		if (!frame_used(fa, pfn))
			continue;
		frame_set(fa, pfn, false);
		fa->free_frames++;
		fa->usable_frames++;
	}
}

void frame_reserve(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
	uint64_t first = base >> PAGE_SHIFT;
	uint64_t end = base + len < base ? UINT64_MAX : base + len;
	uint64_t last = fa->nframes;

	if (!len)
		return;
	if (end <= UINT64_MAX - PAGE_SIZE)
		last = MIN(ALIGN_UP(end, PAGE_SIZE) >> PAGE_SHIFT, fa->nframes);
	for (uint64_t pfn = first; pfn < last; pfn++) {
		if (frame_used(fa, pfn))
			continue;
		frame_set(fa, pfn, true);
		fa->free_frames--;
	}
}

/* Length of the free run starting at @pfn, up to @max frames. */
static uint64_t free_run(const struct frame_alloc *fa, uint64_t pfn, uint64_t max)
{
	uint64_t n = 0;

	while (n < max && pfn + n < fa->nframes) {
		uint64_t p = pfn + n;

		/* Whole free words at once: the common case for large blocks. */
		if (p % BITS_PER_WORD == 0 && max - n >= BITS_PER_WORD &&
		    p + BITS_PER_WORD <= fa->nframes && fa->bitmap[p / BITS_PER_WORD] == 0) {
			n += BITS_PER_WORD;
			continue;
		}
		if (frame_used(fa, p))
			break;
		n++;
	}
	return n;
}

int frame_alloc_range(struct frame_alloc *fa, uint64_t count, uint64_t align,
		      uint64_t limit, uint64_t *pa)
{
	uint64_t step, end_pfn = MIN(limit >> PAGE_SHIFT, fa->nframes);

	if (!count || align < PAGE_SIZE || (align & (align - 1)))
		return -EINVAL;
	if (count > fa->free_frames)
		return -ENOMEM;
	step = align >> PAGE_SHIFT;
	for (uint64_t pfn = 0; pfn < end_pfn && count <= end_pfn - pfn; pfn += step) {
		uint64_t run;

		/* Skip a fully used word quickly. */
		if (fa->bitmap[pfn / BITS_PER_WORD] == ~0ull && step < BITS_PER_WORD) {
			pfn = ALIGN_UP(pfn + 1, BITS_PER_WORD) - step;
			pfn = ALIGN_DOWN(pfn, step);
			continue;
		}
		run = free_run(fa, pfn, count);
		if (run == count) {
			for (uint64_t i = 0; i < count; i++) {
				frame_set(fa, pfn + i, true);
				assign_bit(fa->allocated, pfn + i, true);
			}
			fa->free_frames -= count;
			*pa = pfn << PAGE_SHIFT;
			return 0;
		}
		/* The next candidate must start past the used frame just found. */
		pfn = ALIGN_DOWN(pfn + run, step);
	}
	return -ENOMEM;
}

int frame_free_range(struct frame_alloc *fa, uint64_t pa, uint64_t count)
{
	uint64_t first = pa >> PAGE_SHIFT;

	if (!count || !IS_ALIGNED(pa, PAGE_SIZE) || first >= fa->nframes ||
	    count > fa->nframes - first)
		return -EINVAL;
	for (uint64_t i = 0; i < count; i++)
		if (!test_bit(fa->allocated, first + i))
			return -EINVAL;
	for (uint64_t i = 0; i < count; i++) {
		frame_set(fa, first + i, false);
		assign_bit(fa->allocated, first + i, false);
	}
	fa->free_frames += count;
	return 0;
}
