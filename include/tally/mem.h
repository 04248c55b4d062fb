/* SPDX-License-Identifier: MIT */
/* Tally's physical memory: the frame allocator set up from the boot memory map. */
#ifndef TALLY_MEM_H
#define TALLY_MEM_H

#include <tally/boot_info.h>

/*
 * Build the allocator from @bi, keeping Tally, the modules and the boot info
 * out.  Only memory the boot page tables map is free after this.
 */
void mem_init(const struct boot_info *bi);
/* Switch to the final page tables and free all remaining RAM; prints the totals. */
void mem_map_all(void);

/*
 * Allocate @bytes (rounded up to whole pages) of physical memory aligned to
 * @align, below @limit (0: anywhere).  Returns 0 with *@pa set, or -ENOMEM.
 * The memory is not cleared.
 */
int mem_alloc(uint64_t bytes, uint64_t align, uint64_t limit, hpa_t *pa);
/* Allocate one zeroed page; panics when memory is exhausted (boot-time use). */
hpa_t mem_alloc_page_zeroed(void);
/* Give back memory from mem_alloc(); returns -EINVAL for a bad range. */
int mem_free(hpa_t pa, uint64_t bytes);
/* Keep [@base, @base + @len) from ever being allocated (firmware tables). */
void mem_reserve(uint64_t base, uint64_t len);
/* Whether [@base, @base + @len) touches usable RAM (a device window must not). */
bool mem_overlaps_ram(uint64_t base, uint64_t len);
/* Free bytes right now. */
uint64_t mem_free_bytes(void);
/* Usable RAM the allocator manages (`mem: usable_kib=`): free plus Tally's and the domains'. */
uint64_t mem_usable_bytes(void);

/* Print the cleaned memory map and the free total (debug key `m`). */
void mem_log_map(void);
/* A phys_read_fn over Tally's identity map, for the boot-time parsers. */
const void *mem_phys_read(uint64_t pa, uint64_t len, void *ctx);

#endif
