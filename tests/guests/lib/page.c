/* SPDX-License-Identifier: MIT */
/*
 * Test-guest page allocator.  Never-used pages are handed out from the
 * bottom up, given-back ones from a free list threaded through their first
 * word.  So no page is written before it is handed out, and there is no
 * bitmap to size for RAM that the loader reports only at run time.
 */
#include <stddef.h>
#include <stdint.h>
#include "guest.h"
#include "page.h"

/* Paging is off: only the first 4 GiB are addressable. */
#define ADDR_LIMIT		0x100000000ull

/* First page past this image (guest.ld). */
extern char _image_end[];

static uint32_t pool_start;	/* the first page of the pool */
static uint32_t pool_next;	/* the lowest never-used page */
static uint32_t pool_end;	/* the first byte past the pool */
static void **free_list;	/* given-back pages, each holding the next one's address */
static uint32_t pages_used;

uint32_t page_pool_init(const struct mb_info *mbi)
{
	uint64_t ram_end = mb_ram_end(mbi);

	/* Not the 4 GiB mark itself: as a uint32_t it would be 0. */
	if (ram_end >= ADDR_LIMIT)
		ram_end = ADDR_LIMIT - PAGE_SIZE;
	pool_start = (uint32_t)(uintptr_t)_image_end;
	pool_next = pool_start;
	pool_end = (uint32_t)ram_end & ~(PAGE_SIZE - 1);
	if (pool_end < pool_start)
		pool_end = pool_start;
	free_list = NULL;
	pages_used = 0;
	return (pool_end - pool_start) / PAGE_SIZE;
}

void *page_alloc(void)
{
	void **page = free_list;

	if (page) {
		free_list = *page;
	} else if (pool_next < pool_end) {
		page = (void **)(uintptr_t)pool_next;
		pool_next += PAGE_SIZE;
	} else {
		return NULL;
	}
	pages_used++;
	return page;
}

/* A page that was never handed out would corrupt the free list: end the test instead. */
void page_free(void *page)
{
	uint32_t addr = (uint32_t)(uintptr_t)page;

	if (addr < pool_start || addr >= pool_next || addr % PAGE_SIZE || !pages_used) {
		guest_error("page_free(0x%08x): not a page handed out", addr);
		guest_exit();
	}
	*(void **)page = free_list;
	free_list = page;
	pages_used--;
}

uint32_t page_pool_used(void)
{
	return pages_used;
}

uint32_t page_pool_end(void)
{
	return pool_end;
}
