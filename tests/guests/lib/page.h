/* SPDX-License-Identifier: MIT */
/* Test-guest page allocator: 4 KiB pages of the RAM between the image and the top of RAM. */
#ifndef GUEST_PAGE_H
#define GUEST_PAGE_H

#include <stdint.h>
#include "mb.h"

#define PAGE_SIZE		4096u

/*
 * Make the pages from the image's end (_image_end) to the top of RAM
 * (mb_ram_end(), kept below 4 GiB: paging is off) the pool; returns its
 * size in pages.  Read what you need of @mbi first: the loader may have
 * put the multiboot information on the first page after the image, which
 * is the first one page_alloc() hands out.
 */
uint32_t page_pool_init(const struct mb_info *mbi);

/* A page from the pool, as it is (not zeroed); NULL when none is left. */
void *page_alloc(void);

/* Give back @page, which page_alloc() handed out. */
void page_free(void *page);

/* Pages handed out and not yet given back. */
uint32_t page_pool_used(void);

/* The first byte past the RAM the pool reaches: the RAM this guest can address. */
uint32_t page_pool_end(void);

#endif
